// Copyright 2026 the winipc authors. MIT license.
/**
 * The server side of named pipes: `listenNamedPipe` and its listener.
 *
 * @module
 */
import {
  FILE_FLAG_FIRST_PIPE_INSTANCE,
  FILE_FLAG_OVERLAPPED,
  kernel32,
  PIPE_ACCESS_DUPLEX,
  PIPE_READMODE_MESSAGE,
  PIPE_REJECT_REMOTE_CLIENTS,
  PIPE_TYPE_BYTE,
  PIPE_TYPE_MESSAGE,
  PIPE_UNLIMITED_INSTANCES,
} from "../_win32/ffi.ts";
import { ERROR, errorFromCode } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { associateOrClose, type IoResult, startIo } from "../_win32/completion.ts";
import { accessSddl, SecurityAttributes } from "../_win32/security.ts";
import { checkChoice, type SecurityRule, type WaitOptions } from "../_win32/options.ts";
import { checkWaitOptions, startTimer } from "../_win32/timeout.ts";
import { pipePath } from "./_path.ts";
import { NamedPipeConn, type NamedPipeMode } from "./conn.ts";
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";

/** Options for {@linkcode listenNamedPipe}. */
export interface NamedPipeListenOptions {
  /**
   * `"byte"` for a byte stream, `"message"` for whole messages.
   * @default {"byte"}
   */
  mode?: NamedPipeMode;
  /**
   * The most instances (simultaneous connections plus the listening one),
   * 1 to 254, or `Infinity` for as many as Windows allows (255). A client
   * beyond it finds the pipe busy.
   * @default {Infinity}
   */
  maxInstances?: number;
  /**
   * The kernel's buffer for data going out of the server, in bytes.
   * @default {65536}
   */
  outBufferSize?: number;
  /**
   * The kernel's buffer for data coming in, in bytes.
   * @default {65536}
   */
  inBufferSize?: number;
  /**
   * Who may connect: `"owner"` (the current user, plus SYSTEM and
   * Administrators), `"everyone"` (every local user may read and write, but
   * only those three may create instances of the name), or `{ sddl }` for a
   * security descriptor of your own. Relaxing it lets other users' processes
   * talk to yours: validate what they send. (Earlier versions called this
   * option `access`; passing `access` is now a `TypeError`.)
   * @default {"owner"}
   */
  security?: SecurityRule;
  /**
   * Accept clients from other machines. Off by default
   * (`PIPE_REJECT_REMOTE_CLIENTS`): turning it on exposes the pipe to the
   * network, where the `security` rule above is all that stands in the way.
   * @default {false}
   */
  allowRemoteClients?: boolean;
  /**
   * How many instances wait for clients at once, counting clients that
   * have connected but that `accept()` has not taken yet, like a socket's
   * listen backlog. A burst of clients beyond it finds the pipe busy for a
   * moment and waits in `WaitNamedPipeW` (see
   * {@linkcode connectNamedPipe}'s `timeout`). Each waiting instance is one
   * handle and one pending `ConnectNamedPipe`, and holds no thread. 1 to
   * `maxInstances` (254 at most).
   * @default {4}
   */
  backlog?: number;
}

function checkSize(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0x7fff_ffff
  ) {
    throw new RangeError(
      `Cannot listen on named pipe: ${name} must be a whole number of bytes from 0 to 2147483647, got ${
        String(value)
      }`,
    );
  }
  return value;
}

/** The default {@linkcode NamedPipeListenOptions.backlog}. */
const DEFAULT_BACKLOG = 4;

/** One instance of the pipe that is waiting for a client. */
interface Listening {
  readonly handle: OwnedHandle;
  /** Cancels its pending `ConnectNamedPipe` (set once it is pending). */
  cancel: (() => void) | null;
}

/** An accept() waiting for a connection. */
interface Waiter {
  resolve(conn: NamedPipeConn): void;
  reject(reason: unknown): void;
}

