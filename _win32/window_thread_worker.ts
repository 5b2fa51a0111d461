// Copyright 2026 the winipc authors. MIT license.
/**
 * The window thread's own side: the loop that runs inside the worker, owns
 * the windows and pumps their messages. The JavaScript thread's side is
 * `window_thread.ts`; the deadlock rule and the wake are described there.
 *
 * A mechanism makes its thread with an entry module that calls
 * {@linkcode runWindowThread} with its window kinds (a window procedure
 * each) and its operations (functions run on this thread at the JavaScript
 * thread's request). The entry module is imported by the JavaScript side
 * too, for its {@linkcode ThreadEntry} and its types; outside the worker
 * that call does nothing.
 *
 * The loop, with `event` the wake event the JavaScript thread sets after
 * each request:
 *
 * 1. `MsgWaitForMultipleObjectsEx(event, QS_ALLINPUT, MWMO_INPUTAVAILABLE)`:
 *    asleep until a request or a message comes;
 * 2. every request waiting on the request port is taken synchronously
 *    (`receiveMessageOnPort`) and run, in order, whatever woke the thread;
 * 3. every message queued is dispatched (`PeekMessageW`; messages sent from
 *    other threads and processes are delivered inside that call);
 * 4. what the window procedures and operations posted is sent to the
 *    JavaScript thread as one batch.
 *
 * A wake without a request finds none and goes back to sleep; a request
 * whose wake failed is taken at the next round. Thread messages (no
 * window: `WM_QUIT` or any number another process posts with
 * `PostThreadMessageW`) are taken and ignored; the loop ends only by its
 * own `quit` request.
 *
 * @module
 */
import type { MessagePort as NodeMessagePort } from "node:worker_threads";
import { kernel32, user32 } from "./ffi.ts";
import { encodeUtf16z } from "./utf16.ts";
import { pointerValue } from "./handle.ts";

/** Where a window thread's entry module is, and the worker's name. */
export interface ThreadEntry {
  /** The entry module's URL (its `import.meta.url`). */
  readonly url: string;
  /** The worker's name, which tells the entry module it runs as that thread. */
  readonly name: string;
}

/** A window as its kind's procedure sees it. */
export interface ThreadWindowRecord<Config, State> {
  /** The window's number, by which its events reach its listener. */
  readonly id: number;
  /** The window handle. */
  readonly hwnd: bigint;
  /** What the JavaScript thread configured the window with. */
  readonly config: Config;
  /** The kind's own state for this window, made by its `init`. */
  readonly state: State;
}

/** What a kind's procedure and the operations can do on the window thread. */
export interface ThreadContext {
  /**
   * Queues an event for the listener of window `id`; sent with the batch at
   * the end of the loop's round (or at the next {@linkcode flush}).
   */
  post(id: number, event: unknown, transfer?: Transferable[]): void;
  /** Sends what is queued now: before the thread waits on the JavaScript thread. */
  flush(): void;
  /** The window record of a handle, if the window is this thread's. */
  window(hwnd: bigint): ThreadWindowRecord<unknown, unknown> | undefined;
}

/**
 * A window kind: what its windows do with the messages they receive.
 *
 * @typeParam Config What the JavaScript thread configures a window with (structured-cloneable).
 * @typeParam State The kind's per-window state on this thread.
 * @typeParam Event What the kind posts to a window's listener.
 */
export interface WindowKind<Config, State, Event> {
  /** Makes the window's state when it is created. */
  init(config: Config, hwnd: bigint): State;
  /**
   * The window procedure: a reply, or `undefined` for `DefWindowProcW`.
   * Runs on this thread, inside the message loop.
   */
  message(
    win: ThreadWindowRecord<Config, State>,
    msg: number,
    wParam: bigint,
    lParam: bigint,
    ctx: ThreadContext,
  ): bigint | undefined;
  /** Called when the window is destroyed (its state's last use). */
  destroyed?(win: ThreadWindowRecord<Config, State>, ctx: ThreadContext): void;
  /**
   * Only for the event type's inference: never set.
   * @internal
   */
  readonly event?: Event;
}

/** An operation run on the window thread: synchronous, arguments and result structured-cloneable. */
// deno-lint-ignore no-explicit-any
export type ThreadOp = (args: any, ctx: ThreadContext) => unknown;

/** A thread's kinds, by name. */
// deno-lint-ignore no-explicit-any
export type KindTable = Record<string, WindowKind<any, any, any>>;

