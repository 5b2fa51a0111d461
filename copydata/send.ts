// Copyright 2026 the winipc authors. MIT license.
/**
 * The sending side of `WM_COPYDATA`: `sendCopyData` and `findWindow`.
 *
 * @module
 */
import { user32 } from "../_win32/ffi.ts";
import { ERROR, errorFromCode } from "../_win32/errors.ts";
import { checkChoice, describeValue } from "../_win32/options.ts";
import { checkTimeout, startTimer } from "../_win32/timeout.ts";
import { encodeUtf16le, encodeUtf16z } from "../_win32/utf16.ts";
import { WM_COPYDATA } from "./_thread.ts";
import { sendOnThread } from "./_send_thread.ts";

/** Where {@linkcode sendCopyData} sends: a window found by class name and/or title, or a handle. */
export type CopyDataTarget = { className?: string; title?: string } | { window: bigint };

/** Options for {@linkcode sendCopyData}. */
export interface SendCopyDataOptions {
  /**
   * `COPYDATASTRUCT.dwData`: the message's `tag`, from 0 to 2^64 - 1, a
   * bigint, as a received message's `tag` is.
   * @default {0n}
   */
  tag?: bigint;
  /**
   * How a string payload is encoded: `"utf-16le"` with one NUL character at
   * the end (what wide-character programs and AutoHotkey expect), or
   * `"utf-8"` without a terminator. Ignored for bytes.
   * @default {"utf-16le"}
   */
  encoding?: "utf-16le" | "utf-8";
  /**
   * Milliseconds to wait for the receiver's answer before failing with
   * `Deno.errors.TimedOut`, from 0 to `Infinity` (for ever). Up to
   * 2^31 - 1 ms (about 24.8 days) the timeout is `SendMessageTimeoutW`'s,
   * with `SMTO_ABORTIFHUNG`: a receiver Windows considers hung fails at
   * once. A longer one (Wine refuses such timeouts) is a plain
   * `SendMessageW`, which waits for a hung receiver too, and a timer.
   * @default {5000}
   */
  timeout?: number;
  /**
   * Stops waiting: the promise rejects with the signal's reason. The message
   * itself cannot be withdrawn; it may still be delivered.
   */
  signal?: AbortSignal;
}

/** The largest payload {@linkcode sendCopyData} sends: 2^31 - 1 bytes (`cbData` is a DWORD). */
export const MAX_COPYDATA_SIZE: number = 0x7fff_ffff;

const HWND_MESSAGE = Deno.UnsafePointer.create(0xffff_ffff_ffff_fffdn);
const SMTO_ABORTIFHUNG = 0x0002;
/** The longest `SendMessageTimeoutW` timeout Wine accepts (2^31 and more fail at once). */
const MAX_SEND_TIMEOUT = 0x7fff_ffff;

/**
 * Finds a window by class name and/or title: top-level windows first
 * (`FindWindowW`), then message-only ones (`FindWindowExW(HWND_MESSAGE, …)`).
 *
 * @example Find a receiver by class
 * ```ts no-run
 * import { findWindow } from "@winipc/winipc/copydata";
 *
 * console.log(findWindow({ className: "AutoHotkey" }));
 * ```
 *
 * @param target A class name, a title, or both (both must match).
 * @returns The window handle, or `null` if there is no such window.
 * @throws {TypeError} If neither is given, or one is not a string or holds a NUL.
 */
export function findWindow(target: { className?: string; title?: string }): bigint | null {
  const { className, title } = target;
  const what = "Cannot find window";
  if (className === undefined && title === undefined) {
    throw new TypeError(`${what}: give a className, a title or both`);
  }
  for (const [name, text] of [["className", className], ["title", title]] as const) {
    if (text !== undefined && typeof text !== "string") {
      throw new TypeError(`${what}: ${name} must be a string`);
    }
  }
  const cls = className === undefined ? null : encodeUtf16z(className);
  const ttl = title === undefined ? null : encodeUtf16z(title);
  const u = user32();
  const found = u.FindWindowW(cls, ttl) ?? u.FindWindowExW(HWND_MESSAGE, null, cls, ttl);
  return found === null ? null : BigInt(Deno.UnsafePointer.value(found));
}

function describe(target: CopyDataTarget): string {
  if ("window" in target) return `window 0x${target.window.toString(16)}`;
  const parts = [];
  if (target.className !== undefined) parts.push(`class "${target.className}"`);
  if (target.title !== undefined) parts.push(`title "${target.title}"`);
  return `window with ${parts.join(" and ")}`;
}

/**
 * Sends one `WM_COPYDATA` message and resolves with the receiver's reply
 * (what its window procedure returned; 1 from a winipc listener unless it
 * chose another `reply`).
 *
 * The call (`SendMessageTimeoutW`) runs on a thread of its own (a
 * `node:worker_threads` Worker, kept for later sends), so the event loop
 * stays free while the receiver works; once the caller stops waiting (an
 * abort, or a timeout kept by a timer) that thread no longer keeps the
 * process alive. Bytes and text are copied to the receiver by Windows.
 *
 * @example Send text to a window found by class
 * ```ts no-run
 * import { sendCopyData } from "@winipc/winipc/copydata";
 *
 * const reply = await sendCopyData({ className: "MyApp.Receiver" }, "hello", { tag: 7n });
 * console.log(reply); // 1
 * ```
 *
 * @param target `{ className?, title? }` (top-level windows first, then
 * message-only ones) or `{ window }` (a handle).
 * @param data The payload: bytes, or a string encoded as `encoding` says.
 * @param options Tag, encoding, timeout and signal.
 * @returns The receiver's reply (`LRESULT`), as a number (exact up to 2^53).
 * @throws {Deno.errors.NotFound} If there is no such window, or it went away
 * before it answered.
 * @throws {Deno.errors.TimedOut} If the receiver did not answer in time or is hung.
 * @throws {Deno.errors.PermissionDenied} If Windows refused the message
 * with `ERROR_ACCESS_DENIED` (user interface privilege isolation: a
 * receiver of a higher integrity level).
 * @throws {RangeError} For a payload over {@linkcode MAX_COPYDATA_SIZE}, a bad tag or timeout.
 * @throws {TypeError} For a bad target or option.
 */
