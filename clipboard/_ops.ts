// Copyright 2026 the winipc authors. MIT license.
/**
 * The clipboard operations themselves: each `OpenClipboard` ...
 * `CloseClipboard` sequence, whole, synchronous. The same functions run on
 * the JavaScript thread (the fast path, `_direct.ts`, only when no call
 * can wait on another thread or process) and on the clipboard thread
 * (`_thread.ts`, the fallback and everything that needs a window).
 *
 * An operation that finds the clipboard open elsewhere does not wait: it
 * returns {@linkcode Busy}, naming the holder, and the JavaScript side
 * decides whether to try again. One that would have to wait on the
 * clipboard's owner (`EmptyClipboard` sends it `WM_DESTROYCLIPBOARD`,
 * `GetClipboardData` may send it `WM_RENDERFORMAT`) while `direct` is set
 * returns {@linkcode Fallback} without waiting, so that the call is made on
 * the clipboard thread instead. A Win32 failure throws a
 * {@linkcode Win32Failure} naming the step.
 *
 * @module
 */
import { gdi32, kernel32, user32 } from "../_win32/ffi.ts";
import { decodeUtf16z, encodeUtf16z } from "../_win32/utf16.ts";
import { pointerValue } from "../_win32/handle.ts";
import { Win32Failure } from "../_win32/window_thread_worker.ts";

/** Who held the clipboard open. */
export interface Holder {
  /** `GetOpenClipboardWindow` (0: opened without a window). */
  window: bigint;
  /** Its process. */
  pid: number;
  /** That process's image, when this user may query it. */
  image: string | null;
}

/** The clipboard was open elsewhere. */
export interface Busy {
  busy: Holder;
  /** `OpenClipboard`'s error code. */
  code: number;
}

/** The call could wait on the clipboard's owner: make it on the clipboard thread. */
export interface Fallback {
  fallback: true;
}

/** One format's bytes to put on the clipboard. */
export interface Item {
  /** A format id, or a registered format's name. */
  format: number | string;
  bytes: Uint8Array;
}

/** A format on the clipboard. */
export interface FormatEntry {
  id: number;
  name: string | null;
}

/** Where an operation runs: the owner window to open with, and whether it is the fast path. */
export interface Opener<Direct extends boolean = boolean> {
  /** The window to open the clipboard with (0n: none, `OpenClipboard(NULL)`). */
  owner: bigint;
  /** The JavaScript thread: return {@linkcode Fallback} rather than wait on the owner. */
  direct: Direct;
}

/** {@linkcode Fallback} on the fast path only. */
export type FallbackIf<Direct extends boolean> = Direct extends true ? Fallback : never;

const GMEM_MOVEABLE = 0x2;
/** `CF_ENHMETAFILE`: its data is a GDI handle, copied through its bits. */
export const CF_ENHMETAFILE = 14;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const ERROR_INSUFFICIENT_BUFFER = 122;

const pointer = (value: bigint) => Deno.UnsafePointer.create(value);

/**
 * A format given as a number (an id) or a string (registered on the way).
 *
 * @param format The format.
 * @returns Its id.
 */
export function formatId(format: number | string): number {
  if (typeof format === "number") return format;
  const known = registered.get(format);
  if (known !== undefined) return known;
  const k = kernel32();
  const id = user32().RegisterClipboardFormatW(encodeUtf16z(format));
  if (id === 0) throw new Win32Failure(k.GetLastError(), "RegisterClipboardFormatW");
  if (registered.size >= 1024) registered.clear();
  registered.set(format, id);
  return id;
}

// Registered ids by name: an id stays the same for the whole session, so a
// name is registered once (a round trip to the window manager saved on every
// later call that names it: HTML, RTF, PNG, custom formats).
const registered = new Map<string, number>();

/**
 * A registered format's name (`null` for the standard ones).
 *
 * @param id The format id.
 * @returns Its name.
 */
export function formatName(id: number): string | null {
  if (id < 0xc000) return null;
  const buffer = new Uint16Array(256);
  const n = user32().GetClipboardFormatNameW(id, buffer, 256);
  return n > 0 ? decodeUtf16z(buffer.subarray(0, n)) : null;
}

