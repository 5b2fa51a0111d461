// Copyright 2026 the winipc authors. MIT license.
/**
 * The window thread: one thread a process that owns winipc's windows and
 * pumps their messages.
 *
 * - It starts on first use (the first request), costs nothing while idle
 *   (it sleeps in `GetMessageW`), adds one thread, and stops when its last
 *   user is done (no window open, no request in flight), so the process
 *   exits normally.
 * - It is a Web `Worker` made from the source string below (a `blob:` URL,
 *   so `deno compile` needs no `--include`), running a
 *   `GetMessageW`/`DispatchMessageW` loop. The window procedure is a plain
 *   `Deno.UnsafeCallback` called synchronously on the worker's own thread:
 *   no machine code, any architecture.
 * - The deadlock rule: the JavaScript thread never sends a message to one of
 *   these windows synchronously. It asks for work by posting: a
 *   `postMessage` to the worker, then `PostThreadMessageW` to wake
 *   `GetMessageW`. The worker leaves its loop, takes the request, runs it
 *   and posts the result back.
 * - A window procedure never waits on the JavaScript thread: what a window
 *   does with a message (and what it replies) is decided inside the worker
 *   by its kind's handler, which posts what the JavaScript thread needs to
 *   know.
 *
 * Mechanisms extend the thread without changing this file: an extension is
 * a source string, installed once in each worker, that defines window kinds
 * (a window-procedure handler each) and request operations (code to run on
 * the window thread, for example clipboard calls).
 *
 * Extension source is the body of a function of `ctx`, returning
 * `{ kinds?: { [name]: { message(window, msg, wParam, lParam) } }, ops?:
 * { [name]: (args) => value } }`. `ctx` holds `user32` and `kernel32` (the
 * worker's symbols), `post(data, transfer?)` to the window's listener via
 * `ctx.post({ window: id, data })`, `pointer(bigint)` and `value(pointer)`.
 * A `message` handler returns a bigint reply, or `undefined` for
 * `DefWindowProcW`.
 *
 * @module
 */
import { user32 } from "./ffi.ts";
import { errorFromCode } from "./errors.ts";

