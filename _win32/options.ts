// Copyright 2026 the winipc authors. MIT license.
/**
 * The option types every mechanism shares, so that the same idea has the
 * same word and the same type everywhere, and the check for a choice among
 * fixed words.
 *
 * Each mechanism's `mod.ts` re-exports the types it uses.
 *
 * @module
 */

/**
 * Who may open an object this process creates (the `security` option):
 *
 * - `"owner"`: the current user, SYSTEM and Administrators (an explicit
 *   owner-only DACL, `D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;OW)`);
 * - `"everyone"`: that, and every local user with the rights the mechanism
 *   names (for example, to write to a mailslot);
 * - `{ sddl }`: a security descriptor of your own, in SDDL.
 */
export type SecurityRule = "owner" | "everyone" | { sddl: string };

/** What a handle may do (the `access` option): read only, or read and write. */
export type AccessMode = "read" | "readwrite";

/** Options for a call that waits: a timeout and a cancelling signal. */
export interface WaitOptions {
  /**
   * Milliseconds to wait before failing with `Deno.errors.TimedOut`;
   * `Infinity` waits for ever, and `0` tries once without waiting. Any
   * length is honoured; `NaN` and negative numbers are a `RangeError`.
   * @default {Infinity}
   */
  timeout?: number;
  /** Cancels the wait: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A caller's value as an error message shows it: strings quoted, objects by
 * their kind (never their contents), anything else as text.
 *
 * @example
 * ```ts
 * import { describeValue } from "./options.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(describeValue("toString"), '"toString"');
 * assertEquals(describeValue({ a: 1 }), "an object");
 * assertEquals(describeValue(NaN), "NaN");
 * ```
 *
 * @param value Anything.
 * @returns Its description.
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return "a function";
  return String(value);
}

/**
 * Checks a `signal` option.
 *
 * @param signal The option's value.
 * @param what The operation, for the message (`Cannot ${what}: ...`).
 * @returns The signal, or `undefined`.
 * @throws {TypeError} Unless it is an `AbortSignal` or `undefined`.
 */
export function checkSignal(signal: unknown, what: string): AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(
      `Cannot ${what}: signal must be an AbortSignal, got ${describeValue(signal)}`,
    );
  }
  return signal;
}

/**
 * Checks that an option is one of a fixed set of words, comparing values
 * only (so `"toString"` or `"__proto__"` never pass as a lookup on an
 * object's prototype would let them).
 *
 * @example
 * ```ts
 * import { checkChoice } from "./options.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * assertEquals(checkChoice("byte", ["byte", "message"], "byte", "mode", "Cannot listen"), "byte");
 * assertEquals(checkChoice(undefined, ["byte", "message"], "byte", "mode", "Cannot listen"), "byte");
 * assertThrows(
 *   () => checkChoice("toString", ["byte", "message"], "byte", "mode", "Cannot listen"),
 *   TypeError,
 *   'mode must be "byte" or "message"',
 * );
 * ```
 *
 * @param value The option's value.
 * @param choices The words allowed.
 * @param fallback What `undefined` means.
 * @param option The option's name, for the message.
 * @param what The operation, for the message (`Cannot listen on named pipe "x"`).
 * @returns The value, or the fallback.
 * @throws {TypeError} If the value is not one of the choices.
 */
export function checkChoice<const T extends string>(
  value: unknown,
  choices: readonly T[],
  fallback: T,
  option: string,
  what: string,
): T {
  if (value === undefined) return fallback;
  for (const choice of choices) if (value === choice) return choice;
  const list = choices.map((c) => `"${c}"`);
  const words = list.length > 1 ? `${list.slice(0, -1).join(", ")} or ${list.at(-1)}` : list[0];
  throw new TypeError(`${what}: ${option} must be ${words}, got ${describeValue(value)}`);
}

/**
 * Checks an integer option within bounds; `undefined` means the fallback.
 * One message everywhere: `WHAT: NAME must be an integer from MIN to MAX,
 * got VALUE`.
 *
 * @example
 * ```ts
 * import { checkInteger } from "./options.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * assertEquals(checkInteger(undefined, 10, 0, 1000, "retries", "Cannot read"), 10);
 * assertThrows(
 *   () => checkInteger(1.5, 10, 0, 1000, "retries", "Cannot read"),
 *   RangeError,
 *   "Cannot read: retries must be an integer from 0 to 1000, got 1.5",
 * );
 * ```
 *
 * @param value The option's value.
 * @param fallback What `undefined` means.
 * @param min The smallest value allowed.
 * @param max The largest value allowed.
 * @param name The option's name, for the message.
 * @param what The operation, for the message.
 * @returns The value, or the fallback.
 * @throws {RangeError} If the value is not an integer from `min` to `max`.
 */
export function checkInteger(
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  name: string,
  what: string,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new RangeError(
      `${what}: ${name} must be an integer from ${min} to ${max}, got ${describeValue(value)}`,
    );
  }
  return value as number;
}
