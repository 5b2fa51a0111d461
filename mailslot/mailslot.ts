// Copyright 2026 the winipc authors. MIT license.
/**
 * The reading side of a mailslot: `createMailslot` and `Mailslot`.
 *
 * @module
 */
import { kernel32, ntdll } from "../_win32/ffi.ts";
import { ERROR, errorFromCode, lastError } from "../_win32/errors.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { associateOrClose, type IoResult } from "../_win32/completion.ts";
import { readFile } from "../_win32/io.ts";
import { type AccessRule, accessSddl, SecurityAttributes } from "../_win32/security.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { mailslotPath } from "./_name.ts";
import { checkTimeout, startTimer } from "../_win32/timeout.ts";

/** Who may write to a mailslot: see {@linkcode CreateMailslotOptions.access}. */
export type MailslotAccess = AccessRule;

/** Options for {@linkcode createMailslot}. */
export interface CreateMailslotOptions {
  /**
   * The largest message, in bytes, the slot accepts; Windows refuses larger
   * writes. Messages are untrusted input, so the default bounds them; 0
   * accepts any size (the reader then grows its buffer to each message).
   * @default {65536}
   */
  maxMessageSize?: number;
  /**
   * How long a {@linkcode Mailslot.receive} without its own `timeout` waits
   * for a message, in milliseconds (the slot's own read timeout); 0 fails
   * at once when the slot is empty, `Infinity` waits for ever.
   * @default {Infinity}
   */
  readTimeout?: number;
  /**
   * Who may open the slot to write: `"owner"` (the current user, SYSTEM and
   * Administrators), `"everyone"` (every local user may write), or an SDDL
   * string. Only this process reads, whatever the rule.
   * @default {"owner"}
   */
  access?: MailslotAccess;
}

/** Options for {@linkcode Mailslot.receive}. */
export interface ReceiveOptions {
  /** Cancels the wait; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Milliseconds to wait for a message before failing with `TimedOut`.
   * Default: the slot's read timeout.
   */
  timeout?: number;
}

/** Options for {@linkcode Mailslot.receiveText}. */
export interface ReceiveTextOptions extends ReceiveOptions {
  /**
   * The text encoding, any `TextDecoder` label (`"utf-16le"` for wide-char
   * senders). One trailing NUL character is dropped, since C senders
   * commonly send `strlen + 1` bytes.
   * @default {"utf-8"}
   */
  encoding?: string;
}

/** What {@linkcode Mailslot.info} reports (`GetMailslotInfo`). */
export interface MailslotInfo {
  /** The largest message accepted, in bytes; 0 for any size. */
  maxMessageSize: number;
  /** The size of the next message, or `null` if the slot is empty. */
  nextSize: number | null;
  /** How many messages are waiting. */
  count: number;
  /** The slot's read timeout in milliseconds (`Infinity`: for ever). */
  readTimeout: number;
}

const MAILSLOT_WAIT_FOREVER = 0xffff_ffff;
const MAILSLOT_NO_MESSAGE = 0xffff_ffff;
const DEFAULT_BUFFER = 64 * 1024;

function timeoutValue(ms: unknown, what: string): number {
  if (ms === Infinity) return MAILSLOT_WAIT_FOREVER;
  if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms >= MAILSLOT_WAIT_FOREVER) {
    throw new RangeError(
      `${what}: a timeout is a whole number of milliseconds from 0 to 4294967294, or Infinity; got ${ms}`,
    );
  }
  return ms;
}

/**
 * The reading side of a mailslot: whole messages, in the order they
 * arrived, from any number of writers. From {@linkcode createMailslot}.
 */
export class Mailslot implements Disposable, AsyncIterable<Uint8Array> {
  readonly #handle: OwnedHandle;
  #closed = false;
  #receiving = false;
  #cancel: (() => void) | null = null;
  #buffer: Uint8Array;
  readonly #max: number;
  /** The slot's own read timeout, as the kernel holds it. */
  #readTimeout: number;
  /** The slot's full name, `\\.\mailslot\...`. */
  readonly path: string;

