// Copyright 2026 the winipc authors. MIT license.
/**
 * Cancellable waits on kernel objects that never block the event loop, and
 * never lose a signal.
 *
 * A wait first tries the object with a zero timeout on the JavaScript thread
 * (no hop at all when it is already signalled). Otherwise the object joins a
 * *group*: up to 63 objects and the group's own wake event, waited on by one
 * `WaitForMultipleObjectsEx` call on the group's wait thread
 * (`wait_thread.ts`), never on Deno's blocking pool, which file operations,
 * child processes' output and every `nonblocking` call share. Until that
 * thread has started (about 50–75 ms under Wine), the call is made on the
 * pool, then woken and made again on the thread. Waits cost no thread of
 * their own: 200 pending waits use 4 threads, and at most 16 groups (1,008
 * objects) wait at once.
 *
 * **No lost signal.** Waiting on an auto-reset event, a semaphore or a
 * synchronisation timer consumes its signal. The system thread pool's
 * registered waits (`RegisterWaitForSingleObject`) cannot be cancelled
 * exactly: the pool's thread may already have consumed the signal when
 * `UnregisterWaitEx` reports success, and then drops it (Wine's pool does;
 * Windows documents nothing either way). `WaitForMultipleObjects` is exact:
 * it returns the lowest index that is signalled, and changes the state of
 * that object alone. The wake event comes first, so waking a call to drop an
 * object (after an abort or a timeout) never consumes that object's signal;
 * and when the call returns with an object's index, its signal was taken and
 * goes to the next waiter on that handle, or back to the object (`restore`:
 * `SetEvent`, `ReleaseSemaphore`) if nobody waits for it any more.
 *
 * **Close.** Closing an `OwnedHandle` that is being waited on ends its
 * waiters with `BadResource`, and the handle is closed only once no call
 * holds it (`OwnedHandle.setCloseGuard`): a handle is never closed under a
 * wait.
 *
 * **Timeouts** are JavaScript timers of any length (`./timeout.ts`), so one
 * call serves waiters with different deadlines; a timeout or an abort wakes
 * the call to drop the object.
 *
 * Mutexes are owned by the thread whose wait acquired them, which here would
 * be a wait thread; mutex acquisition therefore has its own path in `sync/`
 * and must not use these functions.
 *
 * @module
 */
import {
  INFINITE,
  kernel32,
  MAXIMUM_WAIT_OBJECTS,
  WAIT_ABANDONED_0,
  WAIT_FAILED,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
} from "./ffi.ts";
import { errorFromCode } from "./errors.ts";
import { OwnedHandle, pointerValue } from "./handle.ts";
import { checkTimeout, startTimer } from "./timeout.ts";
import { giveBack, takeThread, type WaitThread } from "./wait_thread.ts";

/** How a wait ended. */
export type WaitResult = "signaled" | "abandoned" | "timeout";

/**
 * Gives back a signal that the pool took for nobody (the waiter timed out,
 * was aborted, or another object won): `SetEvent`, `ReleaseSemaphore`.
 * Called with the raw handle, which is still open, and the object's index.
 */
export type Restore = (raw: Deno.PointerObject, index: number) => void;

/** Options for {@linkcode waitForHandle} and {@linkcode waitForAny}. */
export interface WaitOptions {
  /**
   * Milliseconds to wait; `Infinity` waits for ever. Any length is honoured.
   * @default {Infinity}
   */
  timeout?: number;
  /** Cancels the wait; the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** How to give back a signal nobody took; nothing is given back without it. */
  restore?: Restore | undefined;
}

/** Objects one wait thread watches: 64, less the group's wake event. */
const GROUP_SIZE = MAXIMUM_WAIT_OBJECTS - 1;
/** Groups waiting at once: each holds a wait thread (a Worker) while it waits. */
const MAX_GROUPS = 16;
/** What `returned` gets when the group's thread failed (no `WaitForMultipleObjects` result). */
const THREAD_FAILED = -1;
/** A pool call's timeout while the group's thread starts: its calls then end soon. */
const STARTUP_SLICE_MS = 20;

