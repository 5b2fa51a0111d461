// Copyright 2026 the winipc authors. MIT license.
/**
 * What every synchronisation object shares: its handle, name, `created`,
 * closing, and creation or opening by name.
 *
 * @module
 */
import { kernel32, WAIT_OBJECT_0 } from "../_win32/ffi.ts";
import { ERROR, errorFromCode, lastError } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { kernelObjectName } from "../_win32/names.ts";
import { type AccessRule, accessSddl, SecurityAttributes } from "../_win32/security.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { waitForHandle } from "../_win32/wait.ts";
import { AdaptiveLook } from "../_win32/adaptive_look.ts";
import { checkTimeout } from "../_win32/timeout.ts";

/** Who else may open a named object this process creates. */
export type SyncSecurity = AccessRule;

/** Options shared by the create functions. */
export interface SyncObjectOptions {
  /**
   * Put a short name in `Global\` (every session) instead of `Local\`.
   * @default {false}
   */
  global?: boolean;
  /**
   * Who else may open it: `"owner"` (the current user, SYSTEM and
   * Administrators), `"everyone"`, or an SDDL string.
   * @default {"owner"}
   */
  security?: SyncSecurity;
}

/**
 * Waits for one object, as every `wait`/`acquire` does: `TimedOut` after
 * the timeout, the signal's reason on abort; a cancelled wait that took the
 * object's signal puts it back.
 *
 * @internal
 */
export async function waitObject(
  object: SyncObject,
  what: string,
  options: SyncWaitOptions,
): Promise<"signaled" | "abandoned"> {
  const raw = object.raw(what);
  const timeout = checkTimeout(options.timeout, `${what} ${object.describe()}`);
  options.signal?.throwIfAborted();
  if (timeout !== 0 && look(object, raw)) return "signaled";
  const result = await waitForHandle(object.handle, {
    timeout,
    signal: options.signal,
    restore: (raw) => object.restore(raw),
  });
  if (result === "timeout") {
    throw new Deno.errors.TimedOut(
      `Cannot ${what} ${object.describe()}: not signalled within ${options.timeout} ms`,
    );
  }
  return result;
}

const lookers = new WeakMap<SyncObject, AdaptiveLook>();

/**
 * Looks at the object for a short adaptive while (`AdaptiveLook`, one per
 * object) before a wait is registered: when the other process answers
 * within microseconds (a ping-pong, a hand-off), this takes the signal
 * without the wake-up through the wait thread. A successful look takes the
 * signal, as the wait would have.
 */
function look(object: SyncObject, raw: Deno.PointerObject): boolean {
  let looker = lookers.get(object);
  if (looker === undefined) lookers.set(object, looker = new AdaptiveLook());
  const k = kernel32();
  return looker.look(() => k.WaitForSingleObject(raw, 0) === WAIT_OBJECT_0);
}

/** Options for a wait. */
export interface SyncWaitOptions {
  /** Milliseconds before failing with `TimedOut`; `Infinity` waits for ever. */
  timeout?: number;
  /** Cancels the wait; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The base of every synchronisation object. */
export abstract class SyncObject implements Disposable {
  readonly #handle: OwnedHandle;
  /** The kernel object name (`Local\...`, `Global\...`), or `null` if unnamed. */
  readonly name: string | null;
  /** False when a create call opened an object that already existed. */
  readonly created: boolean;

  /** @internal */
  constructor(handle: OwnedHandle, name: string | null, created: boolean) {
    this.#handle = handle;
    this.name = name;
    this.created = created;
  }

  /** @internal The handle, for waits; throws once closed. */
  raw(what: string): Deno.PointerObject {
    if (this.#handle.closed) {
      throw new Deno.errors.BadResource(`Cannot ${what} ${this.describe()}: it is closed`);
    }
    return this.#handle.raw;
  }

  /** @internal The owned handle. */
  get handle(): OwnedHandle {
    return this.#handle;
  }

  /** @internal What it is, for messages. */
  abstract describe(): string;

  /**
   * @internal Puts back a signal that a cancelled or losing wait took
   * (an auto-reset event's, a semaphore's count); nothing to do otherwise.
   */
  abstract restore(raw?: Deno.PointerObject): void;

  /** True once closed. */
  get closed(): boolean {
    return this.#handle.closed;
  }

  /**
   * Closes this handle to the object (the object lives while any process
   * has one open).
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    this.#handle.close();
  }

  /** Closes if still open. */
  [Symbol.dispose](): void {
    if (!this.#handle.closed) this.#handle.close();
  }
}

/**
 * Creates (or opens, if the name exists) a named or unnamed object.
 *
 * @internal
 */
export function createObject(
  kind: string,
  name: string | undefined,
  options: SyncObjectOptions | undefined,
  everyoneMask: string,
  call: (attributes: Deno.PointerObject, name: Uint16Array | null) => Deno.PointerValue,
): { handle: OwnedHandle; name: string | null; created: boolean } {
  const full = name === undefined ? null : kernelObjectName(name, options?.global ?? false, kind);
  const what = `Cannot create ${kind}${full ? ` "${full}"` : ""}`;
  using security = new SecurityAttributes(
    accessSddl(options?.security, everyoneMask, `${what}: security`),
  );
  const raw = call(Deno.UnsafePointer.of(security.attributes)!, full ? encodeUtf16z(full) : null);
  const code = lastError();
  if (isInvalidHandle(raw)) {
    if (code === ERROR.INVALID_HANDLE && full) {
      throw new TypeError(`${what}: the name belongs to an object of another kind`, {
        cause: errorFromCode(code),
      });
    }
    if (code === ERROR.ACCESS_DENIED && full && /^Global\\/i.test(full)) {
      throw new Deno.errors.PermissionDenied(
        `${what}: creating a Global\\ object needs the SeCreateGlobalPrivilege privilege, or the name is taken by an object this user may not open`,
        { cause: errorFromCode(code) },
      );
    }
    throw errorFromCode(code, what);
  }
  return { handle: new OwnedHandle(raw, kind), name: full, created: code !== ERROR.ALREADY_EXISTS };
}

/**
 * Opens an existing named object.
 *
 * @internal
 */
export function openObject(
  kind: string,
  name: string,
  global: boolean | undefined,
  call: (name: Uint16Array) => Deno.PointerValue,
): { handle: OwnedHandle; name: string } {
  const full = kernelObjectName(name, global ?? false, kind);
  const raw = call(encodeUtf16z(full));
  if (isInvalidHandle(raw)) {
    const code = lastError();
    if (code === ERROR.FILE_NOT_FOUND) {
      throw new Deno.errors.NotFound(`Cannot open ${kind} "${full}": no such ${kind}`, {
        cause: errorFromCode(code),
      });
    }
    if (code === ERROR.INVALID_HANDLE) {
      throw new TypeError(
        `Cannot open ${kind} "${full}": the name belongs to an object of another kind`,
      );
    }
    throw errorFromCode(code, `Cannot open ${kind} "${full}"`);
  }
  return { handle: new OwnedHandle(raw, kind), name: full };
}
