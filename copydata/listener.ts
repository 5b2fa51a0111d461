// Copyright 2026 the winipc authors. MIT license.
/**
 * The receiving side of `WM_COPYDATA`: `listenCopyData`, `CopyDataListener`
 * and `CopyDataMessage`.
 *
 * @module
 */
import { defineExtension, openWindow, type ThreadWindow } from "../_win32/window_thread.ts";
import { checkTimeout, startTimer } from "../_win32/timeout.ts";
import type { WaitOptions } from "../_win32/options.ts";
import { checkChoice } from "../_win32/options.ts";

/** `WM_COPYDATA`. */
export const WM_COPYDATA = 0x004a;

// The window kind, run inside the window thread: copy the data before the
// sender is released, post it to the JavaScript thread, and reply at once.
defineExtension(
  "copydata",
  String.raw`
  return {
    kinds: {
      copydata: {
        message(win, msg, wParam, lParam) {
          if (msg !== 0x004a) return undefined;
          const address = BigInt.asUintN(64, BigInt(lParam));
          if (address === 0n) return 0n;
          const view = new Deno.UnsafePointerView(ctx.pointer(address));
          const tag = view.getBigUint64(0);
          const size = view.getUint32(8);
          const data = view.getPointer(16);
          const bytes = new Uint8Array(size);
          if (size > 0 && data !== null) {
            new Deno.UnsafePointerView(data).copyInto(bytes);
          }
          ctx.post(
            { type: "window", window: win.id, data: { tag, bytes, sender: BigInt(wParam) } },
            [bytes.buffer],
          );
          return BigInt(win.config.reply);
        },
      },
    },
  };
`,
);

/** Options for {@linkcode listenCopyData}. */
export interface ListenCopyDataOptions {
  /**
   * The window class name other programs find the window by
   * (`FindWindowW(className, NULL)`, AutoHotkey's `ahk_class`). At most 255
   * characters.
   * @default {a unique name, `winipc.CopyData.<pid>.<n>`}
   */
  className?: string;
  /**
   * The window title other programs find the window by
   * (`FindWindowW(NULL, title)`, AutoHotkey's WinTitle). The window is
   * hidden, so the title is seen by no one.
   * @default {""}
   */
  title?: string;
  /**
   * The value `SendMessage` returns to every sender, decided on the window
   * thread so that the sender is released at once, without waiting for
   * JavaScript. An integer from -2^31 to 2^32 - 1.
   * @default {1 (TRUE: "handled")}
   */
  reply?: number;
  /**
   * Let senders of a lower integrity level through (Windows' user
   * interface privilege isolation): `ChangeWindowMessageFilterEx(window,
   * WM_COPYDATA, MSGFLT_ALLOW)` for this window only. Off by default: it
   * lets a sandboxed or low-integrity process (a browser's renderer, a
   * document viewer running untrusted content) send this program messages,
   * so treat every message as untrusted input when it is on. Has no effect
   * under Wine, which has no integrity levels.
   * @default {false}
   */
  allowLowerIntegrity?: boolean;
}

/** The text encodings {@linkcode CopyDataMessage.text} decodes. */
export type CopyDataEncoding = "utf-16le" | "utf-8";

let messageInit: { tag: bigint; bytes: Uint8Array; senderWindow: bigint } | null = null;

/**
 * One `WM_COPYDATA` message, copied out of the sender before it was
 * released. From {@linkcode CopyDataListener}; not constructed directly.
 *
 * @example Read a message as text
 * ```ts ignore
 * import { listenCopyData } from "@winipc/winipc/copydata";
 *
 * using listener = await listenCopyData({ className: "MyApp.Receiver" });
 * const message = await listener.receive();
 * console.log(message.tag, message.text());
 * ```
 */
export class CopyDataMessage {
  /** `COPYDATASTRUCT.dwData`: the sender's tag, a full pointer-sized unsigned value. */
  readonly tag: bigint;
  /** `COPYDATASTRUCT.lpData`, `cbData` bytes long: the payload, copied. */
  readonly bytes: Uint8Array;
  /**
   * `wParam`: the window the sender says it sends from. Unverified: any
   * sender can put any value there, and many pass 0.
   */
  readonly senderWindow: bigint;

