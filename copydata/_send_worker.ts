// Copyright 2026 the winipc authors. MIT license.
/**
 * A send thread's own side (see `_send_thread.ts`): a `node:worker_threads`
 * Worker running this module makes one blocking `SendMessageTimeoutW` (or
 * `SendMessageW`) at a time and reads its last error on its own thread.
 * Requests and outcomes pass through a shared control block (no message
 * is posted either way): the thread sleeps in `Atomics.wait` until the
 * JavaScript thread stores a request's number, and the JavaScript thread
 * awaits the outcome with `Atomics.waitAsync`.
 *
 * `_send_thread.ts` imports this module for {@linkcode SEND_THREAD} (so it
 * is in the static module graph that `deno compile` embeds); outside that
 * worker, importing it does nothing.
 *
 * @module
 */
import { isMainThread, workerData } from "node:worker_threads";
import { kernel32, user32 } from "../_win32/ffi.ts";

/** The worker's marker, and this module's URL. */
export const SEND_THREAD = {
  url: import.meta.url,
  marker: "winipc WM_COPYDATA send thread",
} as const;

/** The control block's size in bytes. */
export const CONTROL_BYTES = 64;

/**
 * The control block's Int32 slots. `request` holds the number of the
 * request to run (-1: end the thread), `done` the number of the last one
 * run; the others are that request's fields and outcome.
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
} as const;

/** The control block's BigInt64 slots (from byte 32). */
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
  k.SetLastError(0);
  let ok: boolean;
  let reply: bigint;
  if (ms < 0) {
    reply = BigInt(u.SendMessageW(hwnd, message, 0n, buffer));
    ok = true;
  } else {
    const result = new BigInt64Array(1);
    const flags = Atomics.load(i32, SLOT.flags);
    ok = BigInt(
      u.SendMessageTimeoutW(hwnd, message, 0n, buffer, flags, ms, new Uint8Array(result.buffer)),
    ) !== 0n;
    reply = result[0] ?? 0n;
  }
  // SendMessageW fails with 0 and a last error (SetLastError(0) before it
  // tells that from a reply of 0).
  const error = k.GetLastError();
  if (ms < 0 && reply === 0n && error !== 0) ok = false;
  Atomics.store(i32, SLOT.ok, ok ? 1 : 0);
  Atomics.store(i32, SLOT.error, ok ? 0 : error);
  Atomics.store(i64, SLOT64.reply, reply);
}

function run(control: SharedArrayBuffer): void {
  const i32 = new Int32Array(control, 0, 8);
  const i64 = new BigInt64Array(control, 32, 4);
  let last = 0;
  for (;;) {
    Atomics.wait(i32, SLOT.request, last);
    const request = Atomics.load(i32, SLOT.request);
    if (request < 0) return;
    if (request === last) continue;
    last = request;
    send(i32, i64);
    Atomics.store(i32, SLOT.done, request);
    Atomics.notify(i32, SLOT.done);
  }
}

const data = workerData as Partial<SendThreadData> | null;
if (!isMainThread && data?.marker === SEND_THREAD.marker && data.control !== undefined) {
  run(data.control);
}