/**
 * A named pipe server. While it is open, `backlog` instances of the pipe
 * are listening (or hold a client that `accept()` has not taken yet), so
 * the name always exists and a burst of clients finds free instances.
 *
 * Connections come from {@linkcode accept} or from iterating the listener;
 * iteration ends when the listener is closed. Closing the listener stops
 * listening: instances still waiting are cancelled and closed, clients not
 * yet accepted are disconnected, and connections already accepted stay
 * open. An open listener has a `ConnectNamedPipe` pending on each waiting
 * instance, which keeps the process running until `close()`, as a Node.js
 * server does.
 *
 * @example Serve each client in turn
 * ```ts no-run
 * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
 *
 * using listener = listenNamedPipe("my-app", { mode: "message" });
 * for await (const conn of listener) { // ends when the listener is closed
 *   using _ = conn;
 *   for await (const request of conn) await conn.send(request); // echo
 * }
 * ```
 */
export class NamedPipeListener implements AsyncIterable<NamedPipeConn>, Disposable {
  #closed = false;
  /** Instances waiting for a client, oldest first. */
  readonly #listening = new Set<Listening>();
  /** Connected instances (or failures) that accept() has not taken yet. */
  readonly #ready: (OwnedHandle | Error)[] = [];
  readonly #waiters: Waiter[] = [];
  #security!: SecurityAttributes;
  #openMode!: number;
  #pipeMode!: number;
  #maxInstances!: number;
  #outBufferSize!: number;
  #inBufferSize!: number;
  #backlog!: number;
  #path!: string;
  #mode!: NamedPipeMode;

  /** @ignore */
  constructor(key: ConstructKey, path: string, options: NamedPipeListenOptions) {
    checkConstruct(key, "listeners come from listenNamedPipe()");
    this.#init(path, options);
  }

