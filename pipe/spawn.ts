// Copyright 2026 the winipc authors. MIT license.
/**
 * `spawn`: a child process whose standard input, output and error (and any
 * extra inherited pipe ends) are pipe ends, the console, or `NUL`.
 *
 * @module
 */
import {
  FILE_SHARE_READ_WRITE,
  GENERIC_READ_WRITE,
  kernel32,
  OPEN_EXISTING,
  outValue,
} from "../_win32/ffi.ts";
import { errorFromCode } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { waitForHandle } from "../_win32/wait.ts";
import { createProcess, inheritableCopy, setInheritable } from "../_win32/process.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { commandLine, environmentBlock } from "./_command_line.ts";
import { checkChoice } from "../_win32/options.ts";
import { PipeReader, PipeWriter } from "./end.ts";
import { type AnyPipeEnd, handleForChild, releaseToChild } from "./_end.ts";
import { createPipe } from "./create.ts";
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";

/**
 * What a child's standard stream is: a pipe end (a {@linkcode PipeReader}
 * for stdin, a {@linkcode PipeWriter} for stdout and stderr), `"piped"` (a
 * new pipe whose other end is on the child object), `"inherit"` (this
 * process's own), or `"null"` (`NUL`).
 */
export type SpawnStdio = PipeReader | PipeWriter | "inherit" | "null" | "piped";

/** Options for {@linkcode spawn}. */
export interface SpawnOptions {
  /**
   * The arguments, quoted for the Microsoft C runtime's parsing rules.
   * @default {[]}
   */
  args?: string[];
  /**
   * The working directory (`undefined`: this process's).
   * @default {undefined}
   */
  cwd?: string;
  /**
   * Variables to set, on top of this process's environment (or alone, with
   * `clearEnv`).
   * @default {{}}
   */
  env?: Record<string, string>;
  /**
   * Start from an empty environment instead of this process's.
   * @default {false}
   */
  clearEnv?: boolean;
  /**
   * The child's standard input: a {@linkcode PipeReader}, `"piped"`,
   * `"inherit"` or `"null"`.
   * @default {"inherit"}
   */
  stdin?: SpawnStdio;
  /**
   * The child's standard output: a {@linkcode PipeWriter}, `"piped"`,
   * `"inherit"` or `"null"`.
   * @default {"inherit"}
   */
  stdout?: SpawnStdio;
  /**
   * The child's standard error, as `stdout` (it may be the same end).
   * @default {"inherit"}
   */
  stderr?: SpawnStdio;
  /**
   * More pipe ends for the child to inherit. Pass each one's handle value
   * to the child (in `args` or `env`:
   * `String(Deno.UnsafePointer.value(end.unsafeHandle))`); it opens it with
   * `openPipeHandle`. This process's copy is closed once the child has
   * started.
   * @default {[]}
   */
  inherit?: (PipeReader | PipeWriter)[];
  /**
   * Kills the child (exit code 1) when aborted; an already aborted signal
   * makes `spawn` throw its reason before anything starts.
   */
  signal?: AbortSignal;
}

function notPiped(name: string): never {
  throw new TypeError(`Cannot get the child's ${name}: it was not "piped"`);
}

/**
 * A running (or finished) child process from {@linkcode spawn}: its id,
 * its process handle, its exit status, and this process's ends of its
 * `"piped"` streams.
 *
 * The process handle stays open (and {@linkcode unsafeHandle} valid) until
 * the child is closed or disposed, even after the process has ended.
 * {@linkcode close} (and `using`) releases it without ending the process;
 * `await using` ends the process first.
 *
 * @example Run a program and collect what it prints
 * ```ts no-run
 * import { spawn } from "@winipc/winipc/pipe";
 *
 * await using child = spawn("cmd", { args: ["/c", "echo hi"], stdout: "piped" });
 * const { success, code, stdout } = await child.output();
 * console.log(success, code, new TextDecoder().decode(stdout));
 * ```
 */
