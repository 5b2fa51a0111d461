// Copyright 2026 the winipc authors. MIT license.
/**
 * Events: `createEvent`, `openEvent`, `openOrCreateEvent`, `SyncEvent`.
 *
 * @module
 */
import { CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";
import { kernel32 } from "../_win32/ffi.ts";
import { errorFromCode } from "../_win32/errors.ts";
import type { WaitOptions } from "../_win32/options.ts";
import {
  adopt,
  checkBoolean,
  checkOptions,
  createObject,
  type CreateSyncObjectOptions,
  describe,
  liveHandle,
  type Made,
  nameAndOptions,
  openObject,
  type OpenSyncObjectOptions,
  SyncObject,
  waitObject,
} from "./_object.ts";

/** Options for {@linkcode createEvent} and {@linkcode openOrCreateEvent}. */
export interface CreateEventOptions extends CreateSyncObjectOptions {
  /**
   * A manual-reset event stays signalled, releasing every waiter, until
   * `reset()`; an auto-reset event releases one waiter and resets itself.
   * @default {false}
   */
  manualReset?: boolean;
  /**
   * Start signalled.
   * @default {false}
   */
  initialState?: boolean;
}

const EVENT_MODIFY_STATE_SYNCHRONIZE = 0x0010_0002;
/** What `security: "everyone"` lets Everyone do: wait and set/reset. */
const EVENT_EVERYONE_RIGHTS = "0x00100002";

/**
 * A Windows event, from {@linkcode createEvent}, {@linkcode openEvent} or
 * {@linkcode openOrCreateEvent}. (Named `SyncEvent` so as not to shadow the
 * DOM's `Event`.)
 *
 * @example One process signals, another waits
 * ```ts no-run
 * import { createEvent, openEvent } from "@winipc/winipc/sync";
 *
 * using ready = createEvent("my-app-ready");
 * // in another process:
 * using theirs = openEvent("my-app-ready");
 * theirs.set();
 * // here:
 * await ready.wait({ timeout: 5000 });
 * ```
 */
export class SyncEvent extends SyncObject {
  readonly #manualReset: boolean | null;

  /** @ignore */
  constructor(key: ConstructKey, made: Made, manualReset: boolean | null) {
    super(key);
    this.#manualReset = manualReset;
    adopt(this, {
      ...made,
      kind: "event",
      // A manual-reset event is not consumed by a wait; an auto-reset one is.
      restore: (raw) => {
        if (manualReset !== true) kernel32().SetEvent(raw);
      },
    });
  }

  /**
   * Whether it is a manual-reset event: known for events this call made,
   * `null` for one that was opened.
   */
  get manualReset(): boolean | null {
    return this.#manualReset;
  }

  /**
   * Signals the event (`SetEvent`).
   *
   * @example Signal
   * ```ts no-run
   * import { openEvent } from "@winipc/winipc/sync";
   *
   * using ready = openEvent("my-app-ready");
   * ready.set();
   * ```
   *
   * @throws {Deno.errors.BadResource} If the event is closed.
   */
  set(): void {
    const k = kernel32();
    if (!k.SetEvent(liveHandle(this, "set"))) {
      throw errorFromCode(k.GetLastError(), `Cannot set ${describe(this)}`);
    }
  }

  /**
   * Makes the event non-signalled (`ResetEvent`).
   *
   * @example Reset a manual-reset event
   * ```ts no-run
   * import { createEvent } from "@winipc/winipc/sync";
   *
   * using gate = createEvent({ manualReset: true, initialState: true });
   * gate.reset();
   * ```
   *
   * @throws {Deno.errors.BadResource} If the event is closed.
   */
  reset(): void {
    const k = kernel32();
    if (!k.ResetEvent(liveHandle(this, "reset"))) {
      throw errorFromCode(k.GetLastError(), `Cannot reset ${describe(this)}`);
    }
  }

  /**
   * Waits until the event is signalled, holding no thread. Waiting on an
   * auto-reset event consumes its signal; a cancelled wait never does.
   *
   * @example Wait at most 5 seconds
   * ```ts no-run
   * import { openEvent } from "@winipc/winipc/sync";
   *
   * using ready = openEvent("my-app-ready");
   * await ready.wait({ timeout: 5000 });
   * ```
   *
   * @param options Timeout (default `Infinity`; `0` tries once) and cancellation.
   * @returns Resolves once signalled.
   * @throws {Deno.errors.TimedOut} If it was not signalled in time.
   * @throws {RangeError} For a bad timeout.
   */
  async wait(options?: WaitOptions): Promise<void> {
    await waitObject(this, "wait for", options);
  }
}

function makeEvent(
  mode: "create" | "openOrCreate",
  name: string | undefined,
  options: CreateEventOptions,
): SyncEvent {
  const what = `Cannot ${mode === "create" ? "create" : "open or create"} event`;
  const manualReset = checkBoolean(options.manualReset, "manualReset", what);
  const initialState = checkBoolean(options.initialState, "initialState", what);
  const made = createObject(
    "event",
    mode,
    name,
    options,
    EVENT_EVERYONE_RIGHTS,
    (k, attributes, wide) => [
      k.CreateEventW(attributes, manualReset ? 1 : 0, initialState ? 1 : 0, wide),
      k.GetLastError(),
    ],
  );
  return new SyncEvent(CONSTRUCT, made, made.created ? manualReset : null);
}

/**
 * Creates a new event: unnamed with `createEvent(options?)`, or named with
 * `createEvent(name, options?)` (then any process may open it).
 *
 * @example An unnamed event
 * ```ts no-run
 * import { createEvent } from "@winipc/winipc/sync";
 *
 * using done = createEvent({ manualReset: true });
 * ```
 *
 * @param options Reset mode, initial state, security.
 * @returns The event (`created` is true).
 * @throws {TypeError} For bad options.
 */
export function createEvent(options?: CreateEventOptions): SyncEvent;
/**
 * Creates a new named event; fails if the name is taken.
 *
 * @example Signal another process
 * ```ts no-run
 * import { createEvent } from "@winipc/winipc/sync";
 *
 * using ready = createEvent("my-app-ready", { manualReset: true });
 * ready.set();
 * ```
 *
 * @param name A short name (`Local\` is added, or `Global\` with
 * `global: true`), or `Local\...`/`Global\...`.
 * @param options Reset mode, initial state, namespace, security.
 * @returns The event (`created` is true).
 * @throws {Deno.errors.AlreadyExists} If an event of that name exists.
 * @throws {TypeError} For a bad name, bad options, or a name held by an
 * object of another kind.
 */
export function createEvent(name: string, options?: CreateEventOptions): SyncEvent;
export function createEvent(
  nameOrOptions?: string | CreateEventOptions,
  options?: CreateEventOptions,
): SyncEvent {
  const [name, checked] = nameAndOptions(nameOrOptions, options, "Cannot create event");
  return makeEvent("create", name, checked);
}

/**
 * Opens the named event if it exists, else creates it; `created` says which
 * (the options other than the namespace apply only when it is created).
 *
 * @example Whoever comes first makes it
 * ```ts no-run
 * import { openOrCreateEvent } from "@winipc/winipc/sync";
 *
 * using ready = openOrCreateEvent("my-app-ready", { manualReset: true });
 * if (ready.created) console.log("first here");
 * ```
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options Reset mode, initial state, namespace, security.
 * @returns The event.
 * @throws {TypeError} For a bad name, bad options, or a name held by an
 * object of another kind.
 */
export function openOrCreateEvent(name: string, options?: CreateEventOptions): SyncEvent {
  return makeEvent("openOrCreate", name, checkOptions(options, "Cannot open or create event"));
}

/**
 * Opens an existing named event, made by winipc or any program.
 *
 * @example Wait for another process's signal
 * ```ts no-run
 * import { openEvent } from "@winipc/winipc/sync";
 *
 * using ready = openEvent("my-app-ready");
 * await ready.wait({ timeout: 5000 });
 * ```
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options The namespace of a short name.
 * @returns The event (`created` is false; its reset mode is unknown).
 * @throws {Deno.errors.NotFound} If no such event exists.
 * @throws {TypeError} For a bad name, or a name held by an object of another kind.
 */
export function openEvent(name: string, options?: OpenSyncObjectOptions): SyncEvent {
  const opened = openObject(
    "event",
    name,
    options,
    (k, wide) => [k.OpenEventW(EVENT_MODIFY_STATE_SYNCHRONIZE, 0, wide), k.GetLastError()],
  );
  return new SyncEvent(CONSTRUCT, opened, null);
}
