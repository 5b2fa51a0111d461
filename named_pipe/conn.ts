// Copyright 2026 the winipc authors. MIT license.
/**
 * One end of a connected named pipe: bytes or whole messages.
 *
 * @module
 */
import { kernel32 } from "../_win32/ffi.ts";
import { ERROR, errorFromCode, lastError, throwLastError } from "../_win32/errors.ts";
import type { OwnedHandle } from "../_win32/handle.ts";
import { type IoResult, startIo } from "../_win32/completion.ts";
import { readFile, writeFile } from "../_win32/io.ts";
import { byteReadable, type ByteSink, type ByteSource, byteWritable } from "../_win32/streams.ts";
import { type Account, lookupAccount, pipeClientSid } from "../_win32/security.ts";

export type { Account };

/** How a pipe carries data. */
export type NamedPipeMode = "byte" | "message";

/** What {@linkcode NamedPipeConn.peek} sees without reading. */
export interface NamedPipePeek {
  /** Bytes waiting in the pipe. */
  bytesAvailable: number;
  /** Bytes left in the next message (message mode; 0 in byte mode). */
  messageBytesLeft: number;
}

/** Options for reads, writes and transactions. */
export interface NamedPipeIoOptions {
  /** Cancels the operation; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Which end of the pipe a connection is. */
export type NamedPipeEnd = "server" | "client";

const CHUNK = 64 * 1024;
/** The largest single read: bigger requests are served in pieces of this size. */
const MAX_CHUNK = 4 * 1024 * 1024;
const END_OF_STREAM = new Set<number>([
  ERROR.BROKEN_PIPE,
  ERROR.PIPE_NOT_CONNECTED,
  ERROR.HANDLE_EOF,
]);

/**
 * A connected named pipe, from {@linkcode NamedPipeListener.accept} (the
 * server end) or {@linkcode connectNamedPipe} (the client end).
 *
 * Byte mode: {@linkcode read}, {@linkcode write}, {@linkcode readable},
 * {@linkcode writable}. Message mode, in addition: {@linkcode readMessage},
 * {@linkcode writeMessage} and {@linkcode transact}, whose messages arrive
 * whole, of any size (above 64 KiB too) and of zero bytes.
 *
 * `close()` cancels pending reads and closes the handle once pending writes
 * have completed, so data written before `close()` reaches the peer, which
 * then sees the end of the stream.
 */
export class NamedPipeConn implements Disposable {
  #handle: OwnedHandle;
  #closed = false;
  #pendingWrites = 0;
  /** Cancels the read (or transaction) in progress, if it is pending. */
  #cancelRead: (() => void) | null = null;
  #readable?: ReadableStream<Uint8Array>;
  #writable?: WritableStream<Uint8Array>;
  #chunk = new Uint8Array(CHUNK);
  /** Reused for writes; `null` while a write holds it. */
  #staging: Uint8Array | null = new Uint8Array(0);
  #reading = false;
  #onClose?: () => void;
  /** The pipe's full path. */
  readonly path: string;
  /** The mode data is read in. */
  readonly mode: NamedPipeMode;
  /** Which end this is. */
  readonly end: NamedPipeEnd;

  /** @internal Made by the listener and by `connectNamedPipe`. */
  constructor(
    handle: OwnedHandle,
    path: string,
    mode: NamedPipeMode,
    end: NamedPipeEnd,
    onClose?: () => void,
  ) {
    this.#handle = handle;
    this.path = path;
    this.mode = mode;
    this.end = end;
    this.#onClose = onClose;
  }

  #raw(what: string): Deno.PointerObject {
    if (this.#closed) {
      throw new Deno.errors.BadResource(`Cannot ${what} named pipe "${this.path}": it is closed`);
    }
    return this.#handle.raw;
  }

