// Copyright 2026 the winipc authors. MIT license.
/**
 * Byte reads and writes on one handle, for objects that own a pipe end:
 * overlapped handles go through the completion core (associated on first
 * use, so an end never used here can still be handed to a child process
 * untouched); synchronous handles, which cannot do overlapped I/O, go
 * through Deno's blocking pool, one pool thread per pending call.
 *
 * Both read into an internal buffer and copy out, and write from a reused
 * staging copy: the kernel never touches a caller's buffer, which could be
 * detached or resized while it waits.
 *
 * @module
 */
import { kernel32, outValue } from "./ffi.ts";
import { ERROR, errorFromCode } from "./errors.ts";
import type { OwnedHandle } from "./handle.ts";
import { associate, type IoResult, startIo } from "./completion.ts";
import { readFile, writeFile } from "./io.ts";
import { checkTimeout, PendingDeadline } from "./timeout.ts";

const CHUNK = 64 * 1024;
const MAX_CHUNK = 4 * 1024 * 1024;
/** The smallest buffer the pool hands out. */
const MIN_BUFFER = 4096;
/** Free buffers the pool keeps, per size: up to 64 KiB, and above. */
const POOL_KEEP = 16;
const POOL_KEEP_LARGE = 2;

/**
 * Buffers for reads and for the copies of data being written, shared by
 * every handle in the process, by size (powers of two from 4 KiB to
 * 4 MiB; a few of each size are kept). A handle holds one only while an
 * operation uses it, so an idle connection holds none (issue 20: two
 * 64 KiB buffers of its own made 0.15 MB a connection).
 */
const pool = new Map<number, Uint8Array[]>();

function sizeClass(size: number): number {
  let c = MIN_BUFFER;
  while (c < size && c < MAX_CHUNK) c *= 2;
  return c;
}

/** A buffer of at least `size` bytes (at most `MAX_CHUNK`), from the pool if one is free. */
function takeBuffer(size: number): Uint8Array {
  const c = sizeClass(size);
  return pool.get(c)?.pop() ?? new Uint8Array(c);
}

/** Gives a buffer from {@linkcode takeBuffer} back, once no operation uses it. */
function giveBuffer(buffer: Uint8Array): void {
  const c = buffer.byteLength;
  let free = pool.get(c);
  if (free === undefined) pool.set(c, free = []);
  if (free.length < (c > CHUNK ? POOL_KEEP_LARGE : POOL_KEEP)) free.push(buffer);
}

/**
 * A read that waited longer than this marks the handle quiet: its next
 * read first waits for data with a zero-byte read, which holds no buffer.
 */
const QUIET_MS = 20;
/** What a zero-byte read points at (nothing is written there). */
const NOTHING = new Uint8Array(1);
const END_OF_STREAM = new Set<number>([
  ERROR.BROKEN_PIPE,
  ERROR.PIPE_NOT_CONNECTED,
  ERROR.HANDLE_EOF,
]);

/** Options for one read or write. */
export interface HandleIoOptions {
  /** Cancels the operation; the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** Options for {@linkcode HandleIo.read}. */
export interface HandleIoReadOptions extends HandleIoOptions {
  /** The most milliseconds to wait for data; `0` tries once. For ever by default. */
  timeout?: number | undefined;
}

/** How one read attempt ended: its result, and whether the timeout cancelled it. */
interface Attempt {
  result: IoResult;
  timedOut: boolean;
}

/** How a {@linkcode HandleIo} treats its handle. */
export interface HandleIoInit {
  /** Whether the handle was opened with `FILE_FLAG_OVERLAPPED`. */
  overlapped: boolean;
  /** Names the object in messages, e.g. `pipe reader` or `named pipe "\\.\pipe\x"`. */
  describe: string;
  /** Already associated with the completion port (else: on first use). */
  associated?: boolean;
  /**
   * Message-mode reads: a zero-byte read is an empty message, and
   * `ERROR_MORE_DATA` means the rest of the message follows.
   */
  messages?: boolean;
  /** Called once the handle is closed. */
  onRelease?: (() => void) | undefined;
}

/** Starts one read-side operation into `into` (see {@linkcode HandleIo.readMessageWith}). */
export type ReadStep = (
  into: Uint8Array,
  onPending: (cancel: () => void) => void,
) => Promise<IoResult>;

/** Reads, writes and a flushing close on one handle. */
export class HandleIo {
  readonly #handle: OwnedHandle;
  readonly #overlapped: boolean;
  readonly #describe: string;
  readonly #messages: boolean;
  #associated: boolean;
  #closed = false;
  #reading = false;
  #pendingWrites = 0;
  #cancelRead: (() => void) | null = null;
  /** Whether the next read waits for data with a zero-byte read first (see `QUIET_MS`). */
  #quiet = true;
  readonly #onRelease: () => void;

