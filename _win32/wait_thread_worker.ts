// Copyright 2026 the winipc authors. MIT license.
/**
 * A wait thread's own side (see `wait_thread.ts`): a `node:worker_threads`
 * Worker running this module makes one alertable `WaitForMultipleObjectsEx`
 * at a time, for any one of its objects (a wait group, `wait.ts`) or for all
 * of them (`waitAll`, `wait_all.ts`).
 *
 * Requests and outcomes pass through a shared control block
 * (`handoff.ts`), not messages: a message each way cost a wait three times
 * what Deno's blocking pool did.
 *
 * `wait_thread.ts` imports this module for {@linkcode WAIT_THREAD} (so it is
 * in the static module graph that `deno compile` embeds); outside that
 * worker, importing it does nothing.
 *
 * @module
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { kernel32, MAXIMUM_WAIT_OBJECTS, WAIT_FAILED } from "./ffi.ts";
import { serveHandoff } from "./handoff.ts";

/** The worker's marker, and this module's URL. */
export const WAIT_THREAD = { url: import.meta.url, marker: "winipc wait thread" } as const;

/**
 * The control block's Int32 slots: the handoff's own (`request`, `done`,
 * `taken`), then the request's fields and outcome.
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

/** What the Worker is given. */
export interface WaitThreadData {
  marker: typeof WAIT_THREAD.marker;
  control: SharedArrayBuffer;
}

/** What the thread posts: its id once started, and a wake for an outcome not taken in time. */
export type WaitPost = { ready: number } | { wake: true };

function run(control: SharedArrayBuffer, port: NonNullable<typeof parentPort>): void {
  const k = kernel32();
  const i32 = new Int32Array(control, 0, WAIT_HANDLES_OFFSET / 4);
  const shared = new Uint8Array(control, WAIT_HANDLES_OFFSET, MAXIMUM_WAIT_OBJECTS * 8);
  const handles = new Uint8Array(MAXIMUM_WAIT_OBJECTS * 8);
  port.postMessage({ ready: k.GetCurrentThreadId() } satisfies WaitPost);
  const serve = () => {
    const count = Atomics.load(i32, WAIT_SLOT.count);
    handles.set(shared.subarray(0, count * 8));
    const all = Atomics.load(i32, WAIT_SLOT.all);
    const ms = Atomics.load(i32, WAIT_SLOT.ms) >>> 0;
    const result = k.WaitForMultipleObjectsEx(count, handles, all, ms, 1);
    const error = result === WAIT_FAILED ? k.GetLastError() : 0;
    Atomics.store(i32, WAIT_SLOT.result, result | 0);
    Atomics.store(i32, WAIT_SLOT.error, error);
  };
  serveHandoff(i32, WAIT_SLOT, serve, () => port.postMessage({ wake: true } satisfies WaitPost));
}

const data = workerData as Partial<WaitThreadData> | null;
if (
  !isMainThread && parentPort !== null && data?.marker === WAIT_THREAD.marker &&
  data.control !== undefined
) {
  run(data.control, parentPort);
}
