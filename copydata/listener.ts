// Copyright 2026 the winipc authors. MIT license.
/**
 * The receiving side of `WM_COPYDATA`: `listenCopyData`, `CopyDataListener`
 * and `CopyDataMessage`.
 *
 * @module
 */
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";
import { type ThreadWindow, WindowThread } from "../_win32/window_thread.ts";
import { checkTimeout, startTimer } from "../_win32/timeout.ts";
import type { WaitOptions } from "../_win32/options.ts";
import { checkChoice, checkInteger, describeValue } from "../_win32/options.ts";
import {
  COPYDATA_THREAD,
  type CopyDataConfig,
  type CopyDataEvent,
  type CopyDataKinds,
  type CopyDataOps,
  SLOT,
  SLOT64,
  STATE_BYTES,
  WM_COPYDATA,
} from "./_thread.ts";

/** The `WM_COPYDATA` thread: its own, so that a slow reply function stalls no other mechanism. */
const thread = new WindowThread<CopyDataKinds, CopyDataOps>(COPYDATA_THREAD);

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
   * What `SendMessage` returns to the sender.
   *
   * - An integer from -2^31 to 2^32 - 1: the same value for every message,
   *   decided on the window thread, so that the sender is released at once
   *   without waiting for JavaScript (the fastest way).
   * - A function of the message returning such an integer (a number or a
   *   bigint), or a promise of one: decided per message by this program.
   *   The sender waits until the function's result is known, at most
   *   `replyTimeout` milliseconds, and gets 0 after that. The message is
   *   queued for {@linkcode CopyDataListener.receive} as well, whatever the
   *   function returns. If the function throws, rejects or returns a bad
   *   value, the sender gets 0 and the listener fails: the next
   *   `receive` (and iteration) rejects with that error, and the window
   *   is closed.
   *
   * While a reply function runs, the `WM_COPYDATA` thread waits for it, and
   * the program's other listeners wait too (the clipboard has a thread of
   * its own): keep it short.
   * @default {1 (TRUE: "handled")}
   */
  reply?: number | ((message: CopyDataMessage) => number | bigint | Promise<number | bigint>);
  /**
   * With a reply function: how long a sender waits for it, in
   * milliseconds (1 to 60,000). A sender whose own time limit is shorter
   * gives up first (`sendCopyData` rejects with `TimedOut`).
   * @default {1000}
   */
  replyTimeout?: number;
  /**
   * The most messages that wait to be received. A message arriving when
   * the queue is full is refused: its sender gets 0, and nothing of it
   * arrives ({@linkcode CopyDataListener.refused} counts them). An integer
   * from 1 to 2^31 - 1.
   * @default {10000}
   */
  maxQueued?: number;
  /**
   * The most bytes of messages that wait to be received, refused as with
   * `maxQueued` beyond it. An integer from 0 to 2^53 - 1.
   * @default {67108864 (64 MiB)}
   */
  maxQueuedBytes?: number;
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