export async function sendCopyData(
  target: CopyDataTarget,
  data: Uint8Array | string,
  options: SendCopyDataOptions = {},
): Promise<number> {
  if (target === null || typeof target !== "object") {
    throw new TypeError(
      "Cannot send WM_COPYDATA: target must be { className?, title? } or { window }",
    );
  }
  const what = `Cannot send WM_COPYDATA to ${describe(target)}`;
  const encoding = checkChoice(
    options.encoding,
    ["utf-16le", "utf-8"] as const,
    "utf-16le",
    "encoding",
    what,
  );
  let bytes: Uint8Array;
  if (typeof data === "string") {
    bytes = encoding === "utf-8" ? new TextEncoder().encode(data) : encodeUtf16le(data, true);
  } else if (data instanceof Uint8Array) {
    bytes = data;
  } else {
    throw new TypeError(`${what}: data must be a Uint8Array or a string`);
  }
  if (bytes.length > MAX_COPYDATA_SIZE) {
    throw new RangeError(
      `${what}: ${bytes.length} bytes is over the limit of ${MAX_COPYDATA_SIZE}`,
    );
  }
  const tag: unknown = options.tag ?? 0n;
  if (typeof tag !== "bigint") {
    throw new TypeError(
      `${what}: tag must be a bigint (as a received message's tag is), got ${describeValue(tag)}`,
    );
  }
  if (tag < 0n || tag > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`${what}: tag must be from 0n to 2n ** 64n - 1n, got ${tag}n`);
  }
  const ms = checkTimeout(options.timeout, `send WM_COPYDATA to ${describe(target)}`, 5000);
  const { signal } = options;
  signal?.throwIfAborted();

  let hwnd: bigint;
  if ("window" in target) {
    if (typeof target.window !== "bigint") throw new TypeError(`${what}: window must be a bigint`);
    hwnd = target.window;
    // HWND_BROADCAST (0xFFFF) would send to every top-level window, and 0 is
    // none. Any other handle is checked by the send itself (a window that
    // does not exist fails it with ERROR_INVALID_WINDOW_HANDLE: NotFound),
    // which spares a round trip to the window manager on every send.
    if (hwnd === 0n || hwnd === 0xffffn || hwnd < 0n || hwnd > 0xffff_ffff_ffff_ffffn) {
      throw new Deno.errors.NotFound(`${what}: there is no such window`);
    }
  } else {
    const found = findWindow(target);
    if (found === null) throw new Deno.errors.NotFound(`${what}: there is no such window`);
    hwnd = found;
  }

  // The send thread builds the COPYDATASTRUCT around its own copy of the
  // payload (moved to it, so it lives as long as the call).
  const native = ms <= MAX_SEND_TIMEOUT;
  const { result, abandon } = sendOnThread({
    window: hwnd,
    message: WM_COPYDATA,
    tag,
    data: bytes.slice(),
    flags: SMTO_ABORTIFHUNG,
    ms: native ? Math.ceil(ms) : null,
  }, signal);
  const window = Deno.UnsafePointer.create(hwnd);
  const call = result.then((done) => {
    if (done.ok) return Number(done.reply);
    const u = user32();
    if (done.error === ERROR.INVALID_WINDOW_HANDLE || u.IsWindow(window) === 0) {
      throw new Deno.errors.NotFound(`${what}: the window went away before it answered`);
    }
    if (done.error === ERROR.TIMEOUT || (done.error === 0 && u.IsHungAppWindow(window) !== 0)) {
      throw new Deno.errors.TimedOut(
        `${what}: no answer within ${ms} ms (the receiver is busy or hung)`,
      );
    }
    if (done.error === ERROR.ACCESS_DENIED) {
      throw new Deno.errors.PermissionDenied(
        `${what}: Windows refused the message (ERROR_ACCESS_DENIED: a receiver of a higher integrity level, UIPI)`,
      );
    }
    const fn = native ? "SendMessageTimeoutW" : "SendMessageW";
    if (done.error === 0) throw new Error(`${what}: ${fn} failed without an error code`);
    throw errorFromCode(done.error, `${what}: ${fn} failed`);
  });
  return await new Promise<number>((resolve, reject) => {
    // The caller stops waiting: the call goes on (the message cannot be
    // withdrawn) but no longer keeps the process alive.
    const giveUp = (reason: unknown) => {
      stopTimer();
      signal?.removeEventListener("abort", onAbort);
      abandon();
      reject(reason);
    };
    const onAbort = () => giveUp(signal!.reason);
    // SendMessageW has no time limit: the timeout is kept here.
    const stopTimer = native ? () => {} : startTimer(ms, () =>
      giveUp(
        new Deno.errors.TimedOut(
          `${what}: no answer within ${ms} ms (the receiver is busy or hung)`,
        ),
      ));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    call.then(resolve, reject).finally(() => {
      stopTimer();
      signal?.removeEventListener("abort", onAbort);
    });
  });
}
