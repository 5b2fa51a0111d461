// Copyright 2026 the winipc authors. MIT license.
/**
 * Semaphores: `createSemaphore`, `openSemaphore`, `Semaphore`,
 * `SemaphorePermit`.
 *
 * @module
 */
import { kernel32, WAIT_TIMEOUT } from "../_win32/ffi.ts";
import { errorFromCode, lastError, throwLastError } from "../_win32/errors.ts";
import type { OwnedHandle } from "../_win32/handle.ts";
import {
  createObject,
  openObject,
  SyncObject,
  type SyncObjectOptions,
  type SyncWaitOptions,
  waitObject,
} from "./_object.ts";

/** Options for {@linkcode createSemaphore}. */
export interface CreateSemaphoreOptions extends SyncObjectOptions {
  /**
   * The count it starts with.
   * @default {0}
   */
  initial?: number;
  /** The largest count (at least 1). */
  maximum: number;
}

const SEMAPHORE_MODIFY_STATE_SYNCHRONIZE = 0x0010_0002;
const ERROR_TOO_MANY_POSTS = 298;

/** One unit of a semaphore's count, held until `release()` (or `using` ends). */
export class SemaphorePermit implements Disposable {
  #semaphore: Semaphore | null;

  /** @internal */
  constructor(semaphore: Semaphore) {
    this.#semaphore = semaphore;
  }

  /** True once released. */
  get released(): boolean {
    return this.#semaphore === null;
  }

  /**
   * Gives the unit back.
   *
   * @throws {Deno.errors.BadResource} If already released.
   */
  release(): void {
    const semaphore = this.#semaphore;
    if (semaphore === null) {
      throw new Deno.errors.BadResource("Cannot release a semaphore permit twice");
    }
    this.#semaphore = null;
    semaphore.release(1);
  }

  /** Releases if not released yet. */
  [Symbol.dispose](): void {
    if (this.#semaphore !== null && !this.#semaphore.closed) this.release();
  }
}

/** A Windows semaphore, from {@linkcode createSemaphore} or {@linkcode openSemaphore}. */
export class Semaphore extends SyncObject {
  /** @internal */
  constructor(init: { handle: OwnedHandle; name: string | null; created: boolean }) {
    super(init.handle, init.name, init.created);
  }

  /** @internal */
  describe(): string {
    return this.name ? `semaphore "${this.name}"` : "semaphore";
  }

  /** @internal */
  restore(raw: Deno.PointerObject = this.raw("restore")): void {
    kernel32().ReleaseSemaphore(raw, 1, null);
  }

  /**
   * Takes one unit of the count, waiting (holding no thread) while it is 0.
   * A cancelled or timed-out acquire never keeps a unit.
   *
   * @param options Timeout and cancellation.
   * @returns The permit; release it (or let `using` do it).
   * @throws {Deno.errors.TimedOut} If no unit came in time.
   */
  async acquire(options: SyncWaitOptions = {}): Promise<SemaphorePermit> {
    await waitObject(this, "acquire", options);
    return new SemaphorePermit(this);
  }

  /**
   * Takes one unit if one is free now.
   *
   * @returns The permit, or `null` if the count is 0.
   */
  tryAcquire(): SemaphorePermit | null {
    const result = kernel32().WaitForSingleObject(this.raw("acquire"), 0);
    if (result === WAIT_TIMEOUT) return null;
    if (result !== 0) throwLastError(`Cannot acquire ${this.describe()}`);
    return new SemaphorePermit(this);
  }

  /**
   * Adds to the count (`ReleaseSemaphore`), for units this process (or any
   * other) took, or to give out more.
   *
   * @param count How many units, at least 1.
   * @returns The count before.
   * @throws {RangeError} If the count would pass the maximum.
   */
  release(count = 1): number {
    if (!Number.isInteger(count) || count < 1 || count > 0x7fff_ffff) {
      throw new RangeError(`Cannot release ${this.describe()}: count must be a positive integer`);
    }
    const previous = new Int32Array(1);
    if (!kernel32().ReleaseSemaphore(this.raw("release"), count, new Uint8Array(previous.buffer))) {
      const code = lastError();
      if (code === ERROR_TOO_MANY_POSTS) {
        throw new RangeError(
          `Cannot release ${this.describe()} by ${count}: that would pass its maximum count`,
          { cause: errorFromCode(code) },
        );
      }
      throw errorFromCode(code, `Cannot release ${this.describe()}`);
    }
    return previous[0];
  }
}

/**
 * Creates a semaphore, or opens the existing one of that name (then
 * `created` is false and `initial`/`maximum` do not apply).
 *
 * @example Limit concurrent work across processes
 * ```ts ignore
 * import { createSemaphore } from "@winipc/winipc/sync";
 *
 * using slots = createSemaphore("my-app-slots", { initial: 4, maximum: 4 });
 * using permit = await slots.acquire({ timeout: 10_000 });
 * ```
 *
 * @param name A short name, `Local\...`/`Global\...`, or nothing.
 * @param options Initial and maximum count, namespace, security.
 * @returns The semaphore.
 * @throws {RangeError} For bad counts.
 */
export function createSemaphore(
  name: string | undefined,
  options: CreateSemaphoreOptions,
): Semaphore {
  const { initial = 0, maximum } = options ?? {};
  if (!Number.isInteger(maximum) || maximum < 1 || maximum > 0x7fff_ffff) {
    throw new RangeError(
      `Cannot create a semaphore: maximum must be a positive integer, got ${maximum}`,
    );
  }
  if (!Number.isInteger(initial) || initial < 0 || initial > maximum) {
    throw new RangeError(
      `Cannot create a semaphore: initial must be an integer from 0 to the maximum (${maximum}), got ${initial}`,
    );
  }
  return new Semaphore(
    createObject(
      "semaphore",
      name,
      options,
      "0x00100002",
      (attributes, wide) => kernel32().CreateSemaphoreW(attributes, initial, maximum, wide),
    ),
  );
}

/**
 * Opens an existing named semaphore.
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options The namespace of a short name.
 * @returns The semaphore.
 * @throws {Deno.errors.NotFound} If no such semaphore exists.
 */
export function openSemaphore(name: string, options: { global?: boolean } = {}): Semaphore {
  const opened = openObject(
    "semaphore",
    name,
    options.global,
    (wide) => kernel32().OpenSemaphoreW(SEMAPHORE_MODIFY_STATE_SYNCHRONIZE, 0, wide),
  );
  return new Semaphore({ ...opened, created: false });
}
