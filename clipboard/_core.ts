// Copyright 2026 the winipc authors. MIT license.
/**
 * The JavaScript side of every clipboard call: where it runs, the
 * contention policy and the errors.
 *
 * Where a call runs:
 *
 * - **On the JavaScript thread** (the fast path, no thread hop), when it can
 *   wait on nobody: `OpenClipboard(NULL)`, then, if the clipboard has an
 *   owner window (which `EmptyClipboard` and `GetClipboardData` may send a
 *   message to and wait for), the call closes the clipboard and goes to the
 *   clipboard thread instead. Format lists, registration and the sequence
 *   number never wait, and always run here. A write here leaves the
 *   clipboard with no owner, as a write with `OpenClipboard(NULL)` does.
 * - **On the clipboard thread** (`_thread.ts`, started on first need), for
 *   everything else: a clipboard owned by a window (another program's, or
 *   this process's own while it has delayed formats), writes with delayed
 *   formats, and watching.
 *
 * Microsoft's pages for `OpenClipboard` and `EmptyClipboard` say that after
 * `OpenClipboard(NULL)` and `EmptyClipboard`, `SetClipboardData` fails;
 * Wine lets it succeed, and so do the Windows versions that arboard,
 * clipboard-win and pywin32 scripts write with. Both are handled: a fast
 * write whose `SetClipboardData` fails is made again on the clipboard
 * thread with its owner window, and later writes of this process go there
 * directly.
 *
 * @module
 */
import { type ThreadWindow, WindowThread } from "../_win32/window_thread.ts";
import { Win32Failure } from "../_win32/window_thread_worker.ts";
import { errorFromCode } from "../_win32/errors.ts";
import { checkInteger, checkSignal, describeValue } from "../_win32/options.ts";
import { checkTimeout, sleep, startTimer } from "../_win32/timeout.ts";
import { user32 } from "../_win32/ffi.ts";
import {
  type Busy,
  type Fallback,
  type FormatEntry,
  formats,
  type Holder,
  type Item,
  read,
  register,
  snapshot,
  type SnapshotResult,
  write,
  type WriteResult,
} from "./_ops.ts";
import {
  CLIPBOARD_THREAD,
  type ClipboardKinds,
  type ClipboardOps,
  type OwnerEvent,
} from "./_thread.ts";
import { insideRender } from "./_render_scope.ts";

/** The clipboard's thread: its own, so that a hung owner stalls no other mechanism. */
export const clipboardThread: WindowThread<ClipboardKinds, ClipboardOps> = new WindowThread(
  CLIPBOARD_THREAD,
);

