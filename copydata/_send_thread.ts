// Copyright 2026 the winipc authors. MIT license.
/**
 * The threads that make `sendCopyData`'s blocking call.
 *
 * `SendMessageTimeoutW` blocks its thread until the receiver answers. Made
 * from Deno's blocking pool (a `nonblocking` FFI call), its pending promise
 * keeps the process alive until the call returns, however long after the
 * caller gave up (an abort), and its last error is lost with the pool
 * thread. So each send runs on a `node:worker_threads` Worker running
 * `_send_worker.ts` (imported here too, so `deno compile` embeds it), which reads
 * `GetLastError` on the calling thread, and which the caller `unref()`s
 * when it stops waiting: the process may then exit while the call is still
 * blocked. One Worker a send in progress, kept idle afterwards for the next
 * one and unref'd while idle.
 *
 * A timeout of `null` is a plain `SendMessageW` (no time limit): Wine
 * refuses `SendMessageTimeoutW` timeouts of 2^31 ms or more (error 1460 at
 * once), so longer waits are kept by the caller's own timer.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { SEND_THREAD, type SendOutcome, type SendPost, type SendRequest } from "./_send_worker.ts";

export type { SendOutcome, SendRequest } from "./_send_worker.ts";

/** Idle threads kept for later sends (each one a Worker). */
const MAX_IDLE = 2;

/** One sending thread. */
class SendThread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  #nextId = 1;
  #pending:
    | { id: number; resolve: (done: SendOutcome) => void; reject: (e: Error) => void }
    | null = null;
  failed: Error | null = null;

  constructor() {
    this.worker = new Worker(new URL(SEND_THREAD.url), { workerData: SEND_THREAD.marker });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on("message", (data: SendPost) => {
        if ("ready" in data) {
          resolve();
          return;
        }
        const pending = this.#pending;
        if (pending !== null && pending.id === data.id) {
          this.#pending = null;
          pending.resolve({ ok: data.ok, reply: data.reply, error: data.error });
        }
      });
      this.worker.on("error", (error: Error) => {
        this.failed = error;
        reject(error);
        this.#pending?.reject(error);
        this.#pending = null;
      });
    });
  }

  call(request: SendRequest): Promise<SendOutcome> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending = { id, resolve, reject };
      // The payload's buffer moves to the worker: it stays alive there for the call.
      this.worker.postMessage({ id, ...request }, [request.data.buffer]);
    });
  }

  end(): void {
    void this.worker.terminate();
  }
}

const idle: SendThread[] = [];

async function takeThread(): Promise<SendThread> {
  const thread = idle.pop() ?? new SendThread();
  thread.worker.ref();
  try {
    await thread.ready;
  } catch (error) {
    thread.end();
    throw error;
  }
  return thread;
}

function giveBack(thread: SendThread): void {
  if (thread.failed !== null || idle.length >= MAX_IDLE) {
    thread.end();
    return;
  }
  thread.worker.unref();
  idle.push(thread);
}

/**
 * Sends a message on a thread of its own.
 *
 * @param request The message; its `data` is transferred (detached here).
 * @param signal Checked once the thread is ready, before the message is sent.
 * @returns `result`, the call's outcome; and `abandon()`, which lets the
 * process exit while the call is still blocked (call it when the caller
 * stops waiting; the thread is reused or ended when the call returns).
 * @throws The signal's reason if it aborted before the message was sent.
 */
export async function sendOnThread(
  request: SendRequest,
  signal: AbortSignal | undefined,
): Promise<{ result: Promise<SendOutcome>; abandon: () => void }> {
  const thread = await takeThread();
  if (signal?.aborted) {
    // Aborted while the thread started: nothing was sent.
    giveBack(thread);
    throw signal.reason;
  }
  let abandoned = false;
  const result = thread.call(request).finally(() => giveBack(thread));
  return {
    result,
    abandon: () => {
      if (abandoned) return;
      abandoned = true;
      thread.worker.unref();
    },
  };
}
