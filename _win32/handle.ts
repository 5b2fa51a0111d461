// Copyright 2026 the winipc authors. MIT license.
/**
 * Owned kernel handles: one owner, one `CloseHandle`, and a finalization safety
 * net for handles whose owner was dropped without closing them.
 *
 * @module
 */
import { kernel32 } from "./ffi.ts";
import { errorFromCode } from "./errors.ts";

const INVALID_HANDLE_VALUE = 0xffff_ffff_ffff_ffffn;

/**
 * The numeric value of a pointer or handle (0n for `null`).
 *
 * @param pointer A pointer or handle.
 * @returns Its value.
 */
export function pointerValue(pointer: Deno.PointerValue): bigint {
  return BigInt(Deno.UnsafePointer.value(pointer));
}

/**
 * Whether a returned handle is a failure value: NULL, or `INVALID_HANDLE_VALUE`
 * (-1). Each API documents which one it uses; accepting both is never wrong.
 *
 * @param handle A handle an API returned.
 * @returns True for NULL and `INVALID_HANDLE_VALUE`.
 */
export function isInvalidHandle(handle: Deno.PointerValue): handle is null {
  return handle === null || pointerValue(handle) === INVALID_HANDLE_VALUE;
}

let compareObjectHandles:
  | ((a: Deno.PointerValue, b: Deno.PointerValue) => number)
  | null
  | undefined;

/**
 * Whether two handles refer to the same kernel object: equal values, or
 * `CompareObjectHandles` (kernelbase.dll, Windows 10 1607 and later, and
 * Wine) where it exists; elsewhere only equal values count.
 *
 * @param a A handle.
 * @param b Another.
 * @returns True for the same object.
 */
export function sameObject(a: Deno.PointerValue, b: Deno.PointerValue): boolean {
  if (pointerValue(a) === pointerValue(b)) return true;
  if (compareObjectHandles === undefined) {
    try {
      compareObjectHandles = Deno.dlopen("kernelbase.dll", {
        CompareObjectHandles: { parameters: ["pointer", "pointer"], result: "i32" },
      }).symbols.CompareObjectHandles;
    } catch {
      compareObjectHandles = null;
    }
  }
  return compareObjectHandles !== null && compareObjectHandles(a, b) !== 0;
}

/** Counts of handles the safety net closed (for tests and diagnostics). */
export const finalizedHandles: { count: number } = { count: 0 };

const registry = new FinalizationRegistry<Deno.PointerObject>((raw) => {
  finalizedHandles.count++;
  try {
    kernel32().CloseHandle(raw);
  } catch {
    // Nothing can be reported from a finalizer.
  }
});

/**
 * A kernel handle that this process owns and closes exactly once.
 *
 * `close()` closes it and throws `Deno.errors.BadResource` if it was already
 * closed; `[Symbol.dispose]()` closes it if it is still open, so `using`
 * never throws twice. A handle dropped without being closed is closed by a
 * `FinalizationRegistry` when its owner is garbage-collected; that is a
 * safety net, not a way to manage handles.
 */
export class OwnedHandle implements Disposable {
  #raw: Deno.PointerObject | null;
  #closeGuard: ((closeNow: () => void) => void) | null = null;
  #closeListeners: Set<() => void> | null = null;
  /** What the handle is, for messages ("event", "named pipe", ...). */
  readonly kind: string;

  /**
   * Takes ownership of a handle.
   *
   * @param raw A valid handle (not NULL, not `INVALID_HANDLE_VALUE`).
   * @param kind What the handle is, for messages.
   */
  constructor(raw: Deno.PointerObject, kind: string) {
    this.#raw = raw;
    this.kind = kind;
    registry.register(this, raw, this);
  }

  /**
   * Wraps the result of a handle-returning call, or throws the call's own
   * last error. Pass `k.GetLastError()` as the next argument, so that it is
   * read right after the call (see `errors.ts`): it is read on success too.
   *
   * @param raw What the API returned.
   * @param error `GetLastError()`, read right after the call.
   * @param kind What the handle is.
   * @param context What was being done, for the error message.
   * @returns The owned handle.
   * @throws The mapped error for `error` when `raw` is a failure value.
   */
  static from(raw: Deno.PointerValue, error: number, kind: string, context: string): OwnedHandle {
    if (isInvalidHandle(raw)) throw errorFromCode(error, context);
    return new OwnedHandle(raw, kind);
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#raw === null;
  }

  /**
   * The raw handle, for FFI calls.
   *
   * @throws {Deno.errors.BadResource} If the handle is closed.
   */
  get raw(): Deno.PointerObject {
    if (this.#raw === null) {
      throw new Deno.errors.BadResource(`Cannot use ${this.kind}: it is closed`);
    }
    return this.#raw;
  }

  /** The numeric handle value (for example to pass to a child process). */
  get value(): bigint {
    return pointerValue(this.raw);
  }

  /**
   * Closes the handle.
   *
   * @throws {Deno.errors.BadResource} If it is already closed.
   */
  close(): void {
    const raw = this.#raw;
    if (raw === null) {
      throw new Deno.errors.BadResource(`Cannot close ${this.kind}: it is already closed`);
    }
    this.#raw = null;
    registry.unregister(this);
    const listeners = this.#closeListeners;
    this.#closeListeners = null;
    for (const listener of listeners ?? []) listener();
    const guard = this.#closeGuard;
    if (guard !== null) {
      this.#closeGuard = null;
      guard(() => kernel32().CloseHandle(raw));
      return;
    }
    const k = kernel32();
    if (!k.CloseHandle(raw)) {
      const code = k.GetLastError();
      throw new Deno.errors.BadResource(
        `Cannot close ${this.kind}: CloseHandle failed (os error ${code})`,
      );
    }
  }

  /**
   * Lets the wait core see a close first: `guard` is called instead of
   * `CloseHandle`, with a function that closes the handle, so that the
   * handle is closed only once no wait call holds it (Windows leaves a
   * close under a pending wait undefined). `null` removes the guard.
   *
   * @param guard Called once, on close.
   */
  setCloseGuard(guard: ((closeNow: () => void) => void) | null): void {
    this.#closeGuard = guard;
  }

  /**
   * Calls `listener` when the handle is closed (before it is), for waits
   * that hold a duplicate of it and must end with it.
   *
   * @param listener Called once, on close.
   * @returns A function that removes the listener.
   */
  addCloseListener(listener: () => void): () => void {
    (this.#closeListeners ??= new Set()).add(listener);
    return () => this.#closeListeners?.delete(listener);
  }

  /**
   * Gives up ownership without closing: the caller now owns the raw handle.
   *
   * @returns The raw handle.
   * @throws {Deno.errors.BadResource} If the handle is closed.
   */
  release(): Deno.PointerObject {
    const raw = this.raw;
    this.#raw = null;
    registry.unregister(this);
    return raw;
  }

  /** Closes the handle if it is still open. */
  [Symbol.dispose](): void {
    if (this.#raw !== null) this.close();
  }
}