  #peerId(what: "ProcessId" | "SessionId"): number {
    const k = kernel32();
    const raw = this.#raw(`read the peer of`);
    const out = new Uint32Array(1);
    const ok = this.end === "server"
      ? (what === "ProcessId"
        ? k.GetNamedPipeClientProcessId(raw, out)
        : k.GetNamedPipeClientSessionId(raw, out))
      : (what === "ProcessId"
        ? k.GetNamedPipeServerProcessId(raw, out)
        : k.GetNamedPipeServerSessionId(raw, out));
    if (!ok) throwLastError(`Cannot read the peer of named pipe "${this.path}"`);
    return out[0];
  }

  /**
   * The process id of the other end: the client's on the server end, and on
   * the client end the server's (the process that created the pipe's first
   * instance).
   */
  get peerProcessId(): number {
    return this.#peerId("ProcessId");
  }

  /** The Terminal Services session id of the other end's process. */
  get peerSessionId(): number {
    return this.#peerId("SessionId");
  }

  /**
   * The client's Windows account (server end only): its SID, and its name
   * and domain when the SID maps to one.
   *
   * Windows identifies a client by the last message read from it, so read
   * at least once first. The server impersonates the client only for the
   * moment it takes to read the client's token, and always reverts; an
   * identification-level client (winipc's default) is enough.
   *
   * @example Log who is asking
   * ```ts ignore
   * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using listener = listenNamedPipe("my-app", { mode: "message" });
   * for await (const conn of listener) {
   *   const request = await conn.readMessage();
   *   const user = await conn.peerUser();
   *   console.log(`${user.domain}\\${user.name} (${user.sid}) sent`, request);
   * }
   * ```
   *
   * @returns The client's account.
   * @throws {Deno.errors.NotSupported} On the client end.
   * @throws {Win32Error} `ERROR_CANNOT_IMPERSONATE` (1368) before the first read.
   * @throws {Deno.errors.BadResource} If the connection is closed.
   */
  peerUser(): Promise<Account> {
    try {
      if (this.end !== "server") {
        throw new Deno.errors.NotSupported(
          `Cannot identify the user of named pipe "${this.path}": only the server end can identify its client`,
        );
      }
      return lookupAccount(pipeClientSid(this.#raw("identify the client of"), this.path));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Runs a read-side operation that `close()` cancels: it is given the
   * `onPending` hook that records how to cancel it, and an abort caused by
   * `close()` becomes `BadResource`.
   */
  async #cancellableRead(
    what: string,
    run: (onPending: (cancel: () => void) => void) => Promise<IoResult>,
  ): Promise<IoResult> {
    try {
      return this.#closedWhileReading(await run((cancel) => this.#cancelRead = cancel), what);
    } finally {
      this.#cancelRead = null;
    }
  }

  #readChunk(into: Uint8Array, signal: AbortSignal | undefined): Promise<IoResult> {
    this.#raw("read from");
    return this.#cancellableRead(
      "read from",
      (onPending) => readFile(this.#handle, into, { signal, onPending }),
    );
  }

  #closedWhileReading(result: IoResult, what: string): IoResult {
    if (this.#closed && result.error === ERROR.OPERATION_ABORTED) {
      throw new Deno.errors.BadResource(
        `Cannot ${what} named pipe "${this.path}": it was closed while reading`,
      );
    }
    return result;
  }

  /**
   * Reads up to `p.byteLength` bytes into `p`. In message mode a read
   * returns at most one message, and a message longer than `p` is returned
   * over several reads.
   *
   * @param p Where the bytes go.
   * @param options Cancellation.
   * @returns The number of bytes read, or `null` at the end of the stream.
   * @throws {Deno.errors.BadResource} If the connection is closed.
   * @throws {Deno.errors.Busy} If another read is in progress.
   */
  async read(p: Uint8Array, options: NamedPipeIoOptions = {}): Promise<number | null> {
    if (this.#reading) {
      throw new Deno.errors.Busy(
        `Cannot read from named pipe "${this.path}": a read is in progress`,
      );
    }
    this.#reading = true;
    try {
      while (true) {
        if (p.byteLength > this.#chunk.byteLength && this.#chunk.byteLength < MAX_CHUNK) {
          // Large reads take what a blocked writer has in one go, as a native
          // reader with a large buffer does.
          this.#chunk = new Uint8Array(Math.min(p.byteLength, MAX_CHUNK));
        }
        const into = this.#chunk.subarray(0, Math.min(p.byteLength, this.#chunk.byteLength));
        const result = await this.#readChunk(into, options.signal);
        if (END_OF_STREAM.has(result.error)) return null;
        if (result.error !== 0 && result.error !== ERROR.MORE_DATA) {
          throw errorFromCode(result.error, `Cannot read from named pipe "${this.path}"`);
        }
        p.set(into.subarray(0, result.bytes));
        // A zero-byte message in message mode is a real (empty) read; in byte
        // mode a zero-byte success only happens for a zero-byte buffer.
        if (result.bytes > 0 || p.byteLength === 0 || this.mode === "message") {
          return result.bytes;
        }
      }
    } finally {
      this.#reading = false;
    }
  }

  /**
   * Reads one whole message, whatever its size.
   *
   * @param options Cancellation.
   * @returns The message (possibly empty), or `null` at the end of the stream.
   * @throws {Deno.errors.NotSupported} If the connection is in byte mode.
   * @throws {Deno.errors.BadResource} If the connection is closed.
   */
  async readMessage(options: NamedPipeIoOptions = {}): Promise<Uint8Array | null> {
    if (this.mode !== "message") {
      throw new Deno.errors.NotSupported(
        `Cannot read a message from named pipe "${this.path}": the connection is in byte mode`,
      );
    }
    if (this.#reading) {
      throw new Deno.errors.Busy(
        `Cannot read from named pipe "${this.path}": a read is in progress`,
      );
    }
    this.#reading = true;
    try {
      return await this.#collectMessage(
        (into) => this.#readChunk(into, options.signal),
        "read a message from",
      );
    } finally {
      this.#reading = false;
    }
  }

  async #collectMessage(
    first: (into: Uint8Array) => Promise<IoResult>,
    what: string,
  ): Promise<Uint8Array | null> {
    const parts: Uint8Array[] = [];
    let total = 0;
    let step = first;
    while (true) {
      const result = await step(this.#chunk);
      if (END_OF_STREAM.has(result.error) && parts.length === 0) return null;
      if (result.error !== 0 && result.error !== ERROR.MORE_DATA) {
        throw errorFromCode(result.error, `Cannot ${what} named pipe "${this.path}"`);
      }
      parts.push(this.#chunk.slice(0, result.bytes));
      total += result.bytes;
      if (result.error === 0) break;
      // ERROR_MORE_DATA: the rest of the same message follows.
      step = (into) => this.#readChunk(into, undefined);
    }
    if (parts.length === 1) return parts[0];
    const message = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      message.set(part, offset);
      offset += part.byteLength;
    }
    return message;
  }

  /**
   * Takes the staging buffer, grown to hold `size` bytes, or returns `null`
   * when another write holds it or `size` is too large to keep around.
   */
  #takeStaging(size: number): Uint8Array | null {
    const staging = this.#staging;
    if (staging === null || size > MAX_CHUNK) return null;
    this.#staging = null;
    if (staging.byteLength >= size) return staging;
    let grown = Math.max(staging.byteLength, CHUNK);
    while (grown < size) grown *= 2;
    return new Uint8Array(grown);
  }

  async #writeRaw(data: Uint8Array, options: NamedPipeIoOptions, what: string): Promise<number> {
    this.#raw(what);
    this.#pendingWrites++;
    // The kernel may hold the buffer until the peer reads: write from a copy
    // that nothing else can change or detach meanwhile. One staging buffer
    // per connection is reused, so a stream of writes makes no garbage.
    const staging = this.#takeStaging(data.byteLength);
    try {
      let copy: Uint8Array;
      if (staging === null) {
        copy = data.slice();
      } else {
        copy = staging.subarray(0, data.byteLength);
        copy.set(data);
      }
      const result = await writeFile(this.#handle, copy, { signal: options.signal });
      if (result.error !== 0) {
        throw errorFromCode(result.error, `Cannot ${what} named pipe "${this.path}"`);
      }
      return result.bytes;
    } finally {
      if (staging !== null) this.#staging = staging;
      this.#pendingWrites--;
      if (this.#closed && this.#pendingWrites === 0) this.#release();
    }
  }

  /**
   * Writes all of `p`. In message mode, `p` is one message.
   *
   * @param p The bytes.
   * @param options Cancellation.
   * @returns The number of bytes written (all of them).
   * @throws {Deno.errors.BrokenPipe} If the peer has closed its end.
   * @throws {Deno.errors.BadResource} If the connection is closed.
   */
  write(p: Uint8Array, options: NamedPipeIoOptions = {}): Promise<number> {
    try {
      return this.#writeRaw(p, options, "write to");
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Writes one whole message (message mode).
   *
   * @param data The message; zero bytes is a valid, empty message.
   * @param options Cancellation.
   * @returns Resolves once the message is written.
   * @throws {Deno.errors.NotSupported} If the connection is in byte mode.
   * @throws {Deno.errors.BrokenPipe} If the peer has closed its end.
   */
  async writeMessage(data: Uint8Array, options: NamedPipeIoOptions = {}): Promise<void> {
    if (this.mode !== "message") {
      throw new Deno.errors.NotSupported(
        `Cannot write a message to named pipe "${this.path}": the connection is in byte mode`,
      );
    }
    await this.#writeRaw(data, options, "write a message to");
  }

  /**
   * Writes a request message and reads the reply message in one operation
   * (`TransactNamedPipe`), on a message-mode client connection.
   *
   * @param request The request message.
   * @param options Cancellation.
   * @returns The whole reply message.
   * @throws {Deno.errors.NotSupported} If the connection is in byte mode.
   * @throws {Deno.errors.Busy} If a read is in progress.
   */
  async transact(request: Uint8Array, options: NamedPipeIoOptions = {}): Promise<Uint8Array> {
    if (this.mode !== "message") {
      throw new Deno.errors.NotSupported(
        `Cannot transact on named pipe "${this.path}": the connection is in byte mode`,
      );
    }
    if (this.#reading) {
      throw new Deno.errors.Busy(
        `Cannot transact on named pipe "${this.path}": a read is in progress`,
      );
    }
    const raw = this.#raw("transact on");
    const copy = request.slice();
    const k = kernel32();
    this.#reading = true;
    try {
      const reply = await this.#collectMessage(
        (into) =>
          this.#cancellableRead("transact on", (onPending) =>
            startIo(
              this.#handle,
              (overlapped) =>
                k.TransactNamedPipe(
                  raw,
                  Deno.UnsafePointer.of(copy),
                  copy.byteLength,
                  Deno.UnsafePointer.of(into),
                  into.byteLength,
                  null,
                  overlapped,
                ),
              { signal: options.signal, keepAlive: [copy, into], onPending },
            )),
        "transact on",
      );
      if (reply === null) {
        throw new Deno.errors.BrokenPipe(
          `Cannot transact on named pipe "${this.path}": the peer closed the pipe`,
        );
      }
      return reply;
    } finally {
      this.#reading = false;
    }
  }

  /**
   * Looks at what is waiting without reading it (`PeekNamedPipe`).
   *
   * @returns Bytes available, and bytes left in the next message.
   * @throws {Deno.errors.BrokenPipe} If the peer has closed and nothing is left.
   */
  peek(): NamedPipePeek {
    const raw = this.#raw("peek into");
    const available = new Uint32Array(1);
    const left = new Uint32Array(1);
    const read = new Uint32Array(1);
    if (!kernel32().PeekNamedPipe(raw, null, 0, read, available, left)) {
      throw errorFromCode(lastError(), `Cannot peek into named pipe "${this.path}"`);
    }
    return { bytesAvailable: available[0], messageBytesLeft: left[0] };
  }

  /**
   * The bytes read from the pipe as a byte stream (created once, then
   * cached). Cancelling it closes the connection.
   */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= byteReadable(this.#streamEnd(), CHUNK);
    return this.#readable;
  }

  /**
   * A stream that writes each chunk to the pipe (created once, then cached).
   * Closing it closes the connection.
   */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= byteWritable(this.#streamEnd());
    return this.#writable;
  }

  #streamEnd(): ByteSource & ByteSink {
    return {
      read: (p) => this.read(p),
      write: (p) => this.write(p),
      isClosed: () => this.#closed,
      close: () => this.close(),
    };
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  #release(): void {
    if (!this.#handle.closed) this.#handle.close();
    this.#onClose?.();
  }

  /**
   * Closes the connection: pending reads end (they reject with
   * `BadResource`), pending writes finish first, then the handle closes and
   * the peer sees the end of the stream after the data already written.
   *
   * @throws {Deno.errors.BadResource} If it is already closed.
   */
  close(): void {
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot close named pipe "${this.path}": it is already closed`,
      );
    }
    this.#closed = true;
    this.#cancelRead?.();
    if (this.#pendingWrites === 0) this.#release();
  }

  /** Closes the connection if it is still open. */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }
}
