// Copyright 2026 the winipc authors. MIT license.
/**
 * A send thread's own side (see `_send_thread.ts`): a `node:worker_threads`
 * Worker running this module makes one blocking `SendMessageTimeoutW` (or
 * `SendMessageW`) at a time and reads its last error on its own thread.
 * Requests and outcomes pass through a shared control block
 * (`_win32/handoff.ts`).
 *
 * `_send_thread.ts` imports this module for {@linkcode SEND_THREAD} (so it
 * is in the static module graph that `deno compile` embeds); outside that
 * worker, importing it does nothing.
 *
 * @module
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { kernel32, user32 } from "../_win32/ffi.ts";
import { serveHandoff } from "../_win32/handoff.ts";

/** The worker's marker, and this module's URL. */
export const SEND_THREAD = {
  url: import.meta.url,
  marker: "winipc WM_COPYDATA send thread",
} as const;

/** The control block's Int32 slots: {@linkcode SLOT}. */
export const I32_SLOTS = 10;
/** Where the control block's BigInt64 slots ({@linkcode SLOT64}) start, in bytes. */
export const I64_OFFSET = 40;
/** The control block's size in bytes. */
export const CONTROL_BYTES = I64_OFFSET + 4 * 8;
/** The message that announces an outcome not taken in time. */
export const WAKE = "wake";

/**
 * The control block's Int32 slots: the handoff's own (`request`, `done`,
 * `taken`), then the request's fields and outcome.
 */
export const SLOT = {
  request: 0,
  done: 1,
  ok: 2,
  error: 3,
  size: 4,
  flags: 5,
  /** The timeout in ms, or -1 for `SendMessageW`. */
  ms: 6,
  message: 7,
  taken: 8,
} as const;

/** The control block's BigInt64 slots (from byte {@linkcode I64_OFFSET}). */
export const SLOT64 = { window: 0, tag: 1, data: 2, reply: 3 } as const;

/** What the Worker is given. */
export interface SendThreadData {
  marker: typeof SEND_THREAD.marker;
  control: SharedArrayBuffer;
}

/** Runs the request in the control block, on this thread. */
function send(i32: Int32Array, i64: BigInt64Array): void {
  const u = user32();
  const k = kernel32();
  // COPYDATASTRUCT { ULONG_PTR dwData; DWORD cbData; PVOID lpData; }; lpData
  // points into the JavaScript thread's copy of the payload, which it keeps
  // until this request is done.
  const cds = new BigUint64Array(3);
  cds[0] = BigInt.asUintN(64, Atomics.load(i64, SLOT64.tag));
  cds[1] = BigInt(Atomics.load(i32, SLOT.size) >>> 0);
  cds[2] = BigInt.asUintN(64, Atomics.load(i64, SLOT64.data));
  const buffer = new Uint8Array(cds.buffer);
  const hwnd = Deno.UnsafePointer.create(BigInt.asUintN(64, Atomics.load(i64, SLOT64.window)));
  const message = Atomics.load(i32, SLOT.message);
  const ms = Atomics.load(i32, SLOT.ms);
  const result = new BigInt64Array(1);
  const out = new Uint8Array(result.buffer);
  const flags = Atomics.load(i32, SLOT.flags);
  // Each call's last error is read right after it (see errors.ts).
  let returned: number | bigint;
  let error: number;
  k.SetLastError(0);
  if (ms < 0) {
    returned = u.SendMessageW(hwnd, message, 0n, buffer);
    error = k.GetLastError();
  } else {
    returned = u.SendMessageTimeoutW(hwnd, message, 0n, buffer, flags, ms, out);
    error = k.GetLastError();
  }
  let ok: boolean;
  let reply: bigint;
  if (ms < 0) {
    reply = BigInt(returned);
    ok = true;
  } else {
    ok = BigInt(returned) !== 0n;
    reply = result[0] ?? 0n;
  }
  // SendMessageW fails with 0 and a last error (SetLastError(0) before it
  // tells that from a reply of 0).
  if (ms < 0 && reply === 0n && error !== 0) ok = false;
  Atomics.store(i32, SLOT.ok, ok ? 1 : 0);
  Atomics.store(i32, SLOT.error, ok ? 0 : error);
  Atomics.store(i64, SLOT64.reply, reply);
}

function run(control: SharedArrayBuffer): void {
  const i32 = new Int32Array(control, 0, I32_SLOTS);
  const i64 = new BigInt64Array(control, I64_OFFSET, 4);
  serveHandoff(i32, SLOT, () => send(i32, i64), () => parentPort?.postMessage(WAKE));
}

const data = workerData as Partial<SendThreadData> | null;
if (!isMainThread && data?.marker === SEND_THREAD.marker && data.control !== undefined) {
  run(data.control);
}