/** A thread's operations, by name. */
export type OpTable = Record<string, ThreadOp>;

/** The request that creates a window. */
export interface CreateWindowArgs {
  id: number;
  kind: string;
  className: string;
  title: string;
  config: unknown;
  messageOnly: boolean;
  allow: number[];
}

/** A request from the JavaScript thread. */
export interface ThreadRequest {
  id: number;
  op: string;
  args: unknown;
}

/** The outcome of a request. */
export type ThreadReply =
  | { reply: number; ok: true; value: unknown }
  | { reply: number; ok: false; code: number | null; message: string };

/** What the thread posts to the JavaScript thread. */
export type ThreadPost =
  | { type: "ready"; threadId: number }
  | { type: "batch"; replies: ThreadReply[]; events: { window: number; event: unknown }[] }
  | { type: "fault"; message: string }
  | { type: "exit" };

/** The first message the JavaScript thread sends: where requests come and the wake event. */
export interface ThreadInit {
  port: MessagePort;
  wake: bigint;
}

/** A Win32 failure inside an operation: the JavaScript side turns `code` into a `Deno.errors` class. */
export class Win32Failure extends Error {
  /** The `GetLastError` code. */
  readonly code: number;
  /**
   * @param code The error code.
   * @param step The call that failed.
   */
  constructor(code: number, step: string) {
    super(step);
    this.code = code;
  }
}

const QS_ALLINPUT = 0x04ff;
const MWMO_INPUTAVAILABLE = 0x4;
const WAIT_FAILED = 0xffffffff;
const PM_REMOVE = 0x1;
const WS_EX_TOOLWINDOW = 0x80;
const WS_EX_NOACTIVATE = 0x08000000;
const MSGFLT_ALLOW = 1;
const HWND_MESSAGE = 0xfffffffffffffffdn;

const pointer = (value: bigint) => Deno.UnsafePointer.create(value);

/**
 * Whether this code runs as the window thread named `name` (a Web Worker of
 * that name).
 *
 * @param name The worker's name.
 * @returns True inside that worker.
 */
export function isWindowThread(name: string): boolean {
  // A Web Worker has `self` and DedicatedWorkerGlobalScope; the main
  // thread has no such class, and a node:worker_threads Worker has no `self`.
  return typeof self !== "undefined" &&
    typeof (globalThis as { DedicatedWorkerGlobalScope?: unknown }).DedicatedWorkerGlobalScope ===
      "function" &&
    (self as unknown as { name?: unknown }).name === name;
}

/**
 * Runs the window thread's loop with these kinds and operations, if this
 * code runs as the thread `entry.name`; does nothing elsewhere.
 *
 * @param entry The thread's entry (its name decides).
 * @param kinds Its window kinds.
 * @param ops Its operations.
 */
export function runWindowThread(entry: ThreadEntry, kinds: KindTable, ops: OpTable): void {
  if (!isWindowThread(entry.name)) return;
  const scope = self as unknown as {
    onmessage: ((event: MessageEvent<ThreadInit>) => void) | null;
    postMessage(message: ThreadPost, transfer?: Transferable[]): void;
    close(): void;
  };
  scope.onmessage = async (event) => {
    scope.onmessage = null;
    // Loaded here, not at the top: the JavaScript thread imports this module
    // too, and should not pay for Node's worker_threads to start a thread.
    const { receiveMessageOnPort } = await import("node:worker_threads");
    new Loop(kinds, ops, event.data, scope, receiveMessageOnPort).run();
  };
}

interface WindowEntry {
  record: ThreadWindowRecord<unknown, unknown>;
  // deno-lint-ignore no-explicit-any
  kind: WindowKind<any, any, any>;
  className: string;
}