/** Who holds the clipboard open: `GetOpenClipboardWindow`, its process and image. */
function holder(): Holder {
  const u = user32();
  const hwnd = u.GetOpenClipboardWindow();
  if (hwnd === null) return { window: 0n, pid: 0, image: null };
  const pidOut = new Uint32Array(1);
  u.GetWindowThreadProcessId(hwnd, pidOut);
  const pid = pidOut[0] ?? 0;
  let image: string | null = null;
  const k = kernel32();
  const process = pid === 0 ? null : k.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
  if (process !== null) {
    const buffer = new Uint16Array(1024);
    const size = new Uint32Array([1024]);
    if (k.QueryFullProcessImageNameW(process, 0, buffer, size) !== 0) {
      image = decodeUtf16z(buffer.subarray(0, size[0]));
    }
    k.CloseHandle(process);
  }
  return { window: pointerValue(hwnd), pid, image };
}

/**
 * Whether the clipboard's owner is a window that a call from here would
 * wait on: on the fast path, any owner at all (the JavaScript thread owns
 * no window, so every owner is another thread's or another process's).
 */
function ownerWouldWait(opener: Opener): boolean {
  return opener.direct && user32().GetClipboardOwner() !== null;
}

/**
 * Opens the clipboard, runs `body`, closes it.
 *
 * @param opener The owner window and the path.
 * @param body What to do with it open.
 * @returns `body`'s result, or {@linkcode Busy}.
 */
function guarded<T>(opener: Opener, body: () => T): T | Busy {
  const u = user32();
  const k = kernel32();
  const owner = opener.owner === 0n ? null : pointer(opener.owner);
  if (u.OpenClipboard(owner) === 0) {
    const code = k.GetLastError();
    return { busy: holder(), code };
  }
  try {
    return body();
  } finally {
    u.CloseClipboard();
  }
}

/** A movable global block holding the bytes (GlobalSize reports their length). */
export function globalOf(bytes: Uint8Array): Deno.PointerObject {
  const k = kernel32();
  const handle = k.GlobalAlloc(GMEM_MOVEABLE, BigInt(bytes.length));
  if (handle === null) throw new Win32Failure(k.GetLastError(), "GlobalAlloc");
  if (bytes.length === 0) return handle;
  const p = k.GlobalLock(handle);
  if (p === null) {
    const code = k.GetLastError();
    k.GlobalFree(handle);
    throw new Win32Failure(code, "GlobalLock");
  }
  k.RtlMoveMemory(p, bytes, BigInt(bytes.length));
  k.GlobalUnlock(handle);
  return handle;
}

/** The bytes of a global block, or null when the handle is not one. */
function bytesOf(handle: Deno.PointerObject): Uint8Array | null {
  const k = kernel32();
  k.SetLastError(0);
  const bytes = k.GlobalSize(handle);
  const error = k.GetLastError();
  const size = Number(bytes);
  if (size === 0) return error === 0 ? new Uint8Array(0) : null;
  const p = k.GlobalLock(handle);
  if (p === null) return null;
  const out = new Uint8Array(size);
  try {
    Deno.UnsafePointerView.copyInto(p, out);
  } finally {
    k.GlobalUnlock(handle);
  }
  return out;
}

/** Puts one item (the clipboard emptied and open); frees the memory on failure. */
function put(item: Item): void {
  const u = user32();
  const k = kernel32();
  const id = formatId(item.format);
  if (id === CF_ENHMETAFILE) {
    const g = gdi32();
    const handle = g.SetEnhMetaFileBits(item.bytes.length, item.bytes);
    if (handle === null) throw new Win32Failure(k.GetLastError(), "SetEnhMetaFileBits");
    if (u.SetClipboardData(id, handle) === null) {
      const code = k.GetLastError();
      g.DeleteEnhMetaFile(handle);
      throw new Win32Failure(code, `SetClipboardData(${id})`);
    }
    return;
  }
  const handle = globalOf(item.bytes);
  if (u.SetClipboardData(id, handle) === null) {
    const code = k.GetLastError();
    k.GlobalFree(handle);
    throw new Win32Failure(code, `SetClipboardData(${id})`);
  }
}

function enumerate(): number[] {
  const u = user32();
  const k = kernel32();
  const ids: number[] = [];
  // The read follows the call that returned 0 with no loop edge between (a
  // loop's back edge is where V8 may compile: see errors.ts).
  for (let id = 0;;) {
    k.SetLastError(0);
    id = u.EnumClipboardFormats(id);
    if (id === 0) {
      const code = k.GetLastError();
      if (code !== 0) throw new Win32Failure(code, "EnumClipboardFormats");
      return ids;
    }
    ids.push(id);
  }
}

