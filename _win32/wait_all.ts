// Copyright 2026 the winipc authors. MIT license.
/**
 * The atomic wait for all of up to 64 objects
 * (`WaitForMultipleObjectsEx(bWaitAll = TRUE)`), exact and woken only by the
 * kernel.
 *
 * Such a call cannot be woken by a wake event (it would have to be
 * signalled along with all the others), so it is made alertable on a thread
 * whose handle is known, and an abort, a close or the end of the program's
 * interest wakes it with an APC (`QueueUserAPC`): the call returns
 * `WAIT_IO_COMPLETION` and has taken nothing. Deno's blocking pool gives no
 * thread identity, so the call is made on a wait thread (`wait_thread.ts`),
 * one per wait in progress.
 *
 * The wait holds duplicates of the handles, so a handle closed by the
 * program during the wait is never closed under the call; the close ends
 * the wait (with `BadResource`) through the handle's close listener.
 *
 * - A signal taken by a call that an abort raced is given back by the
 *   caller (the result says the wait succeeded).
 * - The timeout is passed to the call itself (chained for more than
 *   2^32 - 2 ms), so it is exact and never early.
 *
 * @module
 */
import { kernel32, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT } from "./ffi.ts";
import { errorFromCode } from "./errors.ts";
import { isInvalidHandle, type OwnedHandle, pointerValue } from "./handle.ts";
import { giveBack, takeThread, type WaitThread } from "./wait_thread.ts";

const WAIT_IO_COMPLETION = 0xc0;
const DUPLICATE_SAME_ACCESS = 0x2;
/** The longest single call: INFINITE is 0xFFFFFFFF. */
const MAX_CALL_MS = 0xfffffffe;

/** How an atomic wait for all ended. */
export type WaitAllOutcome =
  | { kind: "signalled" }
  | { kind: "timeout" }
  | { kind: "aborted"; reason: unknown }
  | { kind: "closed"; index: number };

/**
 * Waits until all of `handles` (at most 64) are signalled at once, taking
 * their signals together, or until the timeout, an abort or a close.
 *
 * @param handles The objects' handles, left open by the caller (duplicates are waited on).
 * @param timeout Milliseconds, 0 to `Infinity`.
 * @param signal Cancels the wait.
 * @returns How it ended; `signalled` even if an abort came in the same
 * instant (the caller gives the signals back).
 * @throws {Deno.errors.BadResource} If a handle is closed already or cannot be duplicated.
 */
export async function waitForAll(
  handles: readonly OwnedHandle[],
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<WaitAllOutcome> {
  const k = kernel32();
  const self = k.GetCurrentProcess();
  const duplicates: Deno.PointerObject[] = [];
  const removers: (() => void)[] = [];
  let stop: WaitAllOutcome | null = null;
  let thread: WaitThread | null = null;
  const wake = (outcome: WaitAllOutcome) => {
    stop ??= outcome;
    thread?.wake();
  };
  const onAbort = () => wake({ kind: "aborted", reason: signal!.reason });
  try {
    for (const [index, handle] of handles.entries()) {
      const out = new BigUint64Array(1);
      if (
        !k.DuplicateHandle(
          self,
          handle.raw,
          self,
          new Uint8Array(out.buffer),
          0,
          0,
          DUPLICATE_SAME_ACCESS,
        )
      ) {
        throw errorFromCode(k.GetLastError(), "Cannot wait for all objects");
      }
      const duplicate = Deno.UnsafePointer.create(out[0]!);
      if (duplicate === null || isInvalidHandle(duplicate)) {
        throw new Deno.errors.BadResource("Cannot wait for all objects: a handle is invalid");
      }
      duplicates.push(duplicate);
      removers.push(handle.addCloseListener(() => wake({ kind: "closed", index })));
    }
    const raw = new Uint8Array(
      new BigUint64Array(duplicates.map((d) => BigInt(pointerValue(d)))).buffer,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const deadline = performance.now() + timeout;
    while (true) {
      if (stop !== null) return stop;
      const left = Math.max(0, deadline - performance.now());
      thread ??= await takeThread();
      if (stop !== null) return stop;
      const ms = left === Infinity ? MAX_CALL_MS : Math.min(MAX_CALL_MS, Math.ceil(left));
      const done = await thread.call(raw, duplicates.length, true, ms);
      const { result } = done;
      if (
        (result >= WAIT_OBJECT_0 && result < WAIT_OBJECT_0 + duplicates.length) ||
        (result >= WAIT_ABANDONED_0 && result < WAIT_ABANDONED_0 + duplicates.length)
      ) {
        return { kind: "signalled" };
      }
      if (result === WAIT_TIMEOUT) {
        if (performance.now() >= deadline) return { kind: "timeout" };
        continue; // a longer timeout, chained
      }
      if (result === WAIT_IO_COMPLETION) continue; // woken: `stop` says why (or an APC left over)
      if (thread.failed !== null) throw thread.failed;
      throw new Deno.errors.BadResource(
        `Cannot wait for all objects: WaitForMultipleObjectsEx failed (os error ${done.error})`,
      );
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    for (const remove of removers) remove();
    for (const duplicate of duplicates) k.CloseHandle(duplicate);
    if (thread !== null) giveBack(thread);
  }
}
