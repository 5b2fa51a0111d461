// Copyright 2026 the winipc authors. MIT license.
/**
 * One instance of a program a session: `singleInstance`.
 *
 * @module
 */
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";
import { kernel32, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT } from "../_win32/ffi.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { kernelObjectName } from "../_win32/names.ts";
import { checkTimeout, sleep } from "../_win32/timeout.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { type CopyDataListener, listenCopyData } from "./listener.ts";
import { findWindow, sendCopyData } from "./send.ts";

/** Options for {@linkcode singleInstance}. */
export interface SingleInstanceOptions {
  /**
   * What a second instance sends to the first (as `WM_COPYDATA`, UTF-16
   * text with a NUL for a string), typically its command line.
   * @default {the JSON of `Deno.args`}
   */
  message?: string | Uint8Array;
  /**
   * How long a second instance waits for the first one's window (the first
   * may still be starting) and for it to take the message, in milliseconds,
   * before failing with
   * `Deno.errors.TimedOut`.
   * @default {10000}
   */
  timeout?: number;
}

/** Names this process is the first instance of. */
const held = new Set<string>();

/**
 * The result of {@linkcode singleInstance}: in the first instance, the
 * listener that receives what later instances send; in a later one, the
 * first instance's reply. Not constructed directly.
 *
 * @example Hand the command line to the running instance
 * ```ts no-run
 * import { singleInstance } from "@winipc/winipc/copydata";
 *
 * using instance = await singleInstance("my-app");
 * if (instance.listener === null) Deno.exit(0); // sent to the first instance
 * for await (const message of instance.listener) console.log("again:", message.text());
 * ```
 */
export class SingleInstance implements Disposable {
  readonly #mutex: OwnedHandle | null;
  readonly #name: string;
  /** In the first instance, the listener for later instances' messages; otherwise `null`. */
  readonly listener: CopyDataListener | null;
  /** In a later instance, the first instance's reply (1 by default); otherwise `null`. */
  readonly reply: number | null;
  #closed = false;

  /** @ignore */
  constructor(key: ConstructKey, init: {
    name: string;
    mutex: OwnedHandle | null;
    listener: CopyDataListener | null;
    reply: number | null;
  }) {
    checkConstruct(key, "use singleInstance()");
    this.#mutex = init.mutex;
    this.#name = init.name;
    this.listener = init.listener;
    this.reply = init.reply;
  }

  /**
   * Whether this is the first instance.
   *
   * @example Branch on it
   * ```ts no-run
   * import { singleInstance } from "@winipc/winipc/copydata";
   *
   * using instance = await singleInstance("my-app");
   * console.log(instance.first ? "first" : "handed over");
   * ```
   */
  get first(): boolean {
    return this.listener !== null;
  }

  /**
   * Whether this instance is closed.
   *
   * @example Check
   * ```ts no-run
   * import { singleInstance } from "@winipc/winipc/copydata";
   *
   * const instance = await singleInstance("MyApp");
   * instance.close();
   * console.log(instance.closed); // true
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Gives up being the first instance (closes the listener and releases
   * the mutex, so the next program to start becomes the first); nothing
   * for a later instance.
   *
   * @example Step down
   * ```ts no-run
   * import { singleInstance } from "@winipc/winipc/copydata";
   *
   * const instance = await singleInstance("my-app");
   * instance.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    if (this.#closed) throw new Deno.errors.BadResource("The single instance is already closed");
    this.#closed = true;
    this.listener?.[Symbol.dispose]();
    if (this.#mutex !== null) {
      kernel32().ReleaseMutex(this.#mutex.raw);
      this.#mutex.close();
      held.delete(this.#name);
    }
  }

  /**
   * Closes unless closed already.
   *
   * @example At the end of the scope
   * ```ts no-run
   * import { singleInstance } from "@winipc/winipc/copydata";
   *
   * using instance = await singleInstance("my-app");
   * ```
   */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }
}

