// Copyright 2026 the winipc authors. MIT license.
/**
 * Facts about the current process that tests and benchmarks assert on:
 * thread count, handle count and CPU time.
 *
 * @module
 */
import { kernel32, outValue } from "./ffi.ts";
import { errorFromCode } from "./errors.ts";
import { isInvalidHandle } from "./handle.ts";

const TH32CS_SNAPTHREAD = 0x4;
const THREADENTRY32_SIZE = 28;

/**
 * The number of threads in this process (`CreateToolhelp32Snapshot`).
 *
 * @returns The thread count.
 */
export function threadCount(): number {
  const k = kernel32();
  const snapshot = k.CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  const error = k.GetLastError();
  if (isInvalidHandle(snapshot)) throw errorFromCode(error, "Cannot list threads");
  try {
    const entry = new Uint8Array(THREADENTRY32_SIZE);
    const view = new DataView(entry.buffer);
    view.setUint32(0, THREADENTRY32_SIZE, true);
    const pid = k.GetCurrentProcessId();
    let count = 0;
    for (let ok = k.Thread32First(snapshot, entry); ok; ok = k.Thread32Next(snapshot, entry)) {
      if (view.getUint32(12, true) === pid) count++;
    }
    return count;
  } finally {
    k.CloseHandle(snapshot);
  }
}

/**
 * The number of handles this process has open (`GetProcessHandleCount`).
 *
 * @returns The handle count.
 */
export function handleCount(): number {
  const k = kernel32();
  const out = new Uint32Array(1);
  if (!k.GetProcessHandleCount(k.GetCurrentProcess(), out)) {
    throw errorFromCode(k.GetLastError(), "Cannot count handles");
  }
  return outValue(out);
}

/**
 * CPU time this process has used so far, kernel plus user, in milliseconds
 * (`GetProcessTimes`).
 *
 * @returns Milliseconds of CPU time.
 */
export function processCpuMilliseconds(): number {
  const times = processTimes(kernel32().GetCurrentProcess()!);
  if (typeof times === "number") throw errorFromCode(times, "Cannot read process times");
  return Number(outValue(times, 2) + outValue(times, 3)) / 10_000;
}

/**
 * A process's times (`GetProcessTimes`): creation, exit, kernel and user,
 * as `FILETIME` values (100 ns units).
 *
 * @param process A process handle with query rights.
 * @returns The four times, or the call's error code if it failed.
 */
export function processTimes(process: Deno.PointerObject): BigUint64Array | number {
  const times = new BigUint64Array(4);
  const at = (i: number) => new Uint8Array(times.buffer, i * 8, 8);
  const k = kernel32();
  const [creation, exit, kernel, user] = [at(0), at(1), at(2), at(3)];
  return k.GetProcessTimes(process, creation, exit, kernel, user) ? times : k.GetLastError();
}

/**
 * The value the next new handle gets: an event is created and closed at once.
 * Windows hands out the lowest free slot of the handle table, so this value
 * grows when handles leak and stays put when they do not. Unlike
 * {@linkcode handleCount}, it also works under Wine, whose
 * `GetProcessHandleCount` reports 0.
 *
 * @returns The probe handle's value.
 */
export function nextHandleValue(): bigint {
  const k = kernel32();
  const probe = k.CreateEventW(null, 1, 0, null);
  if (probe === null) throw errorFromCode(k.GetLastError(), "Cannot create probe event");
  const value = BigInt(Deno.UnsafePointer.value(probe));
  k.CloseHandle(probe);
  return value;
}
