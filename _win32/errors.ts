// Copyright 2026 the winipc authors. MIT license.
/**
 * Win32 errors: `Win32Error`, the mapping of well-known codes to `Deno.errors`
 * classes, and last-error capture.
 *
 * A failed call becomes an error whose class says what happened to the caller
 * (`Deno.errors.NotFound`, `Deno.errors.BrokenPipe`, ...). Its `cause` is the
 * `Win32Error` with the numeric code and the system's message, and its own
 * message names the operation, the object and the code:
 * `Cannot open named pipe "\\.\pipe\x": The system cannot find the file specified. (os error 2)`.
 *
 * ## Reading the last error
 *
 * A failed call's code is read with `k.GetLastError()`, where `k` is the
 * symbols object already held in a local, in the same expression as the call
 * or the statement right after it:
 *
 * ```ts ignore a pattern, not a program: `k`, `h` and the messages are placeholders
 * if (!k.SetEvent(h)) throw errorFromCode(k.GetLastError(), "Cannot set the event");
 * const raw = k.CreateFileW(...);
 * const code = k.GetLastError();
 * ```
 *
 * Nothing of ours runs between the two calls, not even `kernel32()`: entering
 * or leaving any JavaScript function (and every loop's back edge) is a point
 * where V8 may compile code or grow its heap, and under Wine those calls set
 * the thread's last error. Measured (`--always-sparkplug`): 38 of 20,000
 * compilations left 1150; 161 of 20,000 large allocations left 487
 * (`ERROR_INVALID_ADDRESS`). That is how a storm client once failed with
 * "Invalid address" where `CreateFileW` had said `ERROR_PIPE_BUSY`. Two
 * native calls in a row, with only property reads and forward branches
 * between, give V8 no such point.
 *
 * @module
 */
import { IS_WINDOWS, kernel32 } from "./ffi.ts";
import { decodeUtf16z } from "./utf16.ts";

/** Well-known Win32 error codes. */
export const ERROR = {
  SUCCESS: 0,
  INVALID_FUNCTION: 1,
  FILE_NOT_FOUND: 2,
  PATH_NOT_FOUND: 3,
  ACCESS_DENIED: 5,
  INVALID_HANDLE: 6,
  NOT_ENOUGH_MEMORY: 8,
  OUTOFMEMORY: 14,
  NO_MORE_FILES: 18,
  SHARING_VIOLATION: 32,
  LOCK_VIOLATION: 33,
  HANDLE_EOF: 38,
  NOT_SUPPORTED: 50,
  BAD_NETPATH: 53,
  NETNAME_DELETED: 64,
  FILE_EXISTS: 80,
  INVALID_PARAMETER: 87,
  BROKEN_PIPE: 109,
  SEM_TIMEOUT: 121,
  INSUFFICIENT_BUFFER: 122,
  INVALID_NAME: 123,
  BAD_PATHNAME: 161,
  BUSY: 170,
  ALREADY_EXISTS: 183,
  PIPE_BUSY: 231,
  NO_DATA: 232,
  PIPE_NOT_CONNECTED: 233,
  MORE_DATA: 234,
  WAIT_TIMEOUT: 258,
  PIPE_CONNECTED: 535,
  PIPE_LISTENING: 536,
  OPERATION_ABORTED: 995,
  IO_INCOMPLETE: 996,
  IO_PENDING: 997,
  NOACCESS: 998,
  NOT_FOUND: 1168,
  CANCELLED: 1223,
  NOT_OWNER: 288,
  NONE_MAPPED: 1332,
  CANNOT_IMPERSONATE: 1368,
  INVALID_WINDOW_HANDLE: 1400,
  TIMEOUT: 1460,
  REMOTE_MAILSLOTS_DEPRECATED: 3025,
} as const;

type ErrorClass = new (message: string, options?: ErrorOptions) => Error;

/** Codes that map to a `Deno.errors` class; every other code stays a `Win32Error`. */
const CLASS_OF: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [ERROR.FILE_NOT_FOUND, Deno.errors.NotFound],
  [ERROR.PATH_NOT_FOUND, Deno.errors.NotFound],
  [ERROR.BAD_NETPATH, Deno.errors.NotFound],
  [ERROR.BAD_PATHNAME, Deno.errors.NotFound],
  [ERROR.NOT_FOUND, Deno.errors.NotFound],
  [ERROR.ACCESS_DENIED, Deno.errors.PermissionDenied],
  [ERROR.NOACCESS, Deno.errors.PermissionDenied],
  [ERROR.ALREADY_EXISTS, Deno.errors.AlreadyExists],
  [ERROR.FILE_EXISTS, Deno.errors.AlreadyExists],
  [ERROR.PIPE_BUSY, Deno.errors.Busy],
  [ERROR.BUSY, Deno.errors.Busy],
  [ERROR.SHARING_VIOLATION, Deno.errors.Busy],
  [ERROR.LOCK_VIOLATION, Deno.errors.Busy],
  [ERROR.BROKEN_PIPE, Deno.errors.BrokenPipe],
  [ERROR.NO_DATA, Deno.errors.BrokenPipe],
  [ERROR.PIPE_NOT_CONNECTED, Deno.errors.BrokenPipe],
  [ERROR.NETNAME_DELETED, Deno.errors.ConnectionReset],
  [ERROR.WAIT_TIMEOUT, Deno.errors.TimedOut],
  [ERROR.SEM_TIMEOUT, Deno.errors.TimedOut],
  [ERROR.TIMEOUT, Deno.errors.TimedOut],
  [ERROR.OPERATION_ABORTED, Deno.errors.Interrupted],
  [ERROR.CANCELLED, Deno.errors.Interrupted],
  [ERROR.INVALID_HANDLE, Deno.errors.BadResource],
  [ERROR.NOT_SUPPORTED, Deno.errors.NotSupported],
  [ERROR.REMOTE_MAILSLOTS_DEPRECATED, Deno.errors.NotSupported],
]);

