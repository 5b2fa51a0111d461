// Copyright 2026 the winipc authors. MIT license.
/**
 * Cancellable waits on kernel objects that never block the event loop.
 *
 * A wait first tries the object with a zero timeout on the JavaScript thread
 * (no hop at all when it is already signalled). Otherwise it is registered
 * with the system thread pool (`RegisterWaitForSingleObject` with
 * `WT_EXECUTEINWAITTHREAD | WT_EXECUTEONLYONCE`): the pool's wait threads
 * each watch up to 63 objects, so waits cost no thread of their own, and the
 * pool calls back into JavaScript through one shared thread-safe callback.
 * The timeout is the kernel's, so no JavaScript timer runs; an `AbortSignal`
 * unregisters the wait.
 *
 * What a wait consumes: waiting on an auto-reset event or a semaphore takes
 * its signal (or one count), as any Win32 wait does. If a wait is cancelled
 * at the instant its object is signalled, the signal may already be taken;
 * the `restore` option puts it back (`SetEvent`, `ReleaseSemaphore`), so a
 * cancelled wait never swallows a signal. `waitForAny` uses the same rule for
 * the objects that fired after the first.
 *
 * Mutexes are owned by the thread whose wait acquired them, which here would
 * be a pool thread; mutex acquisition therefore has its own path in `sync/`
 * and must not use these functions.
 *
 * @module
 */
import {
  INFINITE,
  kernel32,
  WAIT_ABANDONED_0,
  WAIT_FAILED,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
} from "./ffi.ts";
import { ERROR, lastError, throwLastError } from "./errors.ts";
import { OwnedHandle } from "./handle.ts";

/** How a wait ended. */
export type WaitResult = "signaled" | "abandoned" | "timeout";

/** Options for {@linkcode waitForHandle} and {@linkcode waitForAny}. */
export interface WaitOptions {
  /**
   * Milliseconds to wait; `Infinity` waits for ever.
   * @default {Infinity}
   */
  timeout?: number;
  /** Cancels the wait; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Called for an object whose signal a cancelled (or losing, for
   * `waitForAny`) wait consumed, with its index, so the caller can put the
   * signal back.
   */
  restore?: (index: number) => void;
}

const WT_EXECUTEINWAITTHREAD = 0x4;
const WT_EXECUTEONLYONCE = 0x8;
const MAX_TIMEOUT = 0xffff_fffe;

interface Registration {
  readonly waitHandle: BigUint64Array;
  readonly onFire: (timedOut: boolean) => void;
  /** Set once the wait was unregistered while its callback was already running. */
  orphaned: boolean;
}

const registrations = new Map<number, Registration>();
let nextId = 1;
let callback:
  | Deno.UnsafeCallback<{ readonly parameters: ["pointer", "u8"]; readonly result: "void" }>
  | null = null;
let referenced = false;

/** Counters for tests and benchmarks. */
export const waitStats: { immediate: number; registered: number; restored: number } = {
  immediate: 0,
  registered: 0,
  restored: 0,
};

function sharedCallback(): Deno.PointerObject {
  if (callback === null) {
    callback = Deno.UnsafeCallback.threadSafe(
      { parameters: ["pointer", "u8"], result: "void" } as const,
      (context, timedOut) => fire(Number(Deno.UnsafePointer.value(context)), timedOut !== 0),
    );
    callback.unref();
  }
  return callback.pointer;
}

/** Keeps the event loop alive exactly while a registration exists. */
function updateRef(): void {
  const want = registrations.size > 0;
  if (callback !== null && want !== referenced) {
    referenced = want;
    if (want) callback.ref();
    else callback.unref();
  }
}

function fire(id: number, timedOut: boolean): void {
  const registration = registrations.get(id);
  if (registration === undefined) return;
  registrations.delete(id);
  if (!registration.orphaned) {
    // Frees the one-shot registration; from inside the callback this reports
    // ERROR_IO_PENDING, which is expected.
    kernel32().UnregisterWaitEx(handleOf(registration), null);
  }
  updateRef();
  registration.onFire(timedOut);
}

function handleOf(registration: Registration): Deno.PointerObject {
  return Deno.UnsafePointer.create(registration.waitHandle[0])!;
}

/**
 * Registers one pool wait. Returns a function that unregisters it and says
 * whether the callback may still come (true: it is already running).
 */
function register(
  raw: Deno.PointerObject,
  timeout: number,
  onFire: (timedOut: boolean) => void,
  context: string,
): () => boolean {
  const k = kernel32();
  const id = nextId++;
  if (nextId > 0x7fff_ffff) nextId = 1;
  const registration: Registration = { waitHandle: new BigUint64Array(1), onFire, orphaned: false };
  const ok = k.RegisterWaitForSingleObject(
    registration.waitHandle,
    raw,
    sharedCallback(),
    Deno.UnsafePointer.create(BigInt(id)),
    timeout,
    WT_EXECUTEINWAITTHREAD | WT_EXECUTEONLYONCE,
  );
  if (!ok) throwLastError(context);
  waitStats.registered++;
  registrations.set(id, registration);
  updateRef();
  return () => {
    if (!registrations.has(id)) return false;
    if (k.UnregisterWaitEx(handleOf(registration), null)) {
      registrations.delete(id);
      updateRef();
      return false;
    }
    if (lastError() === ERROR.IO_PENDING) {
      // The callback is running and will reach us; `fire` cleans up.
      registration.orphaned = true;
      return true;
    }
    registrations.delete(id);
    updateRef();
    return false;
  };
}