/** Options for every call that opens the clipboard: how long to wait for another program. */
export interface ClipboardOptions {
  /**
   * How many more times to try when another program holds the clipboard
   * open (clipboard managers and Explorer do, briefly, after every copy).
   * An integer from 0 (try once) to 1000.
   * @default {10}
   */
  retries?: number;
  /**
   * The longest wait between two attempts, in milliseconds: waits start at
   * 8 ms and double up to this (so the default gives up after about 0.9 s).
   * From 0 to 60000.
   * @default {125}
   */
  retryDelay?: number;
  /**
   * The most time the call may take, in milliseconds, attempts and waits
   * included: past it, the call rejects with `Deno.errors.TimedOut`
   * (with `Busy` as its cause when another program held the clipboard).
   * `Infinity` leaves only `retries` to bound it. A call already made to
   * another program that does not answer (an owner that hangs rendering a
   * format) is left to finish on the clipboard thread.
   * @default {Infinity}
   */
  timeout?: number;
  /** Cancels the call: it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The checked contention options. */
export interface Contention {
  retries: number;
  retryDelay: number;
  timeout: number;
  signal: AbortSignal | undefined;
}

/**
 * Checks {@linkcode ClipboardOptions}.
 *
 * @param options The caller's options.
 * @param what The operation, for messages (`Cannot write the clipboard`).
 * @returns The checked values.
 * @throws {TypeError} If the options are not an object or the signal is not an `AbortSignal`.
 * @throws {RangeError} For retries, retryDelay or timeout out of range.
 */
export function checkContention(options: unknown, what: string): Contention {
  if (options === undefined) {
    return { retries: 10, retryDelay: 125, timeout: Infinity, signal: undefined };
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${what}: options must be an object, got ${describeValue(options)}`);
  }
  const { retries: given, retryDelay = 125, timeout, signal } = options as ClipboardOptions;
  const retries = checkInteger(given, 10, 0, 1000, "retries", what);
  if (typeof retryDelay !== "number" || !(retryDelay >= 0 && retryDelay <= 60_000)) {
    throw new RangeError(
      `${what}: retryDelay must be a number of milliseconds from 0 to 60000, got ${
        describeValue(retryDelay)
      }`,
    );
  }
  const verb = what.replace(/^Cannot /, "");
  return {
    retries,
    retryDelay,
    timeout: timeout === undefined ? Infinity : checkTimeout(timeout, verb),
    signal: checkSignal(signal, verb),
  };
}

// The owner window: on the clipboard thread, opened when a call needs it,
// closed LINGER_MS after the last such call ended (so that back-to-back
// calls keep the thread, and a script that only writes once still exits at
// once after).
const LINGER_MS = 50;
let owner: Promise<ThreadWindow> | null = null;
let users = 0;
let closeTimer: ReturnType<typeof setTimeout> | undefined;
let closing: Promise<void> = Promise.resolve();
let ownerListener: (event: OwnerEvent) => void = () => {};

/**
 * Sets what receives the owner window's events (delayed rendering's
 * requests and releases).
 *
 * @param listener The receiver.
 */
export function setOwnerListener(listener: (event: OwnerEvent) => void): void {
  ownerListener = listener;
}

/**
 * Counts a user of the owner window (opening it if needed): it stays open
 * until each acquire is matched by {@linkcode releaseOwner}.
 *
 * @param what The error context.
 * @returns The owner window's handle.
 */
export async function acquireOwner(what: string): Promise<bigint> {
  users++;
  clearTimeout(closeTimer);
  closeTimer = undefined;
  if (owner === null) {
    const opening = clipboardThread.openWindow({
      kind: "clipboardOwner",
      className: `winipc.ClipboardOwner.${Deno.pid}`,
      title: "",
      config: null,
      messageOnly: true,
      listener: (event) => ownerListener(event),
    }, what);
    owner = opening;
    opening.catch(() => {
      if (owner === opening) owner = null;
    });
  }
  try {
    return (await owner).hwnd;
  } catch (error) {
    users--;
    throw error;
  }
}

/** Uncounts a user of the owner window; the last one lets it close after a short linger. */
export function releaseOwner(): void {
  if (--users > 0) return;
  const window = owner;
  closeTimer = setTimeout(() => {
    closeTimer = undefined;
    if (users > 0 || owner !== window || window === null) return;
    owner = null;
    closing = window.then((w) => w.close()).catch(() => {});
  }, LINGER_MS);
}

/**
 * Resolves once no clipboard call is running and the owner window has
 * closed (its linger over). For tests, whose sanitizers want no timer left.
 *
 * @returns A promise of that.
 */
export async function clipboardIdle(): Promise<void> {
  while (users > 0 || closeTimer !== undefined || running > 0) {
    await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
  }
  await closing;
}

function describeHolder(h: Holder): string {
  if (h.window === 0n) return "a program that opened it without a window (unknown)";
  const image = h.image === null ? "image name not available" : h.image;
  return `process ${h.pid} (${image}), window 0x${h.window.toString(16)}`;
}

let running = 0;
/** False once a write with no owner window failed here (see the module documentation). */
let directWrites = true;

/**
 * A call's two ways: on this thread (null: never), and on the clipboard
 * thread (null: never needed, the call never falls back).
 */
interface Ways<T> {
  direct: (() => T | Busy | Fallback) | null;
  thread: ((owner: bigint) => Promise<T | Busy>) | null;
}

function failure(error: unknown, what: string): unknown {
  return error instanceof Win32Failure
    ? errorFromCode(error.code, `${what}: ${error.message} failed`)
    : error;
}

function isBusy(result: unknown): result is Busy {
  return typeof result === "object" && result !== null && "busy" in result;
}

function isFallback(result: unknown): result is Fallback {
  return typeof result === "object" && result !== null && "fallback" in result;
}

/**
 * Runs a clipboard call where it can wait on nobody, trying again with a
 * bounded back-off while another program holds the clipboard open.
 */
async function call<T>(ways: Ways<T>, what: string, contention: Contention): Promise<T> {
  const { retries, retryDelay, timeout, signal } = contention;
  signal?.throwIfAborted();
  if (insideRender()) {
    // The program pasting holds the clipboard open, and the clipboard
    // thread waits for this very render: no call could get through.
    throw new Deno.errors.Busy(
      `${what}: called from a delayed-rendering render function, while the program pasting ` +
        "holds the clipboard open and waits for that render; a render function cannot use the " +
        "clipboard",
    );
  }
  const start = performance.now();
  const deadline = start + timeout;
  let wait = 8;
  running++;
  try {
    for (let attempt = 1;; attempt++) {
      let result: T | Busy | Fallback | undefined;
      if (ways.direct !== null) {
        try {
          result = ways.direct();
        } catch (error) {
          if (!(error instanceof Win32Failure && error.message.startsWith("SetClipboardData"))) {
            throw failure(error, what);
          }
          // A write with no owner window refused (see the module documentation).
          directWrites = false;
          result = { fallback: true };
        }
      }
      if (result === undefined || isFallback(result)) {
        if (ways.thread === null) throw new Error(`${what}: no way to make this call`);
        result = await onThread(ways.thread, what, deadline, signal);
      }
      if (!isBusy(result)) return result;
      const elapsed = performance.now() - start;
      const busy = () =>
        new Deno.errors.Busy(
          `${what}: another program holds the clipboard open: ${describeHolder(result.busy)}; ` +
            `gave up after ${attempt} attempt${attempt === 1 ? "" : "s"} over ${
              Math.round(elapsed)
            } ms`,
          { cause: errorFromCode(result.code) },
        );
      if (attempt > retries) throw busy();
      const pause = Math.min(wait, retryDelay);
      if (performance.now() + pause > deadline) {
        throw new Deno.errors.TimedOut(`${what}: not done within ${timeout} ms`, {
          cause: busy(),
        });
      }
      await sleep(pause, signal);
      wait *= 2;
    }
  } finally {
    running--;
  }
}

/** One attempt on the clipboard thread, bounded by the deadline and the signal. */
async function onThread<T>(
  thread: (owner: bigint) => Promise<T | Busy>,
  what: string,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<T | Busy> {
  const hwnd = await acquireOwner(what);
  try {
    const work = thread(hwnd);
    if (deadline === Infinity && signal === undefined) return await work;
    work.catch(() => {});
    let cancel = () => {};
    const stop = new Promise<never>((_, reject) => {
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      const stopTimer = startTimer(Math.max(0, deadline - performance.now()), () => {
        reject(
          new Deno.errors.TimedOut(
            `${what}: not done in time; the clipboard's owner has not answered`,
          ),
        );
      });
      cancel = () => {
        stopTimer();
        signal?.removeEventListener("abort", onAbort);
      };
    });
    try {
      return await Promise.race([work, stop]);
    } finally {
      cancel();
    }
  } finally {
    releaseOwner();
  }
}