  private constructor() {
    const init = messageInit;
    if (init === null) {
      throw new TypeError("Illegal constructor: messages come from listenCopyData()");
    }
    this.tag = init.tag;
    this.bytes = init.bytes;
    this.senderWindow = init.senderWindow;
  }

  /**
   * The payload as text. UTF-16LE (what wide-character programs and
   * AutoHotkey send) drops one trailing NUL character, since senders
   * commonly include the terminator; so does UTF-8 (one trailing zero byte).
   * An odd byte at the end of UTF-16LE text decodes as U+FFFD.
   *
   * @example Decode UTF-8 text
   * ```ts ignore
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * using listener = await listenCopyData({ className: "MyApp.Receiver" });
   * for await (const message of listener) console.log(message.text("utf-8"));
   * ```
   *
   * @param encoding `"utf-16le"` or `"utf-8"`.
   * @returns The text.
   * @throws {TypeError} For another encoding.
   */
  text(encoding: CopyDataEncoding = "utf-16le"): string {
    const chosen = checkChoice(
      encoding,
      ["utf-16le", "utf-8"] as const,
      "utf-16le",
      "encoding",
      "Cannot decode WM_COPYDATA text",
    );
    let bytes = this.bytes;
    if (chosen === "utf-16le") {
      const n = bytes.length;
      if (n >= 2 && n % 2 === 0 && bytes[n - 1] === 0 && bytes[n - 2] === 0) {
        bytes = bytes.subarray(0, n - 2);
      }
    } else if (bytes.length >= 1 && bytes[bytes.length - 1] === 0) {
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    return new TextDecoder(chosen).decode(bytes);
  }
}

function makeMessage(tag: bigint, bytes: Uint8Array, senderWindow: bigint): CopyDataMessage {
  messageInit = { tag, bytes, senderWindow };
  try {
    return new (CopyDataMessage as unknown as new () => CopyDataMessage)();
  } finally {
    messageInit = null;
  }
}

interface Waiter {
  resolve(message: CopyDataMessage): void;
  reject(error: unknown): void;
}

let listenerInit: { window: ThreadWindow; className: string; title: string } | null = null;
let listenerQueue: CopyDataMessage[] | null = null;
let unnamed = 0;
let openListener: (options: ListenCopyDataOptions) => Promise<CopyDataListener>;

/**
 * A hidden top-level window that receives `WM_COPYDATA` messages. From
 * {@linkcode listenCopyData}; not constructed directly.
 *
 * Messages are queued in arrival order until received. Iteration ends when
 * the listener is closed.
 *
 * @example Messages as they come
 * ```ts ignore
 * import { listenCopyData } from "@winipc/winipc/copydata";
 *
 * using listener = await listenCopyData({ className: "MyApp.Receiver" });
 * for await (const message of listener) console.log(message.text());
 * ```
 */
export class CopyDataListener
  implements Disposable, AsyncDisposable, AsyncIterable<CopyDataMessage> {
  readonly #window: ThreadWindow;
  readonly #queue: CopyDataMessage[];
  readonly #waiters = new Set<Waiter>();
  #closed = false;
  #closing: Promise<void> | null = null;
  /** The window's class name. */
  readonly className: string;
  /** The window's title. */
  readonly title: string;

  private constructor() {
    const init = listenerInit;
    const queue = listenerQueue;
    if (init === null || queue === null) {
      throw new TypeError("Illegal constructor: use listenCopyData()");
    }
    this.#window = init.window;
    this.#queue = queue;
    this.className = init.className;
    this.title = init.title;
  }

  /**
   * The window handle (`HWND`), for senders in this or another process.
   *
   * @example Tell another process where to send
   * ```ts ignore
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * using listener = await listenCopyData();
   * console.log(listener.window.toString());
   * ```
   */
  get window(): bigint {
    return this.#window.hwnd;
  }

  /** Called by the window thread's listener for each message. */
  static #deliver(listener: CopyDataListener | null, queue: CopyDataMessage[], m: CopyDataMessage) {
    if (listener === null) {
      queue.push(m);
      return;
    }
    if (listener.#closed) return;
    const waiter = listener.#waiters.values().next().value;
    if (waiter !== undefined) {
      listener.#waiters.delete(waiter);
      waiter.resolve(m);
    } else {
      queue.push(m);
    }
  }

  static {
    openListener = (options) => CopyDataListener.#open(options);
  }

  static async #open(options: ListenCopyDataOptions): Promise<CopyDataListener> {
    const className = options.className ?? `winipc.CopyData.${Deno.pid}.${++unnamed}`;
    const title = options.title ?? "";
    const what = `Cannot listen for WM_COPYDATA as class "${className}"`;
    if (typeof className !== "string" || className.length === 0 || className.length > 255) {
      throw new TypeError(`${what}: className must be a string of 1 to 255 characters`);
    }
    if (typeof title !== "string") throw new TypeError(`${what}: title must be a string`);
    for (const [name, text] of [["className", className], ["title", title]] as const) {
      if (text.includes("\0")) throw new TypeError(`${what}: ${name} contains a NUL character`);
    }
    const reply = options.reply ?? 1;
    if (!Number.isInteger(reply) || reply < -(2 ** 31) || reply > 2 ** 32 - 1) {
      throw new RangeError(
        `${what}: reply must be an integer from -2^31 to 2^32 - 1, got ${reply}`,
      );
    }
    const allowLower = options.allowLowerIntegrity === undefined
      ? false
      : options.allowLowerIntegrity;
    if (allowLower !== true && allowLower !== false) {
      throw new TypeError(`${what}: allowLowerIntegrity must be true or false`);
    }
    const queue: CopyDataMessage[] = [];
    let listener: CopyDataListener | null = null;
    const window = await openWindow({
      kind: "copydata",
      className,
      title,
      config: { reply },
      allow: allowLower ? [WM_COPYDATA] : [],
      listener: (data) => {
        const { tag, bytes, sender } = data as { tag: bigint; bytes: Uint8Array; sender: bigint };
        CopyDataListener.#deliver(listener, queue, makeMessage(tag, bytes, sender));
      },
    }, what);
    listenerInit = { window, className, title };
    listenerQueue = queue;
    try {
      listener = new (CopyDataListener as unknown as new () => CopyDataListener)();
    } finally {
      listenerInit = null;
      listenerQueue = null;
    }
    return listener;
  }

