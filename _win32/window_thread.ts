// Copyright 2026 the winipc authors. MIT license.
/**
 * Window threads: a thread that owns windows and pumps their messages, one
 * per mechanism that needs one (the clipboard's, `WM_COPYDATA`'s), so that a
 * stall in one never stalls another.
 *
 * - A thread starts on first use (its first request), costs nothing while
 *   idle (it sleeps in `MsgWaitForMultipleObjectsEx`), and stops when its
 *   last user is done (no window open, no request in flight), so the
 *   process exits normally. None runs while nothing is open.
 * - It is a Web `Worker` running the mechanism's entry module, plain
 *   TypeScript checked like the rest (see `window_thread_worker.ts` for the
 *   loop). The entry module is imported by the JavaScript side as well (for
 *   its {@linkcode ThreadEntry} and its types), so it is part of the static
 *   module graph: `deno compile` embeds it and a JSR import fetches it like
 *   any other module, with no `--include`.
 * - Requests are typed end to end: {@linkcode WindowThread.call} takes the
 *   name of one of the entry module's operations and that operation's own
 *   argument type, and returns its result type.
 *
 * The wake. A request is put on a `MessagePort`, then the thread's wake
 * event is set. The thread takes every request waiting, synchronously,
 * each time it wakes for any reason; a wake without a request costs one
 * empty look. So a request is never orphaned or delayed by a failed or
 * extra wake, and no thread message, stray or not, means anything to the
 * loop.
 *
 * The deadlock rule, once:
 *
 * - The JavaScript thread never makes a synchronous call that sends a
 *   message to a window of a window thread, nor one that waits on another
 *   process (the clipboard's fast path checks the owner first; see
 *   `clipboard/_direct.ts`). It asks a window thread by posting.
 * - A window thread waits on the JavaScript thread in exactly two places,
 *   each with a deadline: a `WM_COPYDATA` reply function (`replyTimeout`,
 *   at most 60 s) and a delayed-rendering `render` function (10 s). While
 *   it waits, that mechanism's other windows wait too, and nothing else in
 *   the process does.
 * - Code that runs while a window thread waits on it (a reply or render
 *   function) must not wait on that same thread: such calls fail at once
 *   (a clipboard call from a render function is refused with `Busy`).
 *
 * @module
 */
import { kernel32, user32 } from "./ffi.ts";
import { errorFromCode } from "./errors.ts";
import type {
  CreateWindowArgs,
  KindTable,
  OpTable,
  ThreadEntry,
  ThreadInit,
  ThreadPost,
  ThreadRequest,
  WindowKind,
} from "./window_thread_worker.ts";

export type { ThreadEntry } from "./window_thread_worker.ts";

/** The configuration type of a window kind. */
// deno-lint-ignore no-explicit-any
export type KindConfig<K> = K extends WindowKind<infer C, any, any> ? C : never;
/** The event type of a window kind. */
// deno-lint-ignore no-explicit-any
export type KindEvent<K> = K extends WindowKind<any, any, infer E> ? E : never;

/** Options for {@linkcode WindowThread.openWindow}. */
export interface OpenWindowOptions<Kinds extends KindTable, K extends keyof Kinds> {
  /** The window kind, one of the entry module's. */
  kind: K;
  /** The window class name (registered once a thread, reference-counted). */
  className: string;
  /** The window title. */
  title: string;
  /** The kind's configuration (structured-cloneable). */
  config: KindConfig<Kinds[K]>;
  /** A message-only window (`HWND_MESSAGE` parent) instead of a hidden top-level one. */
  messageOnly?: boolean;
  /** Messages let through from lower integrity levels (`ChangeWindowMessageFilterEx`). */
  allow?: number[];
  /** Receives what the kind's procedure posts for this window, in order. */
  listener: (event: KindEvent<Kinds[K]>) => void;
}

/** A window owned by a window thread. */
export interface ThreadWindow {
  /** The window handle. */
  readonly hwnd: bigint;
  /** Destroys the window (on its thread) and lets the thread stop if it was the last user. */
  close(): Promise<void>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  what: string;
}

/** One running worker of a {@linkcode WindowThread}. */
class Instance {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #wake: Deno.PointerObject;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<number, (event: unknown) => void>();
  #users = 0;
  #stopping = false;
  #finished = false;
  readonly #onStop: (instance: Instance) => void;
  /** Resolves when the thread has started (its message queue exists). */
  readonly ready: Promise<void>;
  /** Resolves when the worker has ended. */
  readonly exited: Promise<void>;
  #exited!: () => void;