function toMilliseconds(timeout: number | undefined, what: string): number {
  if (timeout === undefined || timeout === Infinity) return INFINITE;
  if (typeof timeout !== "number" || Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(
      `Cannot ${what}: timeout must be a non-negative number of milliseconds, got ${timeout}`,
    );
  }
  return Math.min(Math.ceil(timeout), MAX_TIMEOUT);
}

function rawOf(object: OwnedHandle | Deno.PointerObject): Deno.PointerObject {
  return object instanceof OwnedHandle ? object.raw : object;
}

/**
 * Waits until a kernel object is signalled, the timeout passes, or the
 * signal aborts.
 *
 * @param object The object (event, semaphore, process, thread, waitable timer).
 * @param options Timeout, cancellation, and how to restore a consumed signal.
 * @returns `"signaled"` (or `"abandoned"` when the object is an abandoned
 * mutex caught by the immediate check), or `"timeout"`.
 * @throws {RangeError} For a bad timeout.
 * @throws The signal's reason when aborted; a mapped Win32 error if the wait
 * cannot be made (for example a closed handle).
 */
export function waitForHandle(
  object: OwnedHandle | Deno.PointerObject,
  options: WaitOptions = {},
): Promise<WaitResult> {
  const { signal, restore } = options;
  try {
    const timeout = toMilliseconds(options.timeout, "wait");
    signal?.throwIfAborted();
    const raw = rawOf(object);
    const now = kernel32().WaitForSingleObject(raw, 0);
    if (now === WAIT_FAILED) throwLastError("Cannot wait");
    if (now === WAIT_OBJECT_0 || now === WAIT_ABANDONED_0) {
      waitStats.immediate++;
      return Promise.resolve(now === WAIT_OBJECT_0 ? "signaled" : "abandoned");
    }
    if (timeout === 0) return Promise.resolve("timeout");
    return new Promise<WaitResult>((resolve, reject) => {
      // Set when the wait was cancelled while its callback was on its way:
      // if that callback brings a signal, it is given back.
      let cancelledLate = false;
      const onAbort = () => {
        cancelledLate = unregister();
        reject(signal!.reason);
      };
      const unregister = register(raw, timeout, (timedOut) => {
        signal?.removeEventListener("abort", onAbort);
        if (cancelledLate) {
          if (!timedOut && restore) {
            waitStats.restored++;
            restore(0);
          }
          return;
        }
        resolve(timedOut ? "timeout" : "signaled");
      }, "Cannot wait");
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Waits until any of several kernel objects is signalled; any number of
 * objects (there is no 64-object limit, as no single Win32 wait is used).
 *
 * Objects are tried in order first without waiting. Otherwise one pool wait
 * is registered per object, and the first to fire wins; the others are
 * unregistered, and any that fired in the same instant are handed to
 * `restore` so that their signals are not lost.
 *
 * @param objects The objects.
 * @param options Timeout, cancellation, and how to restore consumed signals.
 * @returns The index of the object that was signalled, or -1 on timeout.
 * @throws {RangeError} For an empty list or a bad timeout.
 * @throws The signal's reason when aborted.
 */
export function waitForAny(
  objects: ReadonlyArray<OwnedHandle | Deno.PointerObject>,
  options: WaitOptions = {},
): Promise<number> {
  const { signal, restore } = options;
  try {
    if (objects.length === 0) throw new RangeError("Cannot wait for any of no objects");
    const timeout = toMilliseconds(options.timeout, "wait");
    signal?.throwIfAborted();
    const raws = objects.map(rawOf);
    const k = kernel32();
    for (let i = 0; i < raws.length; i++) {
      const now = k.WaitForSingleObject(raws[i], 0);
      if (now === WAIT_FAILED) throwLastError(`Cannot wait on object ${i}`);
      if (now !== WAIT_TIMEOUT) {
        waitStats.immediate++;
        return Promise.resolve(i);
      }
    }
    if (timeout === 0) return Promise.resolve(-1);
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const unregisters: Array<() => boolean> = [];
      const finish = (winner: number, error?: unknown) => {
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        if (timer !== undefined) clearTimeout(timer);
        for (let j = 0; j < unregisters.length; j++) {
          if (j !== winner) unregisters[j]();
        }
        if (error !== undefined) reject(error);
        else resolve(winner);
      };
      const onAbort = () => finish(-2, signal!.reason);
      try {
        // One deadline for the group rather than a kernel timeout per object:
        // the objects' callbacks would all fire at once to say the same thing.
        for (let i = 0; i < raws.length; i++) {
          unregisters.push(register(raws[i], INFINITE, () => {
            if (settled) {
              if (restore) {
                waitStats.restored++;
                restore(i);
              }
              return;
            }
            finish(i);
          }, `Cannot wait on object ${i}`));
        }
      } catch (error) {
        finish(-2, error);
        return;
      }
      if (timeout !== INFINITE) timer = setTimeout(() => finish(-1), timeout);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  } catch (error) {
    return Promise.reject(error);
  }
}
