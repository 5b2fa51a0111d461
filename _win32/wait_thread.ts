// Copyright 2026 the winipc authors. MIT license.
/**
 * Wait threads: `node:worker_threads` Workers, each running
 * `wait_thread_worker.ts`, that make one alertable
 * `WaitForMultipleObjectsEx` at a time, for the wait groups (`wait.ts`) and
 * for `waitAll` (`wait_all.ts`).
 *
 * Waits do not sit on Deno's blocking pool: that pool has a few threads for
 * every `nonblocking` FFI call, every file operation and every child
 * process's piped output, and a wait queued behind them is not even made
 * (measured: with 4 children's output being read, a `nonblocking` call
 * started 1.8–2.0 s late). A thread of its own also has an identity, so an
 * APC (`QueueUserAPC`) can wake its call.
 *
 * A thread is `ref()`ed while it is lent out and `unref()`ed when given back;
 * up to {@linkcode MAX_IDLE} are kept for later waits. No machine code: any
 * architecture.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { kernel32, kernel32Address, WAIT_FAILED } from "./ffi.ts";
import { errorFromCode } from "./errors.ts";
import { Handoff } from "./handoff.ts";
import {
  WAIT_CONTROL_BYTES,
  WAIT_HANDLES_OFFSET,
  WAIT_SLOT,
  WAIT_THREAD,
  type WaitPost,
  type WaitThreadData,
} from "./wait_thread_worker.ts";

/** Idle threads kept for later waits (each one a Worker). */
const MAX_IDLE = 4;
const THREAD_SET_CONTEXT = 0x0010;

/** What one call on a wait thread returned. */
export interface WaitDone {
  /** What `WaitForMultipleObjectsEx` returned (`WAIT_FAILED` if the thread failed). */
  result: number;
  /** Its last error when it failed (0 if the thread itself failed). */
  error: number;
  /** True when the thread failed and the call has no outcome (it took nothing). */
  threadFailed: boolean;
}

/** One waiting thread. */
export class WaitThread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly #i32: Int32Array;
  readonly #handles: Uint8Array;
  readonly #handoff: Handoff;
  #thread: Deno.PointerObject | null = null;

  constructor() {
    const control = new SharedArrayBuffer(WAIT_CONTROL_BYTES);
    this.#i32 = new Int32Array(control, 0, WAIT_HANDLES_OFFSET / 4);
    this.#handles = new Uint8Array(control, WAIT_HANDLES_OFFSET);
    const handoff = this.#handoff = new Handoff(this.#i32, WAIT_SLOT);
    const workerData: WaitThreadData = { marker: WAIT_THREAD.marker, control };
    this.worker = new Worker(new URL(WAIT_THREAD.url), { workerData });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on("message", (data: WaitPost) => {
        if ("wake" in data) {
          handoff.woken();
          return;
        }
        const k = kernel32();
        const thread = k.OpenThread(THREAD_SET_CONTEXT, 0, data.ready);
        if (thread === null) {
          reject(errorFromCode(k.GetLastError(), "Cannot open a wait thread"));
          return;
        }
        this.#thread = thread;
        resolve();
      });
      const fail = (error: Error) => {
        handoff.fail(error);
        reject(handoff.failed);
      };
      this.worker.on("error", fail);
      // A Worker that ends without an error (or is ended) serves no more calls.
      this.worker.on(
        "exit",
        (code: number) => fail(new Error(`a wait thread ended (code ${code})`)),
      );
    });
    // Its failure is reported through `failed` and each call's result.
    this.ready.catch(() => {});
  }

  /** Set when the Worker failed or ended: its calls then return `WAIT_FAILED` with error 0. */
  get failed(): Error | null {
    return this.#handoff.failed;
  }

  /**
   * One alertable call on the thread.
   *
   * @param handles The handles, as `HANDLE[]` bytes, kept open until it returns.
   * @param count How many (at most 64).
   * @param all Whether to wait for all of them at once (else any one).
   * @param ms The call's timeout (`INFINITE` is 0xFFFFFFFF).
   * @returns What the call returned, and its last error.
   */
  async call(handles: Uint8Array, count: number, all: boolean, ms: number): Promise<WaitDone> {
    const i32 = this.#i32;
    this.#handles.set(handles.subarray(0, count * 8));
    Atomics.store(i32, WAIT_SLOT.count, count);
    Atomics.store(i32, WAIT_SLOT.all, all ? 1 : 0);
    Atomics.store(i32, WAIT_SLOT.ms, ms | 0);
    const done = await this.#handoff.run(() => ({
      result: Atomics.load(i32, WAIT_SLOT.result) >>> 0,
      error: Atomics.load(i32, WAIT_SLOT.error),
      threadFailed: false,
    }));
    return done ?? { result: WAIT_FAILED, error: 0, threadFailed: true };
  }

  /** Wakes the call in progress (or the next one: the caller checks why it returned). */
  wake(): void {
    if (this.#thread !== null) kernel32().QueueUserAPC(apcRoutine(), this.#thread, 0n);
  }

  end(): void {
    if (this.#thread !== null) kernel32().CloseHandle(this.#thread);
    this.#thread = null;
    this.#handoff.end();
    void this.worker.terminate();
  }
}

let apc: Deno.PointerObject | null = null;

/** A harmless routine of one pointer-sized argument to queue as the APC: `SetLastError`. */
function apcRoutine(): Deno.PointerObject {
  if (apc === null) {
    apc = kernel32Address("SetLastError");
    if (apc === null) throw new Error("Cannot find kernel32!SetLastError for a wait thread");
  }
  return apc;
}

const idle: WaitThread[] = [];

/**
 * Lends a wait thread, started and `ref()`ed.
 *
 * @returns The thread.
 * @throws If a new thread cannot start.
 */
export async function takeThread(): Promise<WaitThread> {
  let thread = idle.pop();
  // One that failed while idle is ended, not lent.
  while (thread !== undefined && thread.failed !== null) {
    thread.end();
    thread = idle.pop();
  }
  if (thread === undefined) thread = new WaitThread();
  thread.worker.ref();
  try {
    await thread.ready;
  } catch (error) {
    // A thread that could not start (or be opened) must not keep the
    // process alive.
    thread.end();
    throw error;
  }
  return thread;
}

/**
 * Starts wait threads ahead of need and keeps them idle (at most
 * {@linkcode MAX_IDLE}), so that no later wait pays their start. For tests
 * that measure: a thread's start (a module to load, under `deno test` a
 * type check) is not idle time.
 *
 * @param count How many.
 */
export async function startWaitThreads(count: number): Promise<void> {
  const threads = await Promise.all(
    Array.from({ length: Math.min(count, MAX_IDLE) }, () => takeThread()),
  );
  for (const thread of threads) giveBack(thread);
}

/**
 * Gives a thread back, with no call in progress: kept idle and `unref()`ed,
 * or ended.
 *
 * @param thread The thread.
 */
export function giveBack(thread: WaitThread): void {
  if (thread.failed !== null || idle.length >= MAX_IDLE) {
    thread.end();
    return;
  }
  thread.worker.unref();
  idle.push(thread);
}
