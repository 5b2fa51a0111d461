// Copyright 2026 the winipc authors. MIT license.
/**
 * Opening a pipe's client end with `NtCreateFile`, which returns its status
 * (where `CreateFileW` leaves a last error that other code may overwrite),
 * with the same access, sharing, overlapped I/O and impersonation level
 * (`SECURITY_QUALITY_OF_SERVICE`) that `CreateFileW` would pass: on the
 * JavaScript thread for this computer, and on Deno's blocking pool for
 * another computer (the open goes over the network and can take seconds).
 *
 * @module
 */
import { ntdll, outValue } from "../_win32/ffi.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";

const GENERIC_READ = 0x80000000;
const GENERIC_WRITE = 0x40000000;
const SYNCHRONIZE = 0x00100000;
const FILE_READ_ATTRIBUTES = 0x80;
const FILE_ATTRIBUTE_NORMAL = 0x80;
const FILE_OPEN = 1;
const FILE_NON_DIRECTORY_FILE = 0x40;
const OBJ_CASE_INSENSITIVE = 0x40;

/** The NT path of a Win32 pipe path: `\\.\pipe\x` → `\??\pipe\x`, `\\host\pipe\x` → `\??\UNC\host\pipe\x`. */
export function ntPipePath(path: string): string {
  return path.startsWith("\\\\.\\") ? `\\??\\${path.slice(4)}` : `\\??\\UNC\\${path.slice(2)}`;
}

const pointerOf = (buffer: ArrayBufferView) =>
  BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));

/** `NtCreateFile`'s arguments for a pipe client, and the buffers they point into. */
function openArguments(path: string, level: number) {
  const name16 = encodeUtf16z(ntPipePath(path));
  const name = new Uint8Array(16); // UNICODE_STRING
  const nameView = new DataView(name.buffer);
  nameView.setUint16(0, (name16.length - 1) * 2, true);
  nameView.setUint16(2, name16.length * 2, true);
  nameView.setBigUint64(8, pointerOf(name16), true);
  const qos = new Uint8Array(12); // SECURITY_QUALITY_OF_SERVICE
  const qosView = new DataView(qos.buffer);
  qosView.setUint32(0, 12, true);
  qosView.setUint32(4, (level >>> 16) & 3, true);
  // ContextTrackingMode static (0) and EffectiveOnly false (0), as CreateFileW
  // without SECURITY_CONTEXT_TRACKING or SECURITY_EFFECTIVE_ONLY.
  const attributes = new Uint8Array(48); // OBJECT_ATTRIBUTES
  const view = new DataView(attributes.buffer);
  view.setUint32(0, 48, true);
  view.setBigUint64(16, pointerOf(name), true);
  view.setUint32(24, OBJ_CASE_INSENSITIVE, true);
  view.setBigUint64(40, pointerOf(qos), true);
  const handle = new BigUint64Array(1);
  const io = new Uint8Array(16);
  const args = [
    new Uint8Array(handle.buffer),
    (GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE | FILE_READ_ATTRIBUTES) >>> 0,
    attributes,
    io,
    null,
    FILE_ATTRIBUTE_NORMAL,
    0,
    FILE_OPEN,
    FILE_NON_DIRECTORY_FILE,
    null,
    0,
  ] as const;
  return { args, handle, keep: [name16, name, qos, attributes, io] };
}

/** What an open gave: the handle, or the status and its Win32 code. */
export type Opened = OwnedHandle | { status: number; code: number };

function opened(status: number, handle: BigUint64Array): Opened {
  if (status !== 0) return { status, code: ntdll().RtlNtStatusToDosError(status) };
  return new OwnedHandle(Deno.UnsafePointer.create(outValue(handle))!, "named pipe");
}

/**
 * Opens a named pipe on this computer for overlapped reading and writing,
 * as `CreateFileW` with `FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT |
 * level` would. The status is the call's return value: no last error to
 * lose (see `errors.ts`).
 *
 * @param path The Win32 path.
 * @param level The `SECURITY_SQOS_PRESENT` level (`SECURITY_IDENTIFICATION` and so on: the
 * impersonation level shifted left by 16).
 * @returns The handle, or the status and its Win32 code.
 */
export function openPipe(path: string, level: number): Opened {
  const { args, handle, keep } = openArguments(path, level);
  const status = ntdll().NtCreateFile(...args);
  void keep;
  return opened(status, handle);
}

/**
 * The same open on Deno's blocking pool, for a pipe on another computer.
 *
 * @param path The Win32 path.
 * @param level As for {@linkcode openPipe}.
 * @returns The handle, or the status and its Win32 code.
 */
export async function openPipeNonblocking(path: string, level: number): Promise<Opened> {
  const { args, handle, keep } = openArguments(path, level);
  const status = await ntdll().NtCreateFileNb(...args);
  // The buffers stay referenced until here, while the pool thread reads them.
  void keep;
  return opened(status, handle);
}
