// Copyright 2026 the winipc authors. MIT license.
/**
 * Timer-queue timers: `setTimerQueueTimer` and `TimerQueueTimer`.
 *
 * @module
 */
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";
import { checkSignal } from "../_win32/options.ts";
import { kernel32, outValue } from "../_win32/ffi.ts";
import { ERROR, errorFromCode } from "../_win32/errors.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { waitForHandle } from "../_win32/wait.ts";
import { checkOptions } from "./_object.ts";

/** Options for {@linkcode setTimerQueueTimer}. */
export interface TimerQueueTimerOptions {
  /**
   * Call again every `period` ms after the first time (0: once).
   * @default {0}
   */
  period?: number;
  /** Closes the timer when aborted (as `close()` does). */
  signal?: AbortSignal;
}

const timers = new Map<number, () => void>();
let nextId = 1;
let callback:
  | Deno.UnsafeCallback<{ readonly parameters: ["pointer", "u8"]; readonly result: "void" }>
  | null = null;

function callbackPointer(): Deno.PointerObject {
  if (callback === null) {
    // One thread-safe callback for every timer: the timer queue's thread
    // calls it, and Deno runs it on the JavaScript thread.
    callback = Deno.UnsafeCallback.threadSafe(
      { parameters: ["pointer", "u8"], result: "void" } as const,
      (context) => {
        const run = timers.get(Number(Deno.UnsafePointer.value(context)));
        if (run === undefined) return; // closed meanwhile
        try {
          run();
        } catch (error) {
          reportError(error);
        }
      },
    );
  }
  return callback.pointer;
}

function updateReference(): void {
  if (callback === null) return;
  if (timers.size > 0) callback.ref();
  else callback.unref();
}

/**
 * A timer of the process's default timer queue, from
 * {@linkcode setTimerQueueTimer}.
 *
 * @example Ticks until closed
 * ```ts no-run
 * import { setTimerQueueTimer } from "@winipc/winipc/sync";
 *
 * await using timer = setTimerQueueTimer(() => console.log("tick"), 0, { period: 1000 });
 * ```
 */
export class TimerQueueTimer implements AsyncDisposable {
  readonly #id: number;
  readonly #handle: Deno.PointerObject;
  #closing: Promise<void> | null = null;

  /** @ignore */
  constructor(key: ConstructKey, id: number, handle: Deno.PointerObject) {
    checkConstruct(key, "timer-queue timers come from setTimerQueueTimer()");
    this.#id = id;
    this.#handle = handle;
  }

  /**
   * The raw timer-queue timer handle (`CreateTimerQueueTimer`'s), for FFI
   * calls of your own; not a kernel object handle, and still owned by this
   * object.
   *
   * @throws {Deno.errors.BadResource} Once the timer is closed.
   */
  get unsafeHandle(): Deno.PointerValue {
    if (this.#closing !== null) {
      throw new Deno.errors.BadResource("Cannot use a timer-queue timer: it is closed");
    }
    return this.#handle;
  }

  /** True once `close()` was called (or the signal aborted). */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /**
   * Closes the timer (`DeleteTimerQueueTimer`) without blocking: no call
   * of the callback starts after this returns, and the promise resolves
   * once any call that had already started has finished. Closing from
   * inside the callback is fine (it does not wait for itself).
   *
   * @example Stop after three calls
   * ```ts no-run
   * import { setTimerQueueTimer } from "@winipc/winipc/sync";
   *
   * let calls = 0;
   * const timer = setTimerQueueTimer(() => {
   *   if (++calls === 3) timer.close();
   * }, 0, { period: 10 });
   * ```
   *
   * @returns Resolves when the timer is gone.
   * @throws {Deno.errors.BadResource} If already closed (the promise rejects).
   */
  close(): Promise<void> {
    if (this.#closing !== null) {
      return Promise.reject(
        new Deno.errors.BadResource("Cannot close a timer-queue timer: it is already closed"),
      );
    }
    return this.#close();
  }

  #close(): Promise<void> {
    timers.delete(this.#id);
    const k = kernel32();
    const done = OwnedHandle.from(
      k.CreateEventW(null, 1, 0, null),
      k.GetLastError(),
      "event",
      "Cannot close a timer-queue timer",
    );
    const ok = k.DeleteTimerQueueTimer(null, this.#handle, done.raw);
    const code = ok ? 0 : k.GetLastError();
    if (!ok && code !== ERROR.IO_PENDING) {
      done.close();
      updateReference();
      this.#closing = Promise.reject(errorFromCode(code, "Cannot close a timer-queue timer"));
      return this.#closing;
    }
    // The completion event is set once no callback runs any more: wait for
    // it without blocking (a blocking delete from the JavaScript thread
    // would deadlock with a callback waiting for that thread).
    this.#closing = waitForHandle(done).then(() => {
      done.close();
      updateReference();
    });
    return this.#closing;
  }

  /**
   * Closes the timer unless it is closed already, and waits until it is
   * gone (a second call waits for the same close).
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#closing ?? this.#close();
  }
}

/**
 * Calls `callback` on the JavaScript thread after `due` milliseconds, then
 * every `period` ms if one is given, from the process's default timer
 * queue (`CreateTimerQueueTimer`). While a timer exists, it keeps the
 * process alive, as `setInterval` does.
 *
 * @example Every second, until closed
 * ```ts no-run
 * import { setTimerQueueTimer } from "@winipc/winipc/sync";
 *
 * await using timer = setTimerQueueTimer(() => console.log("tick"), 1000, { period: 1000 });
 * ```
 *
 * @param callback Called on the JavaScript thread; an error it throws is reported, not fatal.
 * @param due Milliseconds until the first call.
 * @param options The period, and a signal that closes the timer.
 * @returns The timer.
 * @throws {RangeError} For a bad due time or period.
 */
export function setTimerQueueTimer(
  callback: () => void,
  due: number,
  options?: TimerQueueTimerOptions,
): TimerQueueTimer {
  if (typeof callback !== "function") {
    throw new TypeError("Cannot set a timer-queue timer: callback must be a function");
  }
  const checked = checkOptions(options, "Cannot set a timer-queue timer");
  const period = checked.period ?? 0;
  const signal = checkSignal(checked.signal, "set a timer-queue timer");
  for (const [what, value] of [["due", due], ["period", period]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_fffe) {
      throw new RangeError(
        `Cannot set a timer-queue timer: ${what} must be a whole number of ms, got ${value}`,
      );
    }
  }
  signal?.throwIfAborted();
  const id = nextId++;
  const out = new BigUint64Array(1);
  const pointer = callbackPointer();
  timers.set(id, callback);
  const k = kernel32();
  const ok = k.CreateTimerQueueTimer(
    new Uint8Array(out.buffer),
    null,
    pointer,
    Deno.UnsafePointer.create(BigInt(id)),
    due,
    period,
    0,
  );
  const code = ok ? 0 : k.GetLastError();
  if (!ok) {
    timers.delete(id);
    throw errorFromCode(code, "Cannot set a timer-queue timer");
  }
  updateReference();
  const timer = new TimerQueueTimer(CONSTRUCT, id, Deno.UnsafePointer.create(outValue(out))!);
  signal?.addEventListener("abort", () => timer[Symbol.asyncDispose](), { once: true });
  return timer;
}