class Loop implements ThreadContext {
  readonly #kinds: KindTable;
  readonly #ops: OpTable;
  readonly #port: MessagePort;
  readonly #wake: Uint8Array;
  readonly #scope: {
    postMessage(message: ThreadPost, transfer?: Transferable[]): void;
    close(): void;
  };
  readonly #windows = new Map<bigint, WindowEntry>();
  readonly #classes = new Map<string, { users: number; name16: Uint16Array }>();
  #replies: ThreadReply[] = [];
  #events: { window: number; event: unknown }[] = [];
  #transfer: Transferable[] = [];
  #running = true;
  readonly #receive: (port: NodeMessagePort) => { message: unknown } | undefined;
  readonly #instance: Deno.PointerValue;
  readonly #procedure: Deno.UnsafeCallback<{
    readonly parameters: readonly ["pointer", "u32", "usize", "isize"];
    readonly result: "i64";
  }>;

  constructor(
    kinds: KindTable,
    ops: OpTable,
    init: ThreadInit,
    scope: { postMessage(message: ThreadPost, transfer?: Transferable[]): void; close(): void },
    receive: (port: NodeMessagePort) => { message: unknown } | undefined,
  ) {
    this.#receive = receive;
    this.#kinds = kinds;
    this.#ops = ops;
    this.#port = init.port;
    this.#wake = new Uint8Array(new BigUint64Array([init.wake]).buffer);
    this.#scope = scope;
    this.#instance = kernel32().GetModuleHandleW(null);
    // The result is declared i64 (LRESULT's size on 64-bit Windows): Deno
    // handles an exception escaping a callback for i64 but panics for isize.
    this.#procedure = new Deno.UnsafeCallback(
      { parameters: ["pointer", "u32", "usize", "isize"], result: "i64" } as const,
      (hwnd, msg, wParam, lParam) => this.#message(hwnd, msg, BigInt(wParam), BigInt(lParam)),
    );
  }

  #message(hwnd: Deno.PointerValue, msg: number, wParam: bigint, lParam: bigint): bigint {
    try {
      const entry = this.#windows.get(pointerValue(hwnd));
      if (entry !== undefined) {
        const reply = entry.kind.message(entry.record, msg, wParam, lParam, this);
        if (reply !== undefined) return reply;
      }
    } catch (error) {
      this.#fault(`a window procedure failed: ${describe(error)}`);
    }
    return BigInt(user32().DefWindowProcW(hwnd, msg, wParam, lParam));
  }

  post(id: number, event: unknown, transfer: Transferable[] = []): void {
    this.#events.push({ window: id, event });
    for (const t of transfer) this.#transfer.push(t);
  }

  flush(): void {
    if (this.#replies.length === 0 && this.#events.length === 0) return;
    const batch: ThreadPost = { type: "batch", replies: this.#replies, events: this.#events };
    const transfer = this.#transfer;
    this.#replies = [];
    this.#events = [];
    this.#transfer = [];
    this.#scope.postMessage(batch, transfer);
  }

  window(hwnd: bigint): ThreadWindowRecord<unknown, unknown> | undefined {
    return this.#windows.get(hwnd)?.record;
  }

  #fault(message: string): void {
    try {
      this.#scope.postMessage({ type: "fault", message });
    } catch { /* nothing more to do */ }
  }

  run(): void {
    const u = user32();
    const k = kernel32();
    const msg = new Uint8Array(48); // MSG
    const view = new DataView(msg.buffer);
    u.PeekMessageW(msg, null, 0, 0, 0); // makes this thread's message queue
    this.#scope.postMessage({ type: "ready", threadId: kernel32().GetCurrentThreadId() });
    while (this.#running) {
      this.#requests();
      while (this.#running) {
        let got: number;
        try {
          got = u.PeekMessageW(msg, null, 0, 0, PM_REMOVE);
        } catch (error) {
          // An exception that escaped a window procedure surfaces here: V8
          // had no stack left for it (a large message from another process
          // lies on this thread's stack under Wine). The sender got 0.
          this.#fault(`a window procedure failed: ${describe(error)}`);
          continue;
        }
        if (got === 0) break;
        // The loop ends only by its own request: a WM_QUIT, like any thread
        // message, can come from any process that knows the thread's id.
        if (view.getBigUint64(0, true) === 0n) continue;
        u.TranslateMessage(msg);
        u.DispatchMessageW(msg);
      }
      this.flush();
      if (!this.#running) break;
      const woke = u.MsgWaitForMultipleObjectsEx(
        1,
        this.#wake,
        0xffffffff,
        QS_ALLINPUT,
        MWMO_INPUTAVAILABLE,
      );
      if (woke === WAIT_FAILED) {
        const code = k.GetLastError();
        this.#fault(`MsgWaitForMultipleObjectsEx failed (error ${code})`);
        break;
      }
    }
    for (const hwnd of [...this.#windows.keys()]) this.#destroy(hwnd);
    this.flush();
    this.#procedure.close();
    this.#scope.postMessage({ type: "exit" });
    this.#port.close();
    this.#scope.close();
  }

  /** Runs every request waiting, in order. */
  #requests(): void {
    for (;;) {
      // Deno's receiveMessageOnPort takes a Web MessagePort; its types say Node's.
      const received = this.#receive(this.#port as unknown as NodeMessagePort);
      if (received === undefined) return;
      const request = received.message as ThreadRequest;
      try {
        const value = this.#run(request);
        this.#replies.push({ reply: request.id, ok: true, value });
      } catch (error) {
        this.#replies.push({
          reply: request.id,
          ok: false,
          code: error instanceof Win32Failure ? error.code : null,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  #run(request: ThreadRequest): unknown {
    switch (request.op) {
      case "quit":
        this.#running = false;
        return true;
      case "createWindow":
        return this.#create(request.args as CreateWindowArgs);
      case "destroyWindow":
        return this.#destroy(request.args as bigint);
    }
    const op = Object.hasOwn(this.#ops, request.op) ? this.#ops[request.op] : undefined;
    if (op === undefined) throw new Error(`unknown window-thread operation ${request.op}`);
    return op(request.args, this);
  }

  // WNDCLASSEXW (80 bytes on 64-bit Windows).
  #registerClass(name: string): Uint16Array {
    let entry = this.#classes.get(name);
    if (entry === undefined) {
      const name16 = encodeUtf16z(name);
      const wc = new Uint8Array(80);
      const v = new DataView(wc.buffer);
      v.setUint32(0, 80, true); // cbSize
      v.setBigUint64(8, pointerValue(this.#procedure.pointer), true); // lpfnWndProc
      v.setBigUint64(24, pointerValue(this.#instance), true); // hInstance
      v.setBigUint64(64, pointerValue(Deno.UnsafePointer.of(name16)), true); // lpszClassName
      const [u, k] = [user32(), kernel32()];
      if (u.RegisterClassExW(wc) === 0) {
        throw new Win32Failure(k.GetLastError(), "RegisterClassExW");
      }
      entry = { users: 0, name16 };
      this.#classes.set(name, entry);
    }
    entry.users++;
    return entry.name16;
  }

  #releaseClass(name: string): void {
    const entry = this.#classes.get(name);
    if (entry === undefined || --entry.users > 0) return;
    this.#classes.delete(name);
    user32().UnregisterClassW(entry.name16, this.#instance);
  }

  #create(args: CreateWindowArgs): bigint {
    const kind = Object.hasOwn(this.#kinds, args.kind) ? this.#kinds[args.kind] : undefined;
    if (kind === undefined) throw new Error(`unknown window kind ${args.kind}`);
    const name16 = this.#registerClass(args.className);
    const [u, k] = [user32(), kernel32()];
    // The window procedure runs during CreateWindowExW already, before the
    // handle is known: those first messages get DefWindowProcW.
    const hwnd = u.CreateWindowExW(
      WS_EX_TOOLWINDOW | WS_EX_NOACTIVATE,
      name16,
      encodeUtf16z(args.title),
      0,
      0,
      0,
      0,
      0,
      args.messageOnly ? pointer(HWND_MESSAGE) : null,
      null,
      this.#instance,
      null,
    );
    if (hwnd === null) {
      const code = k.GetLastError();
      this.#releaseClass(args.className);
      throw new Win32Failure(code, "CreateWindowExW");
    }
    for (const message of args.allow) {
      u.ChangeWindowMessageFilterEx(hwnd, message, MSGFLT_ALLOW, null);
    }
    const key = pointerValue(hwnd);
    const record = { id: args.id, hwnd: key, config: args.config, state: undefined as unknown };
    try {
      record.state = kind.init(args.config, key);
    } catch (error) {
      u.DestroyWindow(hwnd);
      this.#releaseClass(args.className);
      throw error;
    }
    this.#windows.set(key, { record, kind, className: args.className });
    return key;
  }

  #destroy(hwnd: bigint): boolean {
    const entry = this.#windows.get(hwnd);
    if (entry === undefined) return false;
    // Destroyed first (its last messages still reach the kind), then forgotten.
    user32().DestroyWindow(pointer(hwnd));
    this.#windows.delete(hwnd);
    try {
      entry.kind.destroyed?.(entry.record, this);
    } catch (error) {
      this.#fault(`a window's destruction failed: ${describe(error)}`);
    }
    this.#releaseClass(entry.className);
    return true;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
