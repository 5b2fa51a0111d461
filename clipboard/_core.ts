// Copyright 2026 the winipc authors. MIT license.
/**
 * The JavaScript side of every clipboard call: the owner window (opened on
 * the window thread on first use, closed shortly after the last call so that
 * the process can exit), the contention policy (bounded back-off between
 * attempts, on this side, cancellable), and the errors.
 *
 * @module
 */
import "./_worker.ts";
import { openWindow, runOnWindowThread, type ThreadWindow } from "../_win32/window_thread.ts";
import { errorFromCode } from "../_win32/errors.ts";
import { checkInteger, checkSignal, describeValue } from "../_win32/options.ts";
import { sleep } from "../_win32/timeout.ts";

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
  /** Cancels the waiting between attempts: the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The checked contention options. */
export interface Contention {
  retries: number;
  retryDelay: number;
  signal: AbortSignal | undefined;
}

/**
 * Checks {@linkcode ClipboardOptions}.
 *
 * @param options The caller's options.
 * @param what The operation, for messages (`Cannot write the clipboard`).
 * @returns The checked values.
 * @throws {TypeError} If the options are not an object or the signal is not an `AbortSignal`.
 * @throws {RangeError} For retries or retryDelay out of range.
 */
export function checkContention(options: unknown, what: string): Contention {
  if (options === undefined) return { retries: 10, retryDelay: 125, signal: undefined };
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${what}: options must be an object, got ${describeValue(options)}`);
  }
  const { retries: given, retryDelay = 125, signal } = options as ClipboardOptions;
  const retries = checkInteger(given, 10, 0, 1000, "retries", what);
  if (typeof retryDelay !== "number" || !(retryDelay >= 0 && retryDelay <= 60_000)) {
    throw new RangeError(
      `${what}: retryDelay must be a number of milliseconds from 0 to 60000, got ${
        describeValue(retryDelay)
      }`,
    );
  }
  return { retries, retryDelay, signal: checkSignal(signal, what.replace(/^Cannot /, "")) };
}

// The owner window: one a process, opened on first use, closed LINGER_MS
// after the last call ended (so that back-to-back calls keep the window
// thread, and a script that only writes once still exits at once after).
const LINGER_MS = 50;
let owner: Promise<ThreadWindow> | null = null;
let users = 0;
let closeTimer: ReturnType<typeof setTimeout> | undefined;

let ownerListener: (data: unknown) => void = () => {};

/**
 * Sets what receives the owner window's messages (delayed rendering's
 * requests and releases).
 *
 * @param listener The receiver.
 */
export function setOwnerListener(listener: (data: unknown) => void): void {
  ownerListener = listener;
}

/**
 * Counts a user of the owner window (opening it if needed): it stays open
 * until each acquire is matched by {@linkcode releaseOwner}.
 *
 * @param what The error context.
 * @returns The owner window's handle.
 */
export function acquireOwner(what: string): Promise<bigint> {
  return acquire(what);
}

/** Uncounts a user of the owner window; the last one lets it close after a short linger. */
export function releaseOwner(): void {
  release();
}

async function acquire(what: string): Promise<bigint> {
  users++;
  clearTimeout(closeTimer);
  closeTimer = undefined;
  if (owner === null) {
    const opening = openWindow({
      kind: "clipboardOwner",
      className: `winipc.ClipboardOwner.${Deno.pid}`,
      title: "",
      messageOnly: true,
      listener: (data) => ownerListener(data),
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

function release(): void {
  if (--users > 0) return;
  const window = owner;
  closeTimer = setTimeout(() => {
    closeTimer = undefined;
    if (users > 0 || owner !== window || window === null) return;
    owner = null;
    closing = window.then((w) => w.close()).catch(() => {});
  }, LINGER_MS);
}

let closing: Promise<void> = Promise.resolve();

/**
 * Resolves once no clipboard call is running and the owner window has
 * closed (its linger over). For tests, whose sanitizers want no timer left.
 *
 * @returns A promise of that.
 */
export async function clipboardIdle(): Promise<void> {
  while (users > 0 || closeTimer !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
  }
  await closing;
}

/** Who held the clipboard open. */
export interface Holder {
  window: bigint;
  pid: number;
  image: string | null;
}

function describeHolder(h: Holder): string {
  if (h.window === 0n) return "a program that opened it without a window (unknown)";
  const image = h.image === null ? "image name not available" : h.image;
  return `process ${h.pid} (${image}), window 0x${h.window.toString(16)}`;
}

/** A Win32 failure inside an operation, named by its step. */
interface Failure {
  failed: { step: string; code: number };
}

/**
 * Runs a clipboard operation on the window thread, trying again with a
 * bounded back-off while another program holds the clipboard open.
 *
 * @param op The operation (`clipboardWrite`, ...).
 * @param args Its arguments (the owner window is added).
 * @param what The error context.
 * @param contention Retries, delay and signal.
 * @returns The operation's result.
 * @throws {Deno.errors.Busy} Naming the holder, when the attempts ran out.
 */
export async function clipboardCall<T>(
  op: string,
  args: Record<string, unknown>,
  what: string,
  contention: Contention,
): Promise<T> {
  const { retries, retryDelay, signal } = contention;
  signal?.throwIfAborted();
  const start = performance.now();
  let wait = 8;
  const hwnd = await acquire(what);
  try {
    for (let attempt = 1;; attempt++) {
      const result = await runOnWindowThread(op, { ...args, owner: hwnd }, what) as
        | { busy: Holder; code: number }
        | Failure
        | T;
      if (result !== null && typeof result === "object" && "failed" in result) {
        const { step, code } = (result as Failure).failed;
        throw errorFromCode(code, `${what}: ${step} failed`);
      }
      if (result === null || typeof result !== "object" || !("busy" in result)) return result as T;
      if (attempt > retries) {
        const ms = Math.round(performance.now() - start);
        throw new Deno.errors.Busy(
          `${what}: another program holds the clipboard open: ${describeHolder(result.busy)}; ` +
            `gave up after ${attempt} attempt${attempt === 1 ? "" : "s"} over ${ms} ms`,
          { cause: errorFromCode(result.code) },
        );
      }
      await sleep(Math.min(wait, retryDelay), signal);
      wait *= 2;
    }
  } finally {
    release();
  }
}

/**
 * Runs an operation that needs no clipboard access (a listener's start and
 * stop) on the window thread, turning a named failure into an error.
 *
 * @param op The operation.
 * @param args Its arguments.
 * @param what The error context.
 * @returns Its result.
 */
export async function threadCall<T>(
  op: string,
  args: Record<string, unknown>,
  what: string,
): Promise<T> {
  const result = await runOnWindowThread(op, args, what) as Failure | T;
  if (result !== null && typeof result === "object" && "failed" in result) {
    const { step, code } = (result as Failure).failed;
    throw errorFromCode(code, `${what}: ${step} failed`);
  }
  return result as T;
}
