// Copyright 2026 the winipc authors. MIT license.
/**
 * One end of a connected named pipe: bytes or whole messages.
 *
 * @module
 */
import { kernel32 } from "../_win32/ffi.ts";
import { errorFromCode, lastError, throwLastError } from "../_win32/errors.ts";
import type { OwnedHandle } from "../_win32/handle.ts";
import { startIo } from "../_win32/completion.ts";
import { HandleIo } from "../_win32/handle_io.ts";
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
  readonly #io: HandleIo;
  #readable?: ReadableStream<Uint8Array>;
  #writable?: WritableStream<Uint8Array>;
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
    this.path = path;
    this.mode = mode;
    this.end = end;
    this.#io = new HandleIo(handle, {
      overlapped: true,
      associated: true,
      describe: `named pipe "${path}"`,
      messages: mode === "message",
      onRelease: onClose,
    });
  }

  #raw(what: string): Deno.PointerObject {
    return this.#io.raw(what);
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
   * the client end the server's (the process that created the instance this
   * client reached, which need not be the one that created the name: see
   * `connectNamedPipe`'s `server` option).
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
  read(p: Uint8Array, options: NamedPipeIoOptions = {}): Promise<number | null> {
    try {
      return this.#io.read(p, options);
    } catch (error) {
      return Promise.reject(error);
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
    return await this.#io.readMessage(options);
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
      return this.#io.write(p, options);
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
    await this.#io.write(data, options, "write a message to");
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
    const raw = this.#raw("transact on");
    const copy = request.slice();
    const k = kernel32();
    const reply = await this.#io.readMessageWith("transact on", (into, onPending) =>
      startIo(
        this.#io.handle,
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
      ));
    if (reply === null) {
      throw new Deno.errors.BrokenPipe(
        `Cannot transact on named pipe "${this.path}": the peer closed the pipe`,
      );
    }
    return reply;
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
      isClosed: () => this.#io.closed,
      close: () => this.close(),
    };
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#io.closed;
  }

  /**
   * Closes the connection: pending reads end (they reject with
   * `BadResource`), pending writes finish first, then the handle closes and
   * the peer sees the end of the stream after the data already written.
   *
   * @throws {Deno.errors.BadResource} If it is already closed.
   */
  close(): void {
    this.#io.close();
  }

  /** Closes the connection if it is still open. */
  [Symbol.dispose](): void {
    if (!this.#io.closed) this.#io.close();
  }
}