const NO_OWNER = { owner: 0n, direct: true } as const;

/** What a write did, once made. */
export type Written = Extract<WriteResult, { written: true }>;

/**
 * Writes items (and promises delayed formats, on the clipboard thread).
 *
 * @param items The formats' bytes.
 * @param what The error context.
 * @param contention Retries, delay, timeout and signal.
 * @param options A sequence number to write only at, delayed formats, and whether to check the owner.
 * @returns What happened.
 */
export function clipboardWrite(
  items: Item[],
  what: string,
  contention: Contention,
  options: {
    ifSequence?: number;
    delayed?: { formats: (number | string)[]; generation: number; control: SharedArrayBuffer };
    /** Report whether the write is still the clipboard's (`ours`): a timed clear needs it. */
    checkOwner?: boolean;
  } = {},
): Promise<WriteResult> {
  const { ifSequence, delayed, checkOwner } = options;
  const args = {
    items,
    ...(ifSequence === undefined ? {} : { ifSequence }),
    ...(checkOwner === true ? { checkOwner } : {}),
  };
  return call<WriteResult>(
    {
      direct: delayed === undefined && directWrites ? () => write(NO_OWNER, args) : null,
      thread: (owner) =>
        clipboardThread.call("write", {
          ...args,
          owner,
          ...(delayed === undefined ? {} : {
            delayed: delayed.formats,
            generation: delayed.generation,
            control: delayed.control,
          }),
        }, what),
    },
    what,
    contention,
  );
}

/**
 * Reads formats' bytes.
 *
 * @param list The formats.
 * @param what The error context.
 * @param contention Retries, delay, timeout and signal.
 * @returns Their bytes (null where absent).
 */
export async function clipboardRead(
  list: (number | string)[],
  what: string,
  contention: Contention,
): Promise<(Uint8Array | null)[]> {
  const { items } = await call(
    {
      direct: () => read(NO_OWNER, list),
      thread: (owner) => clipboardThread.call("read", { owner, formats: list }, what),
    },
    what,
    contention,
  );
  return items;
}

/**
 * Lists the formats on the clipboard (on this thread: it waits on nobody).
 *
 * @param what The error context.
 * @param contention Retries, delay, timeout and signal.
 * @returns The formats.
 */
export async function clipboardFormats(
  what: string,
  contention: Contention,
): Promise<FormatEntry[]> {
  const result = await call(
    {
      direct: () => formats(NO_OWNER),
      thread: () => Promise.resolve(formats(NO_OWNER)),
    },
    what,
    contention,
  );
  return result.formats;
}

/**
 * Copies every copyable format.
 *
 * @param what The error context.
 * @param contention Retries, delay, timeout and signal.
 * @returns The copy.
 */
export function clipboardSnapshot(what: string, contention: Contention): Promise<SnapshotResult> {
  return call(
    {
      direct: () => snapshot(NO_OWNER),
      thread: (owner) => clipboardThread.call("snapshot", { owner }, what),
    },
    what,
    contention,
  );
}

/**
 * Registers a format name (on this thread: it waits on nobody).
 *
 * @param name The name.
 * @param what The error context.
 * @returns Its id.
 */
export function clipboardRegister(name: string, what: string): number {
  try {
    return register(name).id;
  } catch (error) {
    throw failure(error, what);
  }
}

/**
 * The clipboard's sequence number (on this thread: it sends no message).
 *
 * @returns The number.
 */
export function clipboardSequenceNumber(): number {
  return user32().GetClipboardSequenceNumber();
}
