// Copyright 2026 the winipc authors. MIT license.
/**
 * The two ends of an anonymous pipe: `PipeReader` and `PipeWriter`.
 *
 * Ends come from `createPipe`, `spawn` and `openPipeHandle`, through the
 * package-private functions of `_end.ts`; their constructors refuse
 * everyone else.
 *
 * @module
 */
import type { HandleIo } from "../_win32/handle_io.ts";
import type { WaitOptions } from "../_win32/options.ts";
import { byteReadable, byteWritable } from "../_win32/streams.ts";
import { checkWaitOptions, withDeadline } from "../_win32/timeout.ts";
import { checkConstruct, type ConstructKey } from "../_win32/construct.ts";

/**
 * Options for {@linkcode PipeWriter.write}: {@linkcode WaitOptions}, for
 * the wait for room while the pipe's buffer is full. A write that gives up
 * may have written part of the bytes; those stay written.
 */
export interface PipeWriteOptions extends WaitOptions {
  /**
   * Milliseconds to wait for room in the pipe before failing with
   * `Deno.errors.TimedOut`; `Infinity` waits for ever, and `0` tries once
   * (writes only if there is room now). Any length is honoured; `NaN` and
   * negative numbers are a `RangeError`.
   * @default {Infinity}
   */
  timeout?: number;
  /**
   * Cancels the write: the promise rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

const CHUNK = 64 * 1024;
const WHERE_ENDS_COME_FROM = "pipe ends come from createPipe, spawn and openPipeHandle";

function rawOf(io: HandleIo): Deno.PointerValue {
  return io.closed ? null : io.handle.raw;
}

/**
 * The read end of a pipe, from {@linkcode createPipe}, {@linkcode spawn}
 * (`stdout`/`stderr: "piped"`) or {@linkcode openPipeHandle}.
 *
 * @example Read to the end
 * ```ts no-run
 * import { createPipe } from "@winipc/winipc/pipe";
 *
 * const { reader, writer } = createPipe();
 * await writer.write(new TextEncoder().encode("hi"));
 * writer.close();
 * console.log(await new Response(reader.readable).text()); // "hi"
 * ```
 */
export class PipeReader implements Disposable {
  readonly #io: HandleIo;
  #readable?: ReadableStream<Uint8Array>;

  /** @ignore */
  constructor(key: ConstructKey, io: HandleIo) {
    checkConstruct(key, WHERE_ENDS_COME_FROM);
    this.#io = io;
  }

