// Copyright 2026 the winipc authors. MIT license.
/**
 * The timing loop the benchmarks share.
 *
 * @module
 */

/** How {@linkcode timed} runs. */
export interface TimedOptions {
  /** Milliseconds to measure. */
  duration: number;
  /** Milliseconds to run unmeasured first. */
  warmup: number;
  /**
   * Operations between looks at the clock.
   * @default {8}
   */
  batch?: number;
}

/**
 * Runs `run` repeatedly: unmeasured for `warmup` ms, then for about
 * `duration` ms, looking at the clock every `batch` operations.
 *
 * @returns Operations per second.
 */
export async function timed(run: () => Promise<void>, options: TimedOptions): Promise<number> {
  const batch = options.batch ?? 8;
  const warm = performance.now() + options.warmup;
  while (performance.now() < warm) await run();
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < options.duration) {
    for (let i = 0; i < batch; i++) await run();
    ops += batch;
  }
  return ops / ((performance.now() - start) / 1000);
}
