// Copyright 2026 the winipc authors. MIT license.
/**
 * Who runs a process: the user SID of its primary token, for a client that
 * checks which server it reached before it sends anything.
 *
 * @module
 */
import { advapi32, kernel32, outValue } from "../_win32/ffi.ts";
import { errorFromCode } from "../_win32/errors.ts";
import { sidToString, tokenUserSid } from "../_win32/security.ts";

const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const TOKEN_QUERY = 0x0008;

/** A SID in string form: `S-1-` authority, then up to 15 sub-authorities. */
const SID_PATTERN = /^S-1-(\d+|0x[0-9A-F]{12})(-\d+){0,15}$/i;

/**
 * Whether a string has the form of a SID (`S-1-5-21-...`).
 *
 * @example Well-formed and not
 * ```ts
 * import { isSidString } from "./_identity.ts";
 * import { assert } from "@std/assert";
 *
 * assert(isSidString("S-1-5-18"));
 * assert(!isSidString("toString"));
 * ```
 *
 * @param value Anything.
 * @returns True for a string in SID form.
 */
export function isSidString(value: unknown): value is string {
  return typeof value === "string" && SID_PATTERN.test(value);
}

/** The user SID of a process handle's primary token. */
function processTokenUser(process: Deno.PointerObject, what: string): string {
  const out = new BigUint64Array(1);
  const k = kernel32();
  if (!advapi32().OpenProcessToken(process, TOKEN_QUERY, new Uint8Array(out.buffer))) {
    throw errorFromCode(k.GetLastError(), `Cannot open the token of ${what}`);
  }
  const token = Deno.UnsafePointer.create(outValue(out))!;
  try {
    return sidToString(tokenUserSid(token, what));
  } finally {
    kernel32().CloseHandle(token);
  }
}

/**
 * The user a process runs as (`OpenProcess` with
 * `PROCESS_QUERY_LIMITED_INFORMATION`, `OpenProcessToken`,
 * `GetTokenInformation(TokenUser)`).
 *
 * @param processId The process.
 * @returns Its user's SID, e.g. `S-1-5-21-...-1001`.
 * @throws The mapped Win32 error if the process or its token cannot be
 * opened (a process of another user usually cannot be).
 */
export function processUserSid(processId: number): string {
  const k = kernel32();
  const what = `process ${processId}`;
  const process = k.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, processId);
  if (process === null) throw errorFromCode(k.GetLastError(), `Cannot open ${what}`);
  try {
    return processTokenUser(process, what);
  } finally {
    k.CloseHandle(process);
  }
}

let self: string | undefined;

/**
 * The user this process runs as.
 *
 * @returns Its SID.
 */
export function currentUserSid(): string {
  self ??= processTokenUser(kernel32().GetCurrentProcess()!, "this process");
  return self;
}
