// Copyright 2026 the winipc authors. MIT license.
/**
 * Waitable timers: `createWaitableTimer`, `openWaitableTimer`,
 * `openOrCreateWaitableTimer`, `WaitableTimer`.
 *
 * @module
 */
import { CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";
import { kernel32 } from "../_win32/ffi.ts";
import { errorFromCode } from "../_win32/errors.ts";
import type { WaitOptions } from "../_win32/options.ts";
import {
  adopt,
  checkBoolean,
  checkOptions,
  createObject,
  type CreateSyncObjectOptions,
  describe,
  liveHandle,
  type Made,
  nameAndOptions,
  openObject,
  type OpenSyncObjectOptions,
  SyncObject,
  waitObject,
} from "./_object.ts";

/** Options for {@linkcode createWaitableTimer} and {@linkcode openOrCreateWaitableTimer}. */
export interface CreateWaitableTimerOptions extends CreateSyncObjectOptions {
  /**
   * A manual-reset timer stays signalled once due until set again; a
   * synchronization (auto-reset) timer releases one waiter per firing.
   * @default {false}
   */
  manualReset?: boolean;
}

/** Options for {@linkcode WaitableTimer.set}. */
export interface TimerSetOptions {
  /**
   * Fire again every `period` milliseconds after the first time (0: once).
   * @default {0}
   */
  period?: number;
}

/** Options for {@linkcode WaitableTimer.ticks}. */
export interface TimerTicksOptions {
  /**
   * Cancels the wait for the next tick: the iterator's `next()` rejects
   * with the signal's reason (so a `for await` loop throws it).
   */
  signal?: AbortSignal;
}

const CREATE_WAITABLE_TIMER_MANUAL_RESET = 0x1;
const TIMER_ALL_ACCESS = 0x001f_0003;
const TIMER_MODIFY_STATE_SYNCHRONIZE = 0x0010_0002;
/** What `security: "everyone"` lets Everyone do: wait and set/cancel. */
const TIMER_EVERYONE_RIGHTS = "0x00100002";
/** Milliseconds between 1601-01-01 (FILETIME's epoch) and 1970-01-01. */
const FILETIME_EPOCH_MS = 11_644_473_600_000;

/**
 * A Windows waitable timer, from {@linkcode createWaitableTimer},
 * {@linkcode openWaitableTimer} or {@linkcode openOrCreateWaitableTimer}.
 *
 * @example Every 100 ms, five times
 * ```ts no-run
 * import { createWaitableTimer } from "@winipc/winipc/sync";
 *
 * using timer = createWaitableTimer();
 * timer.set(100, { period: 100 });
 * for (let i = 0; i < 5; i++) await timer.wait();
 * timer.cancel();
 * ```
 */
export class WaitableTimer extends SyncObject {
  readonly #manualReset: boolean | null;
  #period = 0;

  /** @ignore */
  constructor(key: ConstructKey, made: Made, manualReset: boolean | null) {
    super(key);
    this.#manualReset = manualReset;
    adopt(this, { ...made, kind: "waitable timer", restore: (raw) => this.#fireNow(raw) });
  }

  /** A firing a cancelled wait took is given back by firing again now. */
  #fireNow(raw: Deno.PointerObject): void {
    if (this.#manualReset === true) return;
    const due = new BigInt64Array([-1n]);
    kernel32().SetWaitableTimer(raw, new Uint8Array(due.buffer), this.#period, null, null, 0);
  }

  /**
   * Whether it is a manual-reset timer: known for timers this call made,
   * `null` for one that was opened.
   */
  get manualReset(): boolean | null {
    return this.#manualReset;
  }

  /**
   * Arms the timer (`SetWaitableTimer`): due in `due` milliseconds from now,
   * or at the `Date` given, then every `period` ms if one is given. Setting
   * it again replaces the previous setting.
   *
   * @example In 100 ms, then every 100 ms
   * ```ts no-run
   * import { createWaitableTimer } from "@winipc/winipc/sync";
   *
   * using timer = createWaitableTimer();
   * timer.set(100, { period: 100 });
   * ```
   *
   * @param due Milliseconds from now (relative), or a `Date` (absolute, wall clock).
   * @param options The period.
   * @throws {RangeError} For a negative or non-finite time, or a period
   * that is not a whole number of ms from 0 to 2^31 - 1.
   * @throws {Deno.errors.BadResource} If the timer is closed.
   */
  set(due: number | Date, options?: TimerSetOptions): void {
    const checked = checkOptions(options, `Cannot set ${describe(this)}`);
    const period = checked.period ?? 0;
    if (!Number.isInteger(period) || period < 0 || period > 0x7fff_ffff) {
      throw new RangeError(
        `Cannot set ${describe(this)}: period must be a whole number of ms, got ${String(period)}`,
      );
    }
    let value: bigint;
    if (due instanceof Date) {
      const ms = due.getTime();
      if (!Number.isFinite(ms)) throw new RangeError(`Cannot set ${describe(this)}: invalid Date`);
      value = BigInt(Math.max(0, ms + FILETIME_EPOCH_MS)) * 10_000n; // absolute: positive
    } else {
      if (typeof due !== "number" || !Number.isFinite(due) || due < 0) {
        throw new RangeError(
          `Cannot set ${describe(this)}: due must be ms from now (>= 0) or a Date, got ${
            String(due)
          }`,
        );
      }
      value = -BigInt(Math.round(due * 10_000)) || -1n; // relative: negative 100 ns units
    }
    const dueTime = new BigInt64Array([value]);
    const k = kernel32();
    if (
      !k.SetWaitableTimer(
        liveHandle(this, "set"),
        new Uint8Array(dueTime.buffer),
        period,
        null,
        null,
        0,
      )
    ) {
      throw errorFromCode(k.GetLastError(), `Cannot set ${describe(this)}`);
    }
    this.#period = period;
  }

  /**
   * Disarms the timer (`CancelWaitableTimer`); a pending `wait()` keeps waiting.
   *
   * @example Disarm
   * ```ts no-run
   * import { createWaitableTimer } from "@winipc/winipc/sync";
   *
   * using timer = createWaitableTimer();
   * timer.set(10_000);
   * timer.cancel();
   * ```
   *
   * @throws {Deno.errors.BadResource} If the timer is closed.
   */
  cancel(): void {
    const k = kernel32();
    if (!k.CancelWaitableTimer(liveHandle(this, "cancel"))) {
      throw errorFromCode(k.GetLastError(), `Cannot cancel ${describe(this)}`);
    }
  }

  /**
   * Waits until the timer is due, holding no thread.
   *
   * @example Wait for the timer
   * ```ts no-run
   * import { createWaitableTimer } from "@winipc/winipc/sync";
   *
   * using timer = createWaitableTimer();
   * timer.set(new Date(Date.now() + 1000));
   * await timer.wait({ timeout: 5000 });
   * ```
   *
   * @param options Timeout (default `Infinity`; `0` tries once) and cancellation.
   * @returns Resolves when the timer fires.
   * @throws {Deno.errors.TimedOut} If it did not fire in time.
   * @throws {RangeError} For a bad timeout.
   */
  async wait(options?: WaitOptions): Promise<void> {
    await waitObject(this, "wait for", options);
  }

  /**
   * The firings of a periodic timer, numbered from 1, until the loop is
   * left, or the signal aborts: then `next()` rejects with its reason, as
   * every call given a `signal` does.
   *
   * @example Five ticks, or the signal's reason after a second
   * ```ts no-run
   * import { createWaitableTimer } from "@winipc/winipc/sync";
   *
   * using timer = createWaitableTimer();
   * timer.set(100, { period: 100 });
   * const signal = AbortSignal.timeout(1000);
   * try {
   *   for await (const tick of timer.ticks({ signal })) {
   *     if (tick === 5) break;
   *   }
   * } catch (error) {
   *   if (error !== signal.reason) throw error; // aborted first: fewer ticks
   * }
   * ```
   *
   * @param options Cancellation.
   * @returns The firings.
   * @throws The signal's reason, from `next()`, once it aborts.
   */
  async *ticks(options?: TimerTicksOptions): AsyncGenerator<number> {
    const { signal } = checkOptions(options, `Cannot wait for ${describe(this)}`);
    for (let tick = 1;; tick++) {
      await this.wait(signal === undefined ? {} : { signal });
      yield tick;
    }
  }

  /**
   * The same as {@linkcode WaitableTimer.ticks} without a signal.
   *
   * @returns The firings.
   */
  [Symbol.asyncIterator](): AsyncGenerator<number> {
    return this.ticks();
  }
}

function makeTimer(
  mode: "create" | "openOrCreate",
  name: string | undefined,
  options: CreateWaitableTimerOptions,
): WaitableTimer {
  const what = `Cannot ${mode === "create" ? "create" : "open or create"} waitable timer`;
  const manualReset = checkBoolean(options.manualReset, "manualReset", what);
  const made = createObject(
    "waitable timer",
    mode,
    name,
    options,
    TIMER_EVERYONE_RIGHTS,
    (k, attributes, wide) => [
      k.CreateWaitableTimerExW(
        attributes,
        wide,
        manualReset ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0,
        TIMER_ALL_ACCESS,
      ),
      k.GetLastError(),
    ],
  );
  return new WaitableTimer(CONSTRUCT, made, made.created ? manualReset : null);
}

/**
 * Creates a new unnamed waitable timer.
 *
 * @example Every 100 ms, five times
 * ```ts no-run
 * import { createWaitableTimer } from "@winipc/winipc/sync";
 *
 * using timer = createWaitableTimer();
 * timer.set(100, { period: 100 });
 * for await (const tick of timer) if (tick === 5) break;
 * ```
 *
 * @param options Reset mode, security.
 * @returns The timer (not armed: call `set`).
 * @throws {TypeError} For bad options.
 */
export function createWaitableTimer(options?: CreateWaitableTimerOptions): WaitableTimer;
/**
 * Creates a new named waitable timer; fails if the name is taken.
 *
 * @example A timer other processes wait on
 * ```ts no-run
 * import { createWaitableTimer } from "@winipc/winipc/sync";
 *
 * using timer = createWaitableTimer("my-app-tick", { manualReset: true });
 * timer.set(1000);
 * ```
 *
 * @param name A short name (`Local\` is added, or `Global\` with
 * `global: true`), or `Local\...`/`Global\...`.
 * @param options Reset mode, namespace, security.
 * @returns The timer (not armed: call `set`).
 * @throws {Deno.errors.AlreadyExists} If a timer of that name exists.
 * @throws {TypeError} For a bad name, bad options, or a name held by an
 * object of another kind.
 */
export function createWaitableTimer(
  name: string,
  options?: CreateWaitableTimerOptions,
): WaitableTimer;
export function createWaitableTimer(
  nameOrOptions?: string | CreateWaitableTimerOptions,
  options?: CreateWaitableTimerOptions,
): WaitableTimer {
  const [name, checked] = nameAndOptions(nameOrOptions, options, "Cannot create waitable timer");
  return makeTimer("create", name, checked);
}

/**
 * Opens the named waitable timer if it exists, else creates it; `created`
 * says which (reset mode and security apply only when it is created).
 *
 * @example Whoever comes first makes it
 * ```ts no-run
 * import { openOrCreateWaitableTimer } from "@winipc/winipc/sync";
 *
 * using timer = openOrCreateWaitableTimer("my-app-tick");
 * ```
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options Reset mode, namespace, security.
 * @returns The timer.
 * @throws {TypeError} For a bad name, bad options, or a name held by an
 * object of another kind.
 */
export function openOrCreateWaitableTimer(
  name: string,
  options?: CreateWaitableTimerOptions,
): WaitableTimer {
  return makeTimer(
    "openOrCreate",
    name,
    checkOptions(options, "Cannot open or create waitable timer"),
  );
}

/**
 * Opens an existing named waitable timer, made by winipc or any program.
 *
 * @example Wait on another process's timer
 * ```ts no-run
 * import { openWaitableTimer } from "@winipc/winipc/sync";
 *
 * using timer = openWaitableTimer("my-app-tick");
 * await timer.wait();
 * ```
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options The namespace of a short name.
 * @returns The timer (`created` is false; its reset mode is unknown).
 * @throws {Deno.errors.NotFound} If no such timer exists.
 * @throws {TypeError} For a bad name, or a name held by an object of another kind.
 */
export function openWaitableTimer(name: string, options?: OpenSyncObjectOptions): WaitableTimer {
  const opened = openObject(
    "waitable timer",
    name,
    options,
    (k, wide) => [k.OpenWaitableTimerW(TIMER_MODIFY_STATE_SYNCHRONIZE, 0, wide), k.GetLastError()],
  );
  return new WaitableTimer(CONSTRUCT, opened, null);
}