  constructor(entry: ThreadEntry, onStop: (instance: Instance) => void) {
    this.#onStop = onStop;
    const k = kernel32();
    const wake = k.CreateEventW(null, 0, 0, null);
    if (wake === null) throw errorFromCode(k.GetLastError(), `Cannot start the ${entry.name}`);
    this.#wake = wake;
    const channel = new MessageChannel();
    this.#port = channel.port1;
    this.#worker = new Worker(entry.url, { type: "module", name: entry.name });
    let ready!: () => void;
    let failed!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    this.ready.catch(() => {});
    this.exited = new Promise<void>((resolve) => (this.#exited = resolve));
    this.#worker.onmessage = (event: MessageEvent<ThreadPost>) => {
      const data = event.data;
      switch (data.type) {
        case "ready":
          ready();
          break;
        case "batch":
          for (const reply of data.replies) {
            const pending = this.#pending.get(reply.reply);
            if (pending === undefined) continue;
            this.#pending.delete(reply.reply);
            if (reply.ok) pending.resolve(reply.value);
            else {
              pending.reject(
                reply.code !== null
                  ? errorFromCode(reply.code, `${pending.what}: ${reply.message} failed`)
                  : new Error(`${pending.what}: ${reply.message}`),
              );
            }
          }
          for (const { window, event } of data.events) this.#listeners.get(window)?.(event);
          break;
        case "fault":
          console.error(`${entry.name}: ${data.message}`);
          break;
        case "exit":
          this.#finish(new Deno.errors.BadResource(`The ${entry.name} has stopped`));
          break;
      }
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const error = new Error(`The winipc ${entry.name} failed: ${event.message}`);
      failed(error);
      this.#finish(error);
    };
    const init: ThreadInit = { port: channel.port2, wake: BigInt(Deno.UnsafePointer.value(wake)) };
    this.#worker.postMessage(init, [channel.port2]);
  }

  #finish(error: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#worker.terminate();
    this.#port.close();
    kernel32().CloseHandle(this.#wake);
    this.#onStop(this);
    this.#exited();
  }

  /** Counts a user; the thread stops when the count returns to 0. */
  hold(): void {
    this.#users++;
  }

  /** Uncounts a user; the last one stops the thread. */
  release(): void {
    if (--this.#users > 0 || this.#stopping) return;
    this.#stopping = true;
    this.#onStop(this);
    this.ready.then(() => this.#send({ id: 0, op: "quit", args: null }), () => {});
  }

  /** Whether the thread still takes requests. */
  get usable(): boolean {
    return !this.#stopping && !this.#finished;
  }

  #send(request: ThreadRequest): void {
    if (this.#finished) throw new Deno.errors.BadResource("The window thread has stopped");
    this.#port.postMessage(request);
    // The request is on the port whatever happens next: the thread takes it
    // at its next wake of any kind. A wake that cannot be given means the
    // thread is gone (its event closed), and the worker's end rejects it.
    const k = kernel32();
    if (k.SetEvent(this.#wake) === 0) {
      this.#finish(errorFromCode(k.GetLastError(), "Cannot wake the window thread"));
    }
  }

  async request(op: string, args: unknown, what: string): Promise<unknown> {
    this.hold();
    try {
      await this.ready;
      const id = this.#nextId++;
      return await new Promise((resolve, reject) => {
        this.#pending.set(id, { resolve, reject, what });
        try {
          this.#send({ id, op, args });
        } catch (error) {
          this.#pending.delete(id);
          reject(error);
        }
      });
    } finally {
      this.release();
    }
  }

  listen(id: number, listener: (event: unknown) => void): void {
    this.#listeners.set(id, listener);
  }

  unlisten(id: number): void {
    this.#listeners.delete(id);
  }

  newId(): number {
    return this.#nextId++;
  }
}

const stopping = new Set<Promise<void>>();

/**
 * A window thread for one mechanism, typed by its entry module's kinds and
 * operations. Starts on first use; see the module documentation.
 *
 * @typeParam Kinds The entry module's window kinds.
 * @typeParam Ops The entry module's operations.
 */
export class WindowThread<Kinds extends KindTable, Ops extends OpTable> {
  readonly #entry: ThreadEntry;
  #current: Instance | null = null;

  /**
   * @param entry The entry module's {@linkcode ThreadEntry}.
   */
  constructor(entry: ThreadEntry) {
    this.#entry = entry;
  }

  #instance(): Instance {
    if (this.#current === null || !this.#current.usable) {
      user32(); // NotSupported off Windows, before a worker starts
      const instance = new Instance(this.#entry, (stopped) => {
        if (this.#current === stopped) this.#current = null;
      });
      const exited = instance.exited.then(() => {
        stopping.delete(exited);
      });
      stopping.add(exited);
      this.#current = instance;
    }
    return this.#current;
  }

  /** Whether the thread is running or starting. */
  get running(): boolean {
    return this.#current !== null;
  }

  /**
   * Runs one of the entry module's operations on the thread (starting it if
   * needed) and returns its result.
   *
   * @param op The operation's name.
   * @param args Its arguments (structured-cloneable).
   * @param what The error context (`Cannot write the clipboard`).
   * @returns What the operation returned.
   */
  call<K extends keyof Ops & string>(
    op: K,
    args: Parameters<Ops[K]>[0],
    what: string,
  ): Promise<ReturnType<Ops[K]>> {
    try {
      return this.#instance().request(op, args, what) as Promise<ReturnType<Ops[K]>>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Opens a window of one of the entry module's kinds on the thread. The
   * thread keeps running while the window is open.
   *
   * @param options Kind, class, title, configuration and listener.
   * @param what The error context.
   * @returns The window.
   */
  async openWindow<K extends keyof Kinds & string>(
    options: OpenWindowOptions<Kinds, K>,
    what: string,
  ): Promise<ThreadWindow> {
    const t = this.#instance();
    const id = t.newId();
    t.hold();
    t.listen(id, options.listener as (event: unknown) => void);
    let hwnd: bigint;
    try {
      const args: CreateWindowArgs = {
        id,
        kind: options.kind,
        className: options.className,
        title: options.title,
        config: options.config,
        messageOnly: options.messageOnly ?? false,
        allow: options.allow ?? [],
      };
      hwnd = await t.request("createWindow", args, what) as bigint;
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
            await t.request("destroyWindow", hwnd, "Cannot close window");
          } finally {
            t.unlisten(id);
            t.release();
          }
        })();
        return closed;
      },
    };
  }
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

/** Whether any window thread is running, starting or stopping (for tests). */
export function windowThreadRunning(): boolean {
  return stopping.size > 0;
}