const WORKER_SOURCE = String.raw`
const WM_APP_REQUEST = 0x8000 + 0x0d1;
const u32 = Deno.dlopen("user32.dll", {
  GetMessageW: { parameters: ["buffer", "pointer", "u32", "u32"], result: "i32" },
  PeekMessageW: { parameters: ["buffer", "pointer", "u32", "u32", "u32"], result: "i32" },
  TranslateMessage: { parameters: ["buffer"], result: "i32" },
  DispatchMessageW: { parameters: ["buffer"], result: "isize" },
  DefWindowProcW: { parameters: ["pointer", "u32", "usize", "isize"], result: "isize" },
  RegisterClassExW: { parameters: ["buffer"], result: "u16" },
  UnregisterClassW: { parameters: ["buffer", "pointer"], result: "i32" },
  CreateWindowExW: {
    parameters: ["u32", "buffer", "buffer", "u32", "i32", "i32", "i32", "i32", "pointer", "pointer", "pointer", "pointer"],
    result: "pointer",
  },
  DestroyWindow: { parameters: ["pointer"], result: "i32" },
  ChangeWindowMessageFilterEx: { parameters: ["pointer", "u32", "u32", "pointer"], result: "i32" },
}).symbols;
const k32 = Deno.dlopen("kernel32.dll", {
  GetLastError: { parameters: [], result: "u32" },
  GetCurrentThreadId: { parameters: [], result: "u32" },
  GetModuleHandleW: { parameters: ["pointer"], result: "pointer" },
}).symbols;

const hInstance = k32.GetModuleHandleW(null);
const wide = (s) => {
  const a = new Uint16Array(s.length + 1);
  for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
  return a;
};
const pointer = (v) => Deno.UnsafePointer.create(BigInt(v));
const value = (p) => BigInt(Deno.UnsafePointer.value(p));
const post = (data, transfer) => self.postMessage(data, transfer ?? []);

class Win32Failure extends Error {
  constructor(code, what) { super(what); this.code = code; }
}

const kinds = Object.create(null);
const ops = Object.create(null);
const windows = new Map(); // hwnd (bigint) -> { id, kind, config, hwnd, className }
const classes = new Map(); // class name -> { users, name16 }
const ctx = { user32: u32, kernel32: k32, post, pointer, value, Win32Failure };

// The result is declared i64 (LRESULT's size on 64-bit Windows): Deno
// handles an exception escaping a callback for i64 but panics for isize.
const procedure = new Deno.UnsafeCallback(
  { parameters: ["pointer", "u32", "usize", "isize"], result: "i64" },
  (hwnd, msg, wParam, lParam) => {
    try {
      const win = windows.get(value(hwnd));
      if (win !== undefined) {
        const handler = kinds[win.kind];
        if (handler !== undefined) {
          const reply = handler.message(win, msg, wParam, lParam);
          if (reply !== undefined) return reply;
        }
      }
    } catch (error) {
      try {
        post({ type: "fault", message: String(error?.stack ?? error) });
      } catch { /* nothing more to do */ }
    }
    return u32.DefWindowProcW(hwnd, msg, wParam, lParam);
  },
);

// WNDCLASSEXW (80 bytes on 64-bit Windows).
function registerClass(name) {
  let entry = classes.get(name);
  if (entry === undefined) {
    const name16 = wide(name);
    const wc = new ArrayBuffer(80);
    const v = new DataView(wc);
    v.setUint32(0, 80, true); // cbSize
    v.setBigUint64(8, value(procedure.pointer), true); // lpfnWndProc
    v.setBigUint64(24, value(hInstance), true); // hInstance
    v.setBigUint64(64, value(Deno.UnsafePointer.of(name16)), true); // lpszClassName
    if (u32.RegisterClassExW(new Uint8Array(wc)) === 0) {
      throw new Win32Failure(k32.GetLastError(), "register window class");
    }
    entry = { users: 0, name16 };
    classes.set(name, entry);
  }
  entry.users++;
  return entry;
}

function releaseClass(name) {
  const entry = classes.get(name);
  if (entry === undefined) return;
  if (--entry.users === 0) {
    classes.delete(name);
    u32.UnregisterClassW(entry.name16, hInstance);
  }
}

const WS_EX_TOOLWINDOW = 0x80, WS_EX_NOACTIVATE = 0x08000000;
const builtin = {
  install({ name, source }) {
    const made = new Function("ctx", source)(ctx) ?? {};
    Object.assign(kinds, made.kinds ?? {});
    Object.assign(ops, made.ops ?? {});
  },
  createWindow({ id, kind, className, title, config, messageOnly, allow }) {
    if (kinds[kind] === undefined) throw new Error("unknown window kind " + kind);
    const entry = registerClass(className);
    const HWND_MESSAGE = pointer(-3n & 0xffffffffffffffffn);
    const hwnd = u32.CreateWindowExW(
      WS_EX_TOOLWINDOW | WS_EX_NOACTIVATE, entry.name16, wide(title), 0, 0, 0, 0, 0,
      messageOnly ? HWND_MESSAGE : null, null, hInstance, null,
    );
    if (hwnd === null) {
      const code = k32.GetLastError();
      releaseClass(className);
      throw new Win32Failure(code, "create window");
    }
    for (const msg of allow ?? []) u32.ChangeWindowMessageFilterEx(hwnd, msg, 1, null);
    const key = value(hwnd);
    windows.set(key, { id, kind, config, hwnd: key, className });
    return key;
  },
  destroyWindow({ hwnd }) {
    const win = windows.get(BigInt(hwnd));
    if (win === undefined) return false;
    windows.delete(win.hwnd);
    u32.DestroyWindow(pointer(win.hwnd));
    releaseClass(win.className);
    return true;
  },
};

const queue = [];
let wake = null;
self.onmessage = (event) => {
  queue.push(event.data);
  if (wake !== null) {
    const w = wake;
    wake = null;
    w();
  }
};

async function nextRequest() {
  while (queue.length === 0) await new Promise((resolve) => (wake = resolve));
  return queue.shift();
}

async function run() {
  const msg = new Uint8Array(48); // MSG
  const view = new DataView(msg.buffer);
  u32.PeekMessageW(msg, null, 0, 0, 0); // make this thread's message queue
  post({ type: "ready", threadId: k32.GetCurrentThreadId() });
  let running = true;
  while (running) {
    let got;
    try {
      got = u32.GetMessageW(msg, null, 0, 0);
    } catch (error) {
      // An exception that escaped the window procedure surfaces here: V8
      // had no stack left for it (a large message from another process
      // lies on this thread's stack). The sender got 0; carry on.
      post({ type: "fault", message: "a window procedure failed: " + String(error?.message ?? error) });
      continue;
    }
    if (got === 0 || got === -1) break;
    if (view.getBigUint64(0, true) === 0n && view.getUint32(8, true) === WM_APP_REQUEST) {
      // One request was posted with each wake-up.
      const request = await nextRequest();
      if (request.op === "quit") {
        running = false;
        continue;
      }
      try {
        const fn = builtin[request.op] ?? ops[request.op];
        if (fn === undefined) throw new Error("unknown window-thread operation " + request.op);
        post({ type: "reply", id: request.id, ok: true, value: await fn(request.args ?? {}) });
      } catch (error) {
        post({
          type: "reply",
          id: request.id,
          ok: false,
          code: error instanceof Win32Failure ? error.code : undefined,
          message: String(error?.message ?? error),
        });
      }
      continue;
    }
    u32.TranslateMessage(msg);
    u32.DispatchMessageW(msg);
  }
  for (const win of [...windows.values()]) builtin.destroyWindow({ hwnd: win.hwnd });
  procedure.close();
  post({ type: "exit" });
  self.close();
}
run();
`;

