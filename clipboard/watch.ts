// Copyright 2026 the winipc authors. MIT license.
/**
 * Clipboard change events: `watch()`, a format listener
 * (`AddClipboardFormatListener`) on a window of its own on the window
 * thread.
 *
 * @module
 */
import { clipboardThread } from "./_core.ts";
import type { ThreadWindow } from "../_win32/window_thread.ts";
import type { WatchEvent } from "./_thread.ts";
import { checkSignal, describeValue } from "../_win32/options.ts";
import { standardFormatName } from "./_formats.ts";
import type { FormatInfo } from "./types.ts";

/** One change of the clipboard's content, from {@linkcode watch}. */
export interface ClipboardChange {
  /** The clipboard's sequence number when the change was looked at. */
  readonly sequenceNumber: number;
  /** The formats present then (`GetUpdatedClipboardFormats`), in the clipboard's order. */
  readonly formats: readonly FormatInfo[];
  /**
   * How many changes came between the previous event and this one whose
   * content could not be looked at on its own (they came faster than the
   * window thread read them, so only the latest state was seen). 0 when
   * nothing was missed. Never hidden: every `WM_CLIPBOARDUPDATE` is either
   * an event or counted here.
   */
  readonly missed: number;
}

/** Options for {@linkcode watch}. */
export interface WatchOptions {
  /** Stops watching: the iteration rejects with the signal's reason. */
  signal?: AbortSignal;
}

let serial = 0;

/**
 * Watches the clipboard: an async iterable of {@linkcode ClipboardChange}s,
 * one per change (whoever made it, this process included). From
 * {@linkcode watch}; not constructed directly.
 *
 * Listening starts when the watcher is made; `ready` resolves once the
 * listener is registered, so that no later change is missed. Changes
 * are queued until read. Idle, it costs nothing: the window thread sleeps
 * until Windows posts `WM_CLIPBOARDUPDATE`.
 *
 * @example Log changes for a minute
 * ```ts no-run
 * import { watch } from "@winipc/winipc/clipboard";
 *
 * const signal = AbortSignal.timeout(60_000);
 * try {
 *   for await (const change of watch({ signal })) {
 *     console.log(change.sequenceNumber, change.formats.map((f) => f.name), change.missed);
 *   }
 * } catch (error) {
 *   if (error !== signal.reason) throw error; // the minute is over: not a failure
 * }
 * ```
 */
