// Copyright 2026 the winipc authors. MIT license.
/**
 * The overlapped I/O completion core: one I/O completion port for the whole
 * process, and completions delivered on the JavaScript thread.
 *
 * How an operation runs:
 * 1. The mechanism calls `startIo(handle, start)`; `start` issues the
 *    overlapped call (`ReadFile`, `WriteFile`, `ConnectNamedPipe`, ...) with
 *    the `OVERLAPPED` it is given.
 * 2. If the call completes at once, the promise resolves with no thread hop:
 *    every handle is associated with `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`,
 *    so no completion packet follows a synchronous success.
 * 3. If it is pending, the operation waits in a map keyed by the address of
 *    its `OVERLAPPED`. The port is first read synchronously, after the code
 *    that issued the operation has run (it often issues the operation that
 *    completes this one); only when nothing is queued does exactly one
 *    `GetQueuedCompletionStatusEx` call wait on Deno's blocking pool, for the
 *    whole process, whatever the number of operations. Each call returns a
 *    batch of up to 64 completions, resolved on the JavaScript thread.
 * 4. Cancelling (an `AbortSignal`) calls `CancelIoEx` for that one
 *    `OVERLAPPED`; the operation ends when its packet arrives, so its buffers
 *    are never released while the kernel may still write to them. An
 *    operation that completed before the cancel took effect keeps its result:
 *    no data is lost to a late abort.
 *
 * Idle costs nothing: with nothing pending no call is outstanding, and with
 * operations pending the one waiting thread sleeps in the kernel.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { INFINITE, kernel32, ntdll, outValue } from "./ffi.ts";
import { ERROR, errorFromCode } from "./errors.ts";
import type { OwnedHandle } from "./handle.ts";
import { pointerValue } from "./handle.ts";
import { AdaptiveLook } from "./adaptive_look.ts";
import { PortThread } from "./port_thread.ts";

/** The size of an `OVERLAPPED` on 64-bit Windows. */
export const OVERLAPPED_SIZE = 32;
const ENTRY_SIZE = 32; // OVERLAPPED_ENTRY: key, lpOverlapped, Internal, bytes (+ padding)
const BATCH = 64;
const FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 0x1;
const FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;

/** How an overlapped operation ended. */
export interface IoResult {
  /** Bytes transferred. */
  bytes: number;
  /** The Win32 error code; 0 on success. */
  error: number;
  /** True when it completed inside `startIo`, without waiting. */
  synchronous: boolean;
}

/** Options for {@linkcode startIo}. */
export interface StartIoOptions {
  /** Cancels the operation (`CancelIoEx`); the promise then rejects with the reason. */
  signal?: AbortSignal | undefined;
  /**
   * Anything native code may read or write until the operation ends (data
   * buffers, structures reached through pointers). Held until it ends.
   */
  keepAlive?: unknown;
  /**
   * Called when the operation goes pending, with a function that cancels it
   * (as the signal would, but the promise then resolves with
   * `ERROR_OPERATION_ABORTED` instead of rejecting). Cheaper than a signal
   * per operation for an owner that cancels its own I/O on close.
   */
  onPending?: (cancel: () => void) => void;
}

/** An `OVERLAPPED` with its address, reused once the kernel is done with it. */
interface Slot {
  readonly overlapped: Uint8Array;
  readonly view: DataView;
  readonly address: Deno.PointerObject;
  readonly key: bigint;
}

interface Operation {
  readonly slot: Slot;
  readonly handle: OwnedHandle;
  readonly keepAlive: unknown;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
  readonly resolve: (result: IoResult) => void;
  readonly reject: (reason: unknown) => void;
}

let port: Deno.PointerObject | null = null;
const pending = new Map<bigint, Operation>();
/**
 * OVERLAPPEDs whose call failed synchronously with a warning status
 * (`ERROR_MORE_DATA`): Windows still queues a packet for those, so the memory
 * is kept, and the packet swallowed, until it arrives.
 */
const ghosts = new Map<bigint, Slot>();
const freeSlots: Slot[] = [];

function takeSlot(): Slot {
  const slot = freeSlots.pop();
  if (slot !== undefined) {
    slot.overlapped.fill(0);
    return slot;
  }
  const overlapped = new Uint8Array(OVERLAPPED_SIZE);
  const address = Deno.UnsafePointer.of(overlapped)!;
  return {
    overlapped,
    view: new DataView(overlapped.buffer),
    address,
    key: pointerValue(address),
  };
}

