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
import { WAIT_THREAD, type WaitPost, type WaitRequest } from "./wait_thread_worker.ts";

/** Idle threads kept for later waits (each one a Worker). */
const MAX_IDLE = 4;
const THREAD_SET_CONTEXT = 0x0010;

/** What one call on a wait thread returned. */
export type WaitDone = Extract<WaitPost, { id: number }>;

/** One waiting thread. */
export class WaitThread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  #thread: Deno.PointerObject | null = null;
  #nextId = 1;
  #pending: { id: number; resolve: (done: WaitDone) => void } | null = null;
  /** Set when the Worker failed: its calls then return `WAIT_FAILED` with error 0. */
  failed: Error | null = null;

  constructor() {
    this.worker = new Worker(new URL(WAIT_THREAD.url), { workerData: WAIT_THREAD.marker });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on("message", (data: WaitPost) => {
        if ("ready" in data) {
          const k = kernel32();
          const thread = k.OpenThread(THREAD_SET_CONTEXT, 0, data.ready);
          if (thread === null) {
            reject(errorFromCode(k.GetLastError(), "Cannot open a wait thread"));
            return;
          }
          this.#thread = thread;
          resolve();
          return;
        }
        const pending = this.#pending;
        if (pending !== null && pending.id === data.id) {
          this.#pending = null;
          pending.resolve(data);
        }
      });
      this.worker.on("error", (error: Error) => {
        this.failed = error;
        reject(error);
        this.#pending?.resolve({ id: 0, result: WAIT_FAILED, error: 0 });
      });
    });
  }

  /**
   * One alertable call on the thread.
   *
   * @param handles The handles, as `HANDLE[]` bytes, kept open until it returns.
   * @param count How many.
   * @param all Whether to wait for all of them at once (else any one).
   * @param ms The call's timeout (`INFINITE` is 0xFFFFFFFF).
   * @returns What the call returned, and its last error.
   */
  call(handles: Uint8Array, count: number, all: boolean, ms: number): Promise<WaitDone> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      if (this.failed !== null) {
        resolve({ id, result: WAIT_FAILED, error: 0 });
        return;
      }
      this.#pending = { id, resolve };
      const request: WaitRequest = { id, handles, count, all: all ? 1 : 0, ms };
      this.worker.postMessage(request);
    });
  }

  /** Wakes the call in progress (or the next one: the caller checks why it returned). */
  wake(): void {
    if (this.#thread !== null) kernel32().QueueUserAPC(apcRoutine(), this.#thread, 0n);
  }

  end(): void {
    if (this.#thread !== null) kernel32().CloseHandle(this.#thread);
    this.#thread = null;
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
