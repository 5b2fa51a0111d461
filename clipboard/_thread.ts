// Copyright 2026 the winipc authors. MIT license.
/**
 * The clipboard thread: its entry module. It owns the clipboard's windows
 * and makes the calls that may wait on another program (see `_ops.ts`), so
 * that no such wait is ever made on the JavaScript thread, and none stalls
 * `WM_COPYDATA` (which has a thread of its own).
 *
 * Window kinds: `clipboardOwner` (the hidden window that owns a write with
 * delayed formats, and renders them) and `clipboardWatch` (a format
 * listener, `WM_CLIPBOARDUPDATE`).
 *
 * @module
 */
import {
  runWindowThread,
  type ThreadContext,
  type ThreadEntry,
  type ThreadWindowRecord,
  Win32Failure,
  type WindowKind,
} from "../_win32/window_thread_worker.ts";
import { kernel32, user32 } from "../_win32/ffi.ts";
import * as ops from "./_ops.ts";

/** The thread's entry: this module, run as a worker of this name. */
export const CLIPBOARD_THREAD: ThreadEntry = {
  url: import.meta.url,
  name: "winipc clipboard thread",
};

const WM_CLIPBOARDUPDATE = 0x031d;
const WM_TIMER = 0x0113;
const WM_RENDERFORMAT = 0x0305;
const WM_RENDERALLFORMATS = 0x0306;
const WM_DESTROYCLIPBOARD = 0x0307;
const PM_REMOVE = 0x1;
const WATCH_TIMER = 0x57a7n;

/** How long the owner window waits for a render function, in milliseconds. */
export const RENDER_TIMEOUT_MS = 10_000;

/**
 * The render control block (Int32 slots of a `SharedArrayBuffer` of 16
 * bytes). Slot 0: the request awaited (1 to 2^30 - 1), then
 * {@linkcode RENDER.filling} while the JavaScript thread writes its answer,
 * then {@linkcode RENDER.done} or {@linkcode RENDER.failed}; slots 1 and 2:
 * the answer's global memory handle (low, high). A late answer finds
 * another number there and is dropped.
 */
export const RENDER = { done: -1, failed: -2, filling: -3 } as const;

/** What the owner window posts to the JavaScript thread. */
export type OwnerEvent =
  | { render: number; generation: number; request: number }
  | { done: number }
  | { released: number };

/** What a watch window posts: one state of the clipboard. */
export interface WatchEvent {
  sequenceNumber: number;
  formats: ops.FormatEntry[];
  /** Notifications merged into this state (changes not seen on their own). */
  merged: number;
}

interface Promised {
  generation: number;
  /** Format id -> index of its render function. */
  pending: Map<number, number>;
  control: Int32Array;
  request: number;
}

interface OwnerState {
  promised: Promised | null;
}

function render(
  win: ThreadWindowRecord<null, OwnerState>,
  state: Promised,
  id: number,
  ctx: ThreadContext,
): boolean {
  const index = state.pending.get(id);
  if (index === undefined) return false;
  const control = state.control;
  const request = state.request = (state.request % 0x3fffffff) + 1;
  Atomics.store(control, 0, request);
  const event: OwnerEvent = { render: index, generation: state.generation, request };
  ctx.post(win.id, event);
  ctx.flush();
  const deadline = performance.now() + RENDER_TIMEOUT_MS;
  for (;;) {
    const now = Atomics.load(control, 0);
    if (now === RENDER.done || now === RENDER.failed) break;
    if (now === request) {
      const left = deadline - performance.now();
      // Too late: withdraw the request, unless its answer is being written.
      if (left <= 0 && Atomics.compareExchange(control, 0, request, 0) === request) return false;
      if (left > 0) Atomics.wait(control, 0, request, left);
      continue;
    }
    Atomics.wait(control, 0, now, 1000); // RENDER.filling: a copy, about to end
  }
  if (Atomics.load(control, 0) !== RENDER.done) return false;
  const handle = (BigInt((control[2] ?? 0) >>> 0) << 32n) | BigInt((control[1] ?? 0) >>> 0);
  const memory = Deno.UnsafePointer.create(handle);
  if (user32().SetClipboardData(id, memory) === null) {
    kernel32().GlobalFree(memory);
    return false;
  }
  state.pending.delete(id);
  if (state.pending.size === 0) {
    win.state.promised = null;
    ctx.post(win.id, { done: state.generation } satisfies OwnerEvent);
  }
  return true;
}

const clipboardOwner: WindowKind<null, OwnerState, OwnerEvent> = {
  init: () => ({ promised: null }),
  message(win, msg, wParam, _lParam, ctx) {
    const state = win.state.promised;
    if (msg === WM_RENDERFORMAT) {
      if (state !== null) render(win, state, Number(wParam), ctx);
      return 0n;
    }
    if (msg === WM_RENDERALLFORMATS) {
      // The window is going away while formats are still promised: render
      // them all now, if the clipboard is still ours.
      if (state === null) return 0n;
      const u = user32();
      if (u.OpenClipboard(Deno.UnsafePointer.create(win.hwnd)) !== 0) {
        try {
          const owner = u.GetClipboardOwner();
          if (owner !== null && BigInt(Deno.UnsafePointer.value(owner)) === win.hwnd) {
            for (const id of [...state.pending.keys()]) render(win, state, id, ctx);
          }
        } finally {
          u.CloseClipboard();
        }
      }
      return 0n;
    }
    if (msg === WM_DESTROYCLIPBOARD) {
      // Emptied (by anyone, this process included): promises are void.
      if (state !== null) {
        win.state.promised = null;
        ctx.post(win.id, { released: state.generation } satisfies OwnerEvent);
      }
      return 0n;
    }
    return undefined;
  },
};

