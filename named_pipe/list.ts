// Copyright 2026 the winipc authors. MIT license.
/**
 * `listNamedPipes`: the names under `\\.\pipe\`.
 *
 * @module
 */
import { kernel32 } from "../_win32/ffi.ts";
import { ERROR, errorFromCode } from "../_win32/errors.ts";
import { isInvalidHandle } from "../_win32/handle.ts";
import { decodeUtf16z, encodeUtf16z } from "../_win32/utf16.ts";

/** `WIN32_FIND_DATAW`: 44 bytes of attributes, times and sizes, then the name. */
const FIND_DATA_SIZE = 592;
const NAME_OFFSET = 44;
const NAME_UNITS = 260;

/**
 * Lists the named pipes on this computer: the names under `\\.\pipe\`, as
 * short names (prefix `\\.\pipe\` for the full path), in the order Windows
 * reports them. Listing needs no access to the pipes themselves, so it also
 * shows pipes this process could not open; it opens none of them.
 *
 * @example Find a server by prefix
 * ```ts no-run
 * import { listNamedPipes } from "@winipc/winipc/named-pipe";
 *
 * const mine = listNamedPipes().filter((name) => name.startsWith("my-app-"));
 * ```
 *
 * @returns The pipe names.
 * @throws The mapped Win32 error if the pipe namespace cannot be read.
 */
export function listNamedPipes(): string[] {
  const k = kernel32();
  const data = new Uint8Array(FIND_DATA_SIZE);
  const units = new Uint16Array(data.buffer, NAME_OFFSET, NAME_UNITS);
  const find = k.FindFirstFileW(encodeUtf16z("\\\\.\\pipe\\*"), data);
  const code = k.GetLastError();
  if (isInvalidHandle(find)) {
    if (code === ERROR.FILE_NOT_FOUND || code === ERROR.NO_MORE_FILES) return [];
    throw errorFromCode(code, "Cannot list the named pipes");
  }
  const names: string[] = [];
  try {
    do {
      names.push(decodeUtf16z(units));
    } while (k.FindNextFileW(find, data));
    const end = k.GetLastError();
    if (end !== ERROR.NO_MORE_FILES) throw errorFromCode(code, "Cannot list the named pipes");
  } finally {
    k.FindClose(find);
  }
  return names;
}
