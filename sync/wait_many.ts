// Copyright 2026 the winipc authors. MIT license.
/**
 * Waits on many objects: `waitAny` and `waitAll`, and the `Waitable` type.
 *
 * @module
 */
import {
  kernel32,
  MAXIMUM_WAIT_OBJECTS,
  WAIT_FAILED,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
} from "../_win32/ffi.ts";
import { errorFromCode } from "../_win32/errors.ts";
import { pointerValue, sameObject } from "../_win32/handle.ts";
import { checkWaitOptions } from "../_win32/timeout.ts";
import type { WaitOptions } from "../_win32/options.ts";
import { waitForAny } from "../_win32/wait.ts";
import { waitForAll } from "../_win32/wait_all.ts";
import { internalsOf, liveHandle, type SyncInternals, type SyncObject } from "./_object.ts";
import type { SyncEvent } from "./event.ts";
import type { Semaphore } from "./semaphore.ts";
import type { WaitableTimer } from "./timer.ts";

/**
 * What {@linkcode waitAny} and {@linkcode waitAll} wait on: objects whose
 * wait is a plain wait, that takes at most a signal which can be given back
 * (an auto-reset event's, a semaphore's unit, a timer's firing).
 *
 * A {@linkcode Mutex} is not one: a wait on it makes the waiting thread its
 * owner, which here would be a wait thread; use `Mutex.acquire()`. The
 * union may grow with other waitable objects (child processes, for
 * instance) in a later version.
 */
export type Waitable = SyncEvent | Semaphore | WaitableTimer;

/** Checks the list; the internals of each object, in order. */
function checkObjects(objects: readonly Waitable[], what: string): SyncInternals[] {
  if (!Array.isArray(objects)) {
    throw new TypeError(`Cannot ${what}: objects must be an array`);
  }
  if (objects.length === 0) throw new RangeError(`Cannot ${what}: give at least one object`);
  return objects.map((object: SyncObject, i) => {
    let internals: SyncInternals;
    try {
      internals = internalsOf(object);
    } catch {
      throw new TypeError(
        `Cannot ${what}: object ${i} is not an event, a semaphore or a waitable timer`,
      );
    }
    if (internals.restore === null) {
      throw new TypeError(
        `Cannot ${what}: object ${i} is a ${internals.kind}, whose wait is not a plain wait (use its acquire())`,
      );
    }
    liveHandle(object, what);
    return internals;
  });
}

/**
 * Waits until any one of the objects is signalled, holding no thread of its
 * own; any number of objects (beyond Windows' 64). The winner's signal is
 * consumed as a wait on it alone would; signals that losing objects gave in
 * the same instant are put back.
 *
 * @example Whichever comes first
 * ```ts no-run
 * import { openEvent, openSemaphore, waitAny } from "@winipc/winipc/sync";
 *
 * using ready = openEvent("my-app-ready");
 * using slots = openSemaphore("my-app-slots");
 * const index = await waitAny([ready, slots], { timeout: 1000 });
 * ```
 *
 * @param objects Events, semaphores, waitable timers (no mutex).
 * @param options Timeout (default `Infinity`; `0` tries each once) and cancellation.
 * @returns The index of the signalled object.
 * @throws {Deno.errors.TimedOut} If none was signalled in time.
 * @throws {RangeError} For an empty list or a bad timeout.
 * @throws {TypeError} For something that is not a {@linkcode Waitable}.
 * @throws {Deno.errors.BadResource} If an object is (or gets) closed.
 */
export async function waitAny(
  objects: readonly Waitable[],
  options?: WaitOptions,
): Promise<number> {
  const internals = checkObjects(objects, "wait for any object");
  const { timeout, signal } = checkWaitOptions(options, "wait for any object");
  const index = await waitForAny(internals.map((object) => object.handle), {
    timeout,
    signal,
    restore: (raw, i) => {
      const object = internals[i];
      if (object === undefined) throw new RangeError(`No object ${i} to give a signal back to`);
      object.restore!(raw);
    },
  });
  if (index === -1) {
    throw new Deno.errors.TimedOut(
      `None of ${objects.length} objects was signalled within ${timeout} ms`,
    );
  }
  return index;
}

