// Copyright 2026 the winipc authors. MIT license.
/**
 * `ReadFile`/`WriteFile` on associated handles through the completion core.
 *
 * @module
 */
import { kernel32 } from "./ffi.ts";
import type { OwnedHandle } from "./handle.ts";
import { type IoResult, startIo, type StartIoOptions } from "./completion.ts";

/** Options for {@linkcode readFile} and {@linkcode writeFile}. */
export type FileIoOptions = Omit<StartIoOptions, "keepAlive">;

/**
 * Starts an overlapped `ReadFile` into `buffer`. The buffer is held until the
 * read ends; the caller must not give it away (transfer) before then.
 *
 * @param handle An associated handle.
 * @param buffer Where the bytes go.
 * @param options Cancellation.
 * @returns How the read ended (bytes and Win32 error).
 */
export function readFile(
  handle: OwnedHandle,
  buffer: Uint8Array,
  options: FileIoOptions = {},
): Promise<IoResult> {
  const k = kernel32();
  const data = Deno.UnsafePointer.of(buffer);
  return startIo(
    handle,
    (overlapped) =>
      k.ReadFile(handle.raw, data, buffer.byteLength, null, overlapped) ? 0 : k.GetLastError(),
    { ...options, keepAlive: buffer },
  );
}

/**
 * Starts an overlapped `WriteFile` of `data`. The data is held until the
 * write ends; the caller must not change it before then.
 *
 * @param handle An associated handle.
 * @param data The bytes to write.
 * @param options Cancellation.
 * @returns How the write ended (bytes and Win32 error).
 */
export function writeFile(
  handle: OwnedHandle,
  data: Uint8Array,
  options: FileIoOptions = {},
): Promise<IoResult> {
  const k = kernel32();
  const pointer = Deno.UnsafePointer.of(data);
  return startIo(
    handle,
    (overlapped) =>
      k.WriteFile(handle.raw, pointer, data.byteLength, null, overlapped) ? 0 : k.GetLastError(),
    { ...options, keepAlive: data },
  );
}
