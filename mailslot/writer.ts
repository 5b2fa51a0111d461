// Copyright 2026 the winipc authors. MIT license.
/**
 * The writing side of a mailslot: `openMailslot` and `MailslotWriter`.
 *
 * @module
 */
import {
  FILE_FLAG_OVERLAPPED,
  FILE_SHARE_READ_WRITE,
  GENERIC_WRITE,
  kernel32,
  OPEN_EXISTING,
} from "../_win32/ffi.ts";
import { ERROR, errorFromCode, lastError, win32ErrorCode } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { HandleIo } from "../_win32/handle_io.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { mailslotPath } from "./_name.ts";

/** The largest message Windows sends to a mailslot on another computer or a domain. */
export const MAX_REMOTE_MESSAGE = 424;

const encoder = new TextEncoder();

function remoteDisabled(path: string, code: number): Error {
  return new Deno.errors.NotSupported(
    `Cannot write to mailslot "${path}": this Windows has remote mailslots turned off (ERROR_REMOTE_MAILSLOTS_DEPRECATED, 3025); between computers, use named pipes or sockets`,
    { cause: errorFromCode(code) },
  );
}

/**
 * The bytes of a message: a string's UTF-8, checked against the 424-byte
 * limit of messages to another computer or a domain.
 *
 * @internal
 * @param path The slot, for messages.
 * @param remote Whether the slot is on another computer or a domain.
 * @param data The message.
 * @returns Its bytes.
 * @throws {TypeError} If `data` is neither bytes nor a string.
 * @throws {RangeError} If a remote message is above 424 bytes.
 */
export function messageBytes(
  path: string,
  remote: boolean,
  data: Uint8Array | string,
): Uint8Array {
  let bytes: Uint8Array;
  if (typeof data === "string") {
    bytes = encoder.encode(data);
  } else if (data instanceof Uint8Array) {
    bytes = data;
  } else {
    throw new TypeError(`Cannot write to mailslot "${path}": send a Uint8Array or a string`);
  }
  if (remote && bytes.byteLength > MAX_REMOTE_MESSAGE) {
    throw new RangeError(
      `Cannot write to mailslot "${path}": a message to another computer or a domain is at most ${MAX_REMOTE_MESSAGE} bytes, this one is ${bytes.byteLength}`,
    );
  }
  return bytes;
}

interface WriterInit {
  handle: OwnedHandle;
  path: string;
  remote: boolean;
}

/** Set only while {@linkcode makeWriter} constructs one. */
let writerInit: WriterInit | null = null;

function makeWriter(init: WriterInit): MailslotWriter {
  writerInit = init;
  try {
    return new (MailslotWriter as unknown as new () => MailslotWriter)();
  } finally {
    writerInit = null;
  }
}

/**
 * The writing side of a mailslot, from {@linkcode openMailslot}; not
 * constructed directly. Each {@linkcode send} is one whole message.
 *
 * @example Two messages
 * ```ts no-run
 * import { openMailslot } from "@winipc/winipc/mailslot";
 *
 * using jobs = openMailslot("jobs");
 * await jobs.send("build #42");
 * await jobs.send(new Uint8Array([1, 2, 3]));
 * ```
 */
export class MailslotWriter implements Disposable {
  readonly #io: HandleIo;
  /** The slot's full name. */
  readonly path: string;
  /**
   * True for a slot on another computer, a domain or `*`: messages go out
   * as datagrams, at most {@linkcode MAX_REMOTE_MESSAGE} bytes each.
   */
  readonly remote: boolean;

