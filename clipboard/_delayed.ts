// Copyright 2026 the winipc authors. MIT license.
/**
 * Delayed rendering, the JavaScript side: formats whose bytes are made only
 * when a program pastes them. The window thread, answering
 * `WM_RENDERFORMAT` for the owner window, posts a request here and waits
 * (at most 10 s) on a shared flag; the render function's bytes are put in a
 * movable global block here (memory calls only: no message is sent from
 * this thread), whose handle the window thread gives to `SetClipboardData`.
 *
 * @module
 */
import { acquireOwner, releaseOwner, setOwnerListener } from "./_core.ts";
import { kernel32 } from "../_win32/ffi.ts";
import { RENDER } from "./_thread.ts";
import { inRenderScope, loadRenderScope } from "./_render_scope.ts";

/** A format whose bytes are made when a program asks for them. */
export interface DelayedData {
  /** The format: a registered name (registered on the way) or an id. */
  readonly format: number | string;
  /**
   * Makes the bytes (at least one), when a program pastes this format, at
   * most once per write. Runs on the JavaScript thread while the pasting
   * program waits: it must finish within 10 s, or the paste gets nothing.
   * A render that throws or returns no bytes also gives the paste nothing.
   */
  readonly render: () => Uint8Array | Promise<Uint8Array>;
}

interface Promise_ {
  renders: (() => Uint8Array | Promise<Uint8Array>)[];
  control: Int32Array;
}

const promises = new Map<number, Promise_>();
let generation = 0;

function fill(control: Int32Array, bytes: unknown): void {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new TypeError("no bytes");
  const k = kernel32();
  const handle = k.GlobalAlloc(0x2, BigInt(bytes.length)); // GMEM_MOVEABLE
  if (handle === null) throw new Error("GlobalAlloc failed");
  const p = k.GlobalLock(handle);
  if (p === null) {
    k.GlobalFree(handle);
    throw new Error("GlobalLock failed");
  }
  k.RtlMoveMemory(p, bytes, BigInt(bytes.length));
  k.GlobalUnlock(handle);
  const value = BigInt(Deno.UnsafePointer.value(handle));
  control[1] = Number(value & 0xffffffffn) | 0;
  control[2] = Number(value >> 32n) | 0;
}

const { done: DONE, failed: FAILED, filling: FILLING } = RENDER;

/**
 * Answers render request `request` with `bytes` (or a failure), only if the
 * window thread still waits for that request: a late answer is dropped
 * before any memory is allocated for it.
 */
function answer(control: Int32Array, request: number, bytes: unknown): void {
  if (Atomics.compareExchange(control, 0, request, FILLING) !== request) return;
  let status: number = FAILED;
  try {
    if (bytes !== undefined) {
      fill(control, bytes);
      status = DONE;
    }
  } catch {
    // FAILED: the paste gets no data.
  }
  Atomics.store(control, 0, status);
  Atomics.notify(control, 0);
}

setOwnerListener((event) => {
  if ("render" in event) {
    const entry = promises.get(event.generation);
    const renderer = entry?.renders[event.render];
    if (entry === undefined || renderer === undefined) return;
    const request = event.request;
    // In the render scope: a clipboard call from the render fails at once.
    inRenderScope(() =>
      Promise.resolve().then(renderer).then(
        (bytes) => answer(entry.control, request, bytes ?? null),
        () => answer(entry.control, request, undefined),
      )
    );
    return;
  }
  const over = "done" in event ? event.done : event.released;
  if (promises.delete(over)) releaseOwner();
});

/**
 * Prepares a write's delayed formats: keeps the owner window open until
 * they are all rendered or the clipboard is emptied.
 *
 * @param delayed The formats and their render functions.
 * @param what The error context.
 * @returns The write's extra arguments, and `failed()` to call if the write did not happen.
 */
export async function promiseFormats(
  delayed: DelayedData[],
  what: string,
): Promise<{
  delayed: { formats: (number | string)[]; generation: number; control: SharedArrayBuffer };
  failed(): void;
}> {
  await loadRenderScope();
  await acquireOwner(what);
  const id = ++generation;
  const shared = new SharedArrayBuffer(16);
  promises.set(id, { renders: delayed.map((d) => d.render), control: new Int32Array(shared) });
  return {
    delayed: { formats: delayed.map((d) => d.format), generation: id, control: shared },
    failed() {
      if (promises.delete(id)) releaseOwner();
    },
  };
}
