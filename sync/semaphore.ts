// Copyright 2026 the winipc authors. MIT license.
/**
 * Semaphores: `createSemaphore`, `openSemaphore`, `Semaphore`,
 * `SemaphorePermit`.
 *
 * @module
 */
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";
import { kernel32, outValue, WAIT_OBJECT_0, WAIT_TIMEOUT } from "../_win32/ffi.ts";
import { errorFromCode } from "../_win32/errors.ts";
import type { WaitOptions } from "../_win32/options.ts";
import {
  adopt,
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

/** Options for {@linkcode createSemaphore} and {@linkcode openOrCreateSemaphore}. */
export interface CreateSemaphoreOptions extends CreateSyncObjectOptions {
  /**
   * The count it starts with, from 0 to `maximum`.
   * @default {0}
   */
  initial?: number;
  /**
   * The largest count, from 1 to 2^31 - 1. By default the largest Win32
   * allows (`LONG_MAX`): a semaphore with no bound of its own, so
   * `createSemaphore({ initial })` counts as a plain counting semaphore
   * does; give one to make {@linkcode Semaphore.release} refuse counts
   * above it.
   * @default {2147483647}
   */
  maximum?: number;
}

const SEMAPHORE_MODIFY_STATE_SYNCHRONIZE = 0x0010_0002;
/** What `security: "everyone"` lets Everyone do: wait and release. */
const SEMAPHORE_EVERYONE_RIGHTS = "0x00100002";
const ERROR_TOO_MANY_POSTS = 298;
/** `LONG_MAX`: the largest count Win32 allows, and the default maximum. */
const MAX_COUNT = 0x7fff_ffff;

/**
 * One unit of a semaphore's count, held until `release()` (or `using` ends).
 *
 * @example Give the unit back early
 * ```ts no-run
 * import { createSemaphore } from "@winipc/winipc/sync";
 *
 * using slots = createSemaphore({ initial: 1, maximum: 1 });
 * const permit = await slots.acquire();
 * permit.release();
 * console.log(permit.released); // true
 * ```
 */
export class SemaphorePermit implements Disposable {
  #semaphore: Semaphore | null;

  /** @ignore */
  constructor(key: ConstructKey, semaphore: Semaphore) {
    checkConstruct(key, "permits come from Semaphore.acquire() and tryAcquire()");
    this.#semaphore = semaphore;
  }

  /** True once released. */
  get released(): boolean {
    return this.#semaphore === null;
  }

  /**
   * Gives the unit back.
   *
   * @example Release early
   * ```ts no-run
   * import { createSemaphore } from "@winipc/winipc/sync";
   *
   * using slots = createSemaphore({ initial: 1, maximum: 1 });
   * const permit = await slots.acquire();
   * permit.release();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already released, or the semaphore is closed.
   */
  release(): void {
    const semaphore = this.#semaphore;
    if (semaphore === null) {
      throw new Deno.errors.BadResource("Cannot release a semaphore permit twice");
    }
    this.#semaphore = null;
    semaphore.release(1);
  }

  /** Releases if not released yet (and the semaphore is still open). */
  [Symbol.dispose](): void {
    if (this.#semaphore !== null && !this.#semaphore.closed) this.release();
  }
}

/**
 * A Windows semaphore, from {@linkcode createSemaphore},
 * {@linkcode openSemaphore} or {@linkcode openOrCreateSemaphore}.
 *
 * @example At most four workers at once, across processes
 * ```ts no-run
 * import { openOrCreateSemaphore } from "@winipc/winipc/sync";
 *
 * using slots = openOrCreateSemaphore("my-app-slots", { initial: 4, maximum: 4 });
 * using permit = await slots.acquire({ timeout: 10_000 });
 * // ... work; the permit goes back at the end of the scope
 * ```
 */
export class Semaphore extends SyncObject {
  /** @ignore */
  constructor(key: ConstructKey, made: Made) {
    super(key);
    adopt(this, {
      ...made,
      kind: "semaphore",
      restore: (raw) => kernel32().ReleaseSemaphore(raw, 1, null),
    });
  }

  /**
   * Takes one unit of the count, waiting (holding no thread) while it is 0.
   * A cancelled or timed-out acquire never keeps a unit.
   *
   * @example Wait at most 10 seconds for a slot
   * ```ts no-run
   * import { openSemaphore } from "@winipc/winipc/sync";
   *
   * using slots = openSemaphore("my-app-slots");
   * using permit = await slots.acquire({ timeout: 10_000 });
   * ```
   *
   * @param options Timeout (default `Infinity`; `0` tries once) and cancellation.
   * @returns The permit; release it (or let `using` do it).
   * @throws {Deno.errors.TimedOut} If no unit came in time.
   * @throws {RangeError} For a bad timeout.
   */
  async acquire(options?: WaitOptions): Promise<SemaphorePermit> {
    await waitObject(this, "acquire", options);
    return new SemaphorePermit(CONSTRUCT, this);
  }

  /**
   * Takes one unit if one is free now (never waits).
   *
   * @example Take a slot if there is one
   * ```ts no-run
   * import { openSemaphore } from "@winipc/winipc/sync";
   *
   * using slots = openSemaphore("my-app-slots");
   * using permit = slots.tryAcquire();
   * if (permit === null) console.log("busy");
   * ```
   *
   * @returns The permit, or `null` if the count is 0.
   * @throws {Deno.errors.BadResource} If the semaphore is closed.
   */
  tryAcquire(): SemaphorePermit | null {
    const k = kernel32();
    const result = k.WaitForSingleObject(liveHandle(this, "acquire"), 0);
    if (result === WAIT_TIMEOUT) return null;
    if (result !== WAIT_OBJECT_0) {
      throw errorFromCode(k.GetLastError(), `Cannot acquire ${describe(this)}`);
    }
    return new SemaphorePermit(CONSTRUCT, this);
  }

  /**
   * Adds to the count (`ReleaseSemaphore`), for units this process (or any
   * other) took, or to give out more.
   *
   * @example Give out two more units
   * ```ts no-run
   * import { createSemaphore } from "@winipc/winipc/sync";
   *
   * using slots = createSemaphore({ maximum: 4 });
   * slots.release(2); // returns 0, the count before
   * ```
   *
   * @param count How many units, from 1 to 2^31 - 1.
   * @returns The count before.
   * @throws {RangeError} If the count is not a positive integer, or would
   * pass the maximum.
   * @throws {Deno.errors.BadResource} If the semaphore is closed.
   */
  release(count: number = 1): number {
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      throw new RangeError(
        `Cannot release ${describe(this)}: count must be an integer from 1 to ${MAX_COUNT}, got ${
          String(count)
        }`,
      );
    }
    const previous = new Int32Array(1);
    const k = kernel32();
    if (
      !k.ReleaseSemaphore(
        liveHandle(this, "release"),
        count,
        new Uint8Array(previous.buffer),
      )
    ) {
      const code = k.GetLastError();
      if (code === ERROR_TOO_MANY_POSTS) {
        throw new RangeError(
          `Cannot release ${describe(this)} by ${count}: that would pass its maximum count`,
          { cause: errorFromCode(code) },
        );
      }
      throw errorFromCode(code, `Cannot release ${describe(this)}`);
    }
    return outValue(previous);
  }
}

function makeSemaphore(
  mode: "create" | "openOrCreate",
  name: string | undefined,
  options: CreateSemaphoreOptions,
): Semaphore {
  const what = `Cannot ${mode === "create" ? "create" : "open or create"} semaphore`;
  const { initial = 0, maximum = MAX_COUNT } = options;
  if (!Number.isInteger(maximum) || maximum < 1 || maximum > MAX_COUNT) {
    throw new RangeError(
      `${what}: maximum must be an integer from 1 to ${MAX_COUNT}, got ${String(maximum)}`,
    );
  }
  if (!Number.isInteger(initial) || initial < 0 || initial > maximum) {
    throw new RangeError(
      `${what}: initial must be an integer from 0 to the maximum (${maximum}), got ${
        String(initial)
      }`,
    );
  }
  return new Semaphore(
    CONSTRUCT,
    createObject(
      "semaphore",
      mode,
      name,
      options,
      SEMAPHORE_EVERYONE_RIGHTS,
      (k, attributes, wide) => [
        k.CreateSemaphoreW(attributes, initial, maximum, wide),
        k.GetLastError(),
      ],
    ),
  );
}

/**
 * Creates a new unnamed semaphore.
 *
 * @example Limit concurrent work in this process
 * ```ts no-run
 * import { createSemaphore } from "@winipc/winipc/sync";
 *
 * using slots = createSemaphore({ initial: 4, maximum: 4 });
 * using permit = await slots.acquire();
 * ```
 *
 * @param options Initial and maximum count, security.
 * @returns The semaphore (`created` is true).
 * @throws {RangeError} For bad counts.
 * @throws {TypeError} For bad options.
 */
export function createSemaphore(options?: CreateSemaphoreOptions): Semaphore;
/**
 * Creates a new named semaphore; fails if the name is taken.
 *
 * @example Limit concurrent work across processes
 * ```ts no-run
 * import { createSemaphore } from "@winipc/winipc/sync";
 *
 * using slots = createSemaphore("my-app-slots", { initial: 4, maximum: 4 });
 * using permit = await slots.acquire({ timeout: 10_000 });
 * ```
 *
 * @param name A short name (`Local\` is added, or `Global\` with
 * `global: true`), or `Local\...`/`Global\...`.
 * @param options Initial and maximum count, namespace, security.
 * @returns The semaphore (`created` is true).
 * @throws {Deno.errors.AlreadyExists} If a semaphore of that name exists.
 * @throws {RangeError} For bad counts.
 * @throws {TypeError} For a bad name, bad options, or a name held by an
 * object of another kind.
 */
export function createSemaphore(name: string, options?: CreateSemaphoreOptions): Semaphore;
export function createSemaphore(
  nameOrOptions?: string | CreateSemaphoreOptions,
  options?: CreateSemaphoreOptions,
): Semaphore {
  const [name, checked] = nameAndOptions(nameOrOptions, options, "Cannot create semaphore");
  return makeSemaphore("create", name, checked);
}

/**
 * Opens the named semaphore if it exists, else creates it; `created` says
 * which (the counts and security apply only when it is created).
 *
 * @example Whoever comes first makes it
 * ```ts no-run
 * import { openOrCreateSemaphore } from "@winipc/winipc/sync";
 *
 * using slots = openOrCreateSemaphore("my-app-slots", { initial: 4, maximum: 4 });
 * ```
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options Initial and maximum count, namespace, security.
 * @returns The semaphore.
 * @throws {RangeError} For bad counts (checked even when it exists).
 * @throws {TypeError} For a bad name, bad options, or a name held by an
 * object of another kind.
 */
export function openOrCreateSemaphore(
  name: string,
  options?: CreateSemaphoreOptions,
): Semaphore {
  return makeSemaphore(
    "openOrCreate",
    name,
    checkOptions(options, "Cannot open or create semaphore"),
  );
}

/**
 * Opens an existing named semaphore, made by winipc or any program.
 *
 * @example Take a slot another process gives out
 * ```ts no-run
 * import { openSemaphore } from "@winipc/winipc/sync";
 *
 * using slots = openSemaphore("my-app-slots");
 * using permit = await slots.acquire();
 * ```
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options The namespace of a short name.
 * @returns The semaphore (`created` is false).
 * @throws {Deno.errors.NotFound} If no such semaphore exists.
 * @throws {TypeError} For a bad name, or a name held by an object of another kind.
 */
export function openSemaphore(name: string, options?: OpenSyncObjectOptions): Semaphore {
  return new Semaphore(
    CONSTRUCT,
    openObject(
      "semaphore",
      name,
      options,
      (k, wide) => [
        k.OpenSemaphoreW(SEMAPHORE_MODIFY_STATE_SYNCHRONIZE, 0, wide),
        k.GetLastError(),
      ],
    ),
  );
}