  private constructor() {
    const init = writerInit;
    if (init === null) throw new TypeError("Illegal constructor: use openMailslot()");
    this.path = init.path;
    this.remote = init.remote;
    // Overlapped writes through the completion core: a send never blocks
    // the event loop, even where a remote or broadcast write takes time.
    this.#io = new HandleIo(init.handle, {
      overlapped: true,
      describe: `mailslot "${init.path}"`,
    });
  }

  /**
   * The raw Win32 handle of the writer (opened with
   * `FILE_FLAG_OVERLAPPED`), for calls of your own through FFI. It stays
   * owned by this object: do not close it.
   *
   * @throws {Deno.errors.BadResource} If the writer is closed.
   */
  get unsafeHandle(): Deno.PointerValue {
    return this.#io.raw("use the handle of");
  }

  /**
   * Sends one message. A string is sent as its UTF-8 bytes, with no NUL
   * added (add `"\0"` for a C reader that expects one). The write is
   * overlapped: it never blocks the event loop, and the bytes are copied
   * first, so `data` may be reused at once.
   *
   * @example Send text and bytes
   * ```ts no-run
   * import { openMailslot } from "@winipc/winipc/mailslot";
   *
   * using jobs = openMailslot("jobs");
   * await jobs.send("build #42");
   * await jobs.send(new Uint8Array([1, 2, 3]));
   * ```
   *
   * @param data The message; zero bytes is a valid, empty message.
   * @returns Resolves once Windows has taken the message.
   * @throws {TypeError} If `data` is neither a `Uint8Array` nor a string.
   * @throws {RangeError} If a message for another computer or a domain is
   * above 424 bytes (checked before sending).
   * @throws {Deno.errors.NotSupported} If remote mailslots are off (3025).
   * @throws {Deno.errors.BadResource} If the writer is closed.
   */
  async send(data: Uint8Array | string): Promise<void> {
    this.#io.raw("write to"); // BadResource first, if closed
    const bytes = messageBytes(this.path, this.remote, data);
    try {
      await this.#io.write(bytes, {}, "write to");
    } catch (error) {
      const code = win32ErrorCode(error);
      if (code === ERROR.REMOTE_MAILSLOTS_DEPRECATED) throw remoteDisabled(this.path, code);
      if (code === undefined || this.#io.closed) throw error;
      throw errorFromCode(
        code,
        `Cannot write a ${bytes.byteLength}-byte message to mailslot "${this.path}" (larger than the slot's maximum, or the slot is gone?)`,
      );
    }
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#io.closed;
  }

  /**
   * Closes the writer; a send in flight still completes first.
   *
   * @example Close early
   * ```ts no-run
   * import { openMailslot } from "@winipc/winipc/mailslot";
   *
   * const jobs = openMailslot("jobs");
   * jobs.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    this.#io.close();
  }

  /** Closes the writer if it is still open. */
  [Symbol.dispose](): void {
    if (!this.#io.closed) this.#io.close();
  }
}

/**
 * Opens a mailslot for writing, as a classic client does (`CreateFileW`
 * with write access, shared with other writers).
 *
 * @example Send a job
 * ```ts no-run
 * import { openMailslot } from "@winipc/winipc/mailslot";
 *
 * using jobs = openMailslot("jobs");
 * await jobs.send("build #42");
 * ```
 *
 * @param name A short name, `\\.\mailslot\...`, `\\computer\mailslot\...`,
 * `\\domain\mailslot\...` or `\\*\mailslot\...` (every computer of the
 * primary domain).
 * @returns The writer.
 * @throws {TypeError} For a bad name.
 * @throws {Deno.errors.NotFound} If no such local mailslot exists.
 * @throws {Deno.errors.PermissionDenied} If the slot's access rule excludes us.
 * @throws {Deno.errors.NotSupported} If remote mailslots are off (3025).
 */
export function openMailslot(name: string): MailslotWriter {
  const { path, local } = mailslotPath(name, "open");
  const raw = kernel32().CreateFileW(
    encodeUtf16z(path),
    GENERIC_WRITE,
    FILE_SHARE_READ_WRITE,
    null,
    OPEN_EXISTING,
    FILE_FLAG_OVERLAPPED,
    null,
  );
  if (isInvalidHandle(raw)) {
    const code = lastError();
    if (code === ERROR.REMOTE_MAILSLOTS_DEPRECATED) throw remoteDisabled(path, code);
    if (code === ERROR.FILE_NOT_FOUND || code === ERROR.PATH_NOT_FOUND) {
      throw new Deno.errors.NotFound(
        local
          ? `Cannot open mailslot "${path}": no such mailslot (is its reader running?)`
          : `Cannot open mailslot "${path}": the computer or domain cannot be reached for mailslots`,
        { cause: errorFromCode(code) },
      );
    }
    throw errorFromCode(code, `Cannot open mailslot "${path}"`);
  }
  return makeWriter({ handle: new OwnedHandle(raw, "mailslot writer"), path, remote: !local });
}
