// Copyright 2026 the winipc authors. MIT license.
/**
 * Timeouts, one rule for the whole package: a timeout is a number of
 * milliseconds, from 0 to `Infinity`. Any length is honoured: a timer longer
 * than `setTimeout` can hold (2^31 - 1 ms, about 24.8 days) is made of
 * several, so a long timeout never fires early. Anything else (a negative
 * number, `NaN`, a string) is refused with a `RangeError`.
 *
 * @module
 */
import { checkSignal, describeValue, type WaitOptions } from "./options.ts";

/** The longest delay `setTimeout` holds without overflowing to 1 ms. */
const MAX_TIMER_MS = 0x7fff_ffff;

/**
 * Checks a timeout option.
 *
 * @param value The option's value.
 * @param what The operation, for the message (`Cannot ${what}: ...`).
 * @param fallback What `undefined` means.
 * @returns The timeout in milliseconds (`Infinity` for ever).
 * @throws {RangeError} Unless `value` is a number from 0 to `Infinity`.
 */
export function checkTimeout(value: unknown, what: string, fallback = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new RangeError(
      `Cannot ${what}: timeout must be a number of milliseconds from 0 to Infinity, got ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/**
 * Checks the options of a call that waits ({@linkcode WaitOptions}), the
 * one rule for every mechanism.
 *
 * @example
 * ```ts
 * import { checkWaitOptions } from "./timeout.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * assertEquals(checkWaitOptions(undefined, "wait"), { timeout: Infinity, signal: undefined });
 * assertEquals(checkWaitOptions({}, "connect", 0).timeout, 0);
 * assertThrows(() => checkWaitOptions(null, "wait"), TypeError, "options must be an object");
 * ```
 *
 * @param options The caller's options (anything).
 * @param what The operation, for messages (`wait for event "x"`).
 * @param fallback What a missing timeout means.
 * @returns The timeout in milliseconds and the signal.
 * @throws {TypeError} If the options are not an object or the signal is not
 * an `AbortSignal`.
 * @throws {RangeError} For a bad timeout.
 */
export function checkWaitOptions(
  options: unknown,
  what: string,
  fallback = Infinity,
): { timeout: number; signal: AbortSignal | undefined } {
  if (options === undefined) return { timeout: fallback, signal: undefined };
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${what}: options must be an object, got ${describeValue(options)}`);
  }
  const { timeout, signal } = options as WaitOptions;
  return { timeout: checkTimeout(timeout, what, fallback), signal: checkSignal(signal, what) };
}

/**
 * Runs an operation that the completion core cancels through a signal, with
 * a deadline: it gets one signal that aborts with the caller's reason, or
 * with `Deno.errors.TimedOut` once `timeout` has passed. A timeout of 0
 * cancels the operation right after it started, so it completes only if it
 * could at once (data already there, room in the pipe): it is tried once.
 * Without a timeout the caller's signal goes through untouched (no extra
 * cost). One mechanism for every operation that is cancelled by a signal
 * (named-pipe reads, writes and transactions, pipe-end writes).
 *
 * @param wait The options, checked by {@linkcode checkWaitOptions}.
 * @param what The operation, for the `TimedOut` message.
 * @param run Starts the operation, synchronously up to its first pending call.
 * @returns What the operation returns.
 */
export function withDeadline<T>(
  wait: { timeout: number; signal: AbortSignal | undefined },
  what: string,
  run: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  // The common case costs no promise of its own.
  if (wait.timeout === Infinity) return run(wait.signal);
  return deadline(wait.timeout, wait.signal, what, run);
}

async function deadline<T>(
  timeout: number,
  signal: AbortSignal | undefined,
  what: string,
  run: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  const timedOut = () =>
    controller.abort(
      new Deno.errors.TimedOut(
        timeout === 0
          ? `Cannot ${what}: nothing was ready at once (timeout 0)`
          : `Cannot ${what}: timed out after ${timeout} ms`,
      ),
    );
  const onAbort = () => controller.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let cancelTimer = () => {};
  try {
    const running = run(controller.signal);
    if (timeout === 0) timedOut();
    else cancelTimer = startTimer(timeout, timedOut);
    return await running;
  } finally {
    cancelTimer();
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Calls `fn` once `ms` milliseconds have passed, however many that is.
 * `Infinity` never calls it (and starts no timer).
 *
 * @param ms The delay, from {@linkcode checkTimeout}.
 * @param fn What to call.
 * @returns A function that cancels the timer (harmless after it fired).
 */
export function startTimer(ms: number, fn: () => void): () => void {
  if (ms === Infinity) return () => {};
  const end = performance.now() + ms;
  let timer: ReturnType<typeof setTimeout>;
  const arm = (left: number) => {
    timer = setTimeout(() => {
      const rest = end - performance.now();
      // setTimeout may fire a fraction of a millisecond early: never report
      // a timeout before its time.
      if (rest > 0) arm(rest);
      else fn();
    }, Math.min(Math.ceil(left), MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

/**
 * Resolves after `ms` milliseconds (any length), or rejects with the
 * signal's reason when it aborts.
 *
 * @param ms The delay.
 * @param signal Cancels the delay.
 * @returns A promise of the end of the delay.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = startTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The deadline of one read that may go pending: armed when the read goes
 * pending, it cancels that read at the deadline (at once if the deadline
 * has passed, so a zero timeout tries once), and says afterwards whether
 * it did. It costs nothing unless the read has to wait. One mechanism for
 * every read with a timeout (pipe ends, mailslots).
 *
 * @example A read with a timeout (defined here, run on Windows by its callers)
 * ```ts
 * import { PendingDeadline } from "./timeout.ts";
 * import { readFile } from "./io.ts";
 * import { ERROR } from "./errors.ts";
 * import type { OwnedHandle } from "./handle.ts";
 *
 * async function readWithin(handle: OwnedHandle, buffer: Uint8Array, timeout: number) {
 *   const deadline = new PendingDeadline(performance.now() + timeout);
 *   try {
 *     const result = await readFile(handle, buffer, { onPending: (cancel) => deadline.arm(cancel) });
 *     if (result.error === ERROR.OPERATION_ABORTED && deadline.timedOut) {
 *       throw new Deno.errors.TimedOut(`Cannot read: nothing came within ${timeout} ms`);
 *     }
 *     return result.bytes;
 *   } finally {
 *     deadline.stop();
 *   }
 * }
 * ```
 */
export class PendingDeadline {
  /** The deadline, on the `performance.now()` clock; `Infinity` for none. */
  readonly deadline: number;
  #timedOut = false;
  #stopTimer: () => void = () => {};

  /**
   * @param deadline On the `performance.now()` clock; `Infinity` for none.
   */
  constructor(deadline: number) {
    this.deadline = deadline;
  }

  /**
   * Arms the deadline for a read that has just gone pending (again, for a
   * later read of the same call: the earlier timer is dropped).
   *
   * @param cancel Cancels that read.
   */
  arm(cancel: () => void): void {
    if (this.deadline === Infinity) return;
    this.#stopTimer();
    const onTime = () => {
      this.#timedOut = true;
      cancel();
    };
    const left = this.deadline - performance.now();
    if (left <= 0) {
      this.#stopTimer = () => {};
      onTime();
    } else this.#stopTimer = startTimer(left, onTime);
  }

  /** Whether the deadline cancelled a read. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Whether the deadline has passed (never before it). */
  get passed(): boolean {
    return this.deadline !== Infinity && performance.now() >= this.deadline;
  }

  /** Drops the timer (call once the read is over). */
  stop(): void {
    this.#stopTimer();
    this.#stopTimer = () => {};
  }
}