export class ClipboardWatcher
  implements AsyncIterable<ClipboardChange>, Disposable, AsyncDisposable {
  readonly #queue: ClipboardChange[] = [];
  #wake: (() => void) | null = null;
  #closed = false;
  #failure: unknown = undefined;
  #last = -1;
  #carried = 0;
  #missed = 0;
  readonly #signal: AbortSignal | undefined;
  readonly #window: Promise<ThreadWindow>;
  #stopped: Promise<void> | null = null;
  /** Resolves when the listener is registered (rejects if it could not be). */
  readonly ready: Promise<void>;

  /**
   * Starts watching. Use {@linkcode watch}.
   *
   * @param options A signal that stops it.
   */
  constructor(options: WatchOptions = {}) {
    const what = "Cannot watch the clipboard";
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`${what}: options must be an object, got ${describeValue(options)}`);
    }
    this.#signal = checkSignal(options.signal, "watch the clipboard");
    this.#signal?.throwIfAborted();
    this.#window = clipboardThread.openWindow({
      kind: "clipboardWatch",
      className: `winipc.ClipboardWatch.${Deno.pid}.${++serial}`,
      title: "",
      config: null,
      messageOnly: true,
      listener: (event) => this.#notice(event),
    }, what);
    this.ready = this.#window.then(async (window) => {
      const { sequenceNumber } = await clipboardThread.call("watchStart", window.hwnd, what);
      if (this.#last === -1) this.#last = sequenceNumber;
    });
    this.ready.catch((error) => {
      this.#failure = error;
      this.#stop();
    });
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  #onAbort = () => {
    this.#failure = this.#signal!.reason;
    this.#stop();
  };

  #notice(data: WatchEvent): void {
    if (this.#closed) return;
    if (data.sequenceNumber === this.#last) {
      // This change's state was already shown by the previous event (read
      // after it had happened): the state before it was the one missed.
      this.#carried += 1 + data.merged;
      this.#missed += 1 + data.merged;
      return;
    }
    this.#last = data.sequenceNumber;
    this.#missed += data.merged;
    this.#queue.push({
      sequenceNumber: data.sequenceNumber,
      formats: data.formats.map(({ id, name }) => ({
        id,
        name: name ?? standardFormatName(id),
        registered: name !== null,
      })),
      missed: data.merged + this.#carried,
    });
    this.#carried = 0;
    this.#wake?.();
  }

  /**
   * Changes whose content was not seen on its own since watching began
   * (the sum of every event's `missed`, and those not yet reported by an
   * event).
   *
   * @example Check that nothing was missed
   * ```ts no-run
   * import { watch } from "@winipc/winipc/clipboard";
   *
   * await using watcher = watch();
   * await watcher.ready;
   * console.log(watcher.missed);
   * ```
   *
   * @returns The count.
   */
  get missed(): number {
    return this.#missed;
  }

  #stop(): Promise<void> {
    this.#closed = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#wake?.();
    this.#stopped ??= this.#window.then(async (window) => {
      await clipboardThread.call("watchStop", window.hwnd, "Cannot stop watching")
        .catch(() => {});
      await window.close();
    }, () => {});
    return this.#stopped;
  }

  /**
   * Whether the watcher is closed (by {@linkcode close}, its signal, or a
   * failure to start).
   *
   * @example Check
   * ```ts no-run
   * import { watch } from "@winipc/winipc/clipboard";
   *
   * const watcher = watch();
   * watcher.close();
   * console.log(watcher.closed); // true
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops watching: the iteration ends after the changes already queued.
   * The listener's window is removed on the clipboard thread shortly after;
   * `await using` (or {@linkcode ClipboardWatcher[Symbol.asyncDispose]})
   * waits for that. Closing twice does nothing more.
   *
   * @example Stop
   * ```ts no-run
   * import { watch } from "@winipc/winipc/clipboard";
   *
   * const watcher = watch();
   * watcher.close();
   * ```
   */
  close(): void {
    void this.#stop();
  }

  /**
   * Closes the watcher at the end of a `using` scope.
   *
   * @example At the end of a scope
   * ```ts no-run
   * import { watch } from "@winipc/winipc/clipboard";
   *
   * using watcher = watch();
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Stops watching and waits for the window to go.
   *
   * @example At the end of a scope
   * ```ts no-run
   * import { watch } from "@winipc/winipc/clipboard";
   *
   * await using watcher = watch();
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#stop();
  }

  /**
   * The changes, in order, until closed (or the signal aborts: then it
   * rejects with the signal's reason).
   *
   * @example Iterate
   * ```ts no-run
   * import { watch } from "@winipc/winipc/clipboard";
   *
   * for await (const change of watch()) console.log(change.sequenceNumber);
   * ```
   *
   * @returns An async iterator.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<ClipboardChange> {
    try {
      await this.ready;
      while (true) {
        const next = this.#queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.#closed) break;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = null;
      }
      if (this.#failure !== undefined) throw this.#failure;
    } finally {
      await this.#stop();
    }
  }
}

/**
 * Watches the clipboard for changes (`AddClipboardFormatListener`; no
 * polling). See {@linkcode ClipboardWatcher}.
 *
 * @example Wait for the next copy
 * ```ts no-run
 * import { watch } from "@winipc/winipc/clipboard";
 *
 * for await (const change of watch()) {
 *   console.log("copied:", change.formats.map((f) => f.name).join(", "));
 *   break;
 * }
 * ```
 *
 * @param options A signal that stops it.
 * @returns The watcher (already listening, or about to: await its `ready`).
 * @throws {TypeError} For bad options.
 * @throws {DOMException} The signal's reason (an `AbortError`) if it is already aborted.
 */
export function watch(options: WatchOptions = {}): ClipboardWatcher {
  return new ClipboardWatcher(options);
}
