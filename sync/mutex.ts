// Copyright 2026 the winipc authors. MIT license.
/**
 * Mutexes: `createMutex`, `openMutex`, `Mutex`, `MutexLock`.
 *
 * @module
 */
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";
import { kernel32, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT } from "../_win32/ffi.ts";
import { errorFromCode } from "../_win32/errors.ts";
import type { WaitOptions } from "../_win32/options.ts";
import { OwnerThread } from "../_win32/owner_thread.ts";
import { waitForHandle } from "../_win32/wait.ts";
import { checkWaitOptions, startTimer } from "../_win32/timeout.ts";
import {
  adopt,
  checkOptions,
  createObject,
  type CreateSyncObjectOptions,
  describe,
  internalsOf,
  liveHandle,
  type Made,
  nameAndOptions,
  openObject,
  type OpenSyncObjectOptions,
  SyncObject,
} from "./_object.ts";

const MUTEX_MODIFY_STATE_SYNCHRONIZE = 0x0010_0001;
/** What `security: "everyone"` lets Everyone do: wait (acquire) and release. */
const MUTEX_EVERYONE_RIGHTS = "0x00100001";

/**
 * A held mutex, from {@linkcode Mutex.acquire}: release it, or let `using` do it.
 *
 * @example Held for the scope
 * ```ts no-run
 * import { openOrCreateMutex } from "@winipc/winipc/sync";
 *
 * using mutex = openOrCreateMutex("my-app-config");
 * using lock = await mutex.acquire();
 * if (lock.abandoned) console.warn("the last owner died holding it");
 * ```
 */
export class MutexLock implements Disposable {
  #release: (() => void) | null;
  readonly #abandoned: boolean;

  /** @ignore */
  constructor(key: ConstructKey, abandoned: boolean, release: () => void) {
    checkConstruct(key, "locks come from Mutex.acquire() and tryAcquire()");
    this.#abandoned = abandoned;
    this.#release = release;
  }

  /**
   * True when the previous owner ended (thread or process) while holding
   * the mutex: the lock is yours, but what it protects may be half-updated.
   */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /** True once released. */
  get released(): boolean {
    return this.#release === null;
  }

  /**
   * Releases the mutex.
   *
   * @example Release before the end of the block
   * ```ts no-run
   * import { openMutex } from "@winipc/winipc/sync";
   *
   * using mutex = openMutex("my-app-config");
   * const lock = await mutex.acquire();
   * lock.release();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already released.
   */
  release(): void {
    const release = this.#release;
    if (release === null) throw new Deno.errors.BadResource("Cannot release a mutex lock twice");
    this.#release = null;
    release();
  }

  /** Releases if not released yet. */
  [Symbol.dispose](): void {
    if (this.#release !== null) this.release();
  }
}

/** A process's queue for one kernel mutex (see `Mutex`'s `#state`). */
interface MutexState {
  /** Resolves when the last lock handed out (or promised) here is released. */
  queue: Promise<void>;
  /** Acquires queued or in progress. */
  waiting: number;
  /** The lock this process holds, if any, and the `Mutex` it came from. */
  current: MutexLock | null;
  holder: Mutex | null;
  /** A release by an owner thread that has not finished yet. */
  releasing: Promise<unknown> | null;
  /** `Mutex` objects open on it. */
  refs: number;
}

const states = new Map<string, MutexState>();

function newState(): MutexState {
  return {
    queue: Promise.resolve(),
    waiting: 0,
    current: null,
    holder: null,
    releasing: null,
    refs: 1,
  };
}

/** The queue of a named mutex, shared by every `Mutex` of that name here. */
function stateFor(name: string | null): MutexState {
  if (name === null) return newState();
  let state = states.get(name);
  if (state === undefined) states.set(name, state = newState());
  else state.refs++;
  return state;
}

function leaveState(name: string | null, state: MutexState): void {
  state.refs--;
  if (name !== null && state.refs === 0 && states.get(name) === state) states.delete(name);
}

/**
 * A Windows mutex, from {@linkcode createMutex}, {@linkcode openMutex} or
 * {@linkcode openOrCreateMutex}: shared with any process (C programs too)
 * by name.
 *
 * Within this process, one lock at a time: a second `acquire()` waits for
 * the first lock's release, so async tasks exclude each other as processes
 * do (the recursion a Win32 mutex allows its owning thread is not exposed).
 *
 * How ownership works: an uncontended acquire takes the mutex on the
 * JavaScript thread at once (a zero-timeout wait) and releases it there. A
 * contended one is handed to one dedicated thread per mutex, which
 * acquires, and later releases, on the thread that owns it, so release
 * never fails with `ERROR_NOT_OWNER`, in whatever order several mutexes are
 * released.
 *
 * A mutex is not a {@linkcode Waitable}: a wait on it owns it, so
 * `waitAny`/`waitAll` refuse it; use `acquire()`.
 *
 * @example One process at a time edits the file
 * ```ts no-run
 * import { openOrCreateMutex } from "@winipc/winipc/sync";
 *
 * using mutex = openOrCreateMutex("my-app-config");
 * {
 *   using _lock = await mutex.acquire({ timeout: 10_000 });
 *   await Deno.writeTextFile("config.json", "{}");
 * }
 * ```
 */
export class Mutex extends SyncObject {
  #owner: OwnerThread | null = null;
  /**
   * This process's queue for the kernel object, shared by every `Mutex` of
   * the same name here: the JavaScript thread may take a mutex it already
   * owns again (Win32 mutexes are recursive), so only this queue keeps two
   * `Mutex` objects for one name from both holding it.
   */
  readonly #state: MutexState;
  /** The acquire in progress, if any (`close()` lets it finish first). */
  #inflight: Promise<unknown> | null = null;
  /** Set by `close()`; the handle is closed once the owner thread has ended. */
  #closing: Promise<void> | null = null;