/** Returns a slot the kernel no longer uses. */
function giveSlot(slot: Slot): void {
  if (freeSlots.length < 256) freeSlots.push(slot);
}
const entries = new Uint8Array(ENTRY_SIZE * BATCH);
const entriesView = new DataView(entries.buffer);
const removed = new Uint32Array(1);
let pumping = false;

/** Counters for tests and benchmarks. */
export const completionStats: {
  synchronous: number;
  queued: number;
  batches: number;
  spun: number;
  parked: number;
  polls: number;
  unknownPackets: number;
} = { synchronous: 0, queued: 0, batches: 0, spun: 0, parked: 0, polls: 0, unknownPackets: 0 };

function completionPort(): Deno.PointerObject {
  if (port === null) {
    const k = kernel32();
    const invalid = Deno.UnsafePointer.create(0xffff_ffff_ffff_ffffn);
    const created = k.CreateIoCompletionPort(invalid, null, 0n, 1);
    if (created === null) {
      throw errorFromCode(k.GetLastError(), "Cannot create the I/O completion port");
    }
    port = created;
  }
  return port;
}

/**
 * Associates a handle opened with `FILE_FLAG_OVERLAPPED` with the process's
 * completion port. Call once per handle, before `startIo`.
 *
 * @param handle The handle.
 * @throws The mapped Win32 error if the association fails.
 */
export function associate(handle: OwnedHandle): void {
  const k = kernel32();
  if (k.CreateIoCompletionPort(handle.raw, completionPort(), 0n, 0) === null) {
    throw errorFromCode(k.GetLastError(), `Cannot use ${handle.kind} for asynchronous I/O`);
  }
  if (
    !k.SetFileCompletionNotificationModes(
      handle.raw,
      FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE,
    )
  ) {
    throw errorFromCode(k.GetLastError(), `Cannot set completion modes on ${handle.kind}`);
  }
}

/**
 * {@linkcode associate}, closing the handle if that fails.
 *
 * @param handle A handle this code owns.
 * @returns The same handle, associated.
 * @throws The association's error, after closing the handle.
 */
export function associateOrClose(handle: OwnedHandle): OwnedHandle {
  try {
    associate(handle);
  } catch (error) {
    handle.close();
    throw error;
  }
  return handle;
}

/** How many operations are waiting for a completion packet. */
export function pendingOperations(): number {
  return pending.size;
}

/**
 * Runs one overlapped operation on an associated handle.
 *
 * @param handle The handle (associated with {@linkcode associate}).
 * @param start Issues the call with the given `OVERLAPPED` and returns 0 if
 * it succeeded, or else `k.GetLastError()` read in the same expression
 * (`k.ReadFile(...) ? 0 : k.GetLastError()`): read any later, the code may
 * be V8's own (see `errors.ts`), and an `ERROR_IO_PENDING` misread would
 * free a buffer the kernel is still writing.
 * @param options Cancellation and buffers to keep alive.
 * @returns How it ended. Failures are reported in `error`, not thrown; the
 * promise rejects only when the operation was cancelled through the signal.
 */
