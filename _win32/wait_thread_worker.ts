// Copyright 2026 the winipc authors. MIT license.
/**
 * A wait thread's own side (see `wait_thread.ts`): a `node:worker_threads`
 * Worker running this module makes one alertable `WaitForMultipleObjectsEx`
 * at a time, for any one of its objects (a wait group, `wait.ts`) or for all
 * of them (`waitAll`, `wait_all.ts`). `wait_thread.ts` imports it for
 * {@linkcode WAIT_THREAD} (so it is in the static module graph that
 * `deno compile` embeds); outside that worker, importing it does nothing.
 *
 * @module
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { kernel32, WAIT_FAILED } from "./ffi.ts";

/** The worker's marker in `workerData`, and this module's URL. */
export const WAIT_THREAD = { url: import.meta.url, marker: "winipc wait thread" } as const;

/** One wait the JavaScript thread asks for. */
export interface WaitRequest {
  id: number;
  /** The handles, as `HANDLE[]` bytes. */
  handles: Uint8Array;
  count: number;
  /** 1 to wait for all of them at once, 0 for any one. */
  all: 0 | 1;
  ms: number;
}

/** What the thread posts: its id once started, then each wait's outcome. */
export type WaitPost = { ready: number } | { id: number; result: number; error: number };

function run(port: NonNullable<typeof parentPort>): void {
  const k = kernel32();
  port.on("message", ({ id, handles, count, all, ms }: WaitRequest) => {
    const result = k.WaitForMultipleObjectsEx(count, handles, all, ms, 1);
    const done: WaitPost = { id, result, error: result === WAIT_FAILED ? k.GetLastError() : 0 };
    port.postMessage(done);
  });
  port.postMessage({ ready: k.GetCurrentThreadId() } satisfies WaitPost);
}

if (!isMainThread && parentPort !== null && workerData === WAIT_THREAD.marker) run(parentPort);
