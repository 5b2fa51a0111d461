// Copyright 2026 the winipc authors. MIT license.
/**
 * The `timeout` and `signal` of a named-pipe operation (checked by the
 * core's `checkWaitOptions`), joined into the one signal the completion
 * core cancels with.
 *
 * @module
 */
import { startTimer } from "../_win32/timeout.ts";

/** A caller's `WaitOptions`, checked by `checkWaitOptions`. */
export interface Wait {
  /** Milliseconds, 0 to `Infinity`. */
  readonly timeout: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * Runs an operation that the completion core cancels through a signal, with
 * a deadline: it gets one signal that aborts with the caller's reason, or
 * with `Deno.errors.TimedOut` once `timeout` has passed. A timeout of 0
 * cancels the operation right after it started, so it completes only if it
 * could at once (data already there): it is tried once. Without a timeout
 * the caller's signal goes through untouched (no extra cost).
 *
 * @param wait The checked options.
 * @param what The operation, for the `TimedOut` message.
 * @param run Starts the operation, synchronously up to its first pending call.
 * @returns What the operation returns.
 */
export function withDeadline<T>(
  wait: Wait,
  what: string,
  run: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  // The common case costs no promise of its own.
  if (wait.timeout === Infinity) return run(wait.signal);
  return deadline(wait, what, run);
}

async function deadline<T>(
  wait: Wait,
  what: string,
  run: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  const { timeout, signal } = wait;
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
