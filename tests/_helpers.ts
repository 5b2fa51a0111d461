// Copyright 2026 the winipc authors. MIT license.
/**
 * Shared helpers for the Windows suite: registering tests that need Windows,
 * marking those that cannot pass under Wine, and running child processes.
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { IS_WINDOWS, wineVersionOrNull } from "../_win32/ffi.ts";

/** True when the suite runs under Wine rather than on Windows. */
export const UNDER_WINE: boolean = IS_WINDOWS && wineVersionOrNull() !== null;

/** Options for {@linkcode windowsTest}. */
export interface WindowsTestOptions {
  /**
   * Why this test cannot pass under Wine although it follows the Windows
   * documentation. Under Wine it is then reported as ignored, with the
   * reason in its name, and counted as skipped; on Windows it runs.
   */
  notUnderWine?: string;
  /** Deno's sanitizers, as `Deno.test` takes them. */
  sanitizeOps?: boolean;
  sanitizeResources?: boolean;
}

/**
 * Registers a test of Windows behaviour. The Windows suite (files named
 * `*_windows_test.ts` and everything under `tests/`) only runs on Windows or
 * under Wine; the runner does not load it elsewhere.
 *
 * @param name The test's name.
 * @param options Wine exceptions and sanitizer settings.
 * @param fn The test.
 */
export function windowsTest(
  name: string,
  options: WindowsTestOptions,
  fn: (t: Deno.TestContext) => void | Promise<void>,
): void {
  const skip = UNDER_WINE && options.notUnderWine !== undefined;
  Deno.test({
    name: skip ? `${name} [not under Wine: ${options.notUnderWine}]` : name,
    ignore: skip || !IS_WINDOWS,
    ...(options.sanitizeOps !== undefined ? { sanitizeOps: options.sanitizeOps } : {}),
    ...(options.sanitizeResources !== undefined
      ? { sanitizeResources: options.sanitizeResources }
      : {}),
    fn,
  });
}

/**
 * `array[index]` for an index the test knows is in range (arrays without
 * `undefined` elements); fails with a clear error if it is not.
 *
 * @param array The array.
 * @param index The index.
 * @returns The element.
 */
export function at<T>(array: ArrayLike<T>, index: number): T {
  const value = array[index];
  if (value === undefined) {
    throw new RangeError(`Index ${index} is out of range (length ${array.length})`);
  }
  return value;
}

/** The result of {@linkcode runDeno}. */
export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Starts `deno run -A <script> ...args` as a child process (same Deno, so
 * under Wine the same wineserver) and returns it.
 *
 * @param script A path relative to the repository root, or a URL.
 * @param args Arguments for the script.
 * @returns The running child, with piped stdout and stderr.
 */
