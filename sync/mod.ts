// Copyright 2026 the winipc authors. MIT license.
/**
 * Synchronisation objects: mutexes, events, semaphores, waitable timers and
 * timer-queue timers, named (shared with any process) or not, and waits on
 * many objects at once.
 * Every wait is a promise that holds no thread, honours a timeout and an
 * `AbortSignal`, and never leaves a signal consumed when it is cancelled.
 *
 * ```ts ignore
 * import { createEvent, createSemaphore, waitAny } from "@winipc/winipc/sync";
 *
 * using ready = createEvent("my-app-ready", { manualReset: true });
 * await ready.wait({ timeout: 5000 });
 *
 * using slots = createSemaphore("my-app-slots", { initial: 4, maximum: 4 });
 * using permit = await slots.acquire();
 * ```
 *
 * Names follow the rule of shared memory's names: they stay in `Local\` or
 * `Global\` (no backslash after it, not `.`, `..` or a namespace link such
 * as `Global`, no control characters), or a `TypeError` names the rule.
 *
 * @module
 */
export { SyncObject } from "./_object.ts";
export type { SyncObjectOptions, SyncSecurity, SyncWaitOptions } from "./_object.ts";
export { createEvent, Event, openEvent } from "./event.ts";
export type { CreateEventOptions } from "./event.ts";
export { createSemaphore, openSemaphore, Semaphore, SemaphorePermit } from "./semaphore.ts";
export type { CreateSemaphoreOptions } from "./semaphore.ts";
export { createWaitableTimer, openWaitableTimer, WaitableTimer } from "./timer.ts";
export type { CreateWaitableTimerOptions, TimerSetOptions } from "./timer.ts";
export { waitAll, waitAny } from "./wait_many.ts";
export { createMutex, Mutex, MutexLock, openMutex } from "./mutex.ts";
export { setTimerQueueTimer, TimerQueueTimer } from "./timer_queue.ts";
export type { TimerQueueTimerOptions } from "./timer_queue.ts";