export function startIo(
  handle: OwnedHandle,
  start: (overlapped: Deno.PointerObject) => number,
  options: StartIoOptions = {},
): Promise<IoResult> {
  const { signal, keepAlive } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const slot = takeSlot();
  const error = start(slot.address);
  if (error === 0) {
    completionStats.synchronous++;
    const bytes = Number(slot.view.getBigUint64(8, true));
    giveSlot(slot);
    return Promise.resolve({ bytes, error: 0, synchronous: true });
  }
  if (error !== ERROR.IO_PENDING) {
    completionStats.synchronous++;
    if (error === ERROR.MORE_DATA) {
      const bytes = Number(slot.view.getBigUint64(8, true));
      ghosts.set(slot.key, slot);
      return Promise.resolve({ bytes, error, synchronous: true });
    }
    giveSlot(slot);
    return Promise.resolve({ bytes: 0, error, synchronous: true });
  }
  completionStats.queued++;
  return new Promise<IoResult>((resolve, reject) => {
    let onAbort: (() => void) | undefined;
    if (signal) {
      onAbort = () => {
        if (!handle.closed) kernel32().CancelIoEx(handle.raw, slot.address);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }
    pending.set(slot.key, { slot, handle, keepAlive, signal, onAbort, resolve, reject });
    // The core waits for the thread's call, which serves this operation too:
    // the thread keeps the process alive again.
    if (thread?.waiting) thread.hold(true);
    options.onPending?.(() => {
      if (pending.get(slot.key)?.resolve === resolve && !handle.closed) {
        kernel32().CancelIoEx(handle.raw, slot.address);
      }
    });
    if (!pumping) {
      // Start after the current synchronous code: it often issues the very
      // operation that completes this one (a write after a read), and then
      // the completion is taken from the port without any thread hop.
      pumping = true;
      queueMicrotask(pump);
    }
  });
}

function settle(key: bigint, bytes: number): void {
  const op = pending.get(key);
  if (op === undefined) {
    const ghost = ghosts.get(key);
    if (ghost === undefined) {
      completionStats.unknownPackets++;
    } else {
      ghosts.delete(key);
      giveSlot(ghost);
    }
    return;
  }
  pending.delete(key);
  // Nothing pending any more (settled by another way than the thread's call,
  // which may still be in progress): the thread must not keep the process alive.
  if (pending.size === 0) thread?.hold(false);
  // The status is the operation's own OVERLAPPED.Internal (an NTSTATUS); the
  // entry's copy of it is documented as reserved (Wine leaves its upper half
  // unset).
  const status = op.slot.view.getUint32(0, true);
  giveSlot(op.slot);
  if (op.onAbort) op.signal!.removeEventListener("abort", op.onAbort);
  const error = status === 0 ? 0 : ntdll().RtlNtStatusToDosError(status);
  if (error === ERROR.OPERATION_ABORTED && op.signal?.aborted) {
    op.reject(op.signal.reason);
  } else {
    op.resolve({ bytes, error, synchronous: false });
  }
}

function dispatch(count: number, view: DataView = entriesView): void {
  completionStats.batches++;
  for (let i = 0; i < count; i++) {
    const base = i * ENTRY_SIZE;
    const key = view.getBigUint64(base + 8, true);
    const bytes = view.getUint32(base + 24, true);
    if (key !== 0n) settle(key, bytes);
  }
}

/** The port's own waiting thread, started the first time the pump must sleep. */
let thread: PortThread | null = null;
/** Whether the thread could not be started (the pump then sleeps on Deno's blocking pool). */
let threadUnavailable = false;
/**
 * While the thread starts (tens of ms), the pump sleeps on Deno's blocking
 * pool in slices this long, racing the thread's start: a pool that is busy
 * delays the first completions by the start-up at most.
 */
const STARTUP_SLICE_MS = 20;

/**
 * Dispatches the batch the thread stored, if any, and gives it back.
 *
 * @returns Whether there was one.
 */
function takeStored(): boolean {
  if (thread === null || !thread.stored) return false;
  const { count, error } = thread.batch();
  // Settling only queues the continuations, so the entries are read before
  // anything can start more I/O; then the thread may wait again.
  dispatch(count, thread.entries);
  thread.take();
  if (count === 0 && error !== 0) failPort();
  return true;
}

/** The port itself failed: every pending operation fails. */
function failPort(): void {
  const failure = new Deno.errors.BadResource("The I/O completion port failed");
  for (const op of pending.values()) op.reject(failure);
  pending.clear();
}

/** The pump's look at the port before it parks its thread (up to 400 µs). */
const portLook = new AdaptiveLook(0.01, 0.4);

/**
 * Takes what is queued, looking for a short while if nothing is.
 *
 * @param fresh Whether the pump has just started: the operation that
 * started it was issued a moment ago and its peer has not run since, so
 * the first look yields the CPU first instead of asking the port right
 * away (under Wine each question is a round trip to the wineserver, and on
 * one CPU the first one found nothing 95 times in 100).
 */
function takeQueued(
  k: ReturnType<typeof kernel32>,
  cp: Deno.PointerObject,
  fresh: boolean,
): boolean {
  const take = () => {
    if (takeStored()) return true;
    completionStats.polls++;
    if (k.GetQueuedCompletionStatusEx(cp, entries, BATCH, removed, 0, 0) === 0) return false;
    dispatch(outValue(removed));
    return true;
  };
  if (!fresh && take()) return true;
  if (!portLook.look(take)) return false;
  completionStats.spun++;
  return true;
}

/**
 * Starts the port's waiting thread now rather than the first time the pump
 * must sleep (tests that measure an idle process, whose start-up under
 * `deno test` includes a type check of the thread's module).
 *
 * @returns Resolves once the thread waits for requests; rejects if it cannot start.
 */
export function startPortThread(): Promise<void> {
  const started = portThread(completionPort());
  return started === null
    ? Promise.reject(new Error("The port thread cannot start"))
    : started.started;
}

/** The port's thread, started on first use; `null` if it cannot start. */
function portThread(cp: Deno.PointerObject): PortThread | null {
  if (thread === null && !threadUnavailable) {
    try {
      thread = new PortThread(cp);
    } catch {
      threadUnavailable = true;
    }
  }
  return thread;
}

/** Sleeps until completions are queued, and dispatches them. */
async function park(k: ReturnType<typeof kernel32>, cp: Deno.PointerObject): Promise<void> {
  const waiter = portThread(cp);
  if (waiter !== null && waiter.failed === null) {
    if (waiter.ready) {
      completionStats.parked++;
      try {
        await waiter.wait();
      } catch {
        // The thread failed: the blocking pool from now on.
        return;
      }
      takeStored();
      return;
    }
    // Starting: the blocking pool meanwhile, in slices, racing the start.
    const own = new Uint8Array(ENTRY_SIZE * BATCH);
    const count = new Uint32Array(1);
    const call = k.GetQueuedCompletionStatusExNb(cp, own, BATCH, count, STARTUP_SLICE_MS, 0).then(
      (ok) => {
        if (!ok) return;
        dispatch(outValue(count), new DataView(own.buffer));
        // The pump may have stopped meanwhile: operations still pending
        // need it again.
        resumeLater();
      },
    );
    await Promise.race([call, waiter.started.catch(() => {})]);
    return;
  }
  // No thread of our own: one call on Deno's blocking pool.
  const ok = await k.GetQueuedCompletionStatusExNb(cp, entries, BATCH, removed, INFINITE, 0);
  // With an infinite timeout this only fails if the port itself is broken;
  // the pool thread's last error is not ours to read.
  if (!ok) failPort();
  else dispatch(outValue(removed));
}

/**
 * Dispatches in a row since the event loop last turned. After a dispatch
 * the pump stops, and the continuations (which often start the operation
 * that completes a pending one: a server answers a request while its accept
 * is pending) start it again themselves, with no turn of the event loop
 * (each turn asks the runtime's own completion port, a wineserver round
 * trip under Wine); every {@linkcode TURN_EVERY} dispatches it waits for a
 * turn instead, so that timers and the runtime's own I/O are never starved.
 */
let owed = 0;
const TURN_EVERY = 16;
/** Whether a resume is scheduled for the next turn of the event loop. */
let resuming = false;

/**
 * Resumes the pump at the next turn of the event loop if operations are
 * still pending and nothing started it meanwhile (`setImmediate` runs once
 * the continuations are all done, and unlike `setTimeout(0)` is never
 * clamped to 4 ms).
 */
function resumeLater(): void {
  if (resuming) return;
  resuming = true;
  setImmediate(() => {
    resuming = false;
    owed = 0;
    if (!pumping && pending.size > 0) {
      pumping = true;
      pump();
    }
  });
}

async function pump(): Promise<void> {
  const k = kernel32();
  const cp = completionPort();
  try {
    for (let fresh = true; pending.size > 0; fresh = false) {
      // First take whatever is already queued, synchronously: no hop. A
      // completion that is imminent (the peer is answering a request we just
      // sent) is worth a short, bounded look before parking a thread: one
      // hop through a thread costs far more than the look.
      if (!takeQueued(k, cp, fresh)) {
        await park(k, cp);
        owed = 0;
      }
      if (++owed < TURN_EVERY) {
        // The continuations run next; the pump starts again with the next
        // operation they issue, or at the next turn.
        resumeLater();
        return;
      }
      await new Promise((resolve) => setImmediate(resolve));
      owed = 0;
    }
  } finally {
    pumping = false;
  }
}
