// Copyright 2026 the winipc authors. MIT license.
/**
 * Synchronisation objects: mutexes, events, semaphores, waitable timers and
 * timer-queue timers, named (shared with any process) or not, and waits on
 * many objects at once.
 *
 * Every kind is made the same way:
 *
 * - `createX(options?)` makes a new unnamed object, `createX(name, options?)`
 *   a new named one, and fails with `Deno.errors.AlreadyExists` if the name
 *   is taken;
 * - `openX(name, options?)` opens an existing one, or fails with
 *   `Deno.errors.NotFound`;
 * - `openOrCreateX(name, options?)` does either, and `created` says which.
 *
 * Every wait (`wait`, `acquire`, `waitAny`, `waitAll`) is a promise that
 * takes a `timeout` in milliseconds (`Infinity` by default; `0` tries once
 * and fails with `TimedOut`) and an `AbortSignal`, and never leaves a signal
 * consumed when it is cancelled. Single waits and `waitAny` hold no thread of
 * their own; `waitAll` over 64 objects or fewer waits on a thread of its own
 * (see {@linkcode waitAll}).
 *
 * ```ts no-run
 * import { createEvent, createSemaphore, waitAny } from "@winipc/winipc/sync";
 *
 * using ready = createEvent("my-app-ready", { manualReset: true }); // another process sets it
 * await ready.wait({ timeout: 5000 }); // TimedOut unless it is set within 5 s
 *
 * using slots = createSemaphore({ initial: 4, maximum: 4 });
 * using permit = await slots.acquire();
 * const first = await waitAny([ready, slots], { timeout: 1000 }); // 0: ready is still set
 * ```
 *
 * Names follow the rule of shared memory's names: they stay in `Local\` or
 * `Global\` (no backslash after it, not `.`, `..` or a namespace link such
 * as `Global`, no control characters), or a `TypeError` names the rule.
 *
 * @module
 */
export type { SecurityRule, WaitOptions } from "../_win32/options.ts";
export { SyncObject } from "./_object.ts";
export type { CreateSyncObjectOptions, OpenSyncObjectOptions } from "./_object.ts";
export { createEvent, openEvent, openOrCreateEvent, SyncEvent } from "./event.ts";
export type { CreateEventOptions } from "./event.ts";
export {
  createSemaphore,
  openOrCreateSemaphore,
  openSemaphore,
  Semaphore,
  SemaphorePermit,
} from "./semaphore.ts";
export type { CreateSemaphoreOptions } from "./semaphore.ts";
export {
  createWaitableTimer,
  openOrCreateWaitableTimer,
  openWaitableTimer,
  WaitableTimer,
} from "./timer.ts";
export type { CreateWaitableTimerOptions, TimerSetOptions, TimerTicksOptions } from "./timer.ts";
export { waitAll, waitAny } from "./wait_many.ts";
export type { Waitable } from "./wait_many.ts";
export { createMutex, Mutex, MutexLock, openMutex, openOrCreateMutex } from "./mutex.ts";
export { setTimerQueueTimer, TimerQueueTimer } from "./timer_queue.ts";
export type { TimerQueueTimerOptions } from "./timer_queue.ts";
