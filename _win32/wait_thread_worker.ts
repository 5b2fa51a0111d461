// Copyright 2026 the winipc authors. MIT license.
/**
 * A wait thread's own side (see `wait_thread.ts`): a `node:worker_threads`
 * Worker running this module makes one alertable `WaitForMultipleObjectsEx`
 * at a time, for any one of its objects (a wait group, `wait.ts`) or for all
 * of them (`waitAll`, `wait_all.ts`).
 *
 * Requests and outcomes pass through a shared control block, not messages
 * (a message each way cost a wait three times what Deno's blocking pool
 * did): the thread sleeps in `Atomics.wait` until the JavaScript thread
 * stores a request's number, and the JavaScript thread awaits the outcome
 * with `Atomics.waitAsync`, then says it took it. An outcome not taken within
 * {@linkcode WAIT_WAKE_AFTER_MS} is also announced with a message: a wake by
 * `Atomics.notify` alone was lost about once in 20 fresh processes (see
 * `port_thread.ts`), and a message surely wakes the event loop.
 *
 * `wait_thread.ts` imports this module for {@linkcode WAIT_THREAD} (so it is
 * in the static module graph that `deno compile` embeds); outside that
 * worker, importing it does nothing.
 *
 * @module
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { kernel32, MAXIMUM_WAIT_OBJECTS, WAIT_FAILED } from "./ffi.ts";

/** The worker's marker, and this module's URL. */
export const WAIT_THREAD = { url: import.meta.url, marker: "winipc wait thread" } as const;

/**
 * The control block's Int32 slots. `request` holds the number of the request
 * to run (-1: end the thread), `done` the number of the last one run,
 * `taken` the number of the last outcome the JavaScript thread took; the
 * others are that request's fields and outcome.
 */
export const WAIT_SLOT = {
  request: 0,
  done: 1,
  taken: 2,
  count: 3,
  /** 1 to wait for all the objects at once, 0 for any one. */
  all: 4,
  /** The call's timeout, as the bits of a `DWORD` (`INFINITE` is -1 here). */
  ms: 5,
  /** What the call returned, as the bits of a `DWORD`. */
  result: 6,
  /** The call's last error when it failed. */
  error: 7,
} as const;
/** Where the handles (`HANDLE[64]`) start in the control block, in bytes. */
export const WAIT_HANDLES_OFFSET = 32;
/** The control block's size in bytes. */
export const WAIT_CONTROL_BYTES = WAIT_HANDLES_OFFSET + MAXIMUM_WAIT_OBJECTS * 8;
/** How long an outcome may stay untaken before a message announces it too. */
export const WAIT_WAKE_AFTER_MS = 20;

/** What the Worker is given. */
export interface WaitThreadData {
  marker: typeof WAIT_THREAD.marker;
  control: SharedArrayBuffer;
}

/** What the thread posts: its id once started, and a wake for an outcome not taken in time. */
export type WaitPost = { ready: number } | { wake: number };

function run(control: SharedArrayBuffer, port: NonNullable<typeof parentPort>): void {
  const k = kernel32();
  const i32 = new Int32Array(control, 0, WAIT_HANDLES_OFFSET / 4);
  const shared = new Uint8Array(control, WAIT_HANDLES_OFFSET, MAXIMUM_WAIT_OBJECTS * 8);
  const handles = new Uint8Array(MAXIMUM_WAIT_OBJECTS * 8);
  port.postMessage({ ready: k.GetCurrentThreadId() } satisfies WaitPost);
  let last = 0;
  for (;;) {
    Atomics.wait(i32, WAIT_SLOT.request, last);
    const id = Atomics.load(i32, WAIT_SLOT.request);
    if (id < 0) return;
    if (id === last) continue;
    last = id;
    const count = Atomics.load(i32, WAIT_SLOT.count);
    handles.set(shared.subarray(0, count * 8));
    const all = Atomics.load(i32, WAIT_SLOT.all);
    const ms = Atomics.load(i32, WAIT_SLOT.ms) >>> 0;
    const result = k.WaitForMultipleObjectsEx(count, handles, all, ms, 1);
    const error = result === WAIT_FAILED ? k.GetLastError() : 0;
    Atomics.store(i32, WAIT_SLOT.result, result | 0);
    Atomics.store(i32, WAIT_SLOT.error, error);
    Atomics.store(i32, WAIT_SLOT.done, id);
    Atomics.notify(i32, WAIT_SLOT.done);
    const taken = Atomics.load(i32, WAIT_SLOT.taken);
    if (
      taken !== id && Atomics.wait(i32, WAIT_SLOT.taken, taken, WAIT_WAKE_AFTER_MS) === "timed-out"
    ) {
      port.postMessage({ wake: id } satisfies WaitPost);
    }
  }
}

const data = workerData as Partial<WaitThreadData> | null;
if (
  !isMainThread && parentPort !== null && data?.marker === WAIT_THREAD.marker &&
  data.control !== undefined
) {
  run(data.control, parentPort);
}