  /**
   * @param handle The handle, owned from now on.
   * @param init How to treat it.
   */
  constructor(handle: OwnedHandle, init: HandleIoInit) {
    this.#handle = handle;
    this.#overlapped = init.overlapped;
    this.#describe = init.describe;
    this.#messages = init.messages ?? false;
    this.#associated = init.associated ?? false;
    this.#onRelease = init.onRelease ?? (() => {});
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True once the handle was associated with the completion port (used for I/O here). */
  get associated(): boolean {
    return this.#associated;
  }

  /** The handle, while open. */
  get handle(): OwnedHandle {
    return this.#handle;
  }

  /**
   * The raw handle for a call of the owner's own, after checking that the
   * object is open (and associating an overlapped handle on first use).
   *
   * @param what The operation, for the message (`read from`, `peek into`).
   * @returns The handle.
   * @throws {Deno.errors.BadResource} If closed.
   */
  raw(what: string): Deno.PointerObject {
    this.#check(what);
    return this.#handle.raw;
  }

  #busy(what: string): void {
    if (this.#reading) {
      throw new Deno.errors.Busy(`Cannot ${what} ${this.#describe}: a read is in progress`);
    }
  }

  #check(what: string): void {
    if (this.#closed) {
      throw new Deno.errors.BadResource(`Cannot ${what} ${this.#describe}: it is closed`);
    }
    if (this.#overlapped && !this.#associated) {
      associate(this.#handle);
      this.#associated = true;
    }
  }

  /**
   * Reads up to `p.byteLength` bytes.
   *
   * `timeout` bounds the wait for data: once it has passed (never before)
   * a pending read is cancelled and the call fails with `TimedOut`, unless
   * data arrived first, which is then returned (nothing is lost). `0` tries
   * once: the data already in the pipe, the end of the stream, or
   * `TimedOut`.
   *
   * @returns The count, or `null` at the end of the stream.
   * @throws {RangeError} For a bad timeout.
   * @throws {Deno.errors.TimedOut} If no data came in time.
   */
  async read(p: Uint8Array, options: HandleIoReadOptions = {}): Promise<number | null> {
    const timeout = checkTimeout(options.timeout, `read from ${this.#describe}`);
    this.#busy("read from");
    this.#check("read from");
    options.signal?.throwIfAborted();
    const deadline = performance.now() + timeout;
    this.#reading = true;
    try {
      while (true) {
        const attempt = await this.#readOnce(p, options.signal, deadline);
        const result = this.#closedWhileReading(attempt.result, "read from");
        if (attempt.timedOut && result.error === ERROR.OPERATION_ABORTED) {
          throw new Deno.errors.TimedOut(
            `Cannot read from ${this.#describe}: no data within ${timeout} ms`,
          );
        }
        if (END_OF_STREAM.has(result.error)) return null;
        if (result.error !== 0 && result.error !== ERROR.MORE_DATA) {
          throw errorFromCode(result.error, `Cannot read from ${this.#describe}`);
        }
        // A zero-byte message is a real (empty) read; in byte mode a
        // zero-byte success only happens for a zero-byte buffer.
        if (result.bytes > 0 || p.byteLength === 0 || this.#messages) return result.bytes;
      }
    } finally {
      this.#reading = false;
    }
  }

  #closedWhileReading(result: IoResult, what: string): IoResult {
    if (result.error === ERROR.OPERATION_ABORTED && this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot ${what} ${this.#describe}: it was closed while reading`,
      );
    }
    return result;
  }