/** Arguments of {@linkcode write}. */
export interface WriteArgs {
  items: Item[];
  /** Write only if the sequence number is still this (a timed clear). */
  ifSequence?: number;
  /** Formats promised for delayed rendering (the clipboard thread only). */
  delayed?: (number | string)[];
  /** Tell whether the owner is still the window written with (`ours`); else `ours` is false. */
  checkOwner?: boolean;
}

/** What {@linkcode write} did. */
export type WriteResult =
  | { replaced: true }
  | {
    written: true;
    /** The sequence number as others see it. */
    sequenceNumber: number;
    /** Whether the owner is still the window written with (asked with `checkOwner`). */
    ours: boolean;
    /** The ids promised, in order (delayed rendering). */
    promised: number[];
  };

/**
 * Empties the clipboard and puts the items (and the delayed formats'
 * promises); never leaves it half written.
 *
 * @param opener The owner window and the path.
 * @param args The items.
 * @returns What happened.
 */
export function write<D extends boolean>(
  opener: Opener<D>,
  args: WriteArgs,
): WriteResult | Busy | FallbackIf<D> {
  const u = user32();
  const k = kernel32();
  const promised: number[] = [];
  const result = guarded<WriteResult | Fallback>(opener, () => {
    if (args.ifSequence !== undefined && u.GetClipboardSequenceNumber() !== args.ifSequence) {
      return { replaced: true };
    }
    if (ownerWouldWait(opener)) return { fallback: true };
    if (u.EmptyClipboard() === 0) throw new Win32Failure(k.GetLastError(), "EmptyClipboard");
    try {
      for (const item of args.items) put(item);
      for (const format of args.delayed ?? []) {
        const id = formatId(format);
        k.SetLastError(0);
        // A NULL handle promises the data (delayed rendering).
        u.SetClipboardData(id, null);
        const code = k.GetLastError();
        if (code !== 0) throw new Win32Failure(code, `SetClipboardData(${id}, NULL)`);
        promised.push(id);
      }
    } catch (error) {
      // Never leave a half-written clipboard.
      u.EmptyClipboard();
      throw error;
    }
    return { written: true, sequenceNumber: 0, ours: false, promised };
  });
  if ("written" in result) {
    // The number as others see it: closing may move it again (Windows adds
    // the formats it synthesizes then). Still ours if the owner did not
    // change around the read (any other writer's EmptyClipboard takes it).
    result.sequenceNumber = u.GetClipboardSequenceNumber();
    if (args.checkOwner === true) {
      const owner = u.GetClipboardOwner();
      result.ours = opener.owner === 0n ? owner === null : pointerValue(owner) === opener.owner;
    }
  }
  return result as WriteResult | Busy | FallbackIf<D>;
}

/**
 * Reads formats' bytes (`null` for one that is absent or not a memory block).
 *
 * @param opener The owner window and the path.
 * @param formats The formats.
 * @returns Their bytes, in order.
 */
export function read<D extends boolean>(
  opener: Opener<D>,
  formats: (number | string)[],
): { items: (Uint8Array | null)[] } | Busy | FallbackIf<D> {
  return guarded<{ items: (Uint8Array | null)[] } | Fallback>(opener, () => {
    if (ownerWouldWait(opener)) return { fallback: true } as const;
    const items: (Uint8Array | null)[] = [];
    for (const format of formats) {
      const handle = user32().GetClipboardData(formatId(format));
      items.push(handle === null ? null : bytesOf(handle));
    }
    return { items };
  }) as { items: (Uint8Array | null)[] } | Busy | FallbackIf<D>;
}

/**
 * The formats on the clipboard, in its order. Waits on nobody.
 *
 * @param opener The owner window and the path.
 * @returns The formats.
 */
export function formats(opener: Opener): { formats: FormatEntry[] } | Busy {
  return guarded(opener, () => ({
    formats: enumerate().map((id) => ({ id, name: formatName(id) })),
  }));
}

