// Copyright 2026 the winipc authors. MIT license.
/**
 * Mutexes: `createMutex`, `openMutex`, `Mutex`, `MutexLock`.
 *
 * @module
 */
import { kernel32, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT } from "../_win32/ffi.ts";
import { errorFromCode, lastError, throwLastError } from "../_win32/errors.ts";
import type { OwnedHandle } from "../_win32/handle.ts";
import { OwnerThread } from "../_win32/owner_thread.ts";
import { waitForHandle } from "../_win32/wait.ts";
import { checkTimeout } from "../_win32/timeout.ts";
import {
  createObject,
  openObject,
  SyncObject,
  type SyncObjectOptions,
  type SyncWaitOptions,
} from "./_object.ts";

const MUTEX_MODIFY_STATE_SYNCHRONIZE = 0x0010_0001;

/** A held mutex, from {@linkcode Mutex.acquire}: release it, or let `using` do it. */
export class MutexLock implements Disposable {
  #release: (() => void) | null;
  /**
   * True when the previous owner ended (thread or process) while holding
   * the mutex: the lock is yours, but what it protects may be half-updated.
   */
  readonly abandoned: boolean;

  /** @internal */
  constructor(abandoned: boolean, release: () => void) {
    this.abandoned = abandoned;
    this.#release = release;
  }

  /** True once released. */
  get released(): boolean {
    return this.#release === null;
  }

  /**
   * Releases the mutex.
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

/**
 * A Windows mutex, from {@linkcode createMutex} or {@linkcode openMutex}:
 * shared with any process (C programs too) by name.
 *
 * Within this process, one lock at a time: a second `acquire()` waits for
 * the first lock's release, so async tasks exclude each other as processes
 * do (the recursion a Win32 mutex allows its owning thread is not exposed).
 *
 * How ownership works: an uncontended acquire takes the mutex on the
 * JavaScript thread at once (a zero-timeout wait) and releases it there. A
 * contended one is handed to one dedicated thread per mutex (see
 * `_win32/owner_thread.ts`), which acquires, and later releases, on the
 * thread that owns it, so release never fails with `ERROR_NOT_OWNER`, in
 * whatever order several mutexes are released.
 */
export class Mutex extends SyncObject {
  #owner: OwnerThread | null = null;
  /** Resolves when the last lock handed out (or promised) in this process is released. */
  #queue: Promise<void> = Promise.resolve();
  /** Acquires queued or in progress. */
  #waiting = 0;
  /** The acquire in progress, if any (`close()` lets it finish first). */
  #inflight: Promise<unknown> | null = null;
  /** The lock this process holds, if any. */
  #current: MutexLock | null = null;
  /** A release by the owner thread that has not finished yet. */
  #releasing: Promise<unknown> | null = null;

  /** @internal */
  constructor(init: { handle: OwnedHandle; name: string | null; created: boolean }) {
    super(init.handle, init.name, init.created);
  }

  /** @internal */
  describe(): string {
    return this.name ? `mutex "${this.name}"` : "mutex";
  }

  /** @internal A mutex's signal is never put back: a wait on it owns it. */
  restore(): void {}

  /**
   * The lock handed to the caller: its release gives the mutex back (on the
   * thread that owns it), then lets this process's next acquire go.
   */
  #lock(abandoned: boolean, giveBack: () => void, next: () => void): MutexLock {
    const lock = new MutexLock(abandoned, () => {
      this.#current = null;
      try {
        giveBack();
      } finally {
        next();
      }
    });
    this.#current = lock;
    return lock;
  }

