// Copyright 2026 the winipc authors. MIT license.
/**
 * The look before a sleep, shared by the completion pump, the shared
 * channel and the synchronisation waits.
 *
 * When the other side of an exchange usually answers within microseconds
 * (a request/reply, a ping-pong, a hand-off), looking for the answer for a
 * short while is far cheaper than sleeping and being woken through a
 * thread. Between looks the CPU is given to a ready thread
 * (`SwitchToThread`), often the very one about to answer, so looking never
 * delays the answer it waits for. The window adapts: it doubles (up to its
 * maximum) each time a look succeeds and halves (down to its minimum) each
 * time it does not, so a quiet object costs next to nothing. While it
 * looks, the event loop waits: the bound keeps that short.
 *
 * @module
 */
import { kernel32 } from "./ffi.ts";

/** One adaptive window of looking, for one place that sleeps. */
export class AdaptiveLook {
  #ms: number;
  readonly #minMs: number;
  readonly #maxMs: number;

  /**
   * @param minMs The smallest window, in ms.
   * @param maxMs The largest window, in ms.
   * @param startMs The first window, in ms.
   */
  constructor(minMs = 0.01, maxMs = 0.2, startMs = 0.05) {
    this.#minMs = minMs;
    this.#maxMs = maxMs;
    this.#ms = startMs;
  }

  /**
   * Yields the CPU and calls `ready()`, again and again, until it returns
   * true or the window has passed.
   *
   * @param ready Looks once (without waiting).
   * @returns Whether a look succeeded.
   */
  look(ready: () => boolean): boolean {
    const k = kernel32();
    const until = performance.now() + this.#ms;
    do {
      k.SwitchToThread();
      if (ready()) {
        this.#ms = Math.min(this.#maxMs, this.#ms * 2);
        return true;
      }
    } while (performance.now() < until);
    this.#ms = Math.max(this.#minMs, this.#ms / 2);
    return false;
  }
}
