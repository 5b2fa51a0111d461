// Copyright 2026 the winipc authors. MIT license.
/**
 * Another process's identity, and a handle to learn of its end.
 *
 * A process id alone is reused once the process is gone, so an identity is
 * the id and the process's creation time: a process found under the id with
 * another creation time is a different one, and the first is gone.
 *
 * @module
 */
import { processTimes } from "./process_info.ts";
import { kernel32, outValue } from "./ffi.ts";
import { ERROR } from "./errors.ts";
import { isInvalidHandle, OwnedHandle } from "./handle.ts";

/** A process id and its creation time (a `FILETIME`, 100 ns units). */
export interface ProcessIdentity {
  readonly pid: number;
  readonly birth: bigint;
}

const SYNCHRONIZE = 0x0010_0000;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;

function creationTime(raw: Deno.PointerObject): bigint | null {
  const times = processTimes(raw);
  return typeof times === "number" ? null : outValue(times, 0);
}

let self: ProcessIdentity | null = null;

/**
 * This process's identity.
 *
 * @returns The id and creation time of the current process.
 */
export function currentProcess(): ProcessIdentity {
  if (self === null) {
    const k = kernel32();
    self = { pid: k.GetCurrentProcessId(), birth: creationTime(k.GetCurrentProcess()!) ?? 0n };
  }
  return self;
}

/**
 * Opens a process to wait for its end (its handle is signalled when it
 * exits).
 *
 * @param identity The process.
 * @returns The handle; `"gone"` if that process no longer exists (its id
 * is free or belongs to a newer process); `"unknown"` if it cannot be
 * opened (another user's process this one may not see).
 */
export function openProcessToWatch(identity: ProcessIdentity): OwnedHandle | "gone" | "unknown" {
  const k = kernel32();
  const raw = k.OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, 0, identity.pid);
  const error = k.GetLastError();
  if (isInvalidHandle(raw)) return error === ERROR.INVALID_PARAMETER ? "gone" : "unknown";
  const handle = new OwnedHandle(raw, "process");
  const birth = creationTime(raw);
  if (birth === null) {
    handle.close();
    return "unknown";
  }
  if (birth !== identity.birth) {
    handle.close();
    return "gone";
  }
  return handle;
}
