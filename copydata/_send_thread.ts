// Copyright 2026 the winipc authors. MIT license.
/**
 * The threads that make `sendCopyData`'s blocking call.
 *
 * `SendMessageTimeoutW` blocks its thread until the receiver answers. Made
 * from Deno's blocking pool (a `nonblocking` FFI call), its pending promise
 * keeps the process alive until the call returns, however long after the
 * caller gave up (an abort), and its last error is lost with the pool
 * thread. So each send runs on a `node:worker_threads` Worker running
 * `_send_worker.ts` (imported here too, so `deno compile` embeds it), which
 * reads `GetLastError` on the calling thread. The request and its outcome
 * pass through a shared control block (`_win32/handoff.ts`).
 *
 * A Worker is `ref()`ed while a send it makes is awaited, and `unref()`ed
 * when the caller stops waiting (so the process may exit while the call is
 * still blocked) or when it goes idle. One Worker a send in progress, kept
 * idle afterwards for the next one (at most {@linkcode MAX_IDLE}).
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { startTimer } from "../_win32/timeout.ts";
import { Handoff } from "../_win32/handoff.ts";
import {
  CONTROL_BYTES,
  I32_SLOTS,
  I64_OFFSET,
  SEND_THREAD,
  type SendThreadData,
  SLOT,
  SLOT64,
  WAKE,
} from "./_send_worker.ts";

/** Idle threads kept for later sends (each one a Worker). */
const MAX_IDLE = 2;

/** What a send thread sends. */
export interface SendRequest {
  /** The window handle. */
  window: bigint;
  /** The message (`WM_COPYDATA`). */
  message: number;
  /** `COPYDATASTRUCT.dwData`. */
  tag: bigint;
  /** The payload: kept here, unchanged, until the call has returned. */
  data: Uint8Array;
  /** `SendMessageTimeoutW` flags. */
  flags: number;
  /** The timeout, 0 to 2^31 - 1 ms, or `null` for `SendMessageW`. */
  ms: number | null;
}

/** What one call on a send thread returned. */
export interface SendOutcome {
  /** Whether the call succeeded. */
  ok: boolean;
  /** The receiver's reply (`LRESULT`). */
  reply: bigint;
  /** The calling thread's last error when the call failed; 0 otherwise. */
  error: number;
}

/** One sending thread. */
class SendThread {
  readonly worker: Worker;
  readonly #i32: Int32Array;
  readonly #i64: BigInt64Array;
  readonly #handoff: Handoff;
  /** The payload of the call in progress (its memory is read by the thread). */
  #data: Uint8Array | null = null;

  constructor() {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.#i32 = new Int32Array(control, 0, I32_SLOTS);
    this.#i64 = new BigInt64Array(control, I64_OFFSET, 4);
    const handoff = this.#handoff = new Handoff(this.#i32, SLOT);
    const workerData: SendThreadData = { marker: SEND_THREAD.marker, control };
    this.worker = new Worker(new URL(SEND_THREAD.url), { workerData });
    this.worker.on("message", (message: unknown) => {
      if (message === WAKE) handoff.woken();
    });
    this.worker.on("error", (error: Error) => handoff.fail(error));
    // A Worker that ends without an error (or is ended) makes no more sends.
    this.worker.on("exit", (code) => handoff.fail(new Error(`a send thread ended (code ${code})`)));
  }

  /** Set once the thread failed or ended. */
  get failed(): Error | null {
    return this.#handoff.failed;
  }

  async call(request: SendRequest): Promise<SendOutcome> {
    const i32 = this.#i32;
    const i64 = this.#i64;
    const data = request.data;
    this.#data = data;
    Atomics.store(i64, SLOT64.window, BigInt.asIntN(64, request.window));
    Atomics.store(i64, SLOT64.tag, BigInt.asIntN(64, request.tag));
    Atomics.store(
      i64,
      SLOT64.data,
      data.length === 0 ? 0n : BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(data))),
    );
    Atomics.store(i32, SLOT.size, data.length);
    Atomics.store(i32, SLOT.flags, request.flags);
    Atomics.store(i32, SLOT.ms, request.ms ?? -1);
    Atomics.store(i32, SLOT.message, request.message);
    try {
      const outcome = await this.#handoff.run(() => ({
        ok: Atomics.load(i32, SLOT.ok) === 1,
        reply: Atomics.load(i64, SLOT64.reply),
        error: Atomics.load(i32, SLOT.error),
      }));
      if (outcome === null) throw this.failed;
      return outcome;
    } finally {
      this.#data = null;
    }
  }

  /** Whether a call is in progress (its payload still in use). */
  get busy(): boolean {
    return this.#data !== null;
  }

  end(): void {
    this.#handoff.end();
    void this.worker.terminate();
  }
}