  /** @ignore */
  constructor(key: ConstructKey, made: Made) {
    super(key);
    adopt(this, { ...made, kind: "mutex", restore: null });
    this.#state = stateFor(this.name);
  }

  /**
   * The lock handed to the caller: its release gives the mutex back (on the
   * thread that owns it), then lets this process's next acquire go.
   */
  #lock(abandoned: boolean, giveBack: () => void, next: () => void): MutexLock {
    const lock = new MutexLock(CONSTRUCT, abandoned, () => {
      this.#state.current = null;
      this.#state.holder = null;
      try {
        giveBack();
      } finally {
        next();
      }
    });
    this.#state.current = lock;
    this.#state.holder = this;
    return lock;
  }

  /** Takes the mutex on the JavaScript thread if it is free now. */
  #tryOnJsThread(next: () => void): MutexLock | null {
    const raw = liveHandle(this, "acquire");
    const k = kernel32();
    const result = k.WaitForSingleObject(raw, 0);
    if (result === WAIT_TIMEOUT) return null;
    if (result !== WAIT_OBJECT_0 && result !== WAIT_ABANDONED_0) {
      throw errorFromCode(k.GetLastError(), `Cannot acquire ${describe(this)}`);
    }
    return this.#lock(result === WAIT_ABANDONED_0, () => {
      if (!k.ReleaseMutex(raw)) {
        throw errorFromCode(k.GetLastError(), `Cannot release ${describe(this)}`);
      }
    }, next);
  }

  /** Whether this process neither holds nor waits for a lock on this mutex. */
  #free(): boolean {
    return this.#state.current === null && this.#state.waiting === 0 &&
      this.#state.releasing === null;
  }

  /**
   * Takes the mutex if it is free now (and this process neither holds nor
   * waits for a lock on it); never waits.
   *
   * @example Do the work only if nobody else is
   * ```ts no-run
   * import { openMutex } from "@winipc/winipc/sync";
   *
   * using mutex = openMutex("my-app-config");
   * using lock = mutex.tryAcquire();
   * if (lock === null) console.log("busy");
   * ```
   *
   * @returns The lock, or `null`.
   * @throws {Deno.errors.BadResource} If the mutex is closed.
   */
  tryAcquire(): MutexLock | null {
    liveHandle(this, "acquire");
    if (!this.#free()) return null;
    let next!: () => void;
    const turn = new Promise<void>((resolve) => next = resolve);
    const lock = this.#tryOnJsThread(next);
    if (lock !== null) this.#state.queue = turn;
    return lock;
  }

  /**
   * Takes the mutex, waiting without blocking the event loop while another
   * process (or another lock of this process) holds it. The timeout and the
   * signal cover the whole wait, this process's own queue included. A
   * cancelled or timed-out acquire never leaves the mutex held.
   *
   * @example One process at a time, for at most 10 seconds of waiting
   * ```ts no-run
   * import { openMutex } from "@winipc/winipc/sync";
   *
   * using mutex = openMutex("my-app-config");
   * using lock = await mutex.acquire({ timeout: 10_000 });
   * if (lock.abandoned) console.warn("the last owner died holding it");
   * ```
   *
   * @param options Timeout (default `Infinity`; `0` tries once) and cancellation.
   * @returns The lock; `abandoned` says whether the last owner died holding it.
   * @throws {Deno.errors.TimedOut} If it was not free in time.
   * @throws {Deno.errors.BadResource} If the mutex is (or gets) closed.
   * @throws {RangeError} For a bad timeout.
   */
  acquire(options?: WaitOptions): Promise<MutexLock> {
    let timeout: number;
    let signal: AbortSignal | undefined;
    try {
      ({ timeout, signal } = checkWaitOptions(options, `acquire ${describe(this)}`));
      liveHandle(this, "acquire");
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    const start = performance.now();
    const free = this.#free();
    const previous = this.#state.queue;
    let next!: () => void;
    this.#state.queue = new Promise<void>((resolve) => next = resolve);
    this.#state.waiting++;
    return (async () => {
      try {
        await this.#turn(previous, free, timeout, signal);
      } catch (error) {
        // This acquire gives up its place: the one after it goes once the
        // lock before it is released.
        previous.then(next);
        throw error;
      }
      const left = Math.max(0, timeout - (performance.now() - start));
      const attempt = this.#acquire(left, timeout, signal, next);
      this.#inflight = attempt;
      try {
        return await attempt;
      } catch (error) {
        next(); // no lock: the next acquire may go
        throw error;
      } finally {
        if (this.#inflight === attempt) this.#inflight = null;
      }
    })().finally(() => {
      this.#state.waiting--;
    });
  }

  /** Waits for this process's previous lock, within the timeout and the signal. */
  #turn(
    previous: Promise<void>,
    free: boolean,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (timeout === 0) {
      if (free) return previous; // settled, or about to be
      return Promise.reject(
        new Deno.errors.TimedOut(
          `Cannot acquire ${
            describe(this)
          }: this process holds it or waits for it (timeout 0: one try)`,
        ),
      );
    }
    if (timeout === Infinity && signal === undefined) return previous;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        cancel();
        reject(signal!.reason);
      };
      const cancel = startTimer(timeout, () => {
        signal?.removeEventListener("abort", onAbort);
        reject(
          new Deno.errors.TimedOut(
            `Cannot acquire ${
              describe(this)
            }: not free within ${timeout} ms (this process held it)`,
          ),
        );
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      previous.then(() => {
        cancel();
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  async #acquire(
    left: number,
    timeout: number,
    signal: AbortSignal | undefined,
    next: () => void,
  ): Promise<MutexLock> {
    signal?.throwIfAborted();
    if (this.#state.releasing !== null) await this.#state.releasing;
    const fast = this.#tryOnJsThread(next);
    if (fast !== null) return fast;
    if (left === 0) {
      throw new Deno.errors.TimedOut(
        timeout === 0
          ? `Cannot acquire ${describe(this)}: it is held (timeout 0: one try)`
          : `Cannot acquire ${describe(this)}: not free within ${timeout} ms`,
      );
    }
    this.#owner ??= new OwnerThread(liveHandle(this, "acquire"));
    const owner = this.#owner;
    owner.requestAcquire();
    let failure: unknown = null;
    try {
      const result = await waitForHandle(owner.done, {
        timeout: left,
        signal,
        restore: (raw) => kernel32().SetEvent(raw),
      });
      if (result === "timeout") {
        failure = new Deno.errors.TimedOut(
          `Cannot acquire ${describe(this)}: not free within ${timeout} ms`,
        );
      }
    } catch (error) {
      failure = error;
    }
    if (failure !== null) {
      // Cancel the thread's wait; it may still have won the mutex.
      owner.cancelAcquire();
      await waitForHandle(owner.done);
      if (owner.result() !== "cancelled") this.#releaseOnOwner(owner);
      throw failure;
    }
    const outcome = owner.result();
    if (outcome === "cancelled") {
      // Only close() cancels an acquire that no signal or timeout ended.
      throw new Deno.errors.BadResource(`Cannot acquire ${describe(this)}: it was closed`);
    }
    if (this.#closing !== null) {
      this.#releaseOnOwner(owner);
      throw new Deno.errors.BadResource(`Cannot acquire ${describe(this)}: it was closed`);
    }
    return this.#lock(outcome === "abandoned", () => this.#releaseOnOwner(owner), next);
  }

  /** Has the owner thread release; the next acquire waits for it to finish. */
  #releaseOnOwner(owner: OwnerThread): void {
    owner.requestRelease();
    const done = waitForHandle(owner.done).finally(() => {
      if (this.#state.releasing === done) this.#state.releasing = null;
    });
    this.#state.releasing = done;
  }

  /**
   * Closes the mutex. A lock still held is released first, an acquire in
   * progress is cancelled (it rejects with `BadResource`), and the owner
   * thread, if any, ends before the handle is closed.
   *
   * @example Close early
   * ```ts no-run
   * import { createMutex } from "@winipc/winipc/sync";
   *
   * const mutex = createMutex();
   * mutex.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  override close(): void {
    liveHandle(this, "close");
    if (this.#state.holder === this) this.#state.current?.release();
    leaveState(this.name, this.#state);
    this.#closing = Promise.resolve();
    const handle = internalsOf(this).handle;
    const owner = this.#owner;
    this.#owner = null;
    if (owner === null) {
      handle.close();
      return;
    }
    owner.cancelAcquire();
    // The thread uses the handle until it has ended: close after it.
    const inflight = this.#inflight ?? Promise.resolve();
    this.#closing = inflight.catch(() => {}).then(async () => {
      while (this.#state.releasing !== null) await this.#state.releasing;
      await owner.stop((thread) => waitForHandle(thread));
    }).finally(() => {
      if (!handle.closed) handle.close();
    });
  }

  /** True once closed. */
  override get closed(): boolean {
    return this.#closing !== null || super.closed;
  }
}

function makeMutex(
  mode: "create" | "openOrCreate",
  name: string | undefined,
  options: CreateSyncObjectOptions,
): Mutex {
  return new Mutex(
    CONSTRUCT,
    createObject(
      "mutex",
      mode,
      name,
      options,
      MUTEX_EVERYONE_RIGHTS,
      (k, attributes, wide) => [k.CreateMutexW(attributes, 0, wide), k.GetLastError()],
    ),
  );
}

/**
 * Creates a new unnamed mutex (not held): for tasks of this process.
 *
 * @example One task at a time
 * ```ts no-run
 * import { createMutex } from "@winipc/winipc/sync";
 *
 * using mutex = createMutex();
 * using lock = await mutex.acquire();
 * ```
 *
 * @param options Security.
 * @returns The mutex (`created` is true).
 * @throws {TypeError} For bad options.
 */
export function createMutex(options?: CreateSyncObjectOptions): Mutex;
/**
 * Creates a new named mutex (not held); fails if the name is taken.
 *
 * @example One process at a time
 * ```ts no-run
 * import { createMutex } from "@winipc/winipc/sync";
 *
 * using mutex = createMutex("my-app-config");
 * using lock = await mutex.acquire({ timeout: 10_000 });
 * if (lock.abandoned) console.warn("the last owner died holding it");
 * ```
 *
 * @param name A short name (`Local\` is added, or `Global\` with
 * `global: true`), or `Local\...`/`Global\...`.
 * @param options Namespace and security.
 * @returns The mutex (`created` is true).
 * @throws {Deno.errors.AlreadyExists} If a mutex of that name exists.
 * @throws {TypeError} For a bad name, bad options, or a name held by an
 * object of another kind.
 */
export function createMutex(name: string, options?: CreateSyncObjectOptions): Mutex;
export function createMutex(
  nameOrOptions?: string | CreateSyncObjectOptions,
  options?: CreateSyncObjectOptions,
): Mutex {
  const [name, checked] = nameAndOptions(nameOrOptions, options, "Cannot create mutex");
  return makeMutex("create", name, checked);
}

/**
 * Opens the named mutex if it exists, else creates it (not held); `created`
 * says which (security applies only when it is created).
 *
 * @example Whoever comes first makes it
 * ```ts no-run
 * import { openOrCreateMutex } from "@winipc/winipc/sync";
 *
 * using mutex = openOrCreateMutex("my-app-config");
 * using lock = await mutex.acquire();
 * ```
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options Namespace and security.
 * @returns The mutex.
 * @throws {TypeError} For a bad name, bad options, or a name held by an
 * object of another kind.
 */
export function openOrCreateMutex(name: string, options?: CreateSyncObjectOptions): Mutex {
  return makeMutex("openOrCreate", name, checkOptions(options, "Cannot open or create mutex"));
}

/**
 * Opens an existing named mutex, made by winipc or any program.
 *
 * @example Take another process's mutex
 * ```ts no-run
 * import { openMutex } from "@winipc/winipc/sync";
 *
 * using mutex = openMutex("my-app-config");
 * using lock = await mutex.acquire();
 * ```
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options The namespace of a short name.
 * @returns The mutex (`created` is false).
 * @throws {Deno.errors.NotFound} If no such mutex exists.
 * @throws {TypeError} For a bad name, or a name held by an object of another kind.
 */
export function openMutex(name: string, options?: OpenSyncObjectOptions): Mutex {
  return new Mutex(
    CONSTRUCT,
    openObject(
      "mutex",
      name,
      options,
      (k, wide) => [k.OpenMutexW(MUTEX_MODIFY_STATE_SYNCHRONIZE, 0, wide), k.GetLastError()],
    ),
  );
}