/** One handle's waiters, first come first served, and its place in a group. */
interface Watch {
  readonly handle: OwnedHandle;
  readonly raw: Deno.PointerObject;
  readonly waiters: Waiter[];
  group: Group | null;
  /** How to give a signal back (the last waiter's rule). */
  restore: Restore | undefined;
  /** Set when the handle was closed while a wait call still held it. */
  closeNow: (() => void) | null;
}

/** One pending wait, on one or several watches. */
class Waiter {
  #done = false;
  readonly watches: Watch[] = [];
  readonly onSignal: (index: number) => void;
  readonly onClosed: (error?: unknown) => void;

  constructor(onSignal: (index: number) => void, onClosed: (error?: unknown) => void) {
    this.onSignal = onSignal;
    this.onClosed = onClosed;
  }

  /** Leaves every watch; false if it had already ended. */
  withdraw(): boolean {
    if (this.#done) return false;
    this.#done = true;
    for (const watch of this.watches) {
      const at = watch.waiters.indexOf(this);
      if (at !== -1) watch.waiters.splice(at, 1);
      if (watch.waiters.length === 0) leave(watch);
    }
    return true;
  }
}

/**
 * Up to 63 watched objects and one `WaitForMultipleObjects` call on them,
 * on the group's wait thread, with the group's own wake event first.
 */
interface Group {
  readonly wake: OwnedHandle;
  readonly members: Watch[];
  /** What the call in flight waits on (index i + 1), or null when none is. */
  inFlight: Watch[] | null;
  /** The group's wait thread while it has members; null before it has started. */
  thread: WaitThread | null;
  /**
   * Pool calls made while the thread started, still running when it took
   * over (each ends within a slice once it runs; until then it holds its
   * handles, and a signal or wake it takes is passed on).
   */
  readonly stale: Watch[][];
  /** A thread is being started; `"pool"` once one failed to (the pool serves instead). */
  starting: boolean | "pool";
}

const watches = new WeakMap<OwnedHandle, Watch>();
const groups: Group[] = [];

/** Counters for tests and benchmarks. */
export const waitStats: {
  immediate: number;
  calls: number;
  wakes: number;
  restored: number;
} = { immediate: 0, calls: 0, wakes: 0, restored: 0 };

/** Objects being waited on, and wait calls in flight (tests). */
export function waitActivity(): { watched: number; inFlight: number } {
  let watched = 0;
  let inFlight = 0;
  for (const group of groups) {
    watched += group.members.length;
    if (group.inFlight !== null) inFlight++;
  }
  return { watched, inFlight };
}

function newGroup(): Group {
  const k = kernel32();
  const wake = OwnedHandle.from(
    k.CreateEventW(null, 0, 0, null),
    k.GetLastError(),
    "event",
    "Cannot create a wait group's event",
  );
  const group: Group = {
    wake,
    members: [],
    inFlight: null,
    thread: null,
    stale: [],
    starting: false,
  };
  groups.push(group);
  return group;
}

/**
 * Puts a watch in a group: one with room and no call in flight (the watch
 * is then waited on with no extra hop), else the least-full group with
 * room, whose call is woken to take the new member (a hop through its
 * thread, cheaper than starting another), else a new group.
 */
function join(watch: Watch): void {
  let chosen: Group | undefined;
  let roomiest: Group | undefined;
  for (const group of groups) {
    if (group.members.length >= GROUP_SIZE) continue;
    if (group.inFlight === null) {
      chosen = group;
      break;
    }
    if (roomiest === undefined || group.members.length < roomiest.members.length) {
      roomiest = group;
    }
  }
  chosen ??= roomiest;
  if (chosen === undefined && groups.length < MAX_GROUPS) chosen = newGroup();
  if (chosen === undefined) {
    throw new Deno.errors.Busy(
      `Cannot wait on ${watch.handle.kind}: ${
        GROUP_SIZE * MAX_GROUPS
      } objects are already being waited on`,
    );
  }
  const group = chosen;
  group.members.push(watch);
  watch.group = group;
  if (group.inFlight !== null) {
    waitStats.wakes++;
    kernel32().SetEvent(group.wake.raw);
  } else {
    queueIssue(group);
  }
}

/** Takes a watch out of its group; the call in flight is woken to drop it. */
function leave(watch: Watch): void {
  const group = watch.group;
  if (group === null) return;
  watch.group = null;
  group.members.splice(group.members.indexOf(watch), 1);
  if (group.inFlight !== null && group.inFlight.includes(watch)) {
    waitStats.wakes++;
    kernel32().SetEvent(group.wake.raw);
  }
}

const toIssue = new Set<Group>();

/** Issues the group's call once the current synchronous code is done (it may add more). */
function queueIssue(group: Group): void {
  if (toIssue.size === 0) queueMicrotask(issueQueued);
  toIssue.add(group);
}

function issueQueued(): void {
  for (const group of toIssue) {
    toIssue.delete(group);
    if (group.inFlight === null) issue(group);
  }
}

function issue(group: Group): void {
  const k = kernel32();
  let snapshot: Watch[];
  let handles: BigUint64Array;
  // One zero-timeout try on the JavaScript thread first: an object
  // signalled since the last call (often in the same turn as its wait)
  // costs no hop. Each try takes at most one signal; a few, then the thread.
  for (let tries = 0;; tries++) {
    if (group.members.length === 0) {
      // Nothing to wait for: the thread goes back (unref'd), so that an idle
      // process can end.
      if (group.thread !== null) {
        giveBack(group.thread);
        group.thread = null;
      }
      return;
    }
    snapshot = [...group.members];
    handles = new BigUint64Array(snapshot.length + 1);
    handles[0] = pointerValue(group.wake.raw);
    for (const [i, watch] of snapshot.entries()) handles[i + 1] = pointerValue(watch.raw);
    if (tries === GROUP_SIZE) break;
    const now = k.WaitForMultipleObjects(handles.length, new Uint8Array(handles.buffer), 0, 0);
    if (now === WAIT_TIMEOUT) break;
    waitStats.immediate++;
    settle(group, snapshot, now);
  }
  if (group.thread === null && group.starting === false) startThread(group);
  group.inFlight = snapshot;
  waitStats.calls++;
  const bytes = new Uint8Array(handles.buffer);
  const thread = group.thread;
  if (thread !== null) {
    thread.call(bytes, handles.length, false, INFINITE).then((done) =>
      returned(group, snapshot, done.threadFailed ? THREAD_FAILED : done.result, handles)
    );
    return;
  }
  // No thread yet: Deno's blocking pool, in short slices while it starts.
  const ms = group.starting === true ? STARTUP_SLICE_MS : INFINITE;
  k.WaitForMultipleObjectsNb(handles.length, bytes, 0, ms).then((result) =>
    returned(group, snapshot, result, handles)
  );
}

/**
 * Starts the group's thread. Meanwhile its calls are made on Deno's
 * blocking pool, which may be busy with other work; once the thread is
 * there, it takes over at once, and a pool call still running is left to
 * end by its slice (`Group.stale`).
 */
function startThread(group: Group): void {
  group.starting = true;
  takeThread().then((thread) => {
    group.starting = false;
    group.thread = thread;
    if (group.inFlight !== null) {
      group.stale.push(group.inFlight);
      group.inFlight = null;
      issue(group);
    } else if (group.members.length === 0) {
      giveBack(thread);
      group.thread = null;
    }
  }, () => {
    // No thread: the pool serves this group from now on.
    group.starting = "pool";
  });
}

/** A group's call returned: exactly one object's signal (or none) was taken. */
function returned(group: Group, snapshot: Watch[], result: number, _keep: unknown): void {
  const stale = group.inFlight !== snapshot;
  if (stale) {
    group.stale.splice(group.stale.indexOf(snapshot), 1);
    // A wake meant for the call that took over: passed on.
    if (result === WAIT_OBJECT_0) kernel32().SetEvent(group.wake.raw);
  } else {
    group.inFlight = null;
  }
  settle(group, snapshot, result);
  if (!stale) issue(group);
}

/**
 * Gives out what one call took (exactly one object's signal, or none), and
 * closes the handles that waited for the call to let go of them.
 */
function settle(group: Group, snapshot: Watch[], result: number): void {
  let taken: Watch | null = null;
  if (result === THREAD_FAILED) {
    // The thread's Worker failed. The pool serves this group from now on.
    group.thread?.end();
    group.thread = null;
    group.starting = "pool";
  } else if (result >= WAIT_OBJECT_0 + 1 && result <= WAIT_OBJECT_0 + snapshot.length) {
    taken = snapshot[result - WAIT_OBJECT_0 - 1] ?? null;
  } else if (result >= WAIT_ABANDONED_0 + 1 && result <= WAIT_ABANDONED_0 + snapshot.length) {
    taken = snapshot[result - WAIT_ABANDONED_0 - 1] ?? null;
  } else if (result === WAIT_FAILED) {
    // Every handle is kept open while a call holds it, so one of them was
    // closed behind winipc's back (through `unsafeHandle`) or is not
    // waitable. Find it by trying each alone: only its waiters fail, and a
    // signal such a try takes is delivered as the call would have.
    const k = kernel32();
    for (const watch of snapshot) {
      if (watch.waiters.length === 0) continue;
      const alone = k.WaitForSingleObject(watch.raw, 0);
      if (alone === WAIT_FAILED) {
        const failure = new Deno.errors.BadResource(
          `Cannot wait on ${watch.handle.kind}: its handle is not valid (closed elsewhere?)`,
        );
        for (const waiter of [...watch.waiters]) {
          if (waiter.withdraw()) waiter.onClosed(failure);
        }
      } else if (alone === WAIT_OBJECT_0 || alone === WAIT_ABANDONED_0) {
        deliver(watch);
      }
    }
  }
  if (taken !== null) deliver(taken);
  // Closes that waited for this call to let go of their handles.
  for (const watch of snapshot) {
    if (watch.closeNow !== null && !held(watch)) {
      const closeNow = watch.closeNow;
      watch.closeNow = null;
      closeNow();
    }
  }
}

/** A signal was taken for this watch: to its first waiter, else back to the object. */
function deliver(watch: Watch): void {
  const waiter = watch.waiters[0];
  if (waiter === undefined) {
    if (watch.restore !== undefined) {
      waitStats.restored++;
      watch.restore(watch.raw, 0);
    }
    return;
  }
  const index = waiter.watches.indexOf(watch);
  waiter.withdraw();
  waiter.onSignal(index);
}

/** Whether a call in flight still holds the watch's handle. */
function held(watch: Watch): boolean {
  return groups.some((group) =>
    (group.inFlight !== null && group.inFlight.includes(watch)) ||
    group.stale.some((snapshot) => snapshot.includes(watch))
  );
}

function watchOf(handle: OwnedHandle): Watch {
  let watch = watches.get(handle);
  if (watch === undefined) {
    const created: Watch = {
      handle,
      raw: handle.raw,
      waiters: [],
      group: null,
      restore: undefined,
      closeNow: null,
    };
    watch = created;
    watches.set(handle, created);
    handle.setCloseGuard((closeNow) => onClose(created, closeNow));
  }
  return watch;
}

/** The handle is being closed: end its waiters, and close once no call holds it. */
function onClose(watch: Watch, closeNow: () => void): void {
  watches.delete(watch.handle);
  for (const waiter of [...watch.waiters]) {
    if (waiter.withdraw()) waiter.onClosed();
  }
  leave(watch);
  if (held(watch)) {
    watch.closeNow = closeNow; // `returned` closes it
  } else {
    closeNow();
  }
}

function closedError(handle: OwnedHandle): Error {
  return new Deno.errors.BadResource(`Cannot wait on ${handle.kind}: it was closed while waiting`);
}

/** Waits on the watches of `handles` with one waiter; the first to fire wins. */
function waitOn(
  handles: readonly OwnedHandle[],
  timeout: number,
  signal: AbortSignal | undefined,
  restore: Restore | undefined,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const first = handles[0];
    if (first === undefined) throw new RangeError("Cannot wait for any of no objects");
    let cancelTimer = () => {};
    const onAbort = () => {
      if (waiter.withdraw()) {
        cancelTimer();
        reject(signal!.reason);
      }
    };
    const end = () => {
      cancelTimer();
      signal?.removeEventListener("abort", onAbort);
    };
    const waiter = new Waiter(
      (index) => {
        end();
        resolve(index);
      },
      (error?: unknown) => {
        end();
        reject(error ?? closedError(first));
      },
    );
    try {
      for (const [i, handle] of handles.entries()) {
        const watch = watchOf(handle);
        if (restore !== undefined) {
          const index = i;
          watch.restore = (raw) => restore(raw, index);
        }
        if (waiter.watches.includes(watch)) continue; // the same object twice
        watch.waiters.push(waiter);
        waiter.watches.push(watch);
        if (watch.group === null) join(watch);
      }
    } catch (error) {
      waiter.withdraw();
      reject(error);
      return;
    }
    cancelTimer = startTimer(timeout, () => {
      if (waiter.withdraw()) {
        signal?.removeEventListener("abort", onAbort);
        resolve(-1);
      }
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function busy(handle: OwnedHandle): boolean {
  const watch = watches.get(handle);
  return watch !== undefined && watch.waiters.length > 0;
}

/**
 * Waits until a kernel object is signalled, the timeout passes, or the
 * signal aborts.
 *
 * @param handle The object (event, semaphore, process, thread, waitable timer).
 * @param options Timeout, cancellation, and how to give back a signal nobody took.
 * @returns `"signaled"` (or `"abandoned"` when the object is an abandoned
 * mutex caught by the immediate check), or `"timeout"`.
 * @throws {RangeError} For a bad timeout.
 * @throws The signal's reason when aborted; `BadResource` if the handle is
 * (or gets) closed; a mapped Win32 error if the wait cannot be made.
 */
export function waitForHandle(
  handle: OwnedHandle,
  options: WaitOptions = {},
): Promise<WaitResult> {
  try {
    const timeout = checkTimeout(options.timeout, "wait");
    options.signal?.throwIfAborted();
    const raw = handle.raw;
    // Waiters queue in order: no immediate take past one already waiting.
    if (!busy(handle)) {
      const k = kernel32();
      const now = k.WaitForSingleObject(raw, 0);
      if (now === WAIT_FAILED) throw errorFromCode(k.GetLastError(), "Cannot wait");
      if (now === WAIT_OBJECT_0 || now === WAIT_ABANDONED_0) {
        waitStats.immediate++;
        return Promise.resolve(now === WAIT_OBJECT_0 ? "signaled" : "abandoned");
      }
    }
    if (timeout === 0) return Promise.resolve("timeout");
    return waitOn([handle], timeout, options.signal, options.restore).then((index) =>
      index === -1 ? "timeout" : "signaled"
    );
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Waits until any of several kernel objects is signalled; any number of
 * objects (there is no 64-object limit, as no single Win32 wait is used).
 *
 * Objects are tried in order first without waiting. Otherwise each object's
 * watch gets this waiter, and the first to fire wins; the others keep their
 * registrations, and a signal they take later goes to the next waiter or
 * back to the object (`restore`), so no signal is lost.
 *
 * @param handles The objects.
 * @param options Timeout, cancellation, and how to give back signals.
 * @returns The index of the object that was signalled, or -1 on timeout.
 * @throws {RangeError} For an empty list or a bad timeout.
 * @throws The signal's reason when aborted; `BadResource` if one of the
 * handles is (or gets) closed.
 */
export function waitForAny(
  handles: readonly OwnedHandle[],
  options: WaitOptions = {},
): Promise<number> {
  try {
    if (handles.length === 0) throw new RangeError("Cannot wait for any of no objects");
    const timeout = checkTimeout(options.timeout, "wait");
    options.signal?.throwIfAborted();
    const k = kernel32();
    for (const [i, handle] of handles.entries()) {
      const raw = handle.raw;
      if (busy(handle)) continue;
      const now = k.WaitForSingleObject(raw, 0);
      if (now === WAIT_FAILED) throw errorFromCode(k.GetLastError(), `Cannot wait on object ${i}`);
      if (now !== WAIT_TIMEOUT) {
        waitStats.immediate++;
        return Promise.resolve(i);
      }
    }
    if (timeout === 0) return Promise.resolve(-1);
    return waitOn(handles, timeout, options.signal, options.restore);
  } catch (error) {
    return Promise.reject(error);
  }
}
