// Copyright 2026 the winipc authors. MIT license.
/**
 * What every synchronisation object shares: its handle, name, `created`,
 * closing, creation or opening by name, and the checks of their arguments.
 *
 * The internals of an object (its owned handle, what it is, how a signal a
 * cancelled wait took is given back) live in a module-private `WeakMap`,
 * reachable only through the functions of this file, which `mod.ts` does
 * not export: nothing internal is a property of the public objects.
 *
 * @module
 */
import { checkConstruct, type ConstructKey } from "../_win32/construct.ts";
import { kernel32, WAIT_OBJECT_0 } from "../_win32/ffi.ts";
import { ERROR, errorFromCode, globalPrivilegeError } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { kernelObjectName } from "../_win32/names.ts";
import { accessSddl, SecurityAttributes } from "../_win32/security.ts";
import { describeValue, type SecurityRule, type WaitOptions } from "../_win32/options.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { waitForHandle } from "../_win32/wait.ts";
import { AdaptiveLook } from "../_win32/adaptive_look.ts";
import { checkWaitOptions } from "../_win32/timeout.ts";

/** The kernel32 symbols, handed to a Create*W or Open*W call. */
export type Kernel32 = ReturnType<typeof kernel32>;
/** What a Create*W or Open*W call returned, and its last error read right after. */
export type Returned = readonly [Deno.PointerValue, number];

/** Options for opening a named synchronisation object (`openEvent`, `openMutex`, ...). */
export interface OpenSyncObjectOptions {
  /**
   * Put a short name in `Global\` (every session) instead of `Local\`.
   * Names that start with `Local\` or `Global\` keep their namespace.
   * @default {false}
   */
  global?: boolean;
}

/**
 * Options for creating a synchronisation object (`createMutex`,
 * `openOrCreateMutex`), and the base of the options of the other create
 * functions.
 */
export interface CreateSyncObjectOptions extends OpenSyncObjectOptions {
  /**
   * Who else may open it: `"owner"` (the current user, SYSTEM and
   * Administrators), `"everyone"` (every local user may wait on it and
   * change its state), or `{ sddl }`. Applies only when the object is made,
   * not when an existing one is opened.
   * @default {"owner"}
   */
  security?: SecurityRule;
}

/** What only the package sees of a synchronisation object. */
export interface SyncInternals {
  readonly handle: OwnedHandle;
  /** "event", "semaphore", "mutex", "waitable timer": for messages. */
  readonly kind: string;
  readonly name: string | null;
  readonly created: boolean;
  /**
   * Puts back a signal that a cancelled or losing wait took (an auto-reset
   * event's, a semaphore's unit, a timer's firing); `null` for objects whose
   * wait is not a plain wait (a mutex: a wait on it owns it).
   */
  restore: ((raw: Deno.PointerObject) => void) | null;
}

const INTERNALS = new WeakMap<SyncObject, SyncInternals>();

/**
 * The base of every synchronisation object: its name, whether this call
 * made it, and closing. Made only by the package's create and open
 * functions.
 *
 * @example What every object has
 * ```ts no-run
 * import { openOrCreateEvent } from "@winipc/winipc/sync";
 *
 * using ready = openOrCreateEvent("my-app-ready");
 * console.log(ready.name, ready.created, ready.closed); // "Local\my-app-ready" true false
 * ```
 */
export abstract class SyncObject implements Disposable {
  /** @ignore Objects are made by `createX`, `openX` and `openOrCreateX`. */
  protected constructor(key: ConstructKey) {
    checkConstruct(key, "synchronisation objects come from the create and open functions");
  }

  /** The kernel object name (`Local\...`, `Global\...`), or `null` if unnamed. */
  get name(): string | null {
    return internalsOf(this).name;
  }

  /**
   * Whether this object was made by the call that returned it: true from
   * `createX`, false from `openX`, either from `openOrCreateX`.
   */
  get created(): boolean {
    return internalsOf(this).created;
  }

  /** True once closed. */
  get closed(): boolean {
    return internalsOf(this).handle.closed;
  }

  /**
   * The raw Win32 handle, for FFI calls of your own. It stays owned by this
   * object: do not close it.
   *
   * @throws {Deno.errors.BadResource} If the object is closed.
   */
  get unsafeHandle(): Deno.PointerValue {
    return liveHandle(this, "use");
  }