  /** @internal Made by `createMailslot`. */
  constructor(handle: OwnedHandle, path: string, maxMessageSize: number, readTimeout: number) {
    this.#handle = handle;
    this.path = path;
    this.#max = maxMessageSize;
    this.#readTimeout = readTimeout;
    this.#buffer = new Uint8Array(maxMessageSize > 0 ? maxMessageSize : DEFAULT_BUFFER);
  }

  #raw(what: string): Deno.PointerObject {
    if (this.#closed) {
      throw new Deno.errors.BadResource(`Cannot ${what} mailslot "${this.path}": it is closed`);
    }
    return this.#handle.raw;
  }

  /**
   * Waits for the next message and returns all of it. No thread is held
   * while it waits.
   *
   * @param options Cancellation and a timeout.
   * @returns The message (possibly empty).
   * @throws {Deno.errors.TimedOut} If no message came in time.
   * @throws {Deno.errors.BadResource} If the slot is (or gets) closed.
   * @throws {Deno.errors.Busy} If another receive is in progress.
   */
  async receive(options: ReceiveOptions = {}): Promise<Uint8Array> {
    const ms = options.timeout === undefined
      ? undefined
      : checkTimeout(options.timeout, `receive from mailslot "${this.path}"`);
    this.#raw("receive from");
    if (this.#receiving) {
      throw new Deno.errors.Busy(
        `Cannot receive from mailslot "${this.path}": a receive is in progress`,
      );
    }
    const { signal } = options;
    signal?.throwIfAborted();
    // The timeout costs nothing unless the receive has to wait: its timer
    // starts only when the read goes pending, and cancels that read.
    let cancelTimer: (() => void) | undefined;
    let timedOut = false;
    const onPending = (cancel: () => void) => {
      this.#cancel = cancel;
      if (ms !== undefined && cancelTimer === undefined) {
        cancelTimer = startTimer(ms, () => {
          timedOut = true;
          cancel();
        });
      }
    };
    this.#receiving = true;
    // An explicit timeout replaces the slot's own for this receive: the
    // kernel applies its read timeout when the read is issued, so the read
    // is issued with none, and the slot's is put back afterwards.
    const override = ms !== undefined && this.#readTimeout !== MAILSLOT_WAIT_FOREVER;
    if (override) this.#setKernelTimeout(MAILSLOT_WAIT_FOREVER);
    try {
      while (true) {
        const result = await this.#read(signal, onPending);
        if (result.error === ERROR.OPERATION_ABORTED && timedOut && !this.#closed) {
          throw new Deno.errors.TimedOut(
            `Cannot receive from mailslot "${this.path}": no message came within ${ms} ms`,
          );
        }
        if (result.error === 0) return this.#buffer.slice(0, result.bytes);
        if (result.error === ERROR.INSUFFICIENT_BUFFER) {
          // A message larger than the buffer. It is still there: in a slot
          // of unbounded size, grow to it and read it; above the slot's
          // maximum (Windows refuses those at the writer, Wine lets them
          // through), take it out of the slot and refuse it.
          const next = this.info().nextSize ?? 0;
          if (this.#max === 0) {
            if (next > this.#buffer.byteLength) this.#buffer = new Uint8Array(next);
            continue;
          }
          const discarded = await this.#discard(next);
          throw new RangeError(
            `Mailslot "${this.path}" refused a ${discarded}-byte message: its maximum is ${this.#max} bytes`,
          );
        }
        if (result.error === ERROR.OPERATION_ABORTED && this.#closed) {
          throw new Deno.errors.BadResource(
            `Cannot receive from mailslot "${this.path}": it was closed while receiving`,
          );
        }
        if (result.error === ERROR.SEM_TIMEOUT) {
          throw new Deno.errors.TimedOut(
            `Cannot receive from mailslot "${this.path}": no message came within its read timeout`,
          );
        }
        throw errorFromCode(result.error, `Cannot receive from mailslot "${this.path}"`);
      }
    } finally {
      cancelTimer?.();
      if (override && !this.#closed) this.#setKernelTimeout(this.#readTimeout);
      this.#receiving = false;
    }
  }

  /** Reads the next message, of `size` bytes, and drops it. */
  async #discard(size: number): Promise<number> {
    const result = await readFile(this.#handle, new Uint8Array(size), {});
    return result.bytes;
  }

  #setKernelTimeout(value: number): void {
    if (!kernel32().SetMailslotInfo(this.#handle.raw, value)) {
      throw errorFromCode(lastError(), `Cannot set the read timeout of mailslot "${this.path}"`);
    }
  }

  async #read(
    signal: AbortSignal | undefined,
    onPending: (cancel: () => void) => void,
  ): Promise<IoResult> {
    try {
      return await readFile(this.#handle, this.#buffer, { signal, onPending });
    } finally {
      this.#cancel = null;
    }
  }

  /**
   * Receives the next message as text: UTF-8 unless told otherwise, with
   * one trailing NUL dropped.
   *
   * @param options Cancellation, timeout, encoding.
   * @returns The text.
   * @throws {RangeError} For an unknown encoding, or bytes that are not valid text.
   */
  async receiveText(options: ReceiveTextOptions = {}): Promise<string> {
    const decoder = new TextDecoder(options.encoding ?? "utf-8", { fatal: true });
    let text: string;
    try {
      text = decoder.decode(await this.receive(options));
    } catch (error) {
      if (error instanceof TypeError) {
        throw new RangeError(
          `Mailslot "${this.path}" received a message that is not valid ${decoder.encoding}`,
          { cause: error },
        );
      }
      throw error;
    }
    return text.endsWith("\0") ? text.slice(0, -1) : text;
  }

  /**
   * The slot's state (`GetMailslotInfo`).
   *
   * @returns Maximum size, next message's size, count, read timeout.
   */
  info(): MailslotInfo {
    const raw = this.#raw("read the state of");
    const max = new Uint32Array(1);
    const next = new Uint32Array(1);
    const count = new Uint32Array(1);
    const timeout = new Uint32Array(1);
    if (!kernel32().GetMailslotInfo(raw, max, next, count, timeout)) {
      throw errorFromCode(lastError(), `Cannot read the state of mailslot "${this.path}"`);
    }
    return {
      maxMessageSize: max[0],
      nextSize: next[0] === MAILSLOT_NO_MESSAGE ? null : next[0],
      count: count[0],
      readTimeout: timeout[0] === MAILSLOT_WAIT_FOREVER ? Infinity : timeout[0],
    };
  }

  /**
   * Changes the slot's read timeout (`SetMailslotInfo`).
   *
   * @param ms Milliseconds, 0 for none, `Infinity` for ever.
   */
  setReadTimeout(ms: number): void {
    const raw = this.#raw("change the read timeout of");
    const value = timeoutValue(ms, `Cannot change the read timeout of mailslot "${this.path}"`);
    if (!kernel32().SetMailslotInfo(raw, value)) {
      throw errorFromCode(lastError(), `Cannot change the read timeout of mailslot "${this.path}"`);
    }
    this.#readTimeout = value;
  }

  /**
   * Messages as they come, until the slot is closed (which ends the loop).
   * A timeout (the slot's read timeout) ends it with `TimedOut`.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (!this.#closed) {
      try {
        yield await this.receive();
      } catch (error) {
        if (this.#closed && error instanceof Deno.errors.BadResource) return;
        throw error;
      }
    }
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Closes the slot: a pending receive rejects with `BadResource`, and the
   * name is free once every handle to it is closed. Unread messages are
   * discarded.
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    this.#raw("close");
    this.#closed = true;
    // A pending read ends as cancelled; the core keeps its buffer and
    // OVERLAPPED until the kernel reports it, so closing now is safe.
    this.#cancel?.();
    this.#handle.close();
  }

  /** Closes the slot if it is still open. */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }
}

