// Copyright 2026 the winipc authors. MIT license.
/**
 * One end of a connected named pipe: bytes or whole messages.
 *
 * @module
 */
import { kernel32, outValue } from "../_win32/ffi.ts";
import { errorFromCode } from "../_win32/errors.ts";
import type { OwnedHandle } from "../_win32/handle.ts";
import { startIo } from "../_win32/completion.ts";
import { HandleIo } from "../_win32/handle_io.ts";
import { byteReadable, type ByteSink, type ByteSource, byteWritable } from "../_win32/streams.ts";
import { type Account, lookupAccount, pipeClientSid } from "../_win32/security.ts";
import type { WaitOptions } from "../_win32/options.ts";
import { checkWaitOptions, withDeadline } from "../_win32/timeout.ts";
import { checkConstruct, type ConstructKey } from "../_win32/construct.ts";

/** How a pipe carries data. */
export type NamedPipeMode = "byte" | "message";

/** What {@linkcode NamedPipeConn.peek} sees without reading. */
export interface NamedPipePeek {
  /** Bytes waiting in the pipe. */
  bytesAvailable: number;
  /** Bytes left in the next message (message mode; 0 in byte mode). */
  messageBytesLeft: number;
}

/** Which end of the pipe a connection is. */
export type NamedPipeEnd = "server" | "client";

const CHUNK = 64 * 1024;

/**
 * A connected named pipe, from {@linkcode NamedPipeListener.accept} (the
 * server end) or {@linkcode connectNamedPipe} (the client end).
 *
 * Byte mode: {@linkcode read}, {@linkcode write}, {@linkcode readable},
 * {@linkcode writable}, as `Deno.Conn` has. Message mode, in addition:
 * {@linkcode send}, {@linkcode receive} and {@linkcode transact}, whose
 * messages arrive whole, of any size (above 64 KiB too) and of zero bytes;
 * a message-mode connection is an async iterable of the messages it
 * receives, ending at the end of the stream.
 *
 * Every read, receive, write, send and transact takes a `timeout` (in ms,
 * `Infinity` by default; `0` tries once) and a `signal`; one that gives up
 * rejects with `TimedOut` or the signal's reason, and the connection stays
 * usable.
 *
 * `close()` cancels pending reads and closes the handle once pending writes
 * have completed, so data written before `close()` reaches the peer, which
 * then sees the end of the stream.
 *
 * @example Read each message a client sends
 * ```ts no-run
 * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
 *
 * using listener = listenNamedPipe("my-app", { mode: "message" });
 * using conn = await listener.accept();
 * for await (const message of conn) { // ends when the client closes
 *   await conn.send(message); // echo
 * }
 * ```
 */
export class NamedPipeConn implements AsyncIterable<Uint8Array>, Disposable {
  readonly #io: HandleIo;
  readonly #path: string;
  readonly #mode: NamedPipeMode;
  readonly #end: NamedPipeEnd;
  #readable?: ReadableStream<Uint8Array>;
  #writable?: WritableStream<Uint8Array>;