/** What snapshot() cannot copy, by id: the reason. */
function uncopyable(id: number): string | null {
  if (id === 2) {
    return "CF_BITMAP is a GDI bitmap handle; its pixels are kept as CF_DIB/CF_DIBV5, from which Windows synthesizes it";
  }
  if (id === 9) return "CF_PALETTE is a GDI palette handle; Windows synthesizes it from the DIB";
  if (id === 3) {
    return "CF_METAFILEPICT holds a metafile handle; Windows synthesizes it from CF_ENHMETAFILE when that is kept";
  }
  if (id === 0x80) return "CF_OWNERDISPLAY: the owner draws it in a viewer; there is no data";
  if (id === 0x82) return "CF_DSPBITMAP is a GDI bitmap handle";
  if (id === 0x83) return "CF_DSPMETAFILEPICT holds a metafile handle";
  if (id === 0x8e) return "CF_DSPENHMETAFILE is an owner-display metafile handle";
  if (id >= 0x200 && id <= 0x2ff) {
    return "private format (CF_PRIVATEFIRST..CF_PRIVATELAST): a handle only its owner understands";
  }
  if (id >= 0x300 && id <= 0x3ff) {
    return "GDI object format (CF_GDIOBJFIRST..CF_GDIOBJLAST): a GDI handle";
  }
  return null;
}

/** A snapshot's item. */
export interface SnapshotItem {
  id: number;
  name: string | null;
  bytes: Uint8Array;
}

/** A format a snapshot left out, and why. */
export interface SkippedItem {
  id: number;
  name: string | null;
  reason: string;
}

/** A copy of every copyable format. */
export interface SnapshotResult {
  sequenceNumber: number;
  items: SnapshotItem[];
  skipped: SkippedItem[];
}

/**
 * Copies every format that can be copied, and says why the others cannot.
 *
 * @param opener The owner window and the path.
 * @returns The copy.
 */
export function snapshot<D extends boolean>(
  opener: Opener<D>,
): SnapshotResult | Busy | FallbackIf<D> {
  return guarded<SnapshotResult | Fallback>(opener, () => {
    if (ownerWouldWait(opener)) return { fallback: true };
    const u = user32();
    const sequenceNumber = u.GetClipboardSequenceNumber();
    const items: SnapshotItem[] = [];
    const skipped: SkippedItem[] = [];
    for (const id of enumerate()) {
      const name = formatName(id);
      const reason = uncopyable(id);
      if (reason !== null) {
        skipped.push({ id, name, reason });
        continue;
      }
      const handle = u.GetClipboardData(id);
      if (handle === null) {
        skipped.push({
          id,
          name,
          reason:
            `the owner rendered no data (GetClipboardData failed, error ${kernel32().GetLastError()})`,
        });
        continue;
      }
      if (id === CF_ENHMETAFILE) {
        const g = gdi32();
        const size = g.GetEnhMetaFileBits(handle, 0, null);
        const bytes = new Uint8Array(size);
        if (size === 0 || g.GetEnhMetaFileBits(handle, size, bytes) !== size) {
          skipped.push({ id, name, reason: "GetEnhMetaFileBits failed" });
          continue;
        }
        items.push({ id, name, bytes });
        continue;
      }
      const bytes = bytesOf(handle);
      if (bytes === null) {
        skipped.push({
          id,
          name,
          reason: "the data is not a global memory block (a handle only its owner understands)",
        });
      } else if (bytes.length === 0) {
        skipped.push({
          id,
          name,
          reason:
            "an empty memory block, which cannot be set back (SetClipboardData needs at least one byte)",
        });
      } else {
        items.push({ id, name, bytes });
      }
    }
    return { sequenceNumber, items, skipped };
  }) as SnapshotResult | Busy | FallbackIf<D>;
}

/**
 * Registers a format name. Waits on nobody.
 *
 * @param name The name.
 * @returns Its id.
 */
export function register(name: string): { id: number } {
  return { id: formatId(name) };
}

/**
 * The formats present now, without opening the clipboard
 * (`GetUpdatedClipboardFormats`, asked again with the count it needs).
 *
 * @returns The format ids, or null if the list could not be had.
 */
export function updatedFormats(): number[] | null {
  const count = new Uint32Array(1);
  const [u, k] = [user32(), kernel32()];
  for (let size = 512; size <= 0x10000;) {
    const list = new Uint32Array(size);
    const got = u.GetUpdatedClipboardFormats(list, size, count);
    const code = got === 0 ? k.GetLastError() : 0;
    if (got !== 0) return Array.from(list.subarray(0, count[0]));
    if (code !== ERROR_INSUFFICIENT_BUFFER) return null;
    size = Math.max(count[0] ?? 0, size * 2);
  }
  return null;
}