/**
 * Creates a mailslot and returns its reading side. Anyone allowed by
 * `access` who knows the name can write to it (from this computer, or, for
 * broadcasts, from the domain); only this process reads.
 *
 * @example Receive messages
 * ```ts ignore
 * import { createMailslot } from "@winipc/winipc/mailslot";
 *
 * using slot = createMailslot("jobs", { maxMessageSize: 4096 });
 * for await (const message of slot) {
 *   console.log(new TextDecoder().decode(message));
 * }
 * ```
 *
 * @param name A short name (`"jobs"` is `\\.\mailslot\jobs`) or `\\.\mailslot\...`.
 * @param options Maximum message size, read timeout, access.
 * @returns The slot.
 * @throws {TypeError} For a bad name or option.
 * @throws {Deno.errors.AlreadyExists} If the name is taken (by any process).
 */
export function createMailslot(name: string, options: CreateMailslotOptions = {}): Mailslot {
  const { path } = mailslotPath(name, "create");
  const max = options.maxMessageSize ?? 65536;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 0 || max > 0x7fff_ffff) {
    throw new RangeError(
      `Cannot create mailslot "${path}": maxMessageSize must be a whole number of bytes from 0 to 2147483647, got ${max}`,
    );
  }
  const timeout = timeoutValue(options.readTimeout ?? Infinity, `Cannot create mailslot "${path}"`);
  // FILE_GENERIC_WRITE for Everyone: any local user may write.
  const sddl = accessSddl(options.access, "0x00120116", `Cannot create mailslot "${path}": access`);
  using security = new SecurityAttributes(sddl);
  const raw = createAsyncMailslot(path, max, timeout, security);
  return new Mailslot(associateOrClose(raw), path, max, timeout);
}

