// Copyright 2026 the winipc authors. MIT license.
/**
 * One request at a time between the JavaScript thread and a
 * `node:worker_threads` Worker that makes a blocking call, through a shared
 * control block rather than messages: the send threads
 * (`copydata/_send_thread.ts`) and the wait threads (`wait_thread.ts`).
 *
 * The JavaScript thread stores the request's fields, then its number in
 * `request`, and wakes the thread (`Atomics.notify`); the thread, asleep in
 * `Atomics.wait`, runs it, stores the outcome and its number in `done`, and
 * wakes the JavaScript thread, which awaits it with `Atomics.waitAsync`,
 * reads it and stores its number in `taken`. An outcome not taken within
 * {@linkcode HANDOFF_WAKE_AFTER_MS} is also announced with a message: a wake
 * by `Atomics.notify` alone was lost about once in 20 fresh processes (see
 * `port_thread.ts`), and a message surely wakes the event loop.
 *
 * Both sides import this module; it imports nothing.
 *
 * @module
 */

/** The control block's Int32 slots that the handoff itself uses. */
export interface HandoffSlots {
  /** The number of the request to run (-1: end the thread). */
  readonly request: number;
  /** The number of the last request run. */
  readonly done: number;
  /** The number of the last outcome the JavaScript thread took. */
  readonly taken: number;
}

/** How long an outcome may stay untaken before a message announces it too. */
export const HANDOFF_WAKE_AFTER_MS = 20;

/** The JavaScript thread's side of one thread's handoff. */
export class Handoff {
  readonly #i32: Int32Array;
  readonly #slots: HandoffSlots;
  #next = 0;
  #onWake: (() => void) | null = null;
  #onFailure: (() => void) | null = null;
  /** Set once the thread failed or ended: it runs no more requests. */
  failed: Error | null = null;

  /**
   * @param i32 The control block's Int32 view.
   * @param slots Where the handoff's own slots are in it.
   */
  constructor(i32: Int32Array, slots: HandoffSlots) {
    this.#i32 = i32;
    this.#slots = slots;
  }

  /** The thread announced an outcome with a message. */
  woken(): void {
    this.#onWake?.();
  }

  /**
   * The thread failed or ended; a request in progress gives up.
   *
   * @param error Why (the first reason is kept).
   */
  fail(error: Error): void {
    this.failed ??= error;
    this.#onFailure?.();
  }

  /**
   * Runs one request whose fields are stored already.
   *
   * @param read Reads the outcome from the control block, before it is taken.
   * @returns What `read` returned, or `null` if the thread failed first.
   */
  async run<T>(read: () => T): Promise<T | null> {
    const i32 = this.#i32;
    const slots = this.#slots;
    if (this.failed !== null) return null;
    const before = Atomics.load(i32, slots.done);
    const id = this.#next = (this.#next % 0x7fffffff) + 1;
    Atomics.store(i32, slots.request, id);
    Atomics.notify(i32, slots.request);
    try {
      const failed = new Promise<void>((resolve) => (this.#onFailure = resolve));
      while (Atomics.load(i32, slots.done) !== id) {
        if (this.failed !== null) return null;
        const wait = Atomics.waitAsync(i32, slots.done, before);
        if (!wait.async) continue;
        // A fresh promise each time: a late message about an earlier request
        // only makes this look again.
        const woken = new Promise<void>((resolve) => (this.#onWake = resolve));
        await Promise.race([wait.value, woken, failed]);
      }
      const outcome = read();
      Atomics.store(i32, slots.taken, id);
      Atomics.notify(i32, slots.taken);
      return outcome;
    } finally {
      this.#onWake = null;
      this.#onFailure = null;
    }
  }

  /** Asks the thread to leave its loop. */
  end(): void {
    Atomics.store(this.#i32, this.#slots.request, -1);
    Atomics.notify(this.#i32, this.#slots.request);
  }
}

/**
 * The thread's side: runs each request as it comes, until asked to end.
 *
 * @param i32 The control block's Int32 view.
 * @param slots Where the handoff's own slots are in it.
 * @param serve Runs the request in the control block and stores its outcome.
 * @param announce Posts the message that announces an outcome not taken in time.
 */
export function serveHandoff(
  i32: Int32Array,
  slots: HandoffSlots,
  serve: () => void,
  announce: () => void,
): void {
  let last = 0;
  for (;;) {
    Atomics.wait(i32, slots.request, last);
    const id = Atomics.load(i32, slots.request);
    if (id < 0) return;
    if (id === last) continue;
    last = id;
    serve();
    Atomics.store(i32, slots.done, id);
    Atomics.notify(i32, slots.done);
    const taken = Atomics.load(i32, slots.taken);
    if (
      taken !== id && Atomics.wait(i32, slots.taken, taken, HANDOFF_WAKE_AFTER_MS) === "timed-out"
    ) {
      announce();
    }
  }
}
