// Copyright 2026 the winipc authors. MIT license.
/**
 * The mutex owner loop as a `node:worker_threads` Worker (see
 * `owner_thread.ts`, which runs the same loop as machine code on x86-64):
 * it waits for a request, acquires the mutex or gives up when cancelled,
 * reports, and releases the mutex when asked, on the thread that owns it.
 * `owner_thread.ts` imports this module for {@linkcode OWNER_THREAD} (so it
 * is in the static module graph that `deno compile` embeds); outside that
 * worker, importing it does nothing.
 *
 * @module
 */
import { isMainThread, workerData } from "node:worker_threads";
import { INFINITE, kernel32, WAIT_ABANDONED_0, WAIT_OBJECT_0 } from "./ffi.ts";

/** The worker's marker, and this module's URL. */
export const OWNER_THREAD = { url: import.meta.url, marker: "winipc mutex owner thread" } as const;

/** What the loop is given. */
export interface OwnerThreadData {
  marker: typeof OWNER_THREAD.marker;
  /** The mutex and the request, cancel, done and release events. */
  handles: [bigint, bigint, bigint, bigint, bigint];
  /** Int32 slots: 0 the last wait's result (-1: the loop failed), 1 quit. */
  state: SharedArrayBuffer;
}

function run(data: OwnerThreadData): void {
  const k = kernel32();
  const [mutex, request, , done, release] = data.handles.map((v) =>
    Deno.UnsafePointer.create(v)
  ) as [
    Deno.PointerValue,
    Deno.PointerValue,
    Deno.PointerValue,
    Deno.PointerValue,
    Deno.PointerValue,
  ];
  const state = new Int32Array(data.state);
  const pair = new Uint8Array(new BigUint64Array([data.handles[0], data.handles[2]]).buffer);
  for (;;) {
    k.WaitForSingleObject(request, INFINITE);
    if (Atomics.load(state, 1) === 1) break;
    const result = k.WaitForMultipleObjects(2, pair, 0, INFINITE);
    Atomics.store(state, 0, result);
    k.SetEvent(done);
    if (result === WAIT_OBJECT_0 || result === WAIT_ABANDONED_0) {
      k.WaitForSingleObject(release, INFINITE);
      k.ReleaseMutex(mutex);
      k.SetEvent(done);
    }
  }
}

const data = workerData as Partial<OwnerThreadData> | null;
if (!isMainThread && data?.marker === OWNER_THREAD.marker) run(data as OwnerThreadData);