/**
 * Waits until all of the objects are signalled.
 *
 * Up to 64 objects (`MAXIMUM_WAIT_OBJECTS`) the wait is atomic, as
 * `WaitForMultipleObjects(bWaitAll)` makes it: no signal is consumed until
 * all are there at once. **What that costs:** such a call cannot be woken by
 * a wake event (it would have to be signalled along with all the others),
 * so it runs alertable on a thread of its own (a `node:worker_threads`
 * Worker, kept for the next `waitAll` and never keeping the process
 * alive while idle), and an abort or a close wakes it at once with an APC.
 * It sleeps until the kernel wakes it: no slices, no polling, and the
 * timeout is the call's own, exact. A call that succeeds in the instant of
 * an abort gives every signal back. The first `waitAll` that has to wait
 * starts the thread (tens of milliseconds); one try is made first on the
 * JavaScript thread, so objects that are all signalled already cost no
 * thread. The call waits on duplicates of the handles: closing an object
 * while it waits ends the wait with `BadResource`, never a close under
 * the call.
 *
 * Above 64 objects Windows offers no atomic wait: the objects are waited
 * for one after another (holding no thread), each signal being consumed as
 * it comes (an early semaphore unit is held while later objects are
 * awaited). On abort or timeout the signals already taken are given back.
 *
 * @example Both at once
 * ```ts no-run
 * import { openEvent, openSemaphore, waitAll } from "@winipc/winipc/sync";
 *
 * using ready = openEvent("my-app-ready");
 * using slots = openSemaphore("my-app-slots");
 * await waitAll([ready, slots], { timeout: 5000 });
 * ```
 *
 * @param objects Events, semaphores, waitable timers (no mutex).
 * @param options Timeout (default `Infinity`; `0` tries once) and cancellation.
 * @returns Resolves once all were signalled (and their signals taken).
 * @throws {Deno.errors.TimedOut} If not all were signalled in time.
 * @throws {RangeError} For an empty list or a bad timeout.
 * @throws {TypeError} For something that is not a {@linkcode Waitable}, or (up to 64
 * objects) the same object twice, even through two handles, as Windows refuses it.
 * @throws {Deno.errors.BadResource} If an object is closed.
 */
export async function waitAll(
  objects: readonly Waitable[],
  options?: WaitOptions,
): Promise<void> {
  const what = "wait for all objects";
  const internals = checkObjects(objects, what);
  const { timeout, signal } = checkWaitOptions(options, what);
  signal?.throwIfAborted();
  const deadline = performance.now() + timeout;
  const timedOut = () =>
    new Deno.errors.TimedOut(
      timeout === 0
        ? `Not all of ${objects.length} objects are signalled (timeout 0: one try)`
        : `Not all of ${objects.length} objects were signalled within ${timeout} ms`,
    );
  if (objects.length > MAXIMUM_WAIT_OBJECTS) {
    const taken: SyncInternals[] = [];
    try {
      for (const [i, waitable] of objects.entries()) {
        const left = Math.max(0, deadline - performance.now());
        liveHandle(waitable, what);
        const object = internals[i];
        if (object === undefined) throw new RangeError(`No internals for object ${i}`);
        const index = await waitForAny([object.handle], {
          timeout: left,
          signal,
          restore: (raw) => object.restore!(raw),
        });
        if (index === -1) throw timedOut();
        taken.push(object);
      }
    } catch (error) {
      for (const object of taken) if (!object.handle.closed) object.restore!(object.handle.raw);
      throw error;
    }
    return;
  }
  const count = objects.length;
  // Windows refuses an object twice in a wait for all (Wine took one signal for both).
  for (let i = 1; i < count; i++) {
    for (let j = 0; j < i; j++) {
      if (sameObject(internals[i]!.handle.raw, internals[j]!.handle.raw)) {
        throw new TypeError(`Cannot ${what}: objects ${j} and ${i} are the same object`);
      }
    }
  }
  const handles = new Uint8Array(
    new BigUint64Array(objects.map((object) => pointerValue(liveHandle(object, what)))).buffer,
  );
  // One try on the JavaScript thread: a zero timeout never blocks, and
  // objects that are all signalled already cost no thread.
  const k = kernel32();
  const result = k.WaitForMultipleObjects(count, handles, 1, 0);
  if (result === WAIT_FAILED) throw errorFromCode(k.GetLastError(), `Cannot ${what}`);
  if (result !== WAIT_TIMEOUT) {
    if (result < WAIT_OBJECT_0 || result >= WAIT_OBJECT_0 + count) {
      throw new Error(`Cannot ${what}: WaitForMultipleObjects returned ${result}`);
    }
    return;
  }
  if (timeout === 0) throw timedOut();
  const outcome = await waitForAll(internals.map((object) => object.handle), timeout, signal);
  switch (outcome.kind) {
    case "signalled":
      if (signal?.aborted) {
        // The wait won, but the caller has gone: give every signal back.
        for (const object of internals) {
          if (!object.handle.closed) object.restore!(object.handle.raw);
        }
        throw signal.reason;
      }
      return;
    case "timeout":
      throw timedOut();
    case "aborted":
      throw outcome.reason;
    case "closed":
      throw new Deno.errors.BadResource(
        `Cannot ${what}: object ${outcome.index} was closed while waiting`,
      );
  }
}