  /**
   * Reads one whole message (message mode, overlapped handles): `first`
   * starts the first step (a `ReadFile`, or a `TransactNamedPipe` that also
   * writes a request); while Windows reports `ERROR_MORE_DATA`, the rest
   * is read with `ReadFile`. `close()` cancels a pending step.
   *
   * @param what The operation, for messages (`read a message from`).
   * @param first Starts the first step.
   * @param wait Given for a plain read (not a transaction): a quiet
   * handle then waits for the message with a zero-byte read first, which
   * holds no buffer (`signal` cancels it).
   * @returns The message (possibly empty), or `null` at the end of the
   * stream before any of it.
   */
  async readMessageWith(
    what: string,
    first: ReadStep,
    wait: { signal?: AbortSignal | undefined } | null = null,
  ): Promise<Uint8Array | null> {
    this.#busy(what);
    this.#check(what);
    this.#reading = true;
    const chunk = takeBuffer(CHUNK);
    const started = performance.now();
    try {
      if (wait !== null && this.#quiet) {
        let waited: IoResult | null;
        try {
          waited = await this.#waitForData((cancel) => this.#cancelRead = cancel, wait.signal);
        } finally {
          this.#cancelRead = null;
        }
        if (waited !== null) {
          this.#closedWhileReading(waited, what);
          // The zero-byte read took a message of zero bytes.
          if (waited.error === 0) return new Uint8Array(0);
          if (END_OF_STREAM.has(waited.error)) return null;
          throw errorFromCode(waited.error, `Cannot ${what} ${this.#describe}`);
        }
      }
      const parts: Uint8Array[] = [];
      let total = 0;
      let step = first;
      while (true) {
        let result: IoResult;
        try {
          result = this.#closedWhileReading(
            await step(chunk, (cancel) => this.#cancelRead = cancel),
            what,
          );
        } finally {
          this.#cancelRead = null;
        }
        if (END_OF_STREAM.has(result.error) && parts.length === 0) return null;
        if (result.error !== 0 && result.error !== ERROR.MORE_DATA) {
          throw errorFromCode(result.error, `Cannot ${what} ${this.#describe}`);
        }
        parts.push(chunk.slice(0, result.bytes));
        total += result.bytes;
        if (result.error === 0) break;
        // ERROR_MORE_DATA: the rest of the same message follows.
        step = (into, onPending) => readFile(this.#handle, into, { onPending });
      }
      const [only] = parts;
      if (parts.length === 1 && only !== undefined) return only;
      const message = new Uint8Array(total);
      let offset = 0;
      for (const part of parts) {
        message.set(part, offset);
        offset += part.byteLength;
      }
      return message;
    } finally {
      this.#quiet = performance.now() - started > QUIET_MS;
      giveBuffer(chunk);
      this.#reading = false;
    }
  }

  /**
   * Waits for data with a zero-byte read, which holds no buffer while it
   * waits (overlapped handles).
   *
   * @returns `null` when data is there to read (byte mode), or a message
   * (message mode: `ERROR_MORE_DATA`); otherwise the read's outcome: a
   * message of zero bytes taken (message mode, error 0), the end of the
   * stream, a cancel or an error.
   */
  async #waitForData(
    onPending: (cancel: () => void) => void,
    signal: AbortSignal | undefined,
  ): Promise<IoResult | null> {
    const k = kernel32();
    const handle = this.#handle;
    const waited = await startIo(
      handle,
      (overlapped) =>
        k.ReadFile(handle.raw, Deno.UnsafePointer.of(NOTHING), 0, null, overlapped)
          ? 0
          : k.GetLastError(),
      { signal, onPending },
    );
    const ready = waited.error === ERROR.MORE_DATA || (waited.error === 0 && !this.#messages);
    return ready ? null : waited;
  }

  /**
   * Runs a read-side operation of the owner's own (mailslot reads, whose
   * errors and buffers are their own) under this object's rules: one at a
   * time (`Busy`), never after close (`BadResource`), and cancelled by
   * `close()`. `body` passes `onPending` to each overlapped read it starts,
   * so that `close()` cancels whichever is pending; a read cancelled by
   * `close()` ends the operation with `BadResource` through `settle`.
   *
   * @param what The operation, for messages (`receive from`).
   * @param body The operation: `onPending` for its reads, and `settle`,
   * which turns a read's result into `BadResource` if it was cancelled by
   * `close()` and returns it unchanged otherwise.
   * @returns What `body` returns.
   */
  async readWith<T>(
    what: string,
    body: (
      onPending: (cancel: () => void) => void,
      settle: (result: IoResult) => IoResult,
    ) => Promise<T>,
  ): Promise<T> {
    this.#busy(what);
    this.#check(what);
    this.#reading = true;
    try {
      return await body(
        (cancel) => this.#cancelRead = cancel,
        (result) => {
          this.#cancelRead = null;
          return this.#closedWhileReading(result, what);
        },
      );
    } finally {
      this.#cancelRead = null;
      this.#reading = false;
    }
  }

  /**
   * Reads one whole message with `ReadFile` (message mode).
   *
   * @param options Cancellation.
   * @returns The message, or `null` at the end of the stream.
   */
  readMessage(options: HandleIoOptions = {}): Promise<Uint8Array | null> {
    return this.readMessageWith(
      "read a message from",
      (into, onPending) => readFile(this.#handle, into, { signal: options.signal, onPending }),
      { signal: options.signal },
    );
  }

  /**
   * One read into `p`, through a buffer of the pool (so that the kernel
   * never writes into memory the caller could detach or resize while the
   * read is pending), taken only once data is there when the handle is
   * quiet.
   */
  async #readOnce(
    p: Uint8Array,
    signal: AbortSignal | undefined,
    deadline: number,
  ): Promise<Attempt> {
    // Armed once the read is pending: cancels it at the deadline.
    const attempt = new PendingDeadline(deadline);
    const arm = (cancel: () => void) => attempt.arm(cancel);
    let into: Uint8Array | null = null;
    const take = () => {
      const buffer = into = takeBuffer(Math.min(p.byteLength, MAX_CHUNK));
      return buffer.subarray(0, Math.min(p.byteLength, buffer.byteLength));
    };
    const copied = (result: IoResult): Attempt => {
      if (result.bytes > 0) p.set(into!.subarray(0, result.bytes));
      return { result, timedOut: attempt.timedOut };
    };
    try {
      if (this.#overlapped) {
        const onPending = (cancel: () => void) => {
          this.#cancelRead = cancel;
          arm(cancel);
        };
        const started = performance.now();
        try {
          if (this.#quiet && p.byteLength > 0) {
            const waited = await this.#waitForData(onPending, signal);
            if (waited !== null) return { result: waited, timedOut: attempt.timedOut };
          }
          return copied(await readFile(this.#handle, take(), { signal, onPending }));
        } finally {
          this.#quiet = performance.now() - started > QUIET_MS;
        }
      }
      let armSync = arm;
      if (attempt.passed) {
        // A synchronous read cannot be tried without waiting: look first.
        if (!this.#hasData()) {
          return {
            result: { bytes: 0, error: ERROR.OPERATION_ABORTED, synchronous: true },
            timedOut: true,
          };
        }
        armSync = () => {}; // it returns at once
      }
      const buffer = take();
      const result = await this.#blocking(
        (done) => {
          const count = new Uint32Array(1);
          return kernel32().ReadFileNb(this.#handle.raw, buffer, buffer.byteLength, count, null)
            .then((ok) => done(ok, outValue(count)));
        },
        signal,
        attempt,
        armSync,
      );
      return copied(result);
    } finally {
      attempt.stop();
      this.#cancelRead = null;
      if (into !== null) giveBuffer(into);
    }
  }

  /**
   * Whether a read would not wait: data is in the pipe, or the pipe has
   * ended (the read then reports the end at once).
   */
  #hasData(): boolean {
    const available = new Uint32Array(1);
    if (
      !kernel32().PeekNamedPipe(this.#handle.raw, null, 0, null, available, null)
    ) {
      return true;
    }
    return outValue(available) > 0;
  }

  /**
   * A synchronous call on the blocking pool. Cancelling it (signal, close
   * or timeout) cancels the handle's synchronous I/O with `CancelIoEx`,
   * again every few milliseconds until the call returns (a cancel that
   * comes before the pool thread has entered the call would otherwise be
   * lost); the error code is then `ERROR_OPERATION_ABORTED`.
   */
  async #blocking(
    call: (done: (ok: number, bytes: number) => IoResult) => Promise<IoResult>,
    signal: AbortSignal | undefined,
    attempt: { timedOut: boolean } = { timedOut: false },
    arm: (cancel: () => void) => void = () => {},
  ): Promise<IoResult> {
    signal?.throwIfAborted();
    const k = kernel32();
    let settled = false;
    let retry: ReturnType<typeof setInterval> | undefined;
    const cancelOnce = () => {
      if (!settled && !this.#handle.closed) k.CancelIoEx(this.#handle.raw, null);
    };
    const cancel = () => {
      cancelOnce();
      retry ??= setInterval(cancelOnce, 5);
    };
    this.#cancelRead = cancel;
    signal?.addEventListener("abort", cancel, { once: true });
    try {
      const pending = call((ok, bytes) => ({
        bytes,
        // The pool thread's last error is not ours to read: a failed call is
        // told apart by what it did (0 bytes, and the end of the stream is
        // the only failure a pipe read reports with 0 bytes and no cancel).
        error: ok
          ? 0
          : (signal?.aborted || this.#closed || attempt.timedOut)
          ? ERROR.OPERATION_ABORTED
          : ERROR.BROKEN_PIPE,
        synchronous: false,
      }));
      arm(cancel);
      const result = await pending;
      if (result.error === ERROR.OPERATION_ABORTED && signal?.aborted) throw signal.reason;
      return result;
    } finally {
      settled = true;
      if (retry !== undefined) clearInterval(retry);
      signal?.removeEventListener("abort", cancel);
    }
  }

  /** Writes all of `p`. */
  async write(
    p: Uint8Array,
    options: HandleIoOptions = {},
    what = "write to",
  ): Promise<number> {
    this.#check(what);
    this.#pendingWrites++;
    const staging = p.byteLength <= MAX_CHUNK ? takeBuffer(p.byteLength) : null;
    try {
      const copy = staging === null ? p.slice() : staging.subarray(0, p.byteLength);
      if (staging !== null) copy.set(p);
      let written = 0;
      while (written < copy.byteLength || (copy.byteLength === 0 && written === 0)) {
        const rest = copy.subarray(written);
        const result = this.#overlapped
          ? await writeFile(this.#handle, rest, { signal: options.signal })
          : await this.#blocking((done) => {
            const count = new Uint32Array(1);
            return kernel32().WriteFileNb(this.#handle.raw, rest, rest.byteLength, count, null)
              .then((ok) => done(ok, outValue(count)));
          }, options.signal);
        if (result.error !== 0) {
          throw errorFromCode(result.error, `Cannot ${what} ${this.#describe}`);
        }
        written += result.bytes;
        if (copy.byteLength === 0) break;
      }
      return written;
    } finally {
      if (staging !== null) giveBuffer(staging);
      this.#pendingWrites--;
      if (this.#closed && this.#pendingWrites === 0) this.#release();
    }
  }

  #release(): void {
    if (!this.#handle.closed) {
      this.#handle.close();
      this.#onRelease();
    }
  }

  /**
   * Cancels a pending read, lets pending writes finish, then closes the
   * handle.
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    if (this.#closed) {
      throw new Deno.errors.BadResource(`Cannot close ${this.#describe}: it is already closed`);
    }
    this.#closed = true;
    this.#cancelRead?.();
    if (this.#pendingWrites === 0) this.#release();
  }

  /**
   * Gives the handle up without closing it (it was handed to a child
   * process, which now owns a copy): this object is closed afterwards.
   *
   * @returns The handle.
   */
  release(): OwnedHandle {
    this.#closed = true;
    return this.#handle;
  }
}