export class ChildProcess implements Disposable, AsyncDisposable {
  readonly #handle: OwnedHandle;
  #exitCode: number | null = null;
  /** The process id. */
  readonly pid: number;
  /**
   * The exit status, once the process has ended: `{ success, code, signal }`
   * as `Deno.ChildProcess.status` gives it (`success` is `code === 0`;
   * `signal` is always `null` on Windows; a killed child has code 1; the
   * code is signed, as Deno gives it). The wait holds no thread. It
   * rejects with `BadResource` if the child is closed before the process
   * ends (its exit code can no longer be read).
   */
  readonly status: Promise<Deno.CommandStatus>;
  /** This process's end of the child's standard input, with `stdin: "piped"`. */
  readonly stdin: PipeWriter | null;
  /** This process's end of the child's standard output, with `stdout: "piped"`. */
  readonly stdout: PipeReader | null;
  /** This process's end of the child's standard error, with `stderr: "piped"`. */
  readonly stderr: PipeReader | null;

  /** @ignore */
  constructor(
    key: ConstructKey,
    handle: OwnedHandle,
    pid: number,
    pipes: [PipeWriter | null, PipeReader | null, PipeReader | null],
    signal: AbortSignal | undefined,
  ) {
    checkConstruct(key, "a ChildProcess comes from spawn()");
    this.#handle = handle;
    this.pid = pid;
    [this.stdin, this.stdout, this.stderr] = pipes;
    const onAbort = () => this.#terminate();
    signal?.addEventListener("abort", onAbort, { once: true });
    this.status = waitForHandle(handle).then(() => {
      if (handle.closed) throw this.#closedError("read the exit code of");
      const code = new Uint32Array(1);
      const k = kernel32();
      if (!k.GetExitCodeProcess(handle.raw, code)) {
        throw errorFromCode(k.GetLastError(), `Cannot read the exit code of process ${pid}`);
      }
      // A DWORD, read as Deno reads it (a signed 32-bit number: a crash
      // with STATUS_ACCESS_VIOLATION is -1073741819 in both).
      const signed = outValue(code) | 0;
      this.#exitCode = signed;
      return { success: signed === 0, code: signed, signal: null };
    }, (error) => {
      throw handle.closed ? this.#closedError("read the exit code of", error) : error;
    }).finally(() => {
      signal?.removeEventListener("abort", onAbort);
    });
    // Closing before the end rejects the status: nobody has to await it.
    this.status.catch(() => {});
    if (signal?.aborted) onAbort();
  }

  /**
   * The raw Win32 process handle (`null` once the child is closed). It is
   * signalled when the process ends.
   *
   * @example The process handle and id
   * ```ts no-run
   * import { spawn } from "@winipc/winipc/pipe";
   *
   * await using child = spawn("cmd", { args: ["/c", "exit 0"] });
   * console.log(Deno.UnsafePointer.value(child.unsafeHandle), child.pid);
   * ```
   */
  get unsafeHandle(): Deno.PointerValue {
    return this.#handle.closed ? null : this.#handle.raw;
  }

  /**
   * True once the process handle is released ({@linkcode close}, `using`
   * or `await using`).
   *
   * @example Release the handle, leave the process running
   * ```ts no-run
   * import { spawn } from "@winipc/winipc/pipe";
   *
   * const child = spawn("cmd", { args: ["/c", "pause"] });
   * child.close();
   * console.log(child.closed); // true
   * ```
   */
  get closed(): boolean {
    return this.#handle.closed;
  }

