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
import { ERROR, errorFromCode, win32ErrorCode } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { HandleIo } from "../_win32/handle_io.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { checkRemote } from "../_win32/names.ts";
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";
import { describeValue } from "../_win32/options.ts";
import { mailslotPath } from "./_name.ts";
import { messageBytes } from "./_message.ts";

/** The largest message Windows sends to a mailslot on another computer or a domain. */
export const MAX_REMOTE_MESSAGE = 424;

/** Options for {@linkcode openMailslot}. */
export interface OpenMailslotOptions {
  /**
   * Allow a name on another computer or a domain
   * (`\\computer\mailslot\...`, `\\domain\mailslot\...`) or every
   * computer of the primary domain (`\\*\mailslot\...`). Messages sent
   * there leave this computer, to whoever answers to that name, so such a
   * name is a `TypeError` unless this is `true`: a name from an untrusted
   * source then reaches this computer's slots only (as named pipes'
   * `remote` option does).
   * @default {false}
   */
  remote?: boolean;
}

function remoteDisabled(path: string, code: number): Error {
  return new Deno.errors.NotSupported(
    `Cannot write to mailslot "${path}": this Windows has remote mailslots turned off (ERROR_REMOTE_MAILSLOTS_DEPRECATED, 3025); between computers, use named pipes or sockets`,
    { cause: errorFromCode(code) },
  );
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

  /** @ignore */
  constructor(key: ConstructKey, handle: OwnedHandle, path: string, remote: boolean) {
    checkConstruct(key, "use openMailslot()");
    this.path = path;
    this.remote = remote;
    // Overlapped writes through the completion core: a send never blocks
    // the event loop, even where a remote or broadcast write takes time.
    this.#io = new HandleIo(handle, { overlapped: true, describe: `mailslot "${path}"` });
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
    const bytes = messageBytes(this.path, data, this.remote ? MAX_REMOTE_MESSAGE : undefined);
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
 * @param name A short name, `\\.\mailslot\...`, or, with `remote: true`,
 * `\\computer\mailslot\...`, `\\domain\mailslot\...` or
 * `\\*\mailslot\...` (every computer of the primary domain).
 * @param options Whether a name on another computer is allowed.
 * @returns The writer.
 * @throws {TypeError} For a bad name or option, or a name on another
 * computer without `remote: true`.
 * @throws {Deno.errors.NotFound} If no such local mailslot exists.
 * @throws {Deno.errors.PermissionDenied} If the slot's access rule excludes us.
 * @throws {Deno.errors.NotSupported} If remote mailslots are off (3025).
 */
export function openMailslot(name: string, options: OpenMailslotOptions = {}): MailslotWriter {
  const { path, local } = mailslotPath(name, "open");
  const what = `Cannot open mailslot "${path}"`;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${what}: options must be an object, got ${describeValue(options)}`);
  }
  checkRemote(
    local,
    options.remote,
    what,
    "it is on another computer or a domain (with \\\\*\\, every computer of the domain), and messages sent there leave this computer",
  );
  const k = kernel32();
  const raw = k.CreateFileW(
    encodeUtf16z(path),
    GENERIC_WRITE,
    FILE_SHARE_READ_WRITE,
    null,
    OPEN_EXISTING,
    FILE_FLAG_OVERLAPPED,
    null,
  );
  const code = k.GetLastError();
  if (isInvalidHandle(raw)) {
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
  return new MailslotWriter(CONSTRUCT, new OwnedHandle(raw, "mailslot writer"), path, !local);
}