const idle: SendThread[] = [];
/** Sends made at once at most; more wait their turn, in order. */
const MAX_THREADS = 8;
let running = 0;

interface Queued {
  request: SendRequest;
  start(thread: SendThread, remaining: number | null): void;
  expire(): void;
  queuedAt: number;
  stopTimer: () => void;
}
const queue: Queued[] = [];

/** `ERROR_TIMEOUT`: what a send that ran out of time in the queue reports. */
const ERROR_TIMEOUT = 1460;

function giveBack(thread: SendThread): void {
  running--;
  if (thread.failed !== null || idle.length >= MAX_IDLE) thread.end();
  else {
    thread.worker.unref();
    idle.push(thread);
  }
  startNext();
}

/** Starts the sends waiting their turn, as threads allow; one out of time is reported as such. */
function startNext(): void {
  while (queue.length > 0 && running < MAX_THREADS) {
    const next = queue.shift()!;
    next.stopTimer();
    const waited = performance.now() - next.queuedAt;
    const remaining = next.request.ms === null ? null : next.request.ms - waited;
    if (remaining !== null && remaining <= 0) {
      next.expire();
      continue;
    }
    next.start(take(), remaining === null ? null : Math.ceil(remaining));
  }
}

function take(): SendThread {
  running++;
  const thread = idle.pop() ?? new SendThread();
  thread.worker.ref();
  return thread;
}

/**
 * Sends a message on a thread of its own: at most {@linkcode MAX_THREADS}
 * at once; a send beyond them waits its turn (its timeout counting) and
 * is sent, in order, when a thread is free.
 *
 * @param request The message; its `data` must not change until the result is known.
 * @param signal Checked before the message is sent.
 * @returns `result`, the call's outcome; and `abandon()`, which lets the
 * process exit while the call is still blocked (call it when the caller
 * stops waiting; a send still waiting its turn is then never made; the
 * thread is reused or ended when the call returns).
 * @throws The signal's reason if it aborted before the message was sent.
 */
export function sendOnThread(
  request: SendRequest,
  signal: AbortSignal | undefined,
): { result: Promise<SendOutcome>; abandon: () => void } {
  signal?.throwIfAborted();
  let abandoned = false;
  let thread: SendThread | null = null;
  let queued: Queued | null = null;
  const result = new Promise<SendOutcome>((resolve, reject) => {
    const start = (taken: SendThread, ms: number | null) => {
      thread = taken;
      if (abandoned) taken.worker.unref();
      taken.call({ ...request, ms }).then(resolve, reject).finally(() => giveBack(taken));
    };
    if (running < MAX_THREADS && queue.length === 0) {
      start(take(), request.ms);
      return;
    }
    const entry: Queued = {
      request,
      start,
      expire: () => resolve({ ok: false, reply: 0n, error: ERROR_TIMEOUT }),
      queuedAt: performance.now(),
      stopTimer: () => {},
    };
    if (request.ms !== null) {
      // Out of time before its turn: never sent, reported as a timeout.
      entry.stopTimer = startTimer(request.ms, () => {
        const at = queue.indexOf(entry);
        if (at !== -1) {
          queue.splice(at, 1);
          entry.expire();
        }
      });
    }
    queued = entry;
    queue.push(entry);
  });
  return {
    result,
    abandon: () => {
      if (abandoned) return;
      abandoned = true;
      const waiting = queued === null ? -1 : queue.indexOf(queued);
      if (waiting !== -1) {
        // Never sent: it leaves the queue.
        queue.splice(waiting, 1);
        queued!.stopTimer();
        return;
      }
      (thread as SendThread | null)?.worker.unref();
    },
  };
}