const WM_APP_REQUEST = 0x8000 + 0x0d1;

/** What a window's listener gets from its kind's handler in the worker. */
export type WindowListener = (data: unknown) => void;

/** Options for {@linkcode openWindow}. */
export interface OpenWindowOptions {
  /** The window kind, defined by an installed extension. */
  kind: string;
  /** The window class name (registered once a process, reference-counted). */
  className: string;
  /** The window title. */
  title: string;
  /** Anything structured-cloneable, for the kind's handler (`window.config`). */
  config?: unknown;
  /** A message-only window (`HWND_MESSAGE` parent) instead of a hidden top-level one. */
  messageOnly?: boolean;
  /** Messages let through from lower integrity levels (`ChangeWindowMessageFilterEx`). */
  allow?: number[];
  /** What the window's handler posts for it. */
  listener: WindowListener;
}

/** A window owned by the window thread. */
export interface ThreadWindow {
  /** The window handle. */
  readonly hwnd: bigint;
  /** Destroys the window (on the window thread) and lets the thread stop if it was the last user. */
  close(): Promise<void>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  what: string;
}

class WindowThread {
  readonly #worker: Worker;
  readonly #url: string;
  #threadId: number | null = null;
  readonly #ready: Promise<void>;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<number, WindowListener>();
  readonly #installed = new Set<string>();
  #users = 0;
  #stopping = false;
  readonly exited: Promise<void>;