  /**
   * Closes this handle to the object (the object lives while any process
   * has one open). A wait still pending on it rejects with `BadResource`.
   *
   * @example Close before the end of the scope
   * ```ts no-run
   * import { createEvent } from "@winipc/winipc/sync";
   *
   * const event = createEvent();
   * event.close();
   * console.log(event.closed); // true
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    internalsOf(this).handle.close();
  }

  /** Closes if still open. */
  [Symbol.dispose](): void {
    if (!this.closed) this.close();
  }
}

/**
 * Gives a new object its internals (called once, by the class's factory).
 *
 * @param object The object just constructed.
 * @param internals Its internals.
 * @returns The object.
 */
export function adopt<T extends SyncObject>(object: T, internals: SyncInternals): T {
  INTERNALS.set(object, internals);
  return object;
}

/**
 * The internals of an object.
 *
 * @param object A synchronisation object.
 * @returns Its internals.
 * @throws {TypeError} If it is not one made by this package.
 */
export function internalsOf(object: SyncObject): SyncInternals {
  const internals = INTERNALS.get(object);
  if (internals === undefined) {
    throw new TypeError(
      "Not a winipc synchronisation object: make one with a create or open function",
    );
  }
  return internals;
}

/**
 * What an object is, for messages: `event "Local\x"`, `semaphore`.
 *
 * @param object A synchronisation object.
 * @returns Its description.
 */
export function describe(object: SyncObject): string {
  const { kind, name } = internalsOf(object);
  return name ? `${kind} "${name}"` : kind;
}

/**
 * The raw handle, for a call about to be made.
 *
 * @param object A synchronisation object.
 * @param what The operation, for the message (`Cannot ${what} ...`).
 * @returns The raw handle.
 * @throws {Deno.errors.BadResource} If the object is closed (or closing).
 */
export function liveHandle(object: SyncObject, what: string): Deno.PointerObject {
  const internals = internalsOf(object);
  if (object.closed) {
    throw new Deno.errors.BadResource(`Cannot ${what} ${describe(object)}: it is closed`);
  }
  return internals.handle.raw;
}

/**
 * Checks an options argument: `undefined` or an object.
 *
 * @param options The argument.
 * @param what The operation, for the message.
 * @returns The options, `{}` for `undefined`.
 * @throws {TypeError} For anything else.
 */