interface WatchState {
  pending: number;
  timer: boolean;
}

/** Takes the queued `WM_CLIPBOARDUPDATE`s of a window, returning how many. */
function takeUpdates(hwnd: bigint): number {
  const peek = new Uint8Array(48);
  const window = Deno.UnsafePointer.create(hwnd);
  let count = 0;
  while (user32().PeekMessageW(peek, window, WM_CLIPBOARDUPDATE, WM_CLIPBOARDUPDATE, PM_REMOVE)) {
    count++;
  }
  return count;
}

function setWatchTimer(win: ThreadWindowRecord<null, WatchState>, on: boolean): void {
  if (win.state.timer === on) return;
  const window = Deno.UnsafePointer.create(win.hwnd);
  if (on) win.state.timer = user32().SetTimer(window, WATCH_TIMER, 5, null) !== 0n;
  else {
    user32().KillTimer(window, WATCH_TIMER);
    win.state.timer = false;
  }
}

// Reports the clipboard's state to a watcher, unless a program holds it
// open (it may be between EmptyClipboard and its last SetClipboardData):
// then it looks again every few milliseconds until the clipboard is closed
// (a writer's close also posts the next WM_CLIPBOARDUPDATE).
function report(win: ThreadWindowRecord<null, WatchState>, ctx: ThreadContext): void {
  if (win.state.pending === 0) return;
  const u = user32();
  // A consistent view: closed before, the same sequence number around the
  // format list, closed after.
  let sequenceNumber = -1;
  let formats: ops.FormatEntry[] = [];
  if (u.GetOpenClipboardWindow() === null) {
    const before = u.GetClipboardSequenceNumber();
    const ids = ops.updatedFormats();
    if (ids !== null) formats = ids.map((id) => ({ id, name: ops.formatName(id) }));
    if (u.GetClipboardSequenceNumber() === before && u.GetOpenClipboardWindow() === null) {
      sequenceNumber = before;
    }
  }
  if (sequenceNumber === -1) {
    setWatchTimer(win, true);
    return;
  }
  // The change that made this state had closed the clipboard, so its
  // notification is queued already: take it (and any other for a change
  // this state includes) now, so that it does not come as an event later.
  const extra = takeUpdates(win.hwnd);
  let merged: number;
  if (extra > 0 && u.GetClipboardSequenceNumber() !== sequenceNumber) {
    // A newer change came meanwhile: its notification is among those
    // taken; report them with the next state.
    merged = win.state.pending - 1;
    win.state.pending = extra;
    setWatchTimer(win, true);
  } else {
    merged = win.state.pending - 1 + extra;
    win.state.pending = 0;
    setWatchTimer(win, false);
  }
  ctx.post(win.id, { sequenceNumber, formats, merged } satisfies WatchEvent);
}

const clipboardWatch: WindowKind<null, WatchState, WatchEvent> = {
  init: () => ({ pending: 0, timer: false }),
  message(win, msg, wParam, _lParam, ctx) {
    if (msg === WM_CLIPBOARDUPDATE) {
      // Notifications already queued behind this one are for changes whose
      // contents are gone: count them, read the state once.
      win.state.pending += 1 + takeUpdates(win.hwnd);
      report(win, ctx);
      return 0n;
    }
    if (msg === WM_TIMER && wParam === WATCH_TIMER) {
      report(win, ctx);
      return 0n;
    }
    return undefined;
  },
};

/** Arguments of the thread's write: the owner window, and the delayed formats' control. */
export interface ThreadWriteArgs extends ops.WriteArgs {
  owner: bigint;
  /** With `delayed`: the write's generation and its render control block. */
  generation?: number;
  control?: SharedArrayBuffer;
}

const kinds = { clipboardOwner, clipboardWatch };

/** The operations, run on the clipboard thread (never `direct`). */
const threadOps = {
  write(args: ThreadWriteArgs, ctx: ThreadContext): ops.WriteResult | ops.Busy {
    const opener = { owner: args.owner, direct: false } as const;
    const result = ops.write(opener, args);
    const owner = ctx.window(args.owner) as ThreadWindowRecord<null, OwnerState> | undefined;
    if (owner !== undefined && "written" in result) {
      owner.state.promised = result.promised.length === 0 || args.control === undefined ? null : {
        generation: args.generation ?? 0,
        pending: new Map(result.promised.map((id, index) => [id, index])),
        control: new Int32Array(args.control),
        request: 0,
      };
    }
    return result;
  },
  read(args: { owner: bigint; formats: (number | string)[] }) {
    return ops.read({ owner: args.owner, direct: false }, args.formats);
  },
  snapshot(args: { owner: bigint }) {
    return ops.snapshot({ owner: args.owner, direct: false });
  },
  watchStart(hwnd: bigint): { sequenceNumber: number } {
    const u = user32();
    const k = kernel32();
    const window = Deno.UnsafePointer.create(hwnd);
    if (u.AddClipboardFormatListener(window) === 0) {
      throw new Win32Failure(k.GetLastError(), "AddClipboardFormatListener");
    }
    return { sequenceNumber: u.GetClipboardSequenceNumber() };
  },
  watchStop(hwnd: bigint): boolean {
    return user32().RemoveClipboardFormatListener(Deno.UnsafePointer.create(hwnd)) !== 0;
  },
};

/** The thread's window kinds. */
export type ClipboardKinds = typeof kinds;
/** The thread's operations. */
export type ClipboardOps = typeof threadOps;

runWindowThread(CLIPBOARD_THREAD, kinds, threadOps);