const messageCache = new Map<number, string>();

/**
 * The system's message for a Win32 error code (FormatMessageW), without the
 * trailing line break; a generic text off Windows or for unknown codes.
 *
 * @param code A Win32 error code.
 * @returns The message.
 */
export function systemMessage(code: number): string {
  let message = messageCache.get(code);
  if (message !== undefined) return message;
  message = "";
  if (IS_WINDOWS) {
    const FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
    const FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;
    const buffer = new Uint16Array(512);
    const length = kernel32().FormatMessageW(
      FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      null,
      code,
      0x0409, // English (United States), so messages are the same everywhere
      buffer,
      buffer.length,
      null,
    );
    const english = length > 0 ? decodeUtf16z(buffer.subarray(0, length)) : "";
    if (english) {
      message = english;
    } else {
      const any = kernel32().FormatMessageW(
        FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
        null,
        code,
        0,
        buffer,
        buffer.length,
        null,
      );
      if (any > 0) message = decodeUtf16z(buffer.subarray(0, any));
    }
    message = message.trim();
  }
  if (!message) message = `Windows error ${code}`;
  messageCache.set(code, message);
  return message;
}

/**
 * A Win32 error: the numeric `code` (as `GetLastError` returns it) and the
 * system's message for it.
 *
 * @example Inspect the code of a failure
 * ```ts
 * import { Win32Error } from "@winipc/winipc";
 * import { assertEquals } from "@std/assert";
 *
 * const error = new Win32Error(2, "Cannot open thing");
 * assertEquals(error.code, 2);
 * ```
 */
export class Win32Error extends Error {
  /** The Win32 error code. */
  readonly code: number;
  /**
   * Makes an error for a code.
   *
   * @param code The Win32 error code.
   * @param context What was being done, e.g. `Cannot open mailslot "x"`.
   */
  constructor(code: number, context?: string) {
    const text = `${systemMessage(code)} (os error ${code})`;
    super(context ? `${context}: ${text}` : text);
    this.name = "Win32Error";
    this.code = code;
  }
}

/**
 * Makes the error to throw for a Win32 error code: an instance of the mapped
 * `Deno.errors` class, or a `Win32Error` for unmapped codes. The mapped error's
 * `cause` is the `Win32Error`, so the code is never lost.
 *
 * @example Map a code
 * ```ts
 * import { errorFromCode } from "./errors.ts";
 * import { assertInstanceOf } from "@std/assert";
 *
 * assertInstanceOf(errorFromCode(109, "Cannot read"), Deno.errors.BrokenPipe);
 * ```
 *
 * @param code A Win32 error code.
 * @param context What was being done.
 * @returns The error.
 */
export function errorFromCode(code: number, context?: string): Error {
  const win32 = new Win32Error(code, context);
  const Class = CLASS_OF.get(code);
  if (Class === undefined) return win32;
  const error = new Class(win32.message, { cause: win32 });
  return error;
}

/**
 * The Win32 error code carried by an error from this package, or `undefined`.
 *
 * @example Read the code back
 * ```ts
 * import { errorFromCode, win32ErrorCode } from "./errors.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(win32ErrorCode(errorFromCode(2)), 2);
 * ```
 *
 * @param error Anything caught.
 * @returns The code, if there is one.
 */
export function win32ErrorCode(error: unknown): number | undefined {
  if (error instanceof Win32Error) return error.code;
  if (error instanceof Error && error.cause instanceof Win32Error) return error.cause.code;
  return undefined;
}

/**
 * The error for a create call refused in `Global\`: creating a named object
 * in the `Global\` namespace needs the `SeCreateGlobalPrivilege` privilege,
 * or the name is already taken by an object this user may not open. One
 * message for every mechanism.
 *
 * @example Explain an access-denied create in Global\
 * ```ts
 * import { errorFromCode, globalPrivilegeError } from "./errors.ts";
 * import { assertInstanceOf, assertStringIncludes } from "@std/assert";
 *
 * const error = globalPrivilegeError('Cannot create event "Global\\x"', errorFromCode(5));
 * assertInstanceOf(error, Deno.errors.PermissionDenied);
 * assertStringIncludes(error.message, "SeCreateGlobalPrivilege");
 * ```
 *
 * @param what The operation and object, e.g. `Cannot create event "Global\x"`.
 * @param cause The error of the failed call (kept as `cause`).
 * @returns The error to throw.
 */
export function globalPrivilegeError(what: string, cause: Error): Deno.errors.PermissionDenied {
  return new Deno.errors.PermissionDenied(
    `${what}: creating a Global\\ object needs the SeCreateGlobalPrivilege privilege (services and elevated administrators have it), or the name is taken by an object this user may not open`,
    { cause },
  );
}