export function checkOptions<T extends object>(options: T | undefined, what: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${what}: options must be an object, got ${describeValue(options)}`);
  }
  return options;
}

/**
 * Checks a boolean option.
 *
 * @param value The option's value.
 * @param option Its name.
 * @param what The operation, for the message.
 * @returns The value, `false` for `undefined`.
 * @throws {TypeError} Unless it is a boolean or `undefined`.
 */
export function checkBoolean(value: unknown, option: string, what: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new TypeError(`${what}: ${option} must be true or false, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Splits the arguments of a create function, `(options?)` for an unnamed
 * object or `(name, options?)` for a named one.
 *
 * @param first The first argument.
 * @param second The second argument.
 * @param what The operation, for the message (`Cannot create event`).
 * @returns The name (`undefined` when unnamed) and the options.
 * @throws {TypeError} For a first argument that is neither, or options
 * given twice.
 */
export function nameAndOptions<T extends object>(
  first: string | T | undefined,
  second: T | undefined,
  what: string,
): [string | undefined, T] {
  if (typeof first === "string") return [first, checkOptions(second, what)];
  if (first === undefined) return [undefined, checkOptions(second, what)];
  if (typeof first === "object" && first !== null) {
    if (second !== undefined) {
      throw new TypeError(`${what}: give (name, options) or (options), not options twice`);
    }
    return [undefined, first];
  }
  throw new TypeError(
    `${what}: the first argument must be a name or an options object, got ${describeValue(first)}`,
  );
}

/**
 * Waits for one object, as every `wait`/`acquire` does: `TimedOut` after
 * the timeout (at once for `timeout: 0` if it is not signalled now), the
 * signal's reason on abort; a cancelled wait that took the object's signal
 * puts it back.
 *
 * @param object The object (not a mutex).
 * @param what The operation, for messages (`wait for`, `acquire`).
 * @param options Timeout and cancellation.
 * @returns How the wait ended.
 */
export async function waitObject(
  object: SyncObject,
  what: string,
  options: WaitOptions | undefined,
): Promise<"signaled" | "abandoned"> {
  const internals = internalsOf(object);
  const action = `${what} ${describe(object)}`;
  const { timeout, signal } = checkWaitOptions(options, action);
  const raw = liveHandle(object, what);
  signal?.throwIfAborted();
  if (timeout !== 0 && look(object, raw)) return "signaled";
  const restore = internals.restore ?? undefined;
  const result = await waitForHandle(internals.handle, {
    timeout,
    signal,
    restore: restore && ((raw) => restore(raw)),
  });
  if (result === "timeout") {
    throw new Deno.errors.TimedOut(
      timeout === 0
        ? `Cannot ${action}: it is not signalled (timeout 0: one try)`
        : `Cannot ${action}: not signalled within ${timeout} ms`,
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

/** The public function names of each kind, for messages. */
const FUNCTION_SUFFIX: Readonly<Record<string, string>> = {
  "event": "Event",
  "semaphore": "Semaphore",
  "mutex": "Mutex",
  "waitable timer": "WaitableTimer",
};

/** What a create or open by name made. */
export interface Made {
  handle: OwnedHandle;
  name: string | null;
  created: boolean;
}

/**
 * Creates a named or unnamed object (`mode: "create"`: fails with
 * `AlreadyExists` if the name is taken), or opens the existing one of that
 * name (`mode: "openOrCreate"`, which says which with `created`).
 *
 * @param kind What it is ("event", ...).
 * @param mode Whether an existing object of that name is an error.
 * @param name The name, or `undefined` for an unnamed object.
 * @param options Namespace and security (checked here).
 * @param everyoneMask The rights `security: "everyone"` gives Everyone.
 * @param call Makes the Create*W call and reads `k.GetLastError()` right
 * after it (see `errors.ts`).
 * @returns The handle, the full name, and whether it was made.
 */
export function createObject(
  kind: string,
  mode: "create" | "openOrCreate",
  name: string | undefined,
  options: CreateSyncObjectOptions,
  everyoneMask: string,
  call: (k: Kernel32, attributes: Deno.PointerObject, name: Uint16Array | null) => Returned,
): Made {
  const bare = `Cannot ${mode === "create" ? "create" : "open or create"} ${kind}`;
  const global = checkBoolean(options.global, "global", bare);
  // openOrCreate needs a name: kernelObjectName refuses anything but a string.
  const full = name === undefined && mode === "create"
    ? null
    : kernelObjectName(name as string, global, kind);
  const what = full ? `${bare} "${full}"` : bare;
  using security = new SecurityAttributes(
    accessSddl(options.security, everyoneMask, `${what}: security`),
  );
  const [raw, code] = call(
    kernel32(),
    Deno.UnsafePointer.of(security.attributes)!,
    full ? encodeUtf16z(full) : null,
  );
  if (isInvalidHandle(raw)) {
    if (code === ERROR.INVALID_HANDLE && full) {
      throw new TypeError(`${what}: the name belongs to an object of another kind`, {
        cause: errorFromCode(code),
      });
    }
    if (code === ERROR.ACCESS_DENIED && full && /^Global\\/i.test(full)) {
      throw globalPrivilegeError(what, errorFromCode(code));
    }
    throw errorFromCode(code, what);
  }
  const handle = new OwnedHandle(raw, kind);
  const created = code !== ERROR.ALREADY_EXISTS;
  if (!created && mode === "create") {
    // Create*W opened the existing object: this call promised a new one.
    handle.close();
    const suffix = FUNCTION_SUFFIX[kind];
    throw new Deno.errors.AlreadyExists(
      `${what}: the name is taken (open${suffix} opens it, openOrCreate${suffix} does either)`,
      { cause: errorFromCode(code) },
    );
  }
  return { handle, name: full, created };
}

/**
 * Opens an existing named object.
 *
 * @param kind What it is.
 * @param name The name.
 * @param options The namespace (checked here).
 * @param call Makes the Open*W call and reads `k.GetLastError()` right after
 * it.
 * @returns The handle and the full name (`created` is false).
 * @throws {Deno.errors.NotFound} If no such object exists.
 */
export function openObject(
  kind: string,
  name: string,
  options: OpenSyncObjectOptions | undefined,
  call: (k: Kernel32, name: Uint16Array) => Returned,
): Made {
  const checked = checkOptions(options, `Cannot open ${kind}`);
  const global = checkBoolean(checked.global, "global", `Cannot open ${kind}`);
  const full = kernelObjectName(name, global, kind);
  const [raw, code] = call(kernel32(), encodeUtf16z(full));
  if (isInvalidHandle(raw)) {
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
  return { handle: new OwnedHandle(raw, kind), name: full, created: false };
}
