// Copyright 2026 the winipc authors. MIT license.
/**
 * The reading side of a mailslot: `createMailslot` and `Mailslot`.
 *
 * @module
 */
import { kernel32, ntdll, outValue } from "../_win32/ffi.ts";
import { ERROR, errorFromCode } from "../_win32/errors.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { HandleIo } from "../_win32/handle_io.ts";
import { associateOrClose } from "../_win32/completion.ts";
import { readFile } from "../_win32/io.ts";
import { accessSddl, SecurityAttributes } from "../_win32/security.ts";
import type { SecurityRule, WaitOptions } from "../_win32/options.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";
import { mailslotPath } from "./_name.ts";
import { checkWaitOptions, PendingDeadline } from "../_win32/timeout.ts";

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
   * Who may open the slot to write: `"owner"` (the current user, SYSTEM and
   * Administrators), `"everyone"` (every local user may write), or
   * `{ sddl }`. Only this process reads, whatever the rule.
   * @default {"owner"}
   */
  security?: SecurityRule;
}

/** Options for {@linkcode Mailslot.receiveText}. */
export interface MailslotReceiveTextOptions extends WaitOptions {
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
}

const MAILSLOT_NO_MESSAGE = 0xffff_ffff;
const DEFAULT_BUFFER = 64 * 1024;

/**
 * The reading side of a mailslot: whole messages, in the order they
 * arrived, from any number of writers. From {@linkcode createMailslot};
 * not constructed directly.
 *
 * A mailslot has no end of stream (writers come and go): iteration ends
 * when the slot is closed.
 *
 * @example Messages as they come
 * ```ts no-run
 * import { createMailslot } from "@winipc/winipc/mailslot";
 *
 * using slot = createMailslot("jobs");
 * for await (const message of slot) console.log(new TextDecoder().decode(message));
 * ```
 */
export class Mailslot implements Disposable, AsyncIterable<Uint8Array> {
  readonly #handle: OwnedHandle;
  readonly #io: HandleIo;
  #buffer: Uint8Array;
  readonly #max: number;
  /** The slot's full name, `\\.\mailslot\...`. */
  readonly path: string;

