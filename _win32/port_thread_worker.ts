// Copyright 2026 the winipc authors. MIT license.
/**
 * The completion port's own thread (see `port_thread.ts`): a
 * `node:worker_threads` Worker running this module. Each time the
 * JavaScript thread asks (it has nothing left to do but sleep), it waits in
 * `GetQueuedCompletionStatusEx(INFINITE)` on the process's completion port,
 * copies the batch of completions into a shared block, wakes the JavaScript
 * thread with `Atomics.notify`, and waits (`Atomics.wait`) until that batch
 * has been taken and the next call is asked for. It does not wait on the
 * port unasked: a thread waiting there would take every completion, each
 * one a hop, while the JavaScript thread finds most of them itself. No
 * message is posted either way.
 *
 * `port_thread.ts` imports this module for {@linkcode PORT_THREAD} (so it is
 * in the static module graph that `deno compile` embeds); outside that
 * worker, importing it does nothing.
 *
 * @module
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { INFINITE, kernel32 } from "./ffi.ts";

/** The worker's marker, and this module's URL. */
export const PORT_THREAD = {
  url: import.meta.url,
  marker: "winipc completion port thread",
} as const;

/** Completions one batch holds at most. */
export const PORT_BATCH = 64;
/** The size of an `OVERLAPPED_ENTRY` on 64-bit Windows. */
export const PORT_ENTRY_SIZE = 32;
/** Where the batch's entries start in the shared block. */
export const PORT_ENTRIES_OFFSET = 64;
/** The shared block's size in bytes. */
export const PORT_BLOCK_BYTES = PORT_ENTRIES_OFFSET + PORT_BATCH * PORT_ENTRY_SIZE;

/**
 * The shared block's Int32 slots: `asked` the number of the last call the JavaScript thread asked for (they
 * count from 1); `batch` the number of the last call whose batch the thread
 * stored; `taken` the number of the last batch the JavaScript thread took;
 * `count` the entries in the stored batch; `error` the thread's last error
 * when the call failed (0 otherwise).
 */
export const PORT_SLOT = { asked: 0, batch: 1, taken: 2, count: 3, error: 4 } as const;

/**
 * How long a stored batch may wait to be taken before the thread also posts
 * a message, in ms. The message wakes the JavaScript thread's event loop for
 * sure: a wake by `Atomics.notify` alone was seen lost about once in 20
 * fresh processes under Wine (the process then slept for ever).
 */
export const PORT_WAKE_AFTER_MS = 20;

/** What the thread posts: `"ready"` once it runs, `"wake"` for a batch not taken in time. */
export type PortThreadPost = "ready" | "wake";

/** What the Worker is given. */
export interface PortThreadData {
  marker: typeof PORT_THREAD.marker;
  /** The completion port, as a handle value. */
  port: bigint;
  block: SharedArrayBuffer;
}

function run(
  { port: value, block }: PortThreadData,
  post: (message: PortThreadPost) => void,
): void {
  const k = kernel32();
  const port = Deno.UnsafePointer.create(value);
  const i32 = new Int32Array(block, 0, PORT_ENTRIES_OFFSET / 4);
  const shared = new Uint8Array(block, PORT_ENTRIES_OFFSET, PORT_BATCH * PORT_ENTRY_SIZE);
  const entries = new Uint8Array(PORT_BATCH * PORT_ENTRY_SIZE);
  const removed = new Uint32Array(1);
  post("ready");
  for (let call = 1;; call = call === 0x7fff_ffff ? 1 : call + 1) {
    while (Atomics.load(i32, PORT_SLOT.asked) !== call) {
      Atomics.wait(i32, PORT_SLOT.asked, Atomics.load(i32, PORT_SLOT.asked));
    }
    const ok = k.GetQueuedCompletionStatusEx(port, entries, PORT_BATCH, removed, INFINITE, 0);
    const error = ok ? 0 : k.GetLastError();
    const count = ok ? removed[0]! : 0;
    shared.set(entries.subarray(0, count * PORT_ENTRY_SIZE));
    Atomics.store(i32, PORT_SLOT.count, count);
    Atomics.store(i32, PORT_SLOT.error, error);
    Atomics.store(i32, PORT_SLOT.batch, call);
    Atomics.notify(i32, PORT_SLOT.batch);
    // The entries are the JavaScript thread's until it has taken them. Not
    // taken soon: a message too, which surely wakes its event loop.
    let posted = false;
    while (Atomics.load(i32, PORT_SLOT.taken) !== call) {
      const taken = Atomics.load(i32, PORT_SLOT.taken);
      if (posted) {
        Atomics.wait(i32, PORT_SLOT.taken, taken);
      } else if (Atomics.wait(i32, PORT_SLOT.taken, taken, PORT_WAKE_AFTER_MS) === "timed-out") {
        posted = true;
        post("wake");
      }
    }
    // A failed call (the port is gone) ends the thread.
    if (!ok) return;
  }
}

const data = workerData as Partial<PortThreadData> | null;
if (
  !isMainThread && data?.marker === PORT_THREAD.marker && typeof data.port === "bigint" &&
  data.block !== undefined
) {
  run(data as PortThreadData, (message) => parentPort?.postMessage(message));
}