  /**
   * The raw Win32 handle, while this end is open (`null` once it is closed
   * or handed to a child). A child that inherits this end (see `spawn`'s
   * `inherit` option) has the same handle value: pass it
   * `String(Deno.UnsafePointer.value(reader.unsafeHandle))`, and the child
   * opens it with `openPipeHandle` (or a C child uses it with `ReadFile`).
   *
   * @example Hand this end to a child by its value
   * ```ts no-run
   * import { createPipe, spawn } from "@winipc/winipc/pipe";
   *
   * const { reader, writer } = createPipe({ childEnd: "reader" });
   * await using child = spawn("child.exe", {
   *   args: [String(Deno.UnsafePointer.value(reader.unsafeHandle))],
   *   inherit: [reader],
   * });
   * await writer.write(new TextEncoder().encode("for the child"));
   * writer.close();
   * ```
   */
  get unsafeHandle(): Deno.PointerValue {
    return rawOf(this.#io);
  }

  /**
   * True once closed, or handed to a child process.
   *
   * @example Whether the end is still usable
   * ```ts no-run
   * import { createPipe } from "@winipc/winipc/pipe";
   *
   * const { reader } = createPipe();
   * reader.close();
   * console.log(reader.closed); // true
   * ```
   */
  get closed(): boolean {
    return this.#io.closed;
  }

  /**
   * Reads up to `p.byteLength` bytes into `p`.
   *
   * An asynchronous end (the default) holds no thread while it waits. A
   * synchronous one (a `childEnd` of `createPipe`, or a synchronous handle
   * opened with `openPipeHandle`) waits on Deno's blocking pool: the event
   * loop runs on, but the read holds one pool thread until it ends.
   *
   * @example Wait at most a second
   * ```ts no-run
   * import { createPipe } from "@winipc/winipc/pipe";
   *
   * const { reader } = createPipe();
   * const buffer = new Uint8Array(1024);
   * try {
   *   await reader.read(buffer, { timeout: 1000 });
   * } catch (error) {
   *   if (!(error instanceof Deno.errors.TimedOut)) throw error;
   * }
   * ```
   *
   * @param p Where the bytes go.
   * @param options A timeout (`0` takes only data already in the pipe) and
   * a cancelling signal.
   * @returns The number of bytes read, or `null` once every copy of the
   * write end is closed and the data is drained.
   * @throws {RangeError} For a bad timeout.
   * @throws {Deno.errors.TimedOut} If no data came within `timeout` (never
   * earlier; data that arrives as the timeout ends is returned, not lost).
   * @throws {Deno.errors.BadResource} If this end is closed, or closed while reading.
   * @throws {Deno.errors.Busy} If another read is in progress.
   */
  read(p: Uint8Array, options?: WaitOptions): Promise<number | null> {
    try {
      return this.#io.read(p, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The bytes as a byte stream (created once); cancelling it closes this end.
   *
   * @example Read a child's output as a stream
   * ```ts no-run
   * import { spawn } from "@winipc/winipc/pipe";
   *
   * await using child = spawn("cmd", { args: ["/c", "echo hi"], stdout: "piped" });
   * console.log(await new Response(child.stdout!.readable).text());
   * ```
   */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= byteReadable({
      read: (p) => this.read(p),
      isClosed: () => this.#io.closed,
      close: () => this.close(),
    }, CHUNK);
    return this.#readable;
  }

  /**
   * Closes this end: a pending read ends with `BadResource`. The write end
   * then fails with `BrokenPipe` once every copy of this end is closed.
   *
   * @example Close a read end
   * ```ts no-run
   * import { createPipe } from "@winipc/winipc/pipe";
   *
   * const { reader } = createPipe();
   * reader.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed or given to a child.
   */
  close(): void {
    this.#io.close();
  }

  /** Closes this end if it is still open. */
  [Symbol.dispose](): void {
    if (!this.#io.closed) this.#io.close();
  }
}

/**
 * The write end of a pipe, from {@linkcode createPipe}, {@linkcode spawn}
 * (`stdin: "piped"`) or {@linkcode openPipeHandle}.
 *
 * @example Write, then close so the reader sees the end
 * ```ts no-run
 * import { createPipe } from "@winipc/winipc/pipe";
 *
 * const { reader, writer } = createPipe();
 * await writer.write(new TextEncoder().encode("hi"));
 * writer.close();
 * ```
 */
export class PipeWriter implements Disposable {
  readonly #io: HandleIo;
  #writable?: WritableStream<Uint8Array>;

  /** @ignore */
  constructor(key: ConstructKey, io: HandleIo) {
    checkConstruct(key, WHERE_ENDS_COME_FROM);
    this.#io = io;
  }

  /**
   * The raw Win32 handle, while this end is open (`null` once it is closed
   * or handed to a child). A child that inherits this end has the same
   * handle value: pass it `String(Deno.UnsafePointer.value(writer.unsafeHandle))`,
   * and the child opens it with `openPipeHandle` (or a C child uses it with
   * `WriteFile`).
   *
   * @example Hand this end to a child by its value
   * ```ts no-run
   * import { createPipe, spawn } from "@winipc/winipc/pipe";
   *
   * const { reader, writer } = createPipe();
   * await using child = spawn("child.exe", {
   *   args: [String(Deno.UnsafePointer.value(writer.unsafeHandle))],
   *   inherit: [writer],
   * });
   * console.log(await new Response(reader.readable).text());
   * ```
   */
  get unsafeHandle(): Deno.PointerValue {
    return rawOf(this.#io);
  }

  /**
   * True once closed, or handed to a child process.
   *
   * @example Whether the end is still usable
   * ```ts no-run
   * import { createPipe } from "@winipc/winipc/pipe";
   *
   * const { writer } = createPipe();
   * writer.close();
   * console.log(writer.closed); // true
   * ```
   */
  get closed(): boolean {
    return this.#io.closed;
  }

  /**
   * Writes all of `p`, waiting while the pipe's buffer is full.
   *
   * An asynchronous end (the default) holds no thread while it waits; a
   * synchronous one holds one thread of Deno's blocking pool (the event
   * loop runs on).
   *
   * @example Write with a deadline
   * ```ts no-run
   * import { createPipe } from "@winipc/winipc/pipe";
   *
   * const { writer } = createPipe();
   * await writer.write(new TextEncoder().encode("hi"), { timeout: 1000 });
   * ```
   *
   * @param p The bytes.
   * @param options How long to wait for room in the pipe (`timeout`,
   * `Infinity` by default) and a cancelling signal. A write that gives up
   * may have written part of `p`.
   * @returns The number of bytes written (all of them).
   * @throws {RangeError} For a bad timeout.
   * @throws {Deno.errors.TimedOut} If the write did not finish within `timeout`.
   * @throws {Deno.errors.BrokenPipe} If every copy of the read end is closed.
   * @throws {Deno.errors.BadResource} If this end is closed.
   */
  write(p: Uint8Array, options?: PipeWriteOptions): Promise<number> {
    try {
      const what = "write to pipe writer";
      return withDeadline(
        checkWaitOptions(options, what),
        what,
        (signal) => this.#io.write(p, { signal }),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * A stream that writes here (created once); closing it closes this end.
   *
   * @example Pipe a stream into a child
   * ```ts no-run
   * import { spawn } from "@winipc/winipc/pipe";
   *
   * await using child = spawn("cmd", { args: ["/c", "sort"], stdin: "piped" });
   * await ReadableStream.from([new TextEncoder().encode("b\r\na\r\n")])
   *   .pipeTo(child.stdin!.writable);
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= byteWritable({
      write: (p) => this.write(p),
      isClosed: () => this.#io.closed,
      close: () => this.close(),
    });
    return this.#writable;
  }

  /**
   * Closes this end once pending writes have completed. The reader sees the
   * end of the stream once every copy of this end is closed.
   *
   * @example Close a write end
   * ```ts no-run
   * import { createPipe } from "@winipc/winipc/pipe";
   *
   * const { writer } = createPipe();
   * writer.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed or given to a child.
   */
  close(): void {
    this.#io.close();
  }

  /** Closes this end if it is still open. */
  [Symbol.dispose](): void {
    if (!this.#io.closed) this.#io.close();
  }
}
