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
import { ERROR, errorFromCode, lastError } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { associateOrClose } from "../_win32/completion.ts";
import { connectPipe } from "../_win32/pipes.ts";
import { type AccessRule, accessSddl, SecurityAttributes } from "../_win32/security.ts";
import { pipePath } from "./_path.ts";
import { NamedPipeConn, type NamedPipeMode } from "./conn.ts";

/** Who may connect to a pipe. */
export type NamedPipeAccess = AccessRule;

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
   * talk to yours: validate what they send.
   * @default {"owner"}
   */
  access?: NamedPipeAccess;
  /**
   * Accept clients from other machines. Off by default
   * (`PIPE_REJECT_REMOTE_CLIENTS`): turning it on exposes the pipe to the
   * network, where the access rule above is all that stands in the way.
   * @default {false}
   */
  allowRemoteClients?: boolean;
}

/** Options for {@linkcode NamedPipeListener.accept}. */
export interface NamedPipeAcceptOptions {
  /** Cancels the wait for a client; the listener stays usable. */
  signal?: AbortSignal;
}

function checkSize(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 0x7fff_ffff) {
    throw new RangeError(
      `Cannot listen on named pipe: ${name} must be a whole number of bytes from 0 to 2147483647, got ${value}`,
    );
  }
  return value;
}

/**
 * A named pipe server: one instance is always listening while it is open, so
 * no other process can take the name between connections.
 *
 * Connections come from {@linkcode accept} or from iterating the listener;
 * iteration ends when the listener is closed. Closing the listener stops
 * listening; connections already accepted stay open.
 */
export class NamedPipeListener implements AsyncIterable<NamedPipeConn>, Disposable {
  #listening: OwnedHandle | null;
  #closed = false;
  #accepting: Promise<unknown> = Promise.resolve();
  #acceptAbort = new AbortController();
  #slotFreed: (() => void) | null = null;
  readonly #security: SecurityAttributes;
  readonly #openMode: number;
  readonly #pipeMode: number;
  readonly #maxInstances: number;
  readonly #outBufferSize: number;
  readonly #inBufferSize: number;
  /** The pipe's full path, `\\.\pipe\...`. */
  readonly path: string;
  /** The mode of every connection. */
  readonly mode: NamedPipeMode;

  /** @internal Use {@linkcode listenNamedPipe}. */
  constructor(path: string, options: NamedPipeListenOptions) {
    const mode = options.mode ?? "byte";
    if (mode !== "byte" && mode !== "message") {
      throw new TypeError(
        `Cannot listen on named pipe "${path}": mode must be "byte" or "message", got ${mode}`,
      );
    }
    const max = options.maxInstances ?? Infinity;
    if (max !== Infinity && (!Number.isInteger(max) || max < 1 || max > 254)) {
      throw new RangeError(
        `Cannot listen on named pipe "${path}": maxInstances must be 1 to 254 or Infinity, got ${max}`,
      );
    }
    this.#outBufferSize = checkSize(options.outBufferSize, "outBufferSize", 65536);
    this.#inBufferSize = checkSize(options.inBufferSize, "inBufferSize", 65536);
    // FILE_GENERIC_READ | FILE_GENERIC_WRITE without FILE_CREATE_PIPE_INSTANCE (0x4).
    const sddl = accessSddl(
      options.access,
      "0x0012019b",
      `Cannot listen on named pipe "${path}": access`,
    );
    this.path = path;
    this.mode = mode;
    this.#maxInstances = max === Infinity ? PIPE_UNLIMITED_INSTANCES : max;
    this.#openMode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
    this.#pipeMode =
      (mode === "message" ? PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE : PIPE_TYPE_BYTE) |
      (options.allowRemoteClients ? 0 : PIPE_REJECT_REMOTE_CLIENTS);
    this.#security = new SecurityAttributes(sddl);
    try {
      this.#listening = this.#createInstance(true);
    } catch (error) {
      this.#security[Symbol.dispose]();
      throw error;
    }
  }

