// Copyright 2026 the winipc authors. MIT license.
/**
 * The `WM_COPYDATA` window thread: its entry module. Each message is copied
 * here before the sender is released, and queued for the JavaScript thread
 * (sent in batches, see `_win32/window_thread_worker.ts`). The reply is a
 * constant decided here, or (with a reply function) the value the
 * JavaScript thread writes into the listener's shared state, waited for
 * with a time limit. A full queue refuses the message (reply 0) without
 * queuing it.
 *
 * Shared state (a `SharedArrayBuffer` of {@linkcode STATE_BYTES}), Int32
 * slots ({@linkcode SLOT}): the sequence number last answered, the one being
 * waited for (0: none), messages queued, messages refused, replies that came
 * too late, closed (1: every sender gets 0 at once, and one waiting for a
 * reply function is released). BigInt64 slots from byte 32: the answer,
 * bytes queued.
 *
 * @module
 */
import {
  runWindowThread,
  type ThreadEntry,
  type ThreadWindowRecord,
  type WindowKind,
} from "../_win32/window_thread_worker.ts";

/** The thread's entry: this module, run as a worker of this name. */
export const COPYDATA_THREAD: ThreadEntry = {
  url: import.meta.url,
  name: "winipc WM_COPYDATA thread",
};

/** `WM_COPYDATA`. */
export const WM_COPYDATA = 0x004a;

/** The shared state's size in bytes. */
export const STATE_BYTES = 48;

/** The shared state's Int32 slots. */
export const SLOT = {
  answered: 0,
  awaited: 1,
  queued: 2,
  refused: 3,
  late: 4,
  closed: 5,
} as const;

/** The shared state's BigInt64 slots (from byte 32). */
export const SLOT64 = { answer: 0, queuedBytes: 1 } as const;

/** A listener window's configuration. */
export interface CopyDataConfig {
  /** The constant reply, or null when a reply function decides. */
  reply: number | bigint | null;
  replyTimeout: number;
  maxQueued: number;
  maxQueuedBytes: number;
  state: SharedArrayBuffer;
}

/** One message, as the thread posts it. */
export interface CopyDataEvent {
  tag: bigint;
  bytes: Uint8Array;
  sender: bigint;
  /** The sequence number the thread waits on for a reply function's answer (0: none). */
  seq: number;
}

interface State {
  i32: Int32Array;
  i64: BigInt64Array;
  maxQueuedBytes: bigint;
  reply: bigint | null;
  seq: number;
}

const copydata: WindowKind<CopyDataConfig, State, CopyDataEvent> = {
  init(config) {
    return {
      i32: new Int32Array(config.state, 0, 8),
      i64: new BigInt64Array(config.state, 32, 2),
      maxQueuedBytes: BigInt(config.maxQueuedBytes),
      reply: config.reply === null ? null : BigInt(config.reply),
      seq: 0,
    };
  },
  message(win, msg, wParam, lParam, ctx) {
    if (msg !== WM_COPYDATA) return undefined;
    return receive(win, wParam, BigInt.asUintN(64, lParam), ctx);
  },
};

function receive(
  win: ThreadWindowRecord<CopyDataConfig, State>,
  sender: bigint,
  address: bigint,
  ctx: { post(id: number, event: unknown, transfer?: Transferable[]): void; flush(): void },
): bigint {
  const s = win.state;
  const { i32, i64 } = s;
  const struct = Deno.UnsafePointer.create(address);
  if (struct === null || Atomics.load(i32, SLOT.closed) !== 0) return 0n;
  // COPYDATASTRUCT: dwData (ULONG_PTR), cbData (DWORD), lpData (PVOID).
  const view = new Deno.UnsafePointerView(struct);
  const tag = view.getBigUint64(0);
  const size = view.getUint32(8);
  const data = view.getPointer(16);
  if (
    Atomics.load(i32, SLOT.queued) >= win.config.maxQueued ||
    Atomics.load(i64, SLOT64.queuedBytes) + BigInt(size) > s.maxQueuedBytes
  ) {
    Atomics.add(i32, SLOT.refused, 1);
    return 0n;
  }
  const bytes = new Uint8Array(size);
  if (size > 0 && data !== null) Deno.UnsafePointerView.copyInto(data, bytes);
  Atomics.add(i32, SLOT.queued, 1);
  Atomics.add(i64, SLOT64.queuedBytes, BigInt(size));
  if (s.reply !== null) {
    const event: CopyDataEvent = { tag, bytes, sender, seq: 0 };
    ctx.post(win.id, event, [bytes.buffer]);
    return s.reply;
  }
  const seq = s.seq = (s.seq % 0x7fffffff) + 1;
  Atomics.store(i32, SLOT.awaited, seq);
  const event: CopyDataEvent = { tag, bytes, sender, seq };
  ctx.post(win.id, event, [bytes.buffer]);
  ctx.flush();
  const deadline = performance.now() + win.config.replyTimeout;
  let answer: bigint | null = null;
  for (;;) {
    const answered = Atomics.load(i32, SLOT.answered);
    if (answered === seq) {
      answer = Atomics.load(i64, SLOT64.answer);
      break;
    }
    if (Atomics.load(i32, SLOT.closed) !== 0) break;
    const left = deadline - performance.now();
    if (left <= 0) break;
    Atomics.wait(i32, SLOT.answered, answered, left);
  }
  Atomics.store(i32, SLOT.awaited, 0);
  if (answer === null) {
    if (Atomics.load(i32, SLOT.closed) === 0) Atomics.add(i32, SLOT.late, 1);
    return 0n;
  }
  return answer;
}

const kinds = { copydata };
const ops = {};

/** The thread's window kinds. */
export type CopyDataKinds = typeof kinds;
/** The thread's operations (none beyond creating and destroying windows). */
export type CopyDataOps = typeof ops;

runWindowThread(COPYDATA_THREAD, kinds, ops);
