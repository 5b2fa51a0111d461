// Copyright 2026 the winipc authors. MIT license.
/**
 * `waitAll`'s thread (see `wait_all.ts`): a `node:worker_threads` Worker
 * running this module, one alertable `WaitForMultipleObjectsEx(bWaitAll =
 * TRUE)` at a time. `wait_all.ts` imports it for {@linkcode WAIT_ALL_THREAD}
 * (so it is in the static module graph that `deno compile` embeds); outside
 * that worker, importing it does nothing.
 *
 * @module
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { kernel32, WAIT_FAILED } from "./ffi.ts";

/** The worker's marker in `workerData`, and this module's URL. */
export const WAIT_ALL_THREAD = { url: import.meta.url, marker: "winipc waitAll thread" } as const;

/** One wait the JavaScript thread asks for. */
export interface WaitAllRequest {
  id: number;
  /** The handles, as `HANDLE[]` bytes. */
  handles: Uint8Array;
  count: number;
  ms: number;
}

/** What the thread posts: its id once started, then each wait's outcome. */
export type WaitAllPost = { ready: number } | { id: number; result: number; error: number };

function run(port: NonNullable<typeof parentPort>): void {
  const k = kernel32();
  port.on("message", ({ id, handles, count, ms }: WaitAllRequest) => {
    const result = k.WaitForMultipleObjectsEx(count, handles, 1, ms, 1);
    const done: WaitAllPost = { id, result, error: result === WAIT_FAILED ? k.GetLastError() : 0 };
    port.postMessage(done);
  });
  port.postMessage({ ready: k.GetCurrentThreadId() } satisfies WaitAllPost);
}

if (!isMainThread && parentPort !== null && workerData === WAIT_ALL_THREAD.marker) run(parentPort);