  #createInstance(first: boolean): OwnedHandle {
    const k = kernel32();
    k.SetLastError(0);
    const raw = k.CreateNamedPipeW(
      encodeUtf16z(this.path),
      this.#openMode | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
      this.#pipeMode,
      this.#maxInstances,
      this.#outBufferSize,
      this.#inBufferSize,
      0,
      Deno.UnsafePointer.of(this.#security.attributes),
    );
    if (isInvalidHandle(raw)) {
      const code = lastError();
      if (first && code === ERROR.ACCESS_DENIED) {
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
    const existed = first && lastError() === ERROR.ALREADY_EXISTS;
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

  /** The raw handle of the listening instance, for inspection (tests, security checks). */
  get listeningHandle(): Deno.PointerObject {
    if (this.#listening === null) {
      throw new Deno.errors.BadResource(
        `Named pipe "${this.path}" has no listening instance (all instances are connected)`,
      );
    }
    return this.#listening.raw;
  }

  /**
   * Waits for the next client. Calls queue up: each gets its own client.
   *
   * @param options Cancellation.
   * @returns The server end of the new connection.
   * @throws {Deno.errors.BadResource} If the listener is (or gets) closed.
   * @throws The signal's reason when aborted; the listener stays usable.
   */
  accept(options: NamedPipeAcceptOptions = {}): Promise<NamedPipeConn> {
    const next = this.#accepting.then(() => this.#acceptOne(options.signal));
    this.#accepting = next.catch(() => {});
    return next;
  }

  async #acceptOne(signal: AbortSignal | undefined): Promise<NamedPipeConn> {
    const closedError = () =>
      new Deno.errors.BadResource(
        `Cannot accept on named pipe "${this.path}": the listener is closed`,
      );
    if (this.#closed) throw closedError();
    signal?.throwIfAborted();
    while (this.#listening === null) {
      // Every instance is connected: wait for a connection to close.
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal!.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#acceptAbort.signal.addEventListener("abort", () => reject(closedError()), {
          once: true,
        });
        this.#slotFreed = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
      });
      this.#slotFreed = null;
      if (this.#closed) throw closedError();
      this.#listening ??= this.#tryCreate();
    }
    const instance = this.#listening;
    const combined = signal
      ? AbortSignal.any([signal, this.#acceptAbort.signal])
      : this.#acceptAbort.signal;
    let result;
    try {
      result = await connectPipe(instance, combined);
    } catch (error) {
      if (this.#closed) throw closedError();
      throw error;
    }
    // ERROR_NO_DATA: a client connected, wrote and closed before the
    // connect; what it wrote is still there to read, then the end of stream.
    if (result.error !== 0 && result.error !== ERROR.NO_DATA) {
      if (this.#closed) throw closedError();
      throw errorFromCode(result.error, `Cannot accept on named pipe "${this.path}"`);
    }
    // Keep one instance listening before handing the connection out.
    this.#listening = this.#tryCreate();
    return new NamedPipeConn(instance, this.path, this.mode, "server", () => {
      if (this.#listening === null && !this.#closed) {
        // An instance is free again: listen on it at once, accept or not.
        this.#listening = this.#tryCreate();
        this.#slotFreed?.();
      }
    });
  }

  #tryCreate(): OwnedHandle | null {
    if (this.#closed) return null;
    try {
      return this.#createInstance(false);
    } catch (error) {
      // All instances in use: the next accept waits for a connection to close.
      if (error instanceof Deno.errors.Busy) return null;
      throw error;
    }
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops listening: pending `accept()` calls reject with `BadResource`, and
   * iteration ends. Accepted connections stay open.
   *
   * @throws {Deno.errors.BadResource} If it is already closed.
   */
  close(): void {
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot close named pipe listener "${this.path}": it is already closed`,
      );
    }
    this.#closed = true;
    this.#acceptAbort.abort();
    const listening = this.#listening;
    this.#listening = null;
    listening?.close();
    this.#security[Symbol.dispose]();
  }

  /** Closes the listener if it is still open. */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }

  /** Yields each new connection until the listener is closed. */
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
 *
 * @example Serve a pipe
 * ```ts ignore
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
 * @param options Mode, instances, buffers, access, remote clients.
 * @returns The listener.
 * @throws {TypeError} For a bad name or option.
 * @throws {RangeError} For a bad size or instance count.
 * @throws {Deno.errors.AlreadyExists} If another server has the name.
 */
export function listenNamedPipe(
  name: string,
  options: NamedPipeListenOptions = {},
): NamedPipeListener {
  return new NamedPipeListener(pipePath(name, "listen"), options);
}
