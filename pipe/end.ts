// Copyright 2026 the winipc authors. MIT license.
/**
 * The two ends of an anonymous pipe: `PipeReader` and `PipeWriter`.
 *
 * @module
 */
import { pointerValue } from "../_win32/handle.ts";
import type { OwnedHandle } from "../_win32/handle.ts";
import { HandleIo, type HandleIoOptions } from "../_win32/handle_io.ts";
import { byteReadable, byteWritable } from "../_win32/streams.ts";

/** Options for one read or write on a pipe end. */
export type PipeIoOptions = HandleIoOptions;

const CHUNK = 64 * 1024;
const ios = new WeakMap<PipeEnd, HandleIo>();

/** What both ends of a pipe share: the handle, its value for a child, and closing. */
export abstract class PipeEnd implements Disposable {
  readonly #value: number;

  /** @internal */
  constructor(handle: OwnedHandle, overlapped: boolean, describe: string) {
    this.#value = Number(pointerValue(handle.raw));
    ios.set(this, new HandleIo(handle, { overlapped, describe }));
  }

  /** @internal */
  protected get io(): HandleIo {
    return ios.get(this)!;
  }

  /**
   * The handle's value, for a child process that inherits this end (see
   * `spawn`'s `inherit` option): an inherited handle has the same value in
   * the child, which passes it to `openPipeHandle` (or to `ReadFile`/
   * `WriteFile` directly, in a C program).
   */
  get handleValue(): number {
    return this.#value;
  }

  /** True once closed, or handed to a child process. */
  get closed(): boolean {
    return this.io.closed;
  }

  /**
   * Closes this end: a pending read is cancelled, pending writes complete
   * first. The other end sees the end of the stream once every copy of the
   * write end is closed.
   *
   * @throws {Deno.errors.BadResource} If already closed or given to a child.
   */
  close(): void {
    this.io.close();
  }

  /** Closes this end if it is still open. */
  [Symbol.dispose](): void {
    if (!this.io.closed) this.io.close();
  }
}

/** The read end of a pipe. */
export class PipeReader extends PipeEnd {
  #readable?: ReadableStream<Uint8Array>;

  /** @internal Made by `createPipe`, `spawn` and `openPipeHandle`. */
  constructor(handle: OwnedHandle, overlapped: boolean) {
    super(handle, overlapped, "pipe reader");
  }

  /**
   * Reads up to `p.byteLength` bytes into `p`.
   *
   * @param p Where the bytes go.
   * @param options Cancellation.
   * @returns The number of bytes read, or `null` once every copy of the
   * write end is closed and the data is drained.
   * @throws {Deno.errors.BadResource} If this end is closed.
   * @throws {Deno.errors.Busy} If another read is in progress.
   */
  read(p: Uint8Array, options?: PipeIoOptions): Promise<number | null> {
    try {
      return this.io.read(p, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The bytes as a byte stream (created once); cancelling it closes this end. */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= byteReadable({
      read: (p) => this.read(p),
      isClosed: () => this.io.closed,
      close: () => this.close(),
    }, CHUNK);
    return this.#readable;
  }
}

/** The write end of a pipe. */
export class PipeWriter extends PipeEnd {
  #writable?: WritableStream<Uint8Array>;

  /** @internal Made by `createPipe`, `spawn` and `openPipeHandle`. */
  constructor(handle: OwnedHandle, overlapped: boolean) {
    super(handle, overlapped, "pipe writer");
  }

  /**
   * Writes all of `p`.
   *
   * @param p The bytes.
   * @param options Cancellation.
   * @returns The number of bytes written (all of them).
   * @throws {Deno.errors.BrokenPipe} If every copy of the read end is closed.
   * @throws {Deno.errors.BadResource} If this end is closed.
   */
  write(p: Uint8Array, options?: PipeIoOptions): Promise<number> {
    try {
      return this.io.write(p, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A stream that writes here (created once); closing it closes this end. */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= byteWritable({
      write: (p) => this.write(p),
      isClosed: () => this.io.closed,
      close: () => this.close(),
    });
    return this.#writable;
  }
}

/** Either end of a pipe. */
export type AnyPipeEnd = PipeReader | PipeWriter;

/**
 * Checks that an end can be handed to a child process, and returns its
 * handle (still owned by the end until {@linkcode releaseToChild}).
 *
 * @internal
 */
export function handleForChild(end: AnyPipeEnd, role: string): OwnedHandle {
  const io = ios.get(end)!;
  if (io.closed) {
    throw new Deno.errors.BadResource(
      `Cannot give the ${role} to a child process: the pipe end is closed (or was already given to a child)`,
    );
  }
  if (io.associated) {
    throw new TypeError(
      `Cannot give the ${role} to a child process: this process has already read or written on that end, which binds its handle to this process's completion port; give a child only ends this process does not use`,
    );
  }
  return io.handle;
}

/**
 * Marks an end as handed over: the child has its own copy, and this
 * process's copy is closed, so that the reader sees the end of the stream
 * when the child's copy closes.
 *
 * @internal
 */
export function releaseToChild(end: AnyPipeEnd): void {
  const handle = ios.get(end)!.release();
  if (!handle.closed) handle.close();
}