  /**
   * Waits for the next message.
   *
   * @example Receive one message, waiting at most a second
   * ```ts ignore
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * using listener = await listenCopyData({ title: "MyApp receiver" });
   * const message = await listener.receive({ timeout: 1000 });
   * console.log(message.bytes.length);
   * ```
   *
   * @param options A timeout (default: for ever) and a cancelling signal.
   * @returns The message.
   * @throws {Deno.errors.TimedOut} If no message came in time.
   * @throws {Deno.errors.BadResource} If the listener is (or gets) closed.
   * @throws {RangeError} For a bad timeout.
   */
  receive(options: WaitOptions = {}): Promise<CopyDataMessage> {
    try {
      const ms = checkTimeout(options.timeout, "receive WM_COPYDATA");
      const { signal } = options;
      signal?.throwIfAborted();
      if (this.#closed) {
        throw new Deno.errors.BadResource("Cannot receive WM_COPYDATA: the listener is closed");
      }
      const first = this.#queue.shift();
      if (first !== undefined) return Promise.resolve(first);
      if (ms === 0) {
        throw new Deno.errors.TimedOut(
          "Cannot receive WM_COPYDATA: no message waiting (timeout 0)",
        );
      }
      return new Promise<CopyDataMessage>((resolve, reject) => {
        const done = () => {
          this.#waiters.delete(waiter);
          cancelTimer();
          signal?.removeEventListener("abort", onAbort);
        };
        const waiter: Waiter = {
          resolve: (m) => {
            done();
            resolve(m);
          },
          reject: (e) => {
            done();
            reject(e);
          },
        };
        const onAbort = () => waiter.reject(signal!.reason);
        const cancelTimer = startTimer(ms, () =>
          waiter.reject(
            new Deno.errors.TimedOut(`Cannot receive WM_COPYDATA: no message within ${ms} ms`),
          ));
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiters.add(waiter);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Messages in arrival order, until the listener is closed.
   *
   * @example Iterate
   * ```ts ignore
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * using listener = await listenCopyData({ className: "MyApp.Receiver" });
   * for await (const message of listener) if (message.text() === "quit") break;
   * ```
   *
   * @returns An async iterator of messages.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<CopyDataMessage> {
    while (!this.#closed) {
      try {
        yield await this.receive();
      } catch (error) {
        if (this.#closed && error instanceof Deno.errors.BadResource) return;
        throw error;
      }
    }
  }

  /**
   * Closes the window: no message arrives any more, senders waiting on it
   * are released (their `SendMessage` fails), and pending receives reject
   * with `Deno.errors.BadResource`. The window is destroyed on the window
   * thread shortly after; `await using` (or
   * {@linkcode CopyDataListener[Symbol.asyncDispose]}) waits for that.
   *
   * @example Close
   * ```ts ignore
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * const listener = await listenCopyData({ className: "MyApp.Receiver" });
   * listener.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    if (this.#closed) {
      throw new Deno.errors.BadResource("The WM_COPYDATA listener is already closed");
    }
    this.#closed = true;
    this.#queue.length = 0;
    const error = new Deno.errors.BadResource("Cannot receive WM_COPYDATA: the listener is closed");
    for (const waiter of [...this.#waiters]) waiter.reject(error);
    this.#closing = this.#window.close().catch(() => {});
  }

  /**
   * Closes the listener unless it is closed already.
   *
   * @example Close at the end of the scope
   * ```ts ignore
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * using listener = await listenCopyData({ className: "MyApp.Receiver" });
   * ```
   */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }

  /**
   * Closes the listener unless it is closed already, and waits until its
   * window is destroyed.
   *
   * @example Close and wait
   * ```ts ignore
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * await using listener = await listenCopyData({ className: "MyApp.Receiver" });
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#closed) this.close();
    await this.#closing;
  }
}

/**
 * Opens a hidden top-level window that receives `WM_COPYDATA`, found by
 * other programs with `FindWindowW` by its class name or title (AutoHotkey:
 * `ahk_class`, WinTitle).
 *
 * The window lives on winipc's window thread (one a process, started on
 * first use). Each message is copied there and the sender is released at
 * once with the `reply` value (default 1, TRUE), so a slow JavaScript
 * thread never holds a sender, and a hung sender never holds this process.
 * Messages wait in an unbounded queue until received.
 *
 * Size: a message from another process arrives on the window thread's
 * stack, and the JavaScript window procedure needs stack of its own. Under
 * Wine, messages up to 896 KiB were received and 1 MiB ones were not: the
 * sender gets the reply 0 and the message is dropped whole (the listener
 * goes on working). Send larger data through shared memory and a small
 * `WM_COPYDATA` that names it. (Not yet measured on Windows.)
 *
 * Any process of the same desktop and session may send; on Windows, user
 * interface privilege isolation blocks senders of a lower integrity level.
 * Treat every message as untrusted input.
 *
 * @example Receive text from AutoHotkey or a C program
 * ```ts ignore
 * import { listenCopyData } from "@winipc/winipc/copydata";
 *
 * using listener = await listenCopyData({ className: "MyApp.Receiver", title: "MyApp" });
 * for await (const message of listener) {
 *   console.log(`tag ${message.tag}: ${message.text()}`);
 * }
 * ```
 *
 * @param options Class name, title, and the reply value.
 * @returns The listener.
 * @throws {TypeError} For a bad class name or title.
 * @throws {RangeError} For a bad reply value.
 * @throws {Deno.errors.NotSupported} Off Windows.
 */
export function listenCopyData(options: ListenCopyDataOptions = {}): Promise<CopyDataListener> {
  return openListener(options);
}