  /** Takes the mutex on the JavaScript thread if it is free now. */
  #tryOnJsThread(next: () => void): MutexLock | null {
    const raw = this.raw("acquire");
    const result = kernel32().WaitForSingleObject(raw, 0);
    if (result === WAIT_TIMEOUT) return null;
    if (result !== WAIT_OBJECT_0 && result !== WAIT_ABANDONED_0) {
      throwLastError(`Cannot acquire ${this.describe()}`);
    }
    return this.#lock(result === WAIT_ABANDONED_0, () => {
      if (!kernel32().ReleaseMutex(raw)) {
        throw errorFromCode(lastError(), `Cannot release ${this.describe()}`);
      }
    }, next);
  }

  /**
   * Takes the mutex if it is free now (and this process neither holds nor
   * waits for a lock on it).
   *
   * @returns The lock, or `null`.
   */
  tryAcquire(): MutexLock | null {
    this.raw("acquire");
    if (this.#current !== null || this.#waiting > 0 || this.#releasing !== null) return null;
    let next!: () => void;
    const turn = new Promise<void>((resolve) => next = resolve);
    const lock = this.#tryOnJsThread(next);
    if (lock !== null) this.#queue = turn;
    return lock;
  }

  /**
   * Takes the mutex, waiting without blocking the event loop while another
   * process (or another lock of this process) holds it. A cancelled or
   * timed-out acquire never leaves the mutex held.
   *
   * @param options Timeout and cancellation.
   * @returns The lock; `abandoned` says whether the last owner died holding it.
   * @throws {Deno.errors.TimedOut} If it was not free in time.
   */
  acquire(options: SyncWaitOptions = {}): Promise<MutexLock> {
    try {
      checkTimeout(options.timeout, `acquire ${this.describe()}`);
      this.raw("acquire");
    } catch (error) {
      return Promise.reject(error);
    }
    const previous = this.#queue;
    let next!: () => void;
    this.#queue = new Promise<void>((resolve) => next = resolve);
    this.#waiting++;
    return previous.then(() => {
      const attempt = this.#acquire(options, next);
      this.#inflight = attempt;
      return attempt;
    }).catch((error) => {
      next(); // no lock: the next acquire may go
      throw error;
    }).finally(() => {
      this.#waiting--;
      this.#inflight = null;
    });
  }

  async #acquire(options: SyncWaitOptions, next: () => void): Promise<MutexLock> {
    const { signal } = options;
    signal?.throwIfAborted();
    if (this.#releasing !== null) await this.#releasing;
    const fast = this.#tryOnJsThread(next);
    if (fast !== null) return fast;
    if (options.timeout === 0) {
      throw new Deno.errors.TimedOut(`Cannot acquire ${this.describe()}: it is held`);
    }
    this.#owner ??= new OwnerThread(this.raw("acquire"));
    const owner = this.#owner;
    owner.requestAcquire();
    let failure: unknown = null;
    try {
      const result = await waitForHandle(owner.done, {
        timeout: options.timeout,
        signal,
        restore: (raw) => kernel32().SetEvent(raw),
      });
      if (result === "timeout") {
        failure = new Deno.errors.TimedOut(
          `Cannot acquire ${this.describe()}: not free within ${options.timeout} ms`,
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
      throw new Deno.errors.BadResource(`Cannot acquire ${this.describe()}: it was closed`);
    }
    if (this.#closing !== null) {
      this.#releaseOnOwner(owner);
      throw new Deno.errors.BadResource(`Cannot acquire ${this.describe()}: it was closed`);
    }
    return this.#lock(outcome === "abandoned", () => this.#releaseOnOwner(owner), next);
  }

  /** Has the owner thread release; the next acquire waits for it to finish. */
  #releaseOnOwner(owner: OwnerThread): void {
    owner.requestRelease();
    const done = waitForHandle(owner.done).finally(() => {
      if (this.#releasing === done) this.#releasing = null;
    });
    this.#releasing = done;
  }

  /**
   * Closes the mutex. A lock still held is released first, an acquire in
   * progress is cancelled (it rejects with `BadResource`), and the owner
   * thread, if any, ends before the handle is closed.
   */
  override close(): void {
    this.raw("close");
    this.#current?.release();
    this.#closing = Promise.resolve();
    const owner = this.#owner;
    this.#owner = null;
    if (owner === null) {
      super.close();
      return;
    }
    owner.cancelAcquire();
    // The thread uses the handle until it has ended: close after it.
    const handle = this.handle;
    const inflight = this.#inflight ?? Promise.resolve();
    this.#closing = inflight.catch(() => {}).then(async () => {
      while (this.#releasing !== null) await this.#releasing;
      await owner.stop((thread) => waitForHandle(thread));
    }).finally(() => {
      if (!handle.closed) handle.close();
    });
  }

  #closing: Promise<void> | null = null;

  /** @internal */
  override raw(what: string): Deno.PointerObject {
    if (this.#closing !== null) {
      throw new Deno.errors.BadResource(`Cannot ${what} ${this.describe()}: it is closed`);
    }
    return super.raw(what);
  }

  /** True once closed. */
  override get closed(): boolean {
    return this.#closing !== null || super.closed;
  }

  /** Closes if still open. */
  override [Symbol.dispose](): void {
    if (!this.closed) this.close();
  }
}

/**
 * Creates a mutex, or opens the existing one of that name (then `created`
 * is false).
 *
 * @example One process at a time
 * ```ts ignore
 * import { createMutex } from "@winipc/winipc/sync";
 *
 * using mutex = createMutex("my-app-config");
 * using lock = await mutex.acquire({ timeout: 10_000 });
 * if (lock.abandoned) console.warn("the last owner died holding it");
 * ```
 *
 * @param name A short name, `Local\...`/`Global\...`, or nothing.
 * @param options Namespace and security.
 * @returns The mutex (not held).
 */
export function createMutex(name?: string, options: SyncObjectOptions = {}): Mutex {
  return new Mutex(
    createObject(
      "mutex",
      name,
      options,
      "0x00100001",
      (attributes, wide) => kernel32().CreateMutexW(attributes, 0, wide),
    ),
  );
}

/**
 * Opens an existing named mutex, made by winipc or any program.
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options The namespace of a short name.
 * @returns The mutex.
 * @throws {Deno.errors.NotFound} If no such mutex exists.
 */
export function openMutex(name: string, options: { global?: boolean } = {}): Mutex {
  const opened = openObject(
    "mutex",
    name,
    options.global,
    (wide) => kernel32().OpenMutexW(MUTEX_MODIFY_STATE_SYNCHRONIZE, 0, wide),
  );
  return new Mutex({ ...opened, created: false });
}