/**
 * One `WM_COPYDATA` message, copied out of the sender before it was
 * released. From {@linkcode CopyDataListener}; not constructed directly.
 *
 * @example Read a message as text
 * ```ts no-run
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

  /** @ignore */
  constructor(key: ConstructKey, tag: bigint, bytes: Uint8Array, senderWindow: bigint) {
    checkConstruct(key, "messages come from listenCopyData()");
    this.tag = tag;
    this.bytes = bytes;
    this.senderWindow = senderWindow;
  }

  /**
   * The payload as text. UTF-16LE (what wide-character programs and
   * AutoHotkey send) drops one trailing NUL character, since senders
   * commonly include the terminator; so does UTF-8 (one trailing zero byte).
   * An odd byte at the end of UTF-16LE text decodes as U+FFFD.
   *
   * @example Decode UTF-8 text
   * ```ts no-run
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

/** Checks a reply value: an integer from -2^31 to 2^32 - 1, as a number or a bigint. */
function checkReply(value: unknown, what: string): number | bigint {
  const ok = (typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint";
  if (!ok || (value as number) < -(2 ** 31) || (value as number) > 2 ** 32 - 1) {
    throw new RangeError(
      `${what}: reply must be an integer from -2^31 to 2^32 - 1, got ${describeValue(value)}`,
    );
  }
  return value as number | bigint;
}

interface Waiter {
  resolve(message: CopyDataMessage): void;
  reject(error: unknown): void;
}

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
 * ```ts no-run
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
  readonly #i32: Int32Array;
  readonly #i64: BigInt64Array;
  #failure: unknown = null;
  #closed = false;
  #closing: Promise<void> | null = null;
  /** The window's class name. */
  readonly className: string;
  /** The window's title. */
  readonly title: string;

  /** @ignore */
  constructor(key: ConstructKey, init: {
    window: ThreadWindow;
    queue: CopyDataMessage[];
    className: string;
    title: string;
    i32: Int32Array;
    i64: BigInt64Array;
  }) {
    checkConstruct(key, "use listenCopyData()");
    this.#window = init.window;
    this.#queue = init.queue;
    this.#i32 = init.i32;
    this.#i64 = init.i64;
    this.className = init.className;
    this.title = init.title;
  }

  /**
   * The window handle (`HWND`), for senders in this or another process.
   *
   * @example Tell another process where to send
   * ```ts no-run
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * using listener = await listenCopyData();
   * console.log(listener.window.toString());
   * ```
   */
  get window(): bigint {
    return this.#window.hwnd;
  }

  /**
   * Whether the listener is closed (by {@linkcode close}, or by a reply
   * function that failed).
   *
   * @example Check before receiving
   * ```ts no-run
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * const listener = await listenCopyData();
   * listener.close();
   * console.log(listener.closed); // true
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Messages refused because the queue was full (`maxQueued`,
   * `maxQueuedBytes`): their senders got 0.
   *
   * @example Watch for refused messages
   * ```ts no-run
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * using listener = await listenCopyData({ className: "MyApp.Receiver", maxQueued: 100 });
   * setInterval(() => console.log(`refused so far: ${listener.refused}`), 10_000);
   * ```
   */
  get refused(): number {
    return Atomics.load(this.#i32, SLOT.refused);
  }

  /**
   * Senders that got 0 because the reply function did not answer within
   * `replyTimeout`.
   *
   * @example Count late replies
   * ```ts no-run
   * import { listenCopyData } from "@winipc/winipc/copydata";
   *
   * using listener = await listenCopyData({ reply: () => 1 });
   * console.log(listener.lateReplies);
   * ```
   */
  get lateReplies(): number {
    return Atomics.load(this.#i32, SLOT.late);
  }

  /** Takes a message off the books of the shared queue counters. */
  #taken(m: CopyDataMessage): CopyDataMessage {
    Atomics.sub(this.#i32, SLOT.queued, 1);
    Atomics.sub(this.#i64, SLOT64.queuedBytes, BigInt(m.bytes.length));
    return m;
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
      waiter.resolve(listener.#taken(m));
    } else {
      queue.push(m);
    }
  }

  /** A reply function failed: the listener fails with its error. */
  static #fail(listener: CopyDataListener | null, error: unknown) {
    if (listener === null || listener.#closed) return;
    listener.#failure = error;
    listener.close();
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
    if (typeof reply !== "function") checkReply(reply, what);
    const replyTimeout = checkInteger(options.replyTimeout, 1000, 1, 60_000, "replyTimeout", what);
    const maxQueued = checkInteger(options.maxQueued, 10_000, 1, 2 ** 31 - 1, "maxQueued", what);
    const maxQueuedBytes = checkInteger(
      options.maxQueuedBytes,
      64 << 20,
      0,
      Number.MAX_SAFE_INTEGER,
      "maxQueuedBytes",
      what,
    );
    const state = new SharedArrayBuffer(STATE_BYTES);
    const i32 = new Int32Array(state, 0, 8);
    const i64 = new BigInt64Array(state, 32, 2);
    const allowLower = options.allowLowerIntegrity === undefined
      ? false
      : options.allowLowerIntegrity;
    if (allowLower !== true && allowLower !== false) {
      throw new TypeError(`${what}: allowLowerIntegrity must be true or false`);
    }
    const queue: CopyDataMessage[] = [];
    let listener: CopyDataListener | null = null;
    const config: CopyDataConfig = {
      reply: typeof reply === "function" ? null : reply,
      replyTimeout,
      maxQueued,
      maxQueuedBytes,
      state,
    };
    const window = await thread.openWindow({
      kind: "copydata",
      className,
      title,
      config,
      allow: allowLower ? [WM_COPYDATA] : [],
      listener: ({ tag, bytes, sender, seq }: CopyDataEvent) => {
        const message = new CopyDataMessage(CONSTRUCT, tag, bytes, sender);
        CopyDataListener.#deliver(listener, queue, message);
        if (typeof reply === "function") {
          const answer = (value: bigint) => {
            // Only the message the window thread still waits for.
            if (Atomics.load(i32, SLOT.awaited) !== seq) return;
            Atomics.store(i64, SLOT64.answer, value);
            Atomics.store(i32, SLOT.answered, seq);
            Atomics.notify(i32, SLOT.answered);
          };
          const fail = (error: unknown) => {
            answer(0n);
            CopyDataListener.#fail(listener, error);
          };
          try {
            Promise.resolve(reply(message)).then((value) => {
              try {
                answer(BigInt(checkReply(value, "Cannot reply to WM_COPYDATA")));
              } catch (error) {
                fail(error);
              }
            }, fail);
          } catch (error) {
            fail(error);
          }
        }
      },
    }, what);
    listener = new CopyDataListener(CONSTRUCT, { window, queue, className, title, i32, i64 });
    return listener;
  }

  /**
   * Waits for the next message.
   *
   * @example Receive one message, waiting at most a second
   * ```ts no-run
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
        if (this.#failure !== null) throw this.#failure;
        throw new Deno.errors.BadResource("Cannot receive WM_COPYDATA: the listener is closed");
      }
      const first = this.#queue.shift();
      if (first !== undefined) return Promise.resolve(this.#taken(first));
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
   * ```ts no-run
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
        if (this.#closed && this.#failure === null && error instanceof Deno.errors.BadResource) {
          return;
        }
        throw error;
      }
    }
  }

  /**
   * Closes the window: no message arrives any more, senders waiting on it
   * are released (their `SendMessage` fails; one waiting for the reply
   * function gets 0 at once, and so does one that comes before the window is
   * destroyed), and pending receives reject
   * with `Deno.errors.BadResource`. The window is destroyed on the window
   * thread shortly after; `await using` (or
   * {@linkcode CopyDataListener[Symbol.asyncDispose]}) waits for that.
   *
   * @example Close
   * ```ts no-run
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
    // The window thread answers 0 from now on, and stops waiting for a reply function.
    // Slot 0 changes too, so that a wait that starts after the flag was read
    // returns at once instead of missing the notification.
    Atomics.store(this.#i32, SLOT.closed, 1);
    Atomics.store(this.#i32, SLOT.answered, -1);
    Atomics.notify(this.#i32, SLOT.answered);
    this.#queue.length = 0;
    const error = this.#failure ??
      new Deno.errors.BadResource("Cannot receive WM_COPYDATA: the listener is closed");
    for (const waiter of [...this.#waiters]) waiter.reject(error);
    this.#closing = this.#window.close().catch(() => {});
  }

  /**
   * Closes the listener unless it is closed already.
   *
   * @example Close at the end of the scope
   * ```ts no-run
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
   * ```ts no-run
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
 * The window lives on the `WM_COPYDATA` thread (one a process, started on
 * first use; the clipboard has its own). Each message is copied there. With a constant `reply`
 * (default 1, TRUE) the sender is released at once, so a slow JavaScript
 * thread never holds a sender, and a hung sender never holds this process.
 * With a reply function the sender waits for it, at most `replyTimeout`
 * (1 s by default), and gets 0 after that. Do not await other window-thread
 * work (the clipboard, opening or closing listeners) inside a reply
 * function: the window thread is waiting for the reply, so that work runs
 * only after the time limit.
 *
 * Messages wait in a queue until received, at most `maxQueued` messages
 * (10,000) and `maxQueuedBytes` bytes (64 MiB). A message arriving at a
 * full queue is refused whole: its sender gets 0 and
 * {@linkcode CopyDataListener.refused} counts it, so nothing is lost
 * without the sender knowing.
 *
 * Size: under Wine, a message from another process lies on the window
 * thread's stack while the window procedure runs (Wine's user-mode
 * callback copies it there). Up to about 900 KiB it arrives; up to about
 * 1 MiB V8 has no stack left and the sender gets 0, nothing partial
 * arrives, and the listener goes on working; at 2 MiB Wine kills the
 * receiving process (a plain C receiver too), and above 4 MiB the listener
 * silently stops answering. Windows passes the data in memory of its own;
 * the test that receives 1 MiB and 16 MiB is marked as not passing under
 * Wine, and has not been run on Windows here.
 *
 * Any process of the same desktop and session may send; on Windows, user
 * interface privilege isolation blocks senders of a lower integrity level.
 * Treat every message as untrusted input.
 *
 * @example Receive text from AutoHotkey or a C program
 * ```ts no-run
 * import { listenCopyData } from "@winipc/winipc/copydata";
 *
 * using listener = await listenCopyData({ className: "MyApp.Receiver", title: "MyApp" });
 * for await (const message of listener) {
 *   console.log(`tag ${message.tag}: ${message.text()}`);
 * }
 * ```
 *
 * @param options Class name, title, the reply (a value or a function), and the queue's bounds.
 * @returns The listener.
 * @throws {TypeError} For a bad class name or title.
 * @throws {RangeError} For a bad reply value, `replyTimeout`, `maxQueued` or `maxQueuedBytes`.
 * @throws {Deno.errors.NotSupported} Off Windows.
 */
export function listenCopyData(options: ListenCopyDataOptions = {}): Promise<CopyDataListener> {
  return openListener(options);
}
