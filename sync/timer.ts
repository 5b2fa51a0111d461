// Copyright 2026 the winipc authors. MIT license.
/**
 * Waitable timers: `createWaitableTimer`, `openWaitableTimer`,
 * `WaitableTimer`.
 *
 * @module
 */
import { kernel32 } from "../_win32/ffi.ts";
import { errorFromCode, lastError } from "../_win32/errors.ts";
import type { OwnedHandle } from "../_win32/handle.ts";
import {
  createObject,
  openObject,
  SyncObject,
  type SyncObjectOptions,
  type SyncWaitOptions,
  waitObject,
} from "./_object.ts";

/** Options for {@linkcode createWaitableTimer}. */
export interface CreateWaitableTimerOptions extends SyncObjectOptions {
  /**
   * A manual-reset timer stays signalled once due until set again; a
   * synchronization (auto-reset) timer releases one waiter per firing.
   * @default {false}
   */
  manualReset?: boolean;
}

/** Options for {@linkcode WaitableTimer.set}. */
export interface TimerSetOptions {
  /** Fire again every `period` milliseconds after the first time (0: once). */
  period?: number;
}

const CREATE_WAITABLE_TIMER_MANUAL_RESET = 0x1;
const TIMER_ALL_ACCESS = 0x001f_0003;
const TIMER_MODIFY_STATE_SYNCHRONIZE = 0x0010_0002;
/** Milliseconds between 1601-01-01 (FILETIME's epoch) and 1970-01-01. */
const FILETIME_EPOCH_MS = 11_644_473_600_000;

/** A Windows waitable timer, from {@linkcode createWaitableTimer} or {@linkcode openWaitableTimer}. */
export class WaitableTimer extends SyncObject {
  /** Whether it is a manual-reset timer (known for timers this process created). */
  readonly manualReset: boolean | null;
  #period = 0;

  /** @internal */
  constructor(
    init: { handle: OwnedHandle; name: string | null; created: boolean },
    manualReset: boolean | null,
  ) {
    super(init.handle, init.name, init.created);
    this.manualReset = manualReset;
  }

  /** @internal */
  describe(): string {
    return this.name ? `waitable timer "${this.name}"` : "waitable timer";
  }

  /** @internal A firing a cancelled wait took is given back by firing again now. */
  restore(raw: Deno.PointerObject = this.raw("restore")): void {
    if (this.manualReset === true) return;
    const due = new BigInt64Array([-1n]);
    kernel32().SetWaitableTimer(
      raw,
      new Uint8Array(due.buffer),
      this.#period,
      null,
      null,
      0,
    );
  }

  /**
   * Arms the timer (`SetWaitableTimer`): due in `due` milliseconds from now,
   * or at the `Date` given, then every `period` ms if one is given.
   *
   * @param due Milliseconds from now (relative), or a `Date` (absolute, wall clock).
   * @param options The period.
   * @throws {RangeError} For a negative or non-finite time or period.
   */
  set(due: number | Date, options: TimerSetOptions = {}): void {
    const period = options.period ?? 0;
    if (!Number.isInteger(period) || period < 0 || period > 0x7fff_ffff) {
      throw new RangeError(
        `Cannot set ${this.describe()}: period must be a whole number of ms, got ${period}`,
      );
    }
    let value: bigint;
    if (due instanceof Date) {
      const ms = due.getTime();
      if (!Number.isFinite(ms)) throw new RangeError(`Cannot set ${this.describe()}: invalid Date`);
      value = BigInt(Math.max(0, ms + FILETIME_EPOCH_MS)) * 10_000n; // absolute: positive
    } else {
      if (typeof due !== "number" || !Number.isFinite(due) || due < 0) {
        throw new RangeError(
          `Cannot set ${this.describe()}: due must be ms from now (>= 0) or a Date, got ${due}`,
        );
      }
      value = -BigInt(Math.round(due * 10_000)) || -1n; // relative: negative 100 ns units
    }
    const dueTime = new BigInt64Array([value]);
    if (
      !kernel32().SetWaitableTimer(
        this.raw("set"),
        new Uint8Array(dueTime.buffer),
        period,
        null,
        null,
        0,
      )
    ) {
      throw errorFromCode(lastError(), `Cannot set ${this.describe()}`);
    }
    this.#period = period;
  }

  /** Disarms the timer (`CancelWaitableTimer`); a pending `wait()` keeps waiting. */
  cancel(): void {
    if (!kernel32().CancelWaitableTimer(this.raw("cancel"))) {
      throw errorFromCode(lastError(), `Cannot cancel ${this.describe()}`);
    }
  }

  /**
   * Waits until the timer is due, holding no thread.
   *
   * @param options Timeout and cancellation.
   * @throws {Deno.errors.TimedOut} If it did not fire in time.
   */
  async wait(options: SyncWaitOptions = {}): Promise<void> {
    await waitObject(this, "wait for", options);
  }

  /**
   * The firings of a periodic timer, numbered from 1, until the signal
   * aborts (which ends the loop quietly) or the loop is left.
   *
   * @param options Cancellation.
   */
  async *ticks(options: { signal?: AbortSignal } = {}): AsyncGenerator<number> {
    for (let tick = 1;; tick++) {
      try {
        await this.wait({ signal: options.signal });
      } catch (error) {
        if (options.signal?.aborted) return;
        throw error;
      }
      yield tick;
    }
  }

  /** The same as {@linkcode ticks} without a signal. */
  [Symbol.asyncIterator](): AsyncGenerator<number> {
    return this.ticks();
  }
}

/**
 * Creates a waitable timer, or opens the existing one of that name.
 *
 * @example Every 100 ms, five times
 * ```ts ignore
 * import { createWaitableTimer } from "@winipc/winipc/sync";
 *
 * using timer = createWaitableTimer();
 * timer.set(100, { period: 100 });
 * for await (const tick of timer) if (tick === 5) break;
 * ```
 *
 * @param name A short name, `Local\...`/`Global\...`, or nothing.
 * @param options Reset mode, namespace, security.
 * @returns The timer (not armed: call `set`).
 */
export function createWaitableTimer(
  name?: string,
  options: CreateWaitableTimerOptions = {},
): WaitableTimer {
  const manualReset = options.manualReset ?? false;
  const made = createObject(
    "waitable timer",
    name,
    options,
    "0x00100002",
    (attributes, wide) =>
      kernel32().CreateWaitableTimerExW(
        attributes,
        wide,
        manualReset ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0,
        TIMER_ALL_ACCESS,
      ),
  );
  return new WaitableTimer(made, made.created ? manualReset : null);
}

/**
 * Opens an existing named waitable timer.
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options The namespace of a short name.
 * @returns The timer.
 * @throws {Deno.errors.NotFound} If no such timer exists.
 */
export function openWaitableTimer(name: string, options: { global?: boolean } = {}): WaitableTimer {
  const opened = openObject(
    "waitable timer",
    name,
    options.global,
    (wide) => kernel32().OpenWaitableTimerW(TIMER_MODIFY_STATE_SYNCHRONIZE, 0, wide),
  );
  return new WaitableTimer({ ...opened, created: false }, null);
}