  #closedError(what: string, cause?: unknown): Deno.errors.BadResource {
    return new Deno.errors.BadResource(
      `Cannot ${what} process ${this.pid}: its ChildProcess is closed`,
      cause === undefined ? undefined : { cause },
    );
  }

  #terminate(): boolean {
    if (this.#exitCode !== null || this.#handle.closed) return false;
    return kernel32().TerminateProcess(this.#handle.raw, 1) !== 0;
  }

  /**
   * Ends the process at once (`TerminateProcess`, exit code 1). Its pipe
   * ends close with it: readers of its output see the end of the stream.
   *
   * @example Stop a child that waits for ever
   * ```ts no-run
   * import { spawn } from "@winipc/winipc/pipe";
   *
   * await using child = spawn("cmd", { args: ["/c", "pause"], stdin: "piped" });
   * child.kill();
   * console.log(await child.status); // { success: false, code: 1, signal: null }
   * ```
   *
   * @returns False if it had already exited.
   * @throws {Deno.errors.BadResource} If the child is closed (its handle
   * released).
   */
  kill(): boolean {
    if (this.#handle.closed) throw this.#closedError("kill");
    return this.#terminate();
  }

  /**
   * Reads the child's `"piped"` standard output and error to their ends,
   * waits for it to exit, and returns both with its status, as
   * `Deno.ChildProcess.output()` does. Reading `stdout` (or `stderr`) of the
   * result throws a `TypeError` when that stream was not `"piped"`.
   * Nothing is written to the child's input: close a piped `stdin` first,
   * or the child may wait for it for ever.
   *
   * @example Run a child to the end and collect what it printed
   * ```ts no-run
   * import { spawn } from "@winipc/winipc/pipe";
   *
   * await using child = spawn("cmd", { args: ["/c", "echo hi"], stdout: "piped" });
   * const output = await child.output();
   * console.log(output.code, new TextDecoder().decode(output.stdout));
   * ```
   *
   * @returns The status, and the bytes of each piped stream.
   * @throws {TypeError} If a piped stream is already being read (its
   * `readable` is locked).
   * @throws {Deno.errors.BadResource} If the child is closed, or gets
   * closed before the process ends.
   */
  async output(): Promise<Deno.CommandOutput> {
    if (this.#handle.closed) throw this.#closedError("wait for");
    const collect = async (end: PipeReader | null): Promise<Uint8Array<ArrayBuffer> | null> =>
      end === null ? null : new Uint8Array(await new Response(end.readable).arrayBuffer());
    const [out, err] = await Promise.all([collect(this.stdout), collect(this.stderr)]);
    const { success, code, signal } = await this.status;
    return {
      success,
      code,
      signal,
      get stdout(): Uint8Array<ArrayBuffer> {
        return out ?? notPiped("stdout");
      },
      get stderr(): Uint8Array<ArrayBuffer> {
        return err ?? notPiped("stderr");
      },
    };
  }

  /**
   * Releases the process handle (`CloseHandle`; the thread handle was
   * released at the start) without ending the process, which runs on by
   * itself. This process's ends of the `"piped"` streams stay open: they
   * are objects of their own. Afterwards {@linkcode kill} and
   * {@linkcode output} throw `BadResource`, {@linkcode unsafeHandle} is
   * `null`, and {@linkcode status} rejects with `BadResource` unless the
   * process had already ended.
   *
   * @example Start a program and let it run
   * ```ts no-run
   * import { spawn } from "@winipc/winipc/pipe";
   *
   * const child = spawn("notepad");
   * console.log(child.pid);
   * child.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    if (this.#handle.closed) {
      throw new Deno.errors.BadResource(
        `Cannot close the ChildProcess of process ${this.pid}: it is already closed`,
      );
    }
    this.#handle.close();
  }

  /** Releases the process handle if it is still held, as {@linkcode close} does. */
  [Symbol.dispose](): void {
    if (!this.#handle.closed) this.#handle.close();
  }

  /**
   * Kills the process if it is still running (and the child not closed),
   * waits for it, releases the process handle and closes this process's
   * ends of its `"piped"` streams.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#terminate();
    await this.status.catch(() => {});
    if (!this.#handle.closed) this.#handle.close();
    for (const end of [this.stdin, this.stdout, this.stderr]) {
      if (end !== null && !end.closed) end.close();
    }
  }
}

/**
 * The kernel buffer of `"piped"` streams. Larger than `createPipe`'s
 * default: bulk output moves in fewer, larger steps (measured under Wine:
 * about 25 % more throughput at 64 KiB writes than with 64 KiB buffers).
 * Windows charges the buffer only for data in flight.
 */
const PIPED_BUFFER = 1024 * 1024;
// Standard stream `i`'s entry (0 stdin, 1 stdout, 2 stderr) in one of the tables below.
function stream<T>(table: readonly [T, T, T], i: number): T {
  const value = table[i];
  if (value === undefined) throw new RangeError(`There is no standard stream ${i}`);
  return value;
}
const STD_HANDLES = [0xffff_fff6, 0xffff_fff5, 0xffff_fff4] as const; // STD_INPUT/OUTPUT/ERROR_HANDLE
const NAMES = ["stdin", "stdout", "stderr"] as const;

/**
 * Starts a program, as `CreateProcessW` does, with its standard streams
 * and extra inherited pipe ends set up as asked. The child inherits exactly
 * those handles and nothing else (an explicit handle list). The parent's
 * copies of the ends given to the child are closed once it has started, so
 * a reader of the child's output sees the end of the stream when the child
 * exits.
 *
 * @example Talk to a child over its stdin and stdout
 * ```ts no-run
 * import { spawn } from "@winipc/winipc/pipe";
 *
 * await using child = spawn("cmd", { args: ["/c", "sort"], stdin: "piped", stdout: "piped" });
 * await child.stdin!.write(new TextEncoder().encode("b\r\na\r\n"));
 * child.stdin!.close();
 * const sorted = await new Response(child.stdout!.readable).text(); // "a\r\nb\r\n"
 * console.log(sorted, await child.status);
 * ```
 *
 * @example Two children connected directly, `a | b`
 * ```ts no-run
 * import { createPipe, spawn } from "@winipc/winipc/pipe";
 *
 * const { reader, writer } = createPipe({ childEnd: "both" });
 * await using producer = spawn("producer.exe", { stdout: writer });
 * await using consumer = spawn("consumer.exe", { stdin: reader, stdout: "piped" });
 * ```
 *
 * @param command The program: a name found the way `CreateProcessW` finds
 * it (the application's directory, the current one, the system ones, then
 * `PATH`; `.exe` is added), or a path.
 * @param options Arguments, directory, environment, streams, extra ends.
 * @returns The child.
 * @throws {TypeError} For a bad command, argument, environment or stream option.
 * @throws {Deno.errors.NotFound} If the program or the directory does not exist.
 * @throws {Deno.errors.BadResource} If a given end is closed or was given before.
 */
export function spawn(command: string, options: SpawnOptions = {}): ChildProcess {
  const line = commandLine(command, options.args ?? []);
  let environment: Uint16Array | null = null;
  if (options.env !== undefined || options.clearEnv) {
    environment = environmentBlock({
      ...(options.clearEnv ? {} : Deno.env.toObject()),
      ...(options.env ?? {}),
    });
  }
  if (options.cwd !== undefined && (typeof options.cwd !== "string" || options.cwd === "")) {
    throw new TypeError(`Cannot spawn "${command}": cwd must be a non-empty string`);
  }
  options.signal?.throwIfAborted();
  const stdio = [options.stdin, options.stdout, options.stderr].map((s) => s ?? "inherit");
  stdio.forEach((choice, i) => {
    const wanted = i === 0 ? PipeReader : PipeWriter;
    if (typeof choice === "string") {
      checkChoice(
        choice,
        ["inherit", "null", "piped"],
        "inherit",
        stream(NAMES, i),
        `Cannot spawn "${command}"`,
      );
    } else if (!(choice instanceof wanted)) {
      throw new TypeError(
        `Cannot spawn "${command}": ${stream(NAMES, i)} must be a ${wanted.name} (the child ${
          i === 0 ? "reads" : "writes"
        } it)${
          choice instanceof PipeReader || choice instanceof PipeWriter
            ? `, got a ${choice.constructor.name}`
            : ""
        }`,
      );
    }
  });
  const extra = options.inherit ?? [];
  if (
    !Array.isArray(extra) ||
    extra.some((e) => !(e instanceof PipeReader || e instanceof PipeWriter))
  ) {
    throw new TypeError(`Cannot spawn "${command}": inherit must be an array of pipe ends`);
  }
  const given: AnyPipeEnd[] = [];
  for (const choice of stdio) {
    if (typeof choice !== "string" && !given.includes(choice)) given.push(choice);
  }
  for (const end of extra) {
    if (given.includes(end)) {
      throw new TypeError(`Cannot spawn "${command}": the same pipe end is listed twice`);
    }
    given.push(end);
  }
  // Check every end before anything changes.
  given.forEach((end) => handleForChild(end, "pipe end"));

  const temporary: OwnedHandle[] = []; // closed after the spawn, whatever happens
  const parentEnds: [PipeWriter | null, PipeReader | null, PipeReader | null] = [null, null, null];
  const made: AnyPipeEnd[] = []; // both ends of "piped" streams, closed on failure
  const inheritedFlag: Deno.PointerObject[] = [];
  try {
    const k = kernel32();
    const childStdio = stdio.map((choice, i): Deno.PointerValue => {
      if (choice === "inherit") {
        const own = k.GetStdHandle(stream(STD_HANDLES, i));
        if (isInvalidHandle(own)) return null;
        const copy = inheritableCopy(own);
        temporary.push(copy);
        return copy.raw;
      }
      if (choice === "null") {
        const security = new Uint8Array(24);
        new DataView(security.buffer).setUint32(0, 24, true);
        new DataView(security.buffer).setUint32(16, 1, true); // bInheritHandle
        const nul = OwnedHandle.from(
          k.CreateFileW(
            encodeUtf16z("NUL"),
            GENERIC_READ_WRITE,
            FILE_SHARE_READ_WRITE,
            Deno.UnsafePointer.of(security),
            OPEN_EXISTING,
            0,
            null,
          ),
          k.GetLastError(),
          "NUL device",
          `Cannot spawn "${command}": cannot open NUL`,
        );
        temporary.push(nul);
        return nul.raw;
      }
      if (choice === "piped") {
        const pipe = createPipe({
          childEnd: i === 0 ? "reader" : "writer",
          bufferSize: PIPED_BUFFER,
        });
        const [mine, theirs] = i === 0 ? [pipe.writer, pipe.reader] : [pipe.reader, pipe.writer];
        made.push(mine, theirs);
        (parentEnds as (AnyPipeEnd | null)[])[i] = mine;
        given.push(theirs);
        const raw = handleForChild(theirs, stream(NAMES, i)).raw;
        setInheritable(raw, true);
        inheritedFlag.push(raw);
        return raw;
      }
      return handleForChild(choice, stream(NAMES, i)).raw;
    });
    for (const end of given) {
      const raw = handleForChild(end, "pipe end").raw;
      if (!inheritedFlag.includes(raw)) {
        setInheritable(raw, true);
        inheritedFlag.push(raw);
      }
    }
    const inherit = [
      ...childStdio.filter((h): h is Deno.PointerObject => h !== null),
      ...inheritedFlag,
    ];
    const started = createProcess({
      command,
      commandLine: line,
      environment,
      cwd: options.cwd,
      stdio: childStdio as [Deno.PointerValue, Deno.PointerValue, Deno.PointerValue],
      inherit,
    });
    for (const end of given) releaseToChild(end);
    return new ChildProcess(CONSTRUCT, started.handle, started.pid, parentEnds, options.signal);
  } catch (error) {
    for (const raw of inheritedFlag) {
      try {
        setInheritable(raw, false);
      } catch { /* the handle is closed below or stays the caller's */ }
    }
    // The caller's ends stay open and usable; the pipes made here go.
    for (const end of made) end.close();
    throw error;
  } finally {
    for (const handle of temporary) handle.close();
  }
}
