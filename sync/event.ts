// Copyright 2026 the winipc authors. MIT license.
/**
 * Events: `createEvent`, `openEvent`, `Event`.
 *
 * @module
 */
import { kernel32 } from "../_win32/ffi.ts";
import { errorFromCode, lastError } from "../_win32/errors.ts";
import type { OwnedHandle } from "../_win32/handle.ts";
import {
  createObject,
  openObject,
  SyncObject,
  type SyncObjectOptions,
  type SyncWaitOptions,
  waitObject,
} from "./_object.ts";

/** Options for {@linkcode createEvent}. */
export interface CreateEventOptions extends SyncObjectOptions {
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

/** A Windows event, from {@linkcode createEvent} or {@linkcode openEvent}. */
export class Event extends SyncObject {
  /** Whether it is a manual-reset event (known for events this process created). */
  readonly manualReset: boolean | null;

  /** @internal */
  constructor(
    init: {
      handle: OwnedHandle;
      name: string | null;
      created: boolean;
    },
    manualReset: boolean | null,
  ) {
    super(init.handle, init.name, init.created);
    this.manualReset = manualReset;
  }

  /** @internal */
  describe(): string {
    return this.name ? `event "${this.name}"` : "event";
  }

  /** @internal */
  restore(raw: Deno.PointerObject = this.raw("restore")): void {
    // A manual-reset event is not consumed by a wait; an auto-reset one is.
    if (this.manualReset !== true) kernel32().SetEvent(raw);
  }

  /** Signals the event (`SetEvent`). */
  set(): void {
    if (!kernel32().SetEvent(this.raw("set"))) {
      throw errorFromCode(lastError(), `Cannot set ${this.describe()}`);
    }
  }

  /** Makes the event non-signalled (`ResetEvent`). */
  reset(): void {
    if (!kernel32().ResetEvent(this.raw("reset"))) {
      throw errorFromCode(lastError(), `Cannot reset ${this.describe()}`);
    }
  }

  /**
   * Waits until the event is signalled, holding no thread. Waiting on an
   * auto-reset event consumes its signal; a cancelled wait never does.
   *
   * @param options Timeout and cancellation.
   * @throws {Deno.errors.TimedOut} If it was not signalled in time.
   */
  async wait(options: SyncWaitOptions = {}): Promise<void> {
    await waitObject(this, "wait for", options);
  }
}

/**
 * Creates an event, or opens the existing one of that name (then `created`
 * is false and the options other than the name do not apply).
 *
 * @example Signal another process
 * ```ts ignore
 * import { createEvent } from "@winipc/winipc/sync";
 *
 * using ready = createEvent("my-app-ready", { manualReset: true });
 * ready.set();
 * ```
 *
 * @param name A short name (`Local\` is added), `Local\...`/`Global\...`, or
 * nothing for an unnamed event.
 * @param options Reset mode, initial state, namespace, security.
 * @returns The event.
 */
export function createEvent(name?: string, options: CreateEventOptions = {}): Event {
  const manualReset = options.manualReset ?? false;
  const made = createObject(
    "event",
    name,
    options,
    "0x00100002",
    (attributes, wide) =>
      kernel32().CreateEventW(
        attributes,
        manualReset ? 1 : 0,
        options.initialState ? 1 : 0,
        wide,
      ),
  );
  return new Event(made, made.created ? manualReset : null);
}

/**
 * Opens an existing named event, made by winipc or any program.
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param options The namespace of a short name.
 * @returns The event (`created` is false; its reset mode is unknown).
 * @throws {Deno.errors.NotFound} If no such event exists.
 */
export function openEvent(name: string, options: { global?: boolean } = {}): Event {
  const opened = openObject(
    "event",
    name,
    options.global,
    (wide) => kernel32().OpenEventW(EVENT_MODIFY_STATE_SYNCHRONIZE, 0, wide),
  );
  return new Event({ ...opened, created: false }, null);
}