/**
 * Makes a program single-instance in this session. The first instance to
 * own the named mutex `Local\winipc.single.<name>` (atomic, so any number
 * of processes starting at once agree on one) opens a `WM_COPYDATA`
 * listener of class `winipc.SingleInstance.<name>`; every later instance
 * sends it `message` and learns it is not the first. If the first instance
 * ends, the next to start (or one still waiting) takes over. A message the
 * first instance does not take (it answers 0: it is closing, or its queue
 * is full) is not counted as handed over: the later instance looks again,
 * and becomes the first or sends again, until `timeout`.
 *
 * The mutex is owned by the calling JavaScript thread (Windows mutexes
 * belong to threads), which is released by {@linkcode SingleInstance.close}
 * or when the process ends.
 *
 * @example A program that runs once
 * ```ts no-run
 * import { singleInstance } from "@winipc/winipc/copydata";
 *
 * using instance = await singleInstance("my-app", { message: Deno.args.join(" ") });
 * if (!instance.first) Deno.exit(0);
 * for await (const message of instance.listener!) console.log("opened again:", message.text());
 * ```
 *
 * @param name The program's name: a kernel object name without `\`.
 * @param options What a later instance sends, and how long it waits.
 * @returns The instance.
 * @throws {TypeError} For a bad name or message.
 * @throws {Deno.errors.TimedOut} In a later instance, if the first one's
 * window did not appear, or did not take the message, in time.
 */
export async function singleInstance(
  name: string,
  options: SingleInstanceOptions = {},
): Promise<SingleInstance> {
  const objectName = kernelObjectName(`winipc.single.${name}`, false, "single-instance");
  const what = `Cannot start single instance "${name}"`;
  const ms = checkTimeout(options.timeout, `start single instance "${name}"`, 10_000);
  const message = options.message ?? JSON.stringify(Deno.args);
  if (typeof message !== "string" && !(message instanceof Uint8Array)) {
    throw new TypeError(`${what}: message must be a string or a Uint8Array`);
  }
  const className = `winipc.SingleInstance.${name}`;
  const k = kernel32();
  const mutex = OwnedHandle.from(
    k.CreateMutexW(null, 0, encodeUtf16z(objectName)),
    k.GetLastError(),
    "mutex",
    `${what}: cannot create its mutex`,
  );
  const deadline = performance.now() + ms;
  let refused = false;
  try {
    while (true) {
      // Try to own it, without waiting (a wait of 0 never blocks).
      // (Not when this process is the first already: the mutex would be
      // acquired again, recursively.)
      const waited = held.has(name) ? WAIT_TIMEOUT : k.WaitForSingleObject(mutex.raw, 0);
      if (waited === WAIT_OBJECT_0 || waited === WAIT_ABANDONED_0) {
        held.add(name);
        try {
          const listener = await listenCopyData({ className });
          return new SingleInstance(CONSTRUCT, { mutex, listener, reply: null, name });
        } catch (error) {
          held.delete(name);
          k.ReleaseMutex(mutex.raw);
          throw error;
        }
      }
      const window = findWindow({ className });
      if (window !== null) {
        try {
          const reply = await sendCopyData({ window }, message, { timeout: 5000 });
          // The first instance's listener answers 1. It answers 0 when it did
          // not take the message: it is closing (it may have released the
          // mutex already) or its queue is full. The message would be lost:
          // look again, to become the first or to send once more.
          if (reply !== 0) {
            mutex.close();
            return new SingleInstance(CONSTRUCT, { mutex: null, listener: null, reply, name });
          }
          refused = true;
        } catch (error) {
          // The first instance closed its window meanwhile: look again.
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
      }
      if (performance.now() >= deadline) {
        throw new Deno.errors.TimedOut(
          refused
            ? `${what}: another instance owns it, but did not take the message within ${ms} ms`
            : `${what}: another instance owns it, but its window did not appear within ${ms} ms`,
        );
      }
      await sleep(10);
    }
  } catch (error) {
    if (!mutex.closed) mutex.close();
    throw error;
  }
}