const OBJ_CASE_INSENSITIVE = 0x40;
// GENERIC_READ | SYNCHRONIZE | WRITE_DAC, written out: `|` in JavaScript would give a negative number.
const MAILSLOT_ACCESS = 0x8014_0000;
const FILE_WRITE_THROUGH = 0x2;

/**
 * `CreateMailslotW`, but with a handle that can do overlapped I/O: the
 * same `NtCreateMailslotFile` call without the synchronous-I/O create
 * option (Windows' `CreateMailslotW` passes none, Wine's passes one), so
 * the handle can join the completion port and a pending receive holds no
 * thread.
 */
function createAsyncMailslot(
  path: string,
  maxMessageSize: number,
  readTimeout: number,
  security: SecurityAttributes,
): OwnedHandle {
  // \\.\mailslot\NAME is \??\mailslot\NAME in the NT namespace.
  const ntPath = encodeUtf16z(`\\??\\${path.slice(4)}`);
  const name = new Uint8Array(16); // UNICODE_STRING
  const nameView = new DataView(name.buffer);
  nameView.setUint16(0, (ntPath.length - 1) * 2, true);
  nameView.setUint16(2, ntPath.length * 2, true);
  nameView.setBigUint64(8, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(ntPath))), true);
  const attributes = new Uint8Array(48); // OBJECT_ATTRIBUTES
  const view = new DataView(attributes.buffer);
  view.setUint32(0, 48, true);
  view.setBigUint64(16, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(name))), true);
  view.setUint32(24, OBJ_CASE_INSENSITIVE, true);
  // The descriptor pointer inside SECURITY_ATTRIBUTES (offset 8).
  view.setBigUint64(32, new DataView(security.attributes.buffer).getBigUint64(8, true), true);
  const timeout = new BigInt64Array([
    readTimeout === MAILSLOT_WAIT_FOREVER ? -1n : BigInt(readTimeout) * -10_000n,
  ]);
  const handle = new BigUint64Array(1);
  const status = ntdll().NtCreateMailslotFile(
    new Uint8Array(handle.buffer),
    MAILSLOT_ACCESS,
    attributes,
    new Uint8Array(16),
    FILE_WRITE_THROUGH,
    0,
    maxMessageSize,
    new Uint8Array(timeout.buffer),
  );
  if (status !== 0) {
    const code = ntdll().RtlNtStatusToDosError(status);
    if (code === ERROR.ALREADY_EXISTS || code === ERROR.FILE_EXISTS) {
      throw new Deno.errors.AlreadyExists(
        `Cannot create mailslot "${path}": the name is taken (by this or another process)`,
        { cause: errorFromCode(code) },
      );
    }
    throw errorFromCode(code, `Cannot create mailslot "${path}"`);
  }
  return new OwnedHandle(Deno.UnsafePointer.create(handle[0])!, "mailslot");
}
