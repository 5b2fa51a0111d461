// Copyright 2026 the winipc authors. MIT license.
/**
 * The completion port's own waiting thread.
 *
 * When nothing is queued on the port, the completion core (`completion.ts`)
 * must sleep until something is. It used to sleep in a `nonblocking` FFI
 * call, on Deno's blocking pool. That pool is small (4 threads a CPU on
 * Windows: 8 on a 2-CPU machine) and shared with everything else that
 * blocks, child processes' pipes first: a process that spawned 4 children
 * with piped stdout and stderr had every pool thread reading them, its
 * completion wait could not start, and every named pipe in it stood still
 * until a child exited (issue 20's 21 s connection storm).
 *
 * So the wait runs on a thread of winipc's own: a `node:worker_threads`
 * Worker running `port_thread_worker.ts` (imported here, so `deno compile`
 * embeds it). Asked through a shared block (a store and an `Atomics.notify`),
 * it makes one `GetQueuedCompletionStatusEx(INFINITE)` call and hands the
 * batch back the same way, to the JavaScript thread's `Atomics.waitAsync`. The Worker is
 * `unref()`ed except while the core waits for it, so it never keeps the
 * process alive by itself.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import {
  PORT_BATCH,
  PORT_BLOCK_BYTES,
  PORT_ENTRIES_OFFSET,
  PORT_ENTRY_SIZE,
  PORT_SLOT,
  PORT_THREAD,
  type PortThreadData,
  type PortThreadPost,
} from "./port_thread_worker.ts";

/** The completion port's waiting thread. */
export class PortThread {
  readonly #worker: Worker;
  readonly #i32: Int32Array;
  /** The stored batch's entries (`OVERLAPPED_ENTRY[]`). */
  readonly entries: DataView;
  /** Resolves once the thread waits on the port. */
  readonly started: Promise<void>;
  #ready = false;
  #failed: Error | null = null;
  /** Rejects with the Worker's error, if it fails. */
  readonly #failure: Promise<never>;
  #taken = 0;
  #asked = 0;
  /** A new Worker is ref'd: held until it has started (its start is awaited). */
  #held = true;
  #waiting = false;
  /** Ends the current `Atomics.waitAsync` early (the thread's `"wake"` message). */
  #wake: (() => void) | null = null;

  /** @param port The completion port. */
  constructor(port: Deno.PointerObject) {
    const block = new SharedArrayBuffer(PORT_BLOCK_BYTES);
    this.#i32 = new Int32Array(block, 0, PORT_ENTRIES_OFFSET / 4);
    this.entries = new DataView(block, PORT_ENTRIES_OFFSET, PORT_BATCH * PORT_ENTRY_SIZE);
    const workerData: PortThreadData = {
      marker: PORT_THREAD.marker,
      port: BigInt(Deno.UnsafePointer.value(port)),
      block,
    };
    this.#worker = new Worker(new URL(PORT_THREAD.url), { workerData });
    this.#failure = new Promise<never>((_, reject) => {
      this.#worker.on("error", (error: Error) => {
        this.#failed = error;
        reject(error);
      });
    });
    this.#failure.catch(() => {});
    // The thread says it runs with a message, which surely wakes this
    // thread's event loop (see PORT_WAKE_AFTER_MS).
    const ready = new Promise<void>((resolve) => {
      this.#worker.on("message", (message: PortThreadPost) => {
        if (message === "ready") resolve();
        else this.#wake?.();
      });
    });
    // Neither a Worker that has not started nor a pending Atomics.waitAsync
    // keeps Deno's event loop alive: a timer that never fires does, until the
    // thread runs (its start may be awaited with nothing else pending).
    const keepAlive = setTimeout(() => {}, 0x7fff_ffff);
    this.started = Promise.race([ready, this.#failure]).then(
      () => {
        this.#ready = true;
      },
    ).finally(() => {
      clearTimeout(keepAlive);
      if (!this.#waiting) this.hold(false);
    });
    this.started.catch(() => {});
  }

  /** Whether the thread waits on the port (and has not failed). */
  get ready(): boolean {
    return this.#ready && this.#failed === null;
  }

  /** The thread's failure (it ended with an error), if any. */
  get failed(): Error | null {
    return this.#failed;
  }

  /** Whether a batch is stored and not taken yet. */
  get stored(): boolean {
    return Atomics.load(this.#i32, PORT_SLOT.batch) !== this.#taken;
  }

  /** Whether the core waits for a batch ({@linkcode wait} in progress). */
  get waiting(): boolean {
    return this.#waiting;
  }

  /**
   * The stored batch: the number of entries in {@linkcode entries}, and the
   * thread's last error when its call failed (0 entries then).
   */
  batch(): { count: number; error: number } {
    return {
      count: Atomics.load(this.#i32, PORT_SLOT.count),
      error: Atomics.load(this.#i32, PORT_SLOT.error),
    };
  }

  /**
   * Asks for a call on the port (unless one is in progress or stored), and
   * waits until its batch is stored. The Worker keeps the process alive
   * meanwhile, unless {@linkcode hold} lets it go (nothing is pending any
   * more: the operations were settled by another way).
   *
   * @throws The Worker's error if it failed.
   */
  async wait(): Promise<void> {
    const i32 = this.#i32;
    if (this.stored) return;
    if (this.#asked === this.#taken) {
      this.#asked = this.#asked === 0x7fff_ffff ? 1 : this.#asked + 1;
      Atomics.store(i32, PORT_SLOT.asked, this.#asked);
      Atomics.notify(i32, PORT_SLOT.asked);
    }
    this.hold(true);
    this.#waiting = true;
    try {
      while (Atomics.load(i32, PORT_SLOT.batch) === this.#taken) {
        if (this.#failed !== null) throw this.#failed;
        const wait = Atomics.waitAsync(i32, PORT_SLOT.batch, this.#taken);
        if (!wait.async) continue;
        const woken = new Promise<void>((resolve) => (this.#wake = resolve));
        await Promise.race([wait.value, this.#failure, woken]);
        this.#wake = null;
      }
    } finally {
      this.#wake = null;
      this.#waiting = false;
      this.hold(false);
    }
  }

  /**
   * Whether the Worker keeps the process alive (`ref()`): while the core
   * waits for it and operations are pending. Idempotent.
   *
   * @param on Keep it alive, or not.
   */
  hold(on: boolean): void {
    if (on === this.#held) return;
    this.#held = on;
    if (on) this.#worker.ref();
    else this.#worker.unref();
  }

  /** Gives the stored batch back: the thread waits on the port again. */
  take(): void {
    this.#taken = Atomics.load(this.#i32, PORT_SLOT.batch);
    Atomics.store(this.#i32, PORT_SLOT.taken, this.#taken);
    Atomics.notify(this.#i32, PORT_SLOT.taken);
  }
}