  /** @ignore */
  constructor(
    key: ConstructKey,
    handle: OwnedHandle,
    path: string,
    mode: NamedPipeMode,
    end: NamedPipeEnd,
    onClose?: () => void,
  ) {
    checkConstruct(key, "connections come from listenNamedPipe() and connectNamedPipe()");
    this.#path = path;
    this.#mode = mode;
    this.#end = end;
    // The handle is connected and associated with the completion port.
    this.#io = new HandleIo(handle, {
      overlapped: true,
      associated: true,
      describe: `named pipe "${path}"`,
      messages: mode === "message",
      onRelease: onClose,
    });
  }

  /** The pipe's full path, `\\.\pipe\...` (or `\\server\pipe\...`). */
  get path(): string {
    return this.#path;
  }

  /** How data is read: `"byte"` or `"message"`. */
  get mode(): NamedPipeMode {
    return this.#mode;
  }

  /** Which end this is: `"server"` (from `accept()`) or `"client"`. */
  get end(): NamedPipeEnd {
    return this.#end;
  }

  /**
   * The raw Win32 handle of this end, for FFI calls of your own. It stays
   * owned by the connection: do not close it, and do not read from it while
   * the connection reads.
   *
   * @throws {Deno.errors.BadResource} If the connection is closed.
   */
  get unsafeHandle(): Deno.PointerValue {
    return this.#io.raw("use");
  }

  #raw(what: string): Deno.PointerObject {
    return this.#io.raw(what);
  }

  #what(what: string): string {
    return `${what} named pipe "${this.#path}"`;
  }

  #messagesOnly(what: string): void {
    if (this.#mode !== "message") {
      throw new Deno.errors.NotSupported(
        `Cannot ${this.#what(what)}: the connection is in byte mode`,
      );
    }
  }

  #peerId(what: "ProcessId" | "SessionId"): number {
    const k = kernel32();
    const raw = this.#raw(`read the peer of`);
    const out = new Uint32Array(1);
    const ok = this.#end === "server"
      ? (what === "ProcessId"
        ? k.GetNamedPipeClientProcessId(raw, out)
        : k.GetNamedPipeClientSessionId(raw, out))
      : (what === "ProcessId"
        ? k.GetNamedPipeServerProcessId(raw, out)
        : k.GetNamedPipeServerSessionId(raw, out));
    if (!ok) {
      throw errorFromCode(k.GetLastError(), `Cannot read the peer of named pipe "${this.#path}"`);
    }
    return outValue(out);
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
   * identification-level client (winipc's default) is enough. The account
   * name is looked up off the JavaScript thread (it may ask a domain
   * controller).
   *
   * @example Log who is asking
   * ```ts no-run
   * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using listener = listenNamedPipe("my-app", { mode: "message" });
   * for await (const conn of listener) {
   *   using _ = conn;
   *   const request = await conn.receive();
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
      if (this.#end !== "server") {
        throw new Deno.errors.NotSupported(
          `Cannot identify the user of named pipe "${this.#path}": only the server end can identify its client`,
        );
      }
      return lookupAccount(pipeClientSid(this.#raw("identify the client of"), this.#path));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Reads up to `p.byteLength` bytes into `p`. In message mode a read
   * returns at most one message, and a message longer than `p` is returned
   * over several reads.
   *
   * @example Read what is there, waiting at most a second
   * ```ts no-run
   * import { connectNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using conn = await connectNamedPipe("my-app");
   * const buffer = new Uint8Array(1024);
   * const n = await conn.read(buffer, { timeout: 1000 }); // null at the end
   * ```
   *
   * @param p Where the bytes go.
   * @param options How long to wait (`timeout`, `Infinity` by default; `0`
   * returns only what is already there) and cancellation.
   * @returns The number of bytes read, or `null` at the end of the stream.
   * @throws {Deno.errors.TimedOut} If nothing came within `timeout`.
   * @throws {Deno.errors.BadResource} If the connection is closed.
   * @throws {Deno.errors.Busy} If another read is in progress.
   * @throws {RangeError} For a bad `timeout`.
   */
  read(p: Uint8Array, options?: WaitOptions): Promise<number | null> {
    try {
      const what = this.#what("read from");
      return withDeadline(
        checkWaitOptions(options, what),
        what,
        (signal) => this.#io.read(p, { signal }),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Receives one whole message, whatever its size (message mode).
   *
   * @example Wait at most 5 seconds for a request
   * ```ts no-run
   * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using listener = listenNamedPipe("jobs", { mode: "message" });
   * using conn = await listener.accept();
   * const request = await conn.receive({ timeout: 5000 }); // null at the end
   * ```
   *
   * @param options How long to wait (`timeout`, `Infinity` by default; `0`
   * returns only a message already there) and cancellation.
   * @returns The message (possibly empty), or `null` at the end of the stream.
   * @throws {Deno.errors.NotSupported} If the connection is in byte mode.
   * @throws {Deno.errors.TimedOut} If no message came within `timeout`.
   * @throws {Deno.errors.BadResource} If the connection is closed.
   * @throws {Deno.errors.Busy} If another read is in progress.
   */
  receive(options?: WaitOptions): Promise<Uint8Array | null> {
    try {
      const what = this.#what("receive a message from");
      this.#messagesOnly("receive a message from");
      return withDeadline(
        checkWaitOptions(options, what),
        what,
        (signal) => this.#io.readMessage({ signal }),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Writes all of `p`. In message mode, `p` is one message.
   *
   * @example Write a greeting
   * ```ts no-run
   * import { connectNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using conn = await connectNamedPipe("my-app");
   * await conn.write(new TextEncoder().encode("hello"));
   * ```
   *
   * @param p The bytes.
   * @param options How long to wait for room in the pipe (`timeout`,
   * `Infinity` by default) and cancellation. A byte-mode write that gives up
   * may have written part of `p`.
   * @returns The number of bytes written (all of them).
   * @throws {Deno.errors.BrokenPipe} If the peer has closed its end.
   * @throws {Deno.errors.TimedOut} If the write did not finish within `timeout`.
   * @throws {Deno.errors.BadResource} If the connection is closed.
   */
  write(p: Uint8Array, options?: WaitOptions): Promise<number> {
    try {
      const what = this.#what("write to");
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
   * Sends one whole message (message mode).
   *
   * @example Answer a request
   * ```ts no-run
   * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using listener = listenNamedPipe("jobs", { mode: "message" });
   * using conn = await listener.accept();
   * await conn.receive();
   * await conn.send(new TextEncoder().encode("done"));
   * ```
   *
   * @param data The message; zero bytes is a valid, empty message.
   * @param options How long to wait for room in the pipe (`timeout`,
   * `Infinity` by default) and cancellation.
   * @returns Resolves once the message is written.
   * @throws {Deno.errors.NotSupported} If the connection is in byte mode.
   * @throws {Deno.errors.BrokenPipe} If the peer has closed its end.
   * @throws {Deno.errors.TimedOut} If it could not be written within `timeout`.
   * @throws {Deno.errors.BadResource} If the connection is closed.
   */
  async send(data: Uint8Array, options?: WaitOptions): Promise<void> {
    const what = this.#what("send a message to");
    this.#messagesOnly("send a message to");
    await withDeadline(
      checkWaitOptions(options, what),
      what,
      (signal) => this.#io.write(data, { signal }, "send a message to"),
    );
  }

  /**
   * Sends a request message and receives the reply message in one operation
   * (`TransactNamedPipe`), on a message-mode client connection. Nothing else
   * may be waiting to be read.
   *
   * @example Ask and wait at most 2 seconds for the answer
   * ```ts no-run
   * import { connectNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using conn = await connectNamedPipe("jobs", { mode: "message", timeout: 1000 });
   * const reply = await conn.transact(new TextEncoder().encode("work"), { timeout: 2000 });
   * ```
   *
   * @param request The request message.
   * @param options How long to wait for the reply (`timeout`, `Infinity` by
   * default) and cancellation. A transaction that gives up has usually sent
   * its request already, and its reply is then the next message received;
   * `0` fails unless the reply can come at once, which it seldom can.
   * @returns The whole reply message.
   * @throws {Deno.errors.NotSupported} If the connection is in byte mode.
   * @throws {Deno.errors.Busy} If a read is in progress.
   * @throws {Deno.errors.BrokenPipe} If the server closed without replying.
   * @throws {Deno.errors.TimedOut} If no reply came within `timeout`.
   */
  async transact(request: Uint8Array, options?: WaitOptions): Promise<Uint8Array> {
    const what = this.#what("transact on");
    this.#messagesOnly("transact on");
    const wait = checkWaitOptions(options, what);
    const raw = this.#raw("transact on");
    const copy = request.slice();
    const k = kernel32();
    const reply = await withDeadline(
      wait,
      what,
      (signal) =>
        this.#io.readMessageWith("transact on", (into, onPending) =>
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
                )
                ? 0
                : k.GetLastError(),
            { signal, keepAlive: [copy, into], onPending },
          )),
    );
    if (reply === null) {
      throw new Deno.errors.BrokenPipe(
        `Cannot transact on named pipe "${this.#path}": the peer closed the pipe`,
      );
    }
    return reply;
  }

  /**
   * Looks at what is waiting without reading it (`PeekNamedPipe`), at once.
   *
   * @example How much is waiting
   * ```ts no-run
   * import { connectNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using conn = await connectNamedPipe("jobs", { mode: "message" });
   * const { bytesAvailable, messageBytesLeft } = conn.peek();
   * ```
   *
   * @returns Bytes available, and bytes left in the next message.
   * @throws {Deno.errors.BrokenPipe} If the peer has closed and nothing is left.
   * @throws {Deno.errors.BadResource} If the connection is closed.
   */
  peek(): NamedPipePeek {
    const raw = this.#raw("peek into");
    const available = new Uint32Array(1);
    const left = new Uint32Array(1);
    const read = new Uint32Array(1);
    const k = kernel32();
    if (!k.PeekNamedPipe(raw, null, 0, read, available, left)) {
      throw errorFromCode(k.GetLastError(), `Cannot peek into named pipe "${this.#path}"`);
    }
    return { bytesAvailable: outValue(available), messageBytesLeft: outValue(left) };
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
      read: (p) => this.#io.read(p),
      write: (p) => this.#io.write(p),
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
   * @example Close after the last write
   * ```ts no-run
   * import { connectNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * const conn = await connectNamedPipe("my-app");
   * await conn.write(new TextEncoder().encode("bye"));
   * conn.close(); // the server reads "bye", then the end of the stream
   * ```
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

  /**
   * Receives message after message (message mode), until the end of the
   * stream. Leaving the loop early leaves the connection open.
   *
   * @example Every message a client sends
   * ```ts no-run
   * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using listener = listenNamedPipe("jobs", { mode: "message" });
   * using conn = await listener.accept();
   * for await (const message of conn) console.log(message.byteLength);
   * ```
   *
   * @returns An iterator of messages.
   * @throws {Deno.errors.NotSupported} On a byte-mode connection (read its
   * `readable` instead).
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#mode !== "message") {
      throw new Deno.errors.NotSupported(
        `Cannot iterate the messages of named pipe "${this.#path}": the connection is in byte mode (read its readable instead)`,
      );
    }
    for (let message = await this.receive(); message !== null; message = await this.receive()) {
      yield message;
    }
  }
}