  constructor() {
    this.#url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    this.#worker = new Worker(this.#url, { type: "module", name: "winipc window thread" });
    let ready!: () => void;
    let failed!: (error: Error) => void;
    this.#ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    let exited!: () => void;
    this.exited = new Promise<void>((resolve) => (exited = resolve));
    this.#worker.onmessage = (event: MessageEvent) => {
      const data = event.data;
      switch (data.type) {
        case "ready":
          this.#threadId = data.threadId;
          ready();
          break;
        case "reply": {
          const pending = this.#pending.get(data.id);
          if (pending === undefined) break;
          this.#pending.delete(data.id);
          if (data.ok) pending.resolve(data.value);
          else {
            pending.reject(
              typeof data.code === "number"
                ? errorFromCode(data.code, pending.what)
                : new Error(`${pending.what}: ${data.message}`),
            );
          }
          break;
        }
        case "window":
          this.#listeners.get(data.window)?.(data.data);
          break;
        case "fault":
          console.error(`winipc window thread: ${data.message}`);
          break;
        case "exit":
          this.#finish();
          exited();
          break;
      }
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const error = new Error(`winipc window thread failed: ${event.message}`);
      failed(error);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      this.#finish();
      exited();
    };
  }

  #finish(): void {
    if (current === this) current = null;
    this.#worker.terminate();
    URL.revokeObjectURL(this.#url);
  }

  /** Counts a user; the thread stops when the count returns to 0. */
  hold(): void {
    this.#users++;
  }

  /** Uncounts a user; the last one stops the thread. */
  release(): void {
    if (--this.#users === 0 && !this.#stopping) {
      this.#stopping = true;
      if (current === this) current = null;
      const exited = this.exited.then(() => {
        stopping.delete(exited);
      });
      stopping.add(exited);
      this.#ready.then(() => {
        try {
          this.#post({ op: "quit" });
        } catch {
          // The thread cannot be woken (its queue is gone): end the worker.
          this.#finish();
        }
      }, () => {});
    }
  }

  #post(message: Record<string, unknown>): void {
    this.#worker.postMessage(message);
    if (user32().PostThreadMessageW(this.#threadId!, WM_APP_REQUEST, 0n, 0n) === 0) {
      throw new Error("winipc window thread: cannot wake the window thread");
    }
  }

  async request(op: string, args: Record<string, unknown>, what: string): Promise<unknown> {
    this.hold();
    try {
      await this.#ready;
      for (const [name, source] of extensions) {
        if (this.#installed.has(name)) continue;
        this.#installed.add(name);
        await this.#call("install", { name, source }, `${what}: install ${name}`);
      }
      return await this.#call(op, args, what);
    } finally {
      this.release();
    }
  }

  #call(op: string, args: Record<string, unknown>, what: string): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, what });
      try {
        this.#post({ op, args, id });
      } catch (error) {
        this.#pending.delete(id);
        reject(error);
      }
    });
  }

  listen(id: number, listener: WindowListener): void {
    this.#listeners.set(id, listener);
  }

  unlisten(id: number): void {
    this.#listeners.delete(id);
  }

  newId(): number {
    return this.#nextId++;
  }
}

let current: WindowThread | null = null;
const extensions = new Map<string, string>();

function thread(): WindowThread {
  user32(); // NotSupported off Windows, before a worker starts
  current ??= new WindowThread();
  return current;
}

/**
 * Registers an extension (window kinds and operations, as worker source;
 * see the module documentation). Installed in the window thread before the
 * next request runs there; registering a name twice keeps the first.
 *
 * @param name The extension's name.
 * @param source The body of a function of `ctx` (plain JavaScript).
 */
export function defineExtension(name: string, source: string): void {
  if (!extensions.has(name)) extensions.set(name, source);
}

/**
 * Runs an operation on the window thread (an installed extension's, or a
 * built-in one) and returns its result. Starts the thread if needed.
 *
 * @param op The operation's name.
 * @param args Its arguments (structured-cloneable).
 * @param what The error context (`Cannot write the clipboard`).
 * @returns What the operation returned.
 */
export function runOnWindowThread(
  op: string,
  args: Record<string, unknown>,
  what: string,
): Promise<unknown> {
  return thread().request(op, args, what);
}

/**
 * Opens a window on the window thread. The thread keeps running while the
 * window is open.
 *
 * @param options Kind, class, title, configuration and listener.
 * @param what The error context.
 * @returns The window.
 */
export async function openWindow(options: OpenWindowOptions, what: string): Promise<ThreadWindow> {
  const t = thread();
  const id = t.newId();
  t.hold();
  t.listen(id, options.listener);
  let hwnd: bigint;
  try {
    hwnd = await t.request("createWindow", {
      id,
      kind: options.kind,
      className: options.className,
      title: options.title,
      config: options.config,
      messageOnly: options.messageOnly ?? false,
      allow: options.allow ?? [],
    }, what) as bigint;
  } catch (error) {
    t.unlisten(id);
    t.release();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    hwnd,
    close(): Promise<void> {
      closed ??= (async () => {
        try {
          await t.request("destroyWindow", { hwnd }, "Cannot close window");
        } finally {
          t.unlisten(id);
          t.release();
        }
      })();
      return closed;
    },
  };
}

/**
 * Resolves when every window thread that was asked to stop has exited (a
 * thread still in use keeps running). For tests.
 *
 * @returns A promise of the stop.
 */
export async function windowThreadStopped(): Promise<void> {
  while (stopping.size > 0) await Promise.all([...stopping]);
}

/** Whether a window thread is running or starting (for tests). */
export function windowThreadRunning(): boolean {
  return current !== null || stopping.size > 0;
}

const stopping = new Set<Promise<void>>();
