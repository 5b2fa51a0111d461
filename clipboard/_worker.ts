// Copyright 2026 the winipc authors. MIT license.
/**
 * The clipboard's half that runs on the window thread (see
 * `_win32/window_thread.ts`): every `OpenClipboard` ... `CloseClipboard`
 * sequence, whole, inside one request, so that no message the clipboard
 * sends (`WM_DESTROYCLIPBOARD`, `WM_RENDERFORMAT`) ever waits on the
 * JavaScript thread. An operation that finds the clipboard open elsewhere
 * does not wait: it returns `{ busy }` naming the holder, and the
 * JavaScript side decides whether to try again.
 *
 * Window kinds: `clipboardOwner` (the hidden window that owns what winipc
 * writes) and `clipboardWatch` (a format listener, `WM_CLIPBOARDUPDATE`).
 *
 * Operations return `{ busy }`, `{ failed: { step, code } }` or their
 * result; never throw for a Win32 failure, so that the step is named.
 *
 * @module
 */
import { defineExtension } from "../_win32/window_thread.ts";

/** The extension's name. */
export const CLIPBOARD_EXTENSION = "clipboard";

defineExtension(
  CLIPBOARD_EXTENSION,
  String.raw`
  const u = Deno.dlopen("user32.dll", {
    OpenClipboard: { parameters: ["pointer"], result: "i32" },
    CloseClipboard: { parameters: [], result: "i32" },
    EmptyClipboard: { parameters: [], result: "i32" },
    SetClipboardData: { parameters: ["u32", "pointer"], result: "pointer" },
    GetClipboardData: { parameters: ["u32"], result: "pointer" },
    EnumClipboardFormats: { parameters: ["u32"], result: "u32" },
    GetClipboardFormatNameW: { parameters: ["u32", "buffer", "i32"], result: "i32" },
    RegisterClipboardFormatW: { parameters: ["buffer"], result: "u32" },
    GetClipboardSequenceNumber: { parameters: [], result: "u32" },
    GetOpenClipboardWindow: { parameters: [], result: "pointer" },
    GetClipboardOwner: { parameters: [], result: "pointer" },
    GetWindowThreadProcessId: { parameters: ["pointer", "buffer"], result: "u32" },
    AddClipboardFormatListener: { parameters: ["pointer"], result: "i32" },
    RemoveClipboardFormatListener: { parameters: ["pointer"], result: "i32" },
    GetUpdatedClipboardFormats: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
    PeekMessageW: { parameters: ["buffer", "pointer", "u32", "u32", "u32"], result: "i32" },
    SetTimer: { parameters: ["pointer", "usize", "u32", "pointer"], result: "usize" },
    KillTimer: { parameters: ["pointer", "usize"], result: "i32" },
  }).symbols;
  const k = Deno.dlopen("kernel32.dll", {
    GlobalAlloc: { parameters: ["u32", "usize"], result: "pointer" },
    GlobalLock: { parameters: ["pointer"], result: "pointer" },
    GlobalUnlock: { parameters: ["pointer"], result: "i32" },
    GlobalSize: { parameters: ["pointer"], result: "usize" },
    GlobalFree: { parameters: ["pointer"], result: "pointer" },
    RtlMoveMemory: { parameters: ["pointer", "buffer", "usize"], result: "void" },
    GetLastError: { parameters: [], result: "u32" },
    SetLastError: { parameters: ["u32"], result: "void" },
    OpenProcess: { parameters: ["u32", "i32", "u32"], result: "pointer" },
    QueryFullProcessImageNameW: { parameters: ["pointer", "u32", "buffer", "buffer"], result: "i32" },
    CloseHandle: { parameters: ["pointer"], result: "i32" },
  }).symbols;
  const g = Deno.dlopen("gdi32.dll", {
    GetEnhMetaFileBits: { parameters: ["pointer", "u32", "buffer"], result: "u32" },
    SetEnhMetaFileBits: { parameters: ["u32", "buffer"], result: "pointer" },
    DeleteEnhMetaFile: { parameters: ["pointer"], result: "i32" },
  }).symbols;

  const GMEM_MOVEABLE = 0x2;
  const CF_ENHMETAFILE = 14;
  const WM_CLIPBOARDUPDATE = 0x031d;
  const WM_TIMER = 0x0113;
  const WM_RENDERFORMAT = 0x0305;
  const WM_RENDERALLFORMATS = 0x0306;
  const WM_DESTROYCLIPBOARD = 0x0307;
  const RENDER_TIMEOUT_MS = 10000;
  const RENDER_DONE = -1, RENDER_FAILED = -2, RENDER_FILLING = -3;
  // Owner window (hwnd) -> what it promised to render: { generation,
  // pending: Map(format id -> index), control: Int32Array over a
  // SharedArrayBuffer shared with the JavaScript thread }.
  const promised = new Map();
  const WATCH_TIMER = 0x57a7n;
  const wide = (s) => {
    const a = new Uint16Array(s.length + 1);
    for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
    return a;
  };
  const failure = (step, code) => ({ failed: { step, code } });
  class Failed extends Error {
    constructor(step, code) { super(step); this.step = step; this.code = code; }
  }

  // A format given as a number (an id) or a string (a registered name).
  function formatId(format) {
    if (typeof format === "number") return format;
    const id = u.RegisterClipboardFormatW(wide(format));
    if (id === 0) throw new Failed("RegisterClipboardFormatW", k.GetLastError());
    return id;
  }

  function formatName(id) {
    if (id < 0xc000) return null;
    const buffer = new Uint16Array(256);
    const n = u.GetClipboardFormatNameW(id, buffer, 256);
    return n > 0 ? String.fromCharCode(...buffer.subarray(0, n)) : null;
  }

  // Who holds the clipboard open: GetOpenClipboardWindow, its process, and
  // that process's image when this user may query it.
  function holder() {
    const hwnd = u.GetOpenClipboardWindow();
    if (hwnd === null) return { window: 0n, pid: 0, image: null };
    const pidOut = new Uint32Array(1);
    u.GetWindowThreadProcessId(hwnd, pidOut);
    const pid = pidOut[0];
    let image = null;
    const process = pid === 0 ? null : k.OpenProcess(0x1000, 0, pid); // PROCESS_QUERY_LIMITED_INFORMATION
    if (process !== null) {
      const buffer = new Uint16Array(1024);
      const size = new Uint32Array([1024]);
      if (k.QueryFullProcessImageNameW(process, 0, buffer, size) !== 0) {
        image = String.fromCharCode(...buffer.subarray(0, size[0]));
      }
      k.CloseHandle(process);
    }
    return { window: ctx.value(hwnd), pid, image };
  }

  function open(owner) {
    if (u.OpenClipboard(owner ? ctx.pointer(owner) : null) !== 0) return null;
    return { busy: holder(), code: k.GetLastError() };
  }

  // A movable global block holding the bytes (GlobalSize reports their length).
  function globalOf(bytes) {
    const handle = k.GlobalAlloc(GMEM_MOVEABLE, bytes.length);
    if (handle === null) throw new Failed("GlobalAlloc", k.GetLastError());
    if (bytes.length === 0) return handle;
    const p = k.GlobalLock(handle);
    if (p === null) {
      const code = k.GetLastError();
      k.GlobalFree(handle);
      throw new Failed("GlobalLock", code);
    }
    k.RtlMoveMemory(p, bytes, bytes.length);
    k.GlobalUnlock(handle);
    return handle;
  }

  // The bytes of a global block, or null when the handle is not one.
  function bytesOf(handle) {
    k.SetLastError(0);
    const size = Number(k.GlobalSize(handle));
    if (size === 0) return k.GetLastError() === 0 ? new Uint8Array(0) : null;
    const p = k.GlobalLock(handle);
    if (p === null) return null;
    const out = new Uint8Array(size);
    try {
      new Deno.UnsafePointerView(p).copyInto(out);
    } finally {
      k.GlobalUnlock(handle);
    }
    return out;
  }

  // Puts one item (already emptied and open); frees the memory on failure.
  function put(item) {
    const id = formatId(item.format);
    let handle;
    if (id === CF_ENHMETAFILE) {
      handle = g.SetEnhMetaFileBits(item.bytes.length, item.bytes);
      if (handle === null) throw new Failed("SetEnhMetaFileBits", k.GetLastError());
      if (u.SetClipboardData(id, handle) === null) {
        const code = k.GetLastError();
        g.DeleteEnhMetaFile(handle);
        throw new Failed("SetClipboardData(" + id + ")", code);
      }
      return;
    }
    handle = globalOf(item.bytes);
    if (u.SetClipboardData(id, handle) === null) {
      const code = k.GetLastError();
      k.GlobalFree(handle);
      throw new Failed("SetClipboardData(" + id + ")", code);
    }
  }

  function enumerate() {
    const ids = [];
    k.SetLastError(0);
    for (let id = u.EnumClipboardFormats(0); id !== 0; id = u.EnumClipboardFormats(id)) ids.push(id);
    const code = k.GetLastError();
    if (code !== 0) throw new Failed("EnumClipboardFormats", code);
    return ids;
  }

  function guarded(owner, body) {
    const busy = open(owner);
    if (busy !== null) return busy;
    try {
      return body();
    } catch (error) {
      if (error instanceof Failed) return failure(error.step, error.code);
      throw error;
    } finally {
      u.CloseClipboard();
    }
  }

  // What snapshot() cannot copy, by id: the reason.
  function uncopyable(id) {
    if (id === 2) return "CF_BITMAP is a GDI bitmap handle; its pixels are kept as CF_DIB/CF_DIBV5, from which Windows synthesizes it";
    if (id === 9) return "CF_PALETTE is a GDI palette handle; Windows synthesizes it from the DIB";
    if (id === 3) return "CF_METAFILEPICT holds a metafile handle; Windows synthesizes it from CF_ENHMETAFILE when that is kept";
    if (id === 0x80) return "CF_OWNERDISPLAY: the owner draws it in a viewer; there is no data";
    if (id === 0x82) return "CF_DSPBITMAP is a GDI bitmap handle";
    if (id === 0x83) return "CF_DSPMETAFILEPICT holds a metafile handle";
    if (id === 0x8e) return "CF_DSPENHMETAFILE is an owner-display metafile handle";
    if (id >= 0x200 && id <= 0x2ff) return "private format (CF_PRIVATEFIRST..CF_PRIVATELAST): a handle only its owner understands";
    if (id >= 0x300 && id <= 0x3ff) return "GDI object format (CF_GDIOBJFIRST..CF_GDIOBJLAST): a GDI handle";
    return null;
  }

  // Asks the JavaScript thread for a delayed format's bytes and waits for
  // them (the only wait on the JavaScript thread in this file: it never
  // waits on this thread, so it is free to answer). It answers with a
  // movable global block it filled; SetClipboardData hands it to Windows.
  function render(win, state, id) {
    const index = state.pending.get(id);
    if (index === undefined) return false;
    const control = state.control;
    // Slot 0: the request awaited (1 to 2^30 - 1), then RENDER_FILLING while
    // the JavaScript thread writes its answer, RENDER_DONE or RENDER_FAILED.
    // A late answer finds another number there and is dropped (its
    // bytes never become another format's, nor another request's).
    const request = state.request = (state.request ?? 0) % 0x3fffffff + 1;
    Atomics.store(control, 0, request);
    ctx.post({ type: "window", window: win.id, data: { render: index, generation: state.generation, request } });
    const deadline = performance.now() + RENDER_TIMEOUT_MS;
    for (;;) {
      const now = Atomics.load(control, 0);
      if (now === RENDER_DONE || now === RENDER_FAILED) break;
      if (now === request) {
        const left = deadline - performance.now();
        // Too late: withdraw the request, unless its answer is being written.
        if (left <= 0 && Atomics.compareExchange(control, 0, request, 0) === request) return false;
        if (left > 0) Atomics.wait(control, 0, request, left);
        continue;
      }
      Atomics.wait(control, 0, now, 1000); // RENDER_FILLING: a copy, about to end
    }
    if (Atomics.load(control, 0) !== RENDER_DONE) return false;
    const handle = (BigInt(control[2] >>> 0) << 32n) | BigInt(control[1] >>> 0);
    if (u.SetClipboardData(id, ctx.pointer(handle)) === null) {
      k.GlobalFree(ctx.pointer(handle));
      return false;
    }
    state.pending.delete(id);
    if (state.pending.size === 0) {
      promised.delete(win.hwnd);
      ctx.post({ type: "window", window: win.id, data: { done: state.generation } });
    }
    return true;
  }

  // Reports the clipboard's state to a watcher, unless a program holds it
  // open (it may be between EmptyClipboard and its last SetClipboardData):
  // then it looks again every few milliseconds until the clipboard is closed
  // (a writer's close also posts the next WM_CLIPBOARDUPDATE).
  function report(win) {
    if (!win.pending) return;
    const hwnd = ctx.pointer(win.hwnd);
    // A consistent view: closed before, the same sequence number around the
    // format list, closed after.
    let sequenceNumber = -1;
    let formats = [];
    if (u.GetOpenClipboardWindow() === null) {
      const before = u.GetClipboardSequenceNumber();
      // Any number of formats: a list too short fails with
      // ERROR_INSUFFICIENT_BUFFER and the count needed; try again that long.
      const count = new Uint32Array(1);
      for (let size = 512; size <= 0x10000;) {
        const list = new Uint32Array(size);
        if (u.GetUpdatedClipboardFormats(list, size, count) !== 0) {
          formats = Array.from(list.subarray(0, count[0]), (id) => ({ id, name: formatName(id) }));
          break;
        }
        if (k.GetLastError() !== 122) break; // ERROR_INSUFFICIENT_BUFFER
        size = Math.max(count[0], size * 2);
      }
      if (u.GetClipboardSequenceNumber() === before && u.GetOpenClipboardWindow() === null) {
        sequenceNumber = before;
      }
    }
    if (sequenceNumber === -1) {
      if (!win.timer) win.timer = u.SetTimer(hwnd, WATCH_TIMER, 5, null) !== 0n;
      return;
    }
    // The change that made this state had closed the clipboard, so its
    // notification is queued already: take it (and any other for a change
    // this state includes) now, so that it does not come as an event later.
    const peek = new Uint8Array(48);
    let extra = 0;
    while (u.PeekMessageW(peek, hwnd, WM_CLIPBOARDUPDATE, WM_CLIPBOARDUPDATE, 1) !== 0) extra++;
    let merged;
    if (extra > 0 && u.GetClipboardSequenceNumber() !== sequenceNumber) {
      // A newer change came meanwhile: its notification is among those
      // taken; report them with the next state.
      merged = win.pending - 1;
      win.pending = extra;
      if (!win.timer) win.timer = u.SetTimer(hwnd, WATCH_TIMER, 5, null) !== 0n;
    } else {
      merged = win.pending - 1 + extra;
      win.pending = 0;
      if (win.timer) {
        u.KillTimer(hwnd, WATCH_TIMER);
        win.timer = false;
      }
    }
    ctx.post({ type: "window", window: win.id, data: { sequenceNumber, formats, merged } });
  }

  return {
    kinds: {
      clipboardOwner: {
        message(win, msg, wParam) {
          if (msg === WM_RENDERFORMAT) {
            const state = promised.get(win.hwnd);
            if (state !== undefined) render(win, state, Number(wParam));
            return 0n;
          }
          if (msg === WM_RENDERALLFORMATS) {
            // The window is going away while formats are still promised:
            // render them all now, if the clipboard is still ours.
            const state = promised.get(win.hwnd);
            if (state === undefined) return 0n;
            const hwnd = ctx.pointer(win.hwnd);
            if (u.OpenClipboard(hwnd) !== 0) {
              try {
                const owner = u.GetClipboardOwner();
                if (owner !== null && ctx.value(owner) === win.hwnd) {
                  for (const id of [...state.pending.keys()]) render(win, state, id);
                }
              } finally {
                u.CloseClipboard();
              }
            }
            return 0n;
          }
          if (msg === WM_DESTROYCLIPBOARD) {
            // Emptied (by anyone, this process included): promises are void.
            const state = promised.get(win.hwnd);
            if (state !== undefined) {
              promised.delete(win.hwnd);
              ctx.post({ type: "window", window: win.id, data: { released: state.generation } });
            }
            return 0n;
          }
          return undefined;
        },
      },
      clipboardWatch: {
        message(win, msg, wParam) {
          if (msg === WM_CLIPBOARDUPDATE) {
            // Notifications already queued behind this one are for changes
            // whose contents are gone: count them, read the state once.
            const peek = new Uint8Array(48);
            let count = 1;
            while (u.PeekMessageW(peek, ctx.pointer(win.hwnd), WM_CLIPBOARDUPDATE, WM_CLIPBOARDUPDATE, 1) !== 0) count++;
            win.pending = (win.pending ?? 0) + count;
            report(win);
            return 0n;
          }
          if (msg === WM_TIMER && BigInt(wParam) === WATCH_TIMER) {
            report(win);
            return 0n;
          }
          return undefined;
        },
      },
    },
    ops: {
      clipboardWrite({ owner, items, ifSequence, delayed, generation, control }) {
        const result = guarded(owner, () => {
          if (ifSequence !== undefined && u.GetClipboardSequenceNumber() !== ifSequence) {
            return { replaced: true };
          }
          if (u.EmptyClipboard() === 0) throw new Failed("EmptyClipboard", k.GetLastError());
          try {
            for (const item of items) put(item);
            if (delayed !== undefined && delayed.length > 0) {
              const pending = new Map();
              for (const [index, format] of delayed.entries()) {
                const id = formatId(format);
                k.SetLastError(0);
                // A NULL handle promises the data (delayed rendering).
                u.SetClipboardData(id, null);
                const code = k.GetLastError();
                if (code !== 0) throw new Failed("SetClipboardData(" + id + ", NULL)", code);
                pending.set(id, index);
              }
              promised.set(owner, { generation, pending, control: new Int32Array(control) });
            }
          } catch (error) {
            promised.delete(owner);
            // Never leave a half-written clipboard.
            u.EmptyClipboard();
            throw error;
          }
          return { written: true };
        });
        // The number as others see it: closing may move it again (Windows
        // adds the formats it synthesizes then). Still ours if the owner
        // did not change around the read (any other writer's EmptyClipboard
        // takes the ownership).
        if (result.written) {
          result.sequenceNumber = u.GetClipboardSequenceNumber();
          const current = u.GetClipboardOwner();
          result.ours = current !== null && ctx.value(current) === owner;
        }
        return result;
      },
      clipboardRead({ owner, formats }) {
        return guarded(owner, () => {
          const items = [];
          for (const format of formats) {
            const id = formatId(format);
            const handle = u.GetClipboardData(id);
            items.push(handle === null ? null : bytesOf(handle));
          }
          return { items };
        });
      },
      clipboardFormats({ owner }) {
        return guarded(owner, () => {
          const ids = enumerate();
          return { formats: ids.map((id) => ({ id, name: formatName(id) })) };
        });
      },
      clipboardSnapshot({ owner }) {
        return guarded(owner, () => {
          const sequenceNumber = u.GetClipboardSequenceNumber();
          const items = [];
          const skipped = [];
          for (const id of enumerate()) {
            const name = formatName(id);
            const reason = uncopyable(id);
            if (reason !== null) {
              skipped.push({ id, name, reason });
              continue;
            }
            const handle = u.GetClipboardData(id);
            if (handle === null) {
              skipped.push({ id, name, reason: "the owner rendered no data (GetClipboardData failed, error " + k.GetLastError() + ")" });
              continue;
            }
            if (id === CF_ENHMETAFILE) {
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
            if (bytes !== null && bytes.length === 0) {
              skipped.push({ id, name, reason: "an empty memory block, which cannot be set back (SetClipboardData needs at least one byte)" });
              continue;
            }
            if (bytes === null) {
              skipped.push({ id, name, reason: "the data is not a global memory block (a handle only its owner understands)" });
              continue;
            }
            items.push({ id, name, bytes });
          }
          return { sequenceNumber, items, skipped };
        });
      },
      clipboardRegister({ name }) {
        try {
          return { id: formatId(name) };
        } catch (error) {
          if (error instanceof Failed) return failure(error.step, error.code);
          throw error;
        }
      },
      clipboardWatchStart({ hwnd }) {
        if (u.AddClipboardFormatListener(ctx.pointer(hwnd)) === 0) {
          return failure("AddClipboardFormatListener", k.GetLastError());
        }
        return { sequenceNumber: u.GetClipboardSequenceNumber() };
      },
      clipboardWatchStop({ hwnd }) {
        u.RemoveClipboardFormatListener(ctx.pointer(hwnd));
        return {};
      },
    },
  };
`,
);