  /** @ignore */
  constructor(key: ConstructKey, handle: OwnedHandle, path: string, maxMessageSize: number) {
    checkConstruct(key, "use createMailslot()");
    this.#handle = handle;
    this.path = path;
    this.#io = new HandleIo(handle, {
      overlapped: true,
      associated: true,
      describe: `mailslot "${path}"`,
    });
    this.#max = maxMessageSize;
    this.#buffer = new Uint8Array(maxMessageSize > 0 ? maxMessageSize : DEFAULT_BUFFER);
  }

  /**
   * The raw Win32 handle of the slot (its server end), for calls of your
   * own through FFI. It stays owned by this object: do not close it.
   *
   * @throws {Deno.errors.BadResource} If the slot is closed.
   */
  get unsafeHandle(): Deno.PointerValue {
    return this.#io.raw("use the handle of");
  }

  /**
   * Waits for the next message and returns all of it. No thread is held
   * while it waits.
   *
   * @example Receive one message, waiting at most a second
   * ```ts no-run
   * import { createMailslot } from "@winipc/winipc/mailslot";
   *
   * using slot = createMailslot("jobs");
   * const message = await slot.receive({ timeout: 1000 });
   * console.log(message.length);
   * ```
   *
   * @param options A timeout (`Infinity` by default; `0` takes only a
   * message already there) and a signal.
   * @returns The message (possibly empty).
   * @throws {RangeError} For a bad timeout; for a message above the slot's
   * maximum (only Wine lets one through: it is taken out of the slot).
   * @throws {Deno.errors.TimedOut} If no message came in time.
   * @throws {Deno.errors.BadResource} If the slot is (or gets) closed.
   * @throws {Deno.errors.Busy} If another receive is in progress.
   */
  async receive(options?: WaitOptions): Promise<Uint8Array> {
    const { timeout: ms, signal } = checkWaitOptions(
      options,
      `receive from mailslot "${this.path}"`,
    );
    signal?.throwIfAborted();
    return await this.#io.readWith("receive from", async (onPending, settle) => {
      // The timeout costs nothing unless the receive has to wait: the
      // deadline is armed only when a read goes pending, and cancels that
      // read. The kernel's own read timeout is "for ever" (set at creation,
      // never changed), so a timeout of any length is honoured; 0 cancels
      // at once what did not complete at once.
      const deadline = new PendingDeadline(performance.now() + ms);
      const pending = (cancel: () => void) => {
        onPending(cancel);
        deadline.arm(cancel);
      };
      try {
        while (true) {
          const result = settle(
            await readFile(this.#handle, this.#buffer, { signal, onPending: pending }),
          );
          if (result.error === 0) return this.#buffer.slice(0, result.bytes);
          if (result.error === ERROR.OPERATION_ABORTED && deadline.timedOut) {
            throw new Deno.errors.TimedOut(
              `Cannot receive from mailslot "${this.path}": no message came within ${ms} ms`,
            );
          }
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
            const discarded = settle(
              await readFile(this.#handle, new Uint8Array(next), { onPending }),
            );
            throw new RangeError(
              `Mailslot "${this.path}" refused a ${discarded.bytes}-byte message: its maximum is ${this.#max} bytes`,
            );
          }
          if (result.error === ERROR.SEM_TIMEOUT) {
            // The kernel's read timeout, if FFI code changed it through unsafeHandle.
            throw new Deno.errors.TimedOut(
              `Cannot receive from mailslot "${this.path}": no message came in time`,
            );
          }
          throw errorFromCode(result.error, `Cannot receive from mailslot "${this.path}"`);
        }
      } finally {
        deadline.stop();
      }
    });
  }

  /**
   * Receives the next message as text: UTF-8 unless told otherwise, with
   * one trailing NUL dropped.
   *
   * @example Receive what a C sender sent
   * ```ts no-run
   * import { createMailslot } from "@winipc/winipc/mailslot";
   *
   * using slot = createMailslot("jobs");
   * console.log(await slot.receiveText({ timeout: 1000 }));
   * ```
   *
   * @param options A timeout, a signal, the encoding.
   * @returns The text.
   * @throws {RangeError} For an unknown encoding, or bytes that are not valid text.
   * @throws {Deno.errors.TimedOut} If no message came in time.
   * @throws {Deno.errors.BadResource} If the slot is (or gets) closed.
   */
  async receiveText(options: MailslotReceiveTextOptions = {}): Promise<string> {
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
   * @example How many messages wait
   * ```ts no-run
   * import { createMailslot } from "@winipc/winipc/mailslot";
   *
   * using slot = createMailslot("jobs");
   * console.log(slot.info().count);
   * ```
   *
   * @returns Maximum size, next message's size, count.
   * @throws {Deno.errors.BadResource} If the slot is closed.
   */
  info(): MailslotInfo {
    const raw = this.#io.raw("read the state of");
    const max = new Uint32Array(1);
    const next = new Uint32Array(1);
    const count = new Uint32Array(1);
    const k = kernel32();
    if (!k.GetMailslotInfo(raw, max, next, count, null)) {
      throw errorFromCode(k.GetLastError(), `Cannot read the state of mailslot "${this.path}"`);
    }
    const nextSize = outValue(next);
    return {
      maxMessageSize: outValue(max),
      nextSize: nextSize === MAILSLOT_NO_MESSAGE ? null : nextSize,
      count: outValue(count),
    };
  }

  /**
   * Messages as they come, until the slot is closed (which ends the loop).
   *
   * @example Every message
   * ```ts no-run
   * import { createMailslot } from "@winipc/winipc/mailslot";
   *
   * using slot = createMailslot("jobs");
   * for await (const message of slot) console.log(message.length);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (!this.#io.closed) {
      try {
        yield await this.receive();
      } catch (error) {
        if (this.#io.closed && error instanceof Deno.errors.BadResource) return;
        throw error;
      }
    }
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#io.closed;
  }

  /**
   * Closes the slot: a pending receive rejects with `BadResource`, and the
   * name is free once every handle to it is closed. Unread messages are
   * discarded.
   *
   * @example Close early
   * ```ts no-run
   * import { createMailslot } from "@winipc/winipc/mailslot";
   *
   * const slot = createMailslot("jobs");
   * slot.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    // A pending read ends as cancelled; the core keeps its buffer and
    // OVERLAPPED until the kernel reports it, so closing now is safe.
    this.#io.close();
  }

  /** Closes the slot if it is still open. */
  [Symbol.dispose](): void {
    if (!this.#io.closed) this.close();
  }
}

/**
 * Creates a mailslot and returns its reading side. Anyone allowed by
 * `security` who knows the name can write to it (from this computer, or,
 * for broadcasts, from the domain); only this process reads.
 *
 * @example Receive messages
 * ```ts no-run
 * import { createMailslot } from "@winipc/winipc/mailslot";
 *
 * using slot = createMailslot("jobs", { maxMessageSize: 4096, security: "everyone" });
 * for await (const message of slot) {
 *   console.log(new TextDecoder().decode(message));
 * }
 * ```
 *
 * @param name A short name (`"jobs"` is `\\.\mailslot\jobs`) or `\\.\mailslot\...`.
 * @param options Maximum message size, security.
 * @returns The slot.
 * @throws {TypeError} For a bad name or security rule, the old `access`
 * option (now `security`), or a `readTimeout` option (there is none: pass
 * `timeout` to each receive).
 * @throws {RangeError} For a bad maximum size.
 * @throws {Deno.errors.AlreadyExists} If the name is taken (by any process).
 */
export function createMailslot(name: string, options: CreateMailslotOptions = {}): Mailslot {
  const { path } = mailslotPath(name, "create");
  const what = `Cannot create mailslot "${path}"`;
  if ((options as { access?: unknown }).access !== undefined) {
    throw new TypeError(
      `${what}: the access option is now called security ("owner", "everyone" or { sddl })`,
    );
  }
  if ((options as { readTimeout?: unknown }).readTimeout !== undefined) {
    throw new TypeError(
      `${what}: there is no readTimeout option; pass { timeout } to each receive() (a slot has no timeout of its own)`,
    );
  }
  const max = options.maxMessageSize ?? 65536;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 0 || max > 0x7fff_ffff) {
    throw new RangeError(
      `${what}: maxMessageSize must be a whole number of bytes from 0 to 2147483647, got ${max}`,
    );
  }
  // FILE_GENERIC_WRITE for Everyone: any local user may write.
  const sddl = accessSddl(options.security, "0x00120116", `${what}: security`);
  using security = new SecurityAttributes(sddl);
  const raw = createAsyncMailslot(path, max, security);
  return new Mailslot(CONSTRUCT, associateOrClose(raw), path, max);
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
  // The kernel's read timeout: for ever (-1); receive times out in JavaScript.
  const timeout = new BigInt64Array([-1n]);
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
  return new OwnedHandle(Deno.UnsafePointer.create(outValue(handle))!, "mailslot");
}
