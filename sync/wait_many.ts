// Copyright 2026 the winipc authors. MIT license.
/**
 * Waits on many objects: `waitAny` and `waitAll`.
 *
 * @module
 */
import {
  kernel32,
  MAXIMUM_WAIT_OBJECTS,
  WAIT_ABANDONED_0,
  WAIT_FAILED,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
} from "../_win32/ffi.ts";
import { pointerValue } from "../_win32/handle.ts";
import { waitForAny } from "../_win32/wait.ts";
import { checkTimeout } from "../_win32/timeout.ts";
import type { SyncObject, SyncWaitOptions } from "./_object.ts";

/** The longest single wait of `waitAll`, so that an abort or deadline is seen promptly. */
const SLICE_MS = 100;

function checkObjects(objects: readonly SyncObject[], what: string): void {
  if (!Array.isArray(objects) || objects.length === 0) {
    throw new RangeError(`Cannot ${what}: give at least one object`);
  }
}

/**
 * Waits until any one of the objects is signalled, holding no thread per
 * object; any number of objects (beyond Windows' 64). The winner's signal
 * is consumed as a wait on it alone would; signals that losing objects
 * gave in the same instant are put back.
 *
 * @param objects Events, semaphores, timers.
 * @param options Timeout and cancellation.
 * @returns The index of the signalled object.
 * @throws {Deno.errors.TimedOut} If none was signalled in time.
 */
export async function waitAny(
  objects: readonly SyncObject[],
  options: SyncWaitOptions = {},
): Promise<number> {
  checkObjects(objects, "wait for any object");
  for (const object of objects) object.raw("wait for");
  const index = await waitForAny(objects.map((object) => object.handle), {
    timeout: options.timeout,
    signal: options.signal,
    restore: (raw, i) => objects[i].restore(raw),
  });
  if (index === -1) {
    throw new Deno.errors.TimedOut(
      `None of ${objects.length} objects was signalled within ${options.timeout} ms`,
    );
  }
  return index;
}

/**
 * Waits until all of the objects are signalled.
 *
 * Up to 64 objects (`MAXIMUM_WAIT_OBJECTS`) the wait is atomic, as
 * `WaitForMultipleObjects(bWaitAll)` makes it: no signal is consumed until
 * all are there at once. That call blocks, so it runs on Deno's blocking
 * pool (one pool thread while it waits) in slices of at most 100 ms, so
 * that a timeout or abort ends it promptly; a slice that succeeds after an
 * abort gives every signal back.
 *
 * Above 64 objects Windows offers no atomic wait: the objects are waited
 * for one after another, each signal being consumed as it comes (an early
 * semaphore unit is held while later objects are awaited). On abort or
 * timeout the signals already taken are given back.
 *
 * @param objects Events, semaphores, timers.
 * @param options Timeout and cancellation.
 * @throws {Deno.errors.TimedOut} If not all were signalled in time.
 */
export async function waitAll(
  objects: readonly SyncObject[],
  options: SyncWaitOptions = {},
): Promise<void> {
  checkObjects(objects, "wait for all objects");
  const { signal } = options;
  signal?.throwIfAborted();
  const timeout = checkTimeout(options.timeout, "wait for all objects");
  const deadline = performance.now() + timeout;
  const timedOut = () =>
    new Deno.errors.TimedOut(
      `Not all of ${objects.length} objects were signalled within ${timeout} ms`,
    );
  if (objects.length > MAXIMUM_WAIT_OBJECTS) {
    const taken: SyncObject[] = [];
    try {
      for (const object of objects) {
        const left = deadline - performance.now();
        if (left <= 0) throw timedOut();
        object.raw("wait for");
        const index = await waitForAny([object.handle], {
          timeout: left,
          signal,
          restore: (raw) => object.restore(raw),
        });
        if (index === -1) throw timedOut();
        taken.push(object);
      }
    } catch (error) {
      for (const object of taken) object.restore();
      throw error;
    }
    return;
  }
  const handles = new BigUint64Array(objects.map((object) => pointerValue(object.raw("wait for"))));
  const k = kernel32();
  while (true) {
    const left = deadline - performance.now();
    const slice = Math.max(0, Math.min(SLICE_MS, Math.ceil(left)));
    const result = await k.WaitForMultipleObjectsNb(
      objects.length,
      new Uint8Array(handles.buffer),
      1,
      slice,
    );
    const all = (result >= WAIT_OBJECT_0 && result < WAIT_OBJECT_0 + objects.length) ||
      (result >= WAIT_ABANDONED_0 && result < WAIT_ABANDONED_0 + objects.length);
    if (all) {
      if (signal?.aborted) {
        for (const object of objects) object.restore();
        throw signal.reason;
      }
      return;
    }
    if (result === WAIT_FAILED) {
      throw new Deno.errors.BadResource(
        "Cannot wait for all objects: one of the handles is invalid",
      );
    }
    if (result !== WAIT_TIMEOUT) throw new Error(`WaitForMultipleObjects returned ${result}`);
    signal?.throwIfAborted();
    if (deadline - performance.now() <= 0) throw timedOut();
  }
}