export function spawnDeno(script: string | URL, args: string[] = []): Deno.ChildProcess {
  const path = script instanceof URL ? script : new URL(`../${script}`, import.meta.url);
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      path.href.startsWith("file:") ? fromFileUrl(path) : path.href,
      ...args,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * Starts a native peer, `build/<name>.exe`, with piped stdio.
 *
 * @param name The peer's name (`tests/native/<name>.c`).
 * @param args Its arguments.
 * @returns The running child.
 * @throws {Error} If the executable was not built, saying how to build it.
 */
/** The path of native peer `build/<name>.exe`. */
export function nativePath(name: string): string {
  return fromFileUrl(new URL(`../build/${name}.exe`, import.meta.url));
}

/** The path of a file in the repository, from its root. */
export function repoPath(path: string): string {
  return fromFileUrl(new URL(`../${path}`, import.meta.url));
}

export function spawnNative(name: string, args: string[]): Deno.ChildProcess {
  const exe = nativePath(name);
  try {
    Deno.statSync(exe);
  } catch {
    throw new Error(
      `The native peer ${exe} is missing: \`deno task test\` builds it from tests/native/${name}.c ` +
        "with mingw-w64 (Linux) or gcc (Windows)",
    );
  }
  return new Deno.Command(exe, { args, stdin: "piped", stdout: "piped", stderr: "piped" }).spawn();
}

/**
 * Runs a child with {@linkcode spawnDeno} to the end.
 *
 * @param script The script.
 * @param args Its arguments.
 * @returns Exit code and output.
 */
export async function runDeno(script: string | URL, args: string[] = []): Promise<ChildResult> {
  const child = spawnDeno(script, args);
  await child.stdin.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

function fromFileUrl(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return IS_WINDOWS ? path.replace(/^\/([A-Za-z]:)/, "$1").replaceAll("/", "\\") : path;
}

/**
 * A name no other test or process uses, for named kernel objects and pipes.
 *
 * @param prefix What the object is for.
 * @returns A unique name.
 */
export function uniqueName(prefix: string): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `winipc-test-${prefix}-${Deno.pid}-${
    Array.from(random, (part) => part.toString(36)).join("")
  }`;
}

/** A child process whose stdout is read line by line. */
export class Peer implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  #lines: ReadableStreamDefaultReader<string>;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #stderr: Promise<string>;

  /**
   * Starts `deno run -A script ...args`, or with `native`, the native peer
   * `build/<script>.exe` (built from `tests/native/<script>.c` by the test
   * command).
   *
   * @param script Path from the repository root, or a native peer's name.
   * @param args Arguments.
   * @param options `native: true` for a native peer.
   */
  constructor(script: string, args: string[], options: { native?: boolean } = {}) {
    this.child = options.native ? spawnNative(script, args) : spawnDeno(script, args);
    this.#lines = this.child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TextLineStream() as TransformStream<string, string>,
    ).getReader();
    this.#stdin = this.child.stdin.getWriter();
    this.#stderr = new Response(this.child.stderr).text();
  }

  /** The next line the child prints (throws at the end of its output). */
  async line(): Promise<string> {
    const { value, done } = await this.#lines.read();
    if (done) throw new Error(`the child ended without a line; stderr: ${await this.#stderr}`);
    return value;
  }

  /** Closes the child's stdin, the usual "go on and finish" signal. */
  async release(): Promise<void> {
    await this.#stdin.close().catch(() => {});
  }

  /**
   * Waits for the child to exit, reading the rest of its output.
   *
   * @returns Exit code, remaining stdout lines, and stderr.
   */
  async finish(): Promise<{ code: number; rest: string[]; stderr: string }> {
    await this.release();
    const rest: string[] = [];
    while (true) {
      const { value, done } = await this.#lines.read();
      if (done) break;
      rest.push(value);
    }
    const status = await this.child.status;
    return { code: status.code, rest, stderr: await this.#stderr };
  }

  /** Kills the child if it still runs, then drains it. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill();
    } catch { /* already exited */ }
    await this.finish().catch(() => {});
  }
}

/**
 * A deterministic test payload: byte `i` is `(i * 7 + size) & 255`.
 *
 * @param size Its length.
 * @returns The bytes.
 */
export function payload(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 7 + size) & 255;
  return data;
}

/** What {@linkcode echo} needs of a connection (a `NamedPipeConn`). */
export interface EchoConn extends AsyncIterable<Uint8Array> {
  readonly mode: "byte" | "message";
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  receive(): Promise<Uint8Array | null>;
  send(data: Uint8Array): Promise<void>;
}

/**
 * Writes back everything a connection receives (each message whole in
 * message mode) until the end of the stream.
 *
 * @param conn The connection.
 */
export async function echo(conn: EchoConn): Promise<void> {
  if (conn.mode === "message") {
    for await (const m of conn) {
      await conn.send(m);
    }
  } else {
    const buffer = new Uint8Array(65536);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      await conn.write(buffer.subarray(0, n));
    }
  }
}

/**
 * Message `i` of writer `writer` in the mailslot stream tests: the text
 * `writer,i,` then filler bytes up to a size that varies with `i` (16 to
 * 415 bytes), byte k of the filler being (k + i) & 255.
 */
export function streamMessage(writer: number, i: number): Uint8Array {
  const head = new TextEncoder().encode(`${writer},${i},`);
  const out = new Uint8Array(16 + ((i * 13) % 400));
  out.set(head);
  for (let k = head.length; k < out.length; k++) out[k] = (k + i) & 255;
  return out;
}

/**
 * Message `i` of the shared channel tests, of `size` bytes: its index in
 * the first 4 bytes (when they fit), then byte k = (i * 131 + k * 7) & 255.
 */
export function channelMessage(i: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let k = 0; k < size; k++) out[k] = (i * 131 + k * 7) & 255;
  if (size >= 4) new DataView(out.buffer).setUint32(0, i, true);
  return out;
}

/** A running checksum (FNV-1a style) over messages, their lengths included. */
export function checksum(sum: number, message: Uint8Array): number {
  let h = (sum ^ message.length) >>> 0;
  for (const byte of message) h = Math.imul(h ^ byte, 16777619) >>> 0;
  return h;
}