  #init(path: string, options: NamedPipeListenOptions): void {
    const what = `Cannot listen on named pipe "${path}"`;
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`${what}: options must be an object, got ${String(options)}`);
    }
    if ((options as { access?: unknown }).access !== undefined) {
      throw new TypeError(
        `${what}: the access option is now called security ({ security: "owner" | "everyone" | { sddl } })`,
      );
    }
    const mode = checkChoice(options.mode, ["byte", "message"], "byte", "mode", what);
    const max = options.maxInstances ?? Infinity;
    if (
      max !== Infinity && (typeof max !== "number" || !Number.isInteger(max) || max < 1 ||
        max > 254)
    ) {
      throw new RangeError(
        `Cannot listen on named pipe "${path}": maxInstances must be 1 to 254 or Infinity, got ${
          String(max)
        }`,
      );
    }
    const backlog = options.backlog;
    if (
      backlog !== undefined &&
      (typeof backlog !== "number" || !Number.isInteger(backlog) || backlog < 1 ||
        backlog > Math.min(max, 254))
    ) {
      throw new RangeError(
        `Cannot listen on named pipe "${path}": backlog must be a whole number from 1 to ${
          Math.min(max, 254)
        } (maxInstances), got ${String(backlog)}`,
      );
    }
    this.#backlog = backlog ?? Math.min(DEFAULT_BACKLOG, max);
    this.#outBufferSize = checkSize(options.outBufferSize, "outBufferSize", 65536);
    this.#inBufferSize = checkSize(options.inBufferSize, "inBufferSize", 65536);
    if (
      typeof options.allowRemoteClients !== "undefined" &&
      typeof options.allowRemoteClients !== "boolean"
    ) {
      throw new TypeError(
        `Cannot listen on named pipe "${path}": allowRemoteClients must be true or false, got ${
          String(options.allowRemoteClients)
        }`,
      );
    }
    const security = options.security;
    if (
      security !== undefined && security !== "owner" && security !== "everyone" &&
      !(typeof security === "object" && security !== null && Object.hasOwn(security, "sddl") &&
        typeof security.sddl === "string")
    ) {
      throw new TypeError(
        `${what}: security must be "owner", "everyone" or { sddl }, got ${
          typeof security === "string" ? JSON.stringify(security) : String(security)
        }`,
      );
    }
    // FILE_GENERIC_READ | FILE_GENERIC_WRITE without FILE_CREATE_PIPE_INSTANCE (0x4).
    const sddl = accessSddl(security, "0x0012019b", `${what}: security`);
    this.#path = path;
    this.#mode = mode;
    this.#maxInstances = max === Infinity ? PIPE_UNLIMITED_INSTANCES : max;
    this.#openMode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
    this.#pipeMode =
      (mode === "message" ? PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE : PIPE_TYPE_BYTE) |
      (options.allowRemoteClients ? 0 : PIPE_REJECT_REMOTE_CLIENTS);
    this.#security = new SecurityAttributes(sddl);
    try {
      this.#listen(this.#createInstance(true));
      this.#fill();
    } catch (error) {
      this.#closeAll();
      throw error;
    }
  }

  /** The pipe's full path, `\\.\pipe\...`. */
  get path(): string {
    return this.#path;
  }

  /** The mode of every connection: `"byte"` or `"message"`. */
  get mode(): NamedPipeMode {
    return this.#mode;
  }

  #createInstance(first: boolean): OwnedHandle {
    const k = kernel32();
    const wide = encodeUtf16z(this.path);
    const mode = this.#openMode | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
    const security = Deno.UnsafePointer.of(this.#security.attributes);
    // Only property reads between these three calls (see errors.ts).
    k.SetLastError(0);
    const raw = k.CreateNamedPipeW(
      wide,
      mode,
      this.#pipeMode,
      this.#maxInstances,
      this.#outBufferSize,
      this.#inBufferSize,
      0,
      security,
    );
    const code = k.GetLastError();
    if (isInvalidHandle(raw)) {
      // A first instance that is refused (Windows) or finds every instance
      // of the name in use (Wine, which ignores the flag) names a pipe that
      // exists already.
      if (first && (code === ERROR.ACCESS_DENIED || code === ERROR.PIPE_BUSY)) {
        throw new Deno.errors.AlreadyExists(
          `Cannot listen on named pipe "${this.path}": the name is taken by another server`,
          { cause: errorFromCode(code) },
        );
      }
      throw errorFromCode(code, `Cannot create an instance of named pipe "${this.path}"`);
    }
    // Windows refuses a first instance of a name that exists (above). Wine
    // ignores FILE_FLAG_FIRST_PIPE_INSTANCE but reports ERROR_ALREADY_EXISTS
    // on success; honour that too, so the name is never silently shared.
    const existed = first && code === ERROR.ALREADY_EXISTS;
    const handle = new OwnedHandle(raw, "named pipe");
    if (existed) {
      handle.close();
      throw new Deno.errors.AlreadyExists(
        `Cannot listen on named pipe "${this.path}": the name is taken by another server`,
        { cause: errorFromCode(ERROR.ALREADY_EXISTS) },
      );
    }
    return associateOrClose(handle);
  }

  /** Waits for a client on a new instance (`ConnectNamedPipe`, overlapped). */
  #listen(handle: OwnedHandle): void {
    const instance: Listening = { handle, cancel: null };
    this.#listening.add(instance);
    const k = kernel32();
    startIo(
      handle,
      (overlapped) => k.ConnectNamedPipe(handle.raw, overlapped) ? 0 : k.GetLastError(),
      {
        onPending: (cancel) => instance.cancel = cancel,
      },
    ).then((result) => this.#connected(instance, result));
  }

  #connected(instance: Listening, result: IoResult): void {
    this.#listening.delete(instance);
    instance.cancel = null;
    if (this.#closed) {
      if (!instance.handle.closed) instance.handle.close();
      return;
    }
    // ERROR_PIPE_CONNECTED: the client came before ConnectNamedPipe.
    // ERROR_NO_DATA: a client connected, wrote and closed before that; what
    // it wrote is still there to read, then the end of stream.
    const { error } = result;
    if (error === 0 || error === ERROR.PIPE_CONNECTED || error === ERROR.NO_DATA) {
      this.#ready.push(instance.handle);
    } else {
      instance.handle.close();
      this.#ready.push(errorFromCode(error, `Cannot accept on named pipe "${this.path}"`));
    }
    this.#deliver();
  }

  /**
   * Tops the listening instances up to the backlog (instances waiting, plus
   * clients waiting for accept()). Stops quietly when `maxInstances` are in
   * use: a connection closing calls it again.
   */
  #fill(): void {
    while (!this.#closed && this.#listening.size + this.#ready.length < this.#backlog) {
      let handle: OwnedHandle;
      try {
        handle = this.#createInstance(false);
      } catch (error) {
        // All instances in use: wait for a connection to close.
        if (error instanceof Deno.errors.Busy) return;
        // Anything else goes to an accept(), unless instances still listen.
        if (this.#listening.size === 0) this.#ready.push(error as Error);
        return;
      }
      this.#listen(handle);
    }
  }

  /** Hands waiting connections to waiting accept() calls, oldest first. */
  #deliver(): void {
    while (this.#waiters.length > 0 && this.#ready.length > 0) {
      const waiter = this.#waiters.shift()!;
      const next = this.#ready.shift()!;
      // Replace it first: the name never goes without a listening instance.
      this.#fill();
      if (next instanceof Error) waiter.reject(next);
      else waiter.resolve(this.#conn(next));
    }
  }

  #conn(handle: OwnedHandle): NamedPipeConn {
    return new NamedPipeConn(CONSTRUCT, handle, this.#path, this.#mode, "server", () => {
      // An instance is free again (it matters at maxInstances).
      if (!this.#closed) {
        this.#fill();
        this.#deliver();
      }
    });
  }

  /**
   * The raw Win32 handle of the oldest instance waiting for a client, for
   * FFI calls of your own (reading the security descriptor the pipe got,
   * for example). It stays owned by the listener, which closes it when a
   * client connects to it or the listener closes: do not close it, and do
   * not keep it.
   *
   * @throws {Deno.errors.BadResource} If the listener is closed, or no
   * instance is waiting (every instance is in use).
   */
  get unsafeHandle(): Deno.PointerValue {
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot use named pipe listener "${this.#path}": it is closed`,
      );
    }
    const first = this.#listening.values().next();
    if (first.done) {
      throw new Deno.errors.BadResource(
        `Named pipe "${this.#path}" has no listening instance (all instances are connected)`,
      );
    }
    return first.value.handle.raw;
  }

  /** How many instances are listening or hold a client not yet accepted. */
  get backlog(): number {
    return this.#backlog;
  }

  /**
   * Waits for the next client. Calls queue up: each gets its own client,
   * oldest call first.
   *
   * @example Wait at most 10 seconds for a client
   * ```ts no-run
   * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using listener = listenNamedPipe("my-app");
   * using conn = await listener.accept({ timeout: 10_000 });
   * ```
   *
   * @param options How long to wait (`timeout`, `Infinity` by default; `0`
   * takes only a client that has already connected) and cancellation.
   * @returns The server end of the new connection.
   * @throws {Deno.errors.TimedOut} If no client came within `timeout`; the
   * listener stays usable.
   * @throws {Deno.errors.BadResource} If the listener is (or gets) closed.
   * @throws {RangeError} For a bad `timeout`.
   * @throws The signal's reason when aborted; the listener stays usable.
   */
  accept(options?: WaitOptions): Promise<NamedPipeConn> {
    let timeout: number;
    let signal: AbortSignal | undefined;
    try {
      ({ timeout, signal } = checkWaitOptions(options, `accept on named pipe "${this.#path}"`));
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#closed) return Promise.reject(this.#closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<NamedPipeConn>((resolve, reject) => {
      let cancelTimer = () => {};
      const leave = (reason: unknown) => {
        const index = this.#waiters.indexOf(waiter);
        if (index === -1) return;
        this.#waiters.splice(index, 1);
        waiter.reject(reason);
      };
      const onAbort = () => leave(signal!.reason);
      const waiter: Waiter = {
        resolve: (conn) => {
          cancelTimer();
          signal?.removeEventListener("abort", onAbort);
          resolve(conn);
        },
        reject: (reason) => {
          cancelTimer();
          signal?.removeEventListener("abort", onAbort);
          reject(reason);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
      try {
        this.#fill();
      } catch (error) {
        leave(error);
        return;
      }
      this.#deliver();
      if (!this.#waiters.includes(waiter)) return;
      const timedOut = () =>
        leave(
          new Deno.errors.TimedOut(
            timeout === 0
              ? `Cannot accept on named pipe "${this.#path}": no client was waiting (timeout 0)`
              : `Cannot accept on named pipe "${this.#path}": no client came within ${timeout} ms`,
          ),
        );
      if (timeout === 0) timedOut();
      else cancelTimer = startTimer(timeout, timedOut);
    });
  }

  #closedError(): Error {
    return new Deno.errors.BadResource(
      `Cannot accept on named pipe "${this.path}": the listener is closed`,
    );
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops listening: pending `accept()` calls reject with `BadResource`,
   * iteration ends, every instance still waiting for a client is cancelled
   * and closed, and clients not yet accepted are disconnected. Accepted
   * connections stay open.
   *
   * @example Stop after the first client
   * ```ts no-run
   * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * const listener = listenNamedPipe("my-app");
   * const conn = await listener.accept();
   * listener.close(); // conn stays open
   * ```
   *
   * @throws {Deno.errors.BadResource} If it is already closed.
   */
  close(): void {
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot close named pipe listener "${this.path}": it is already closed`,
      );
    }
    this.#closeAll();
  }

  #closeAll(): void {
    this.#closed = true;
    for (const instance of this.#listening) {
      // The cancelled ConnectNamedPipe still delivers its packet; its
      // OVERLAPPED stays with the completion core until then.
      instance.cancel?.();
      if (!instance.handle.closed) instance.handle.close();
    }
    for (const next of this.#ready.splice(0)) {
      if (!(next instanceof Error)) next.close();
    }
    const error = this.#closedError();
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    this.#security[Symbol.dispose]();
  }

  /** Closes the listener if it is still open. */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }

  /**
   * Yields each new connection until the listener is closed.
   *
   * @example Accept for ever
   * ```ts no-run
   * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
   *
   * using listener = listenNamedPipe("my-app");
   * for await (const conn of listener) conn.close();
   * ```
   *
   * @returns An iterator of connections.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<NamedPipeConn> {
    while (!this.#closed) {
      try {
        yield await this.accept();
      } catch (error) {
        if (this.#closed) return;
        throw error;
      }
    }
  }
}

/**
 * Creates a named pipe server. It listens at once: the pipe exists, and the
 * name is this process's, from this call until `close()`.
 *
 * Secure by default: only the current user (and SYSTEM and Administrators)
 * may connect, remote clients are rejected, and the first instance is
 * created with `FILE_FLAG_FIRST_PIPE_INSTANCE`, so a name already served by
 * someone else fails with `AlreadyExists` instead of silently joining them.
 * That does not stop a later process of the same user from adding
 * instances of the name (the owner may); clients that must reach this very
 * server check it with `connectNamedPipe`'s `server` option.
 *
 * @example Serve a pipe
 * ```ts no-run
 * import { listenNamedPipe } from "@winipc/winipc/named-pipe";
 *
 * using listener = listenNamedPipe("my-app");
 * for await (const conn of listener) {
 *   (async () => {
 *     using _ = conn;
 *     const buffer = new Uint8Array(1024);
 *     const n = await conn.read(buffer);
 *     if (n !== null) await conn.write(buffer.subarray(0, n)); // echo
 *   })();
 * }
 * ```
 *
 * @param name A short name (`"my-app"` means `\\.\pipe\my-app`) or a full
 * `\\.\pipe\...` path.
 * @param options Mode, instances, backlog, buffers, security, remote clients.
 * @returns The listener.
 * @throws {TypeError} For a bad name or option (the old `access` option
 * too: it is now `security`).
 * @throws {RangeError} For a bad size, instance count or backlog.
 * @throws {Deno.errors.AlreadyExists} If another server has the name.
 */
export function listenNamedPipe(
  name: string,
  options: NamedPipeListenOptions = {},
): NamedPipeListener {
  return new NamedPipeListener(CONSTRUCT, pipePath(name, "listen"), options);
}
