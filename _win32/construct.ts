// Copyright 2026 the winipc authors. MIT license.
/**
 * How a public class refuses `new` from outside the package: its
 * constructor's first parameter is {@linkcode CONSTRUCT}, a symbol only
 * package code holds, checked with {@linkcode checkConstruct} (as Deno's
 * own runtime classes check an illegal-constructor key). Package code
 * makes instances with `new X(CONSTRUCT, ...)`, from any of its files;
 * the constructor is marked `@ignore`, so documentation shows none.
 *
 * ```ts
 * import { checkConstruct, CONSTRUCT, type ConstructKey } from "./construct.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * class Thing {
 *   readonly value: number;
 *
 *   // Documented with `@ignore` only: users see no constructor.
 *   constructor(key: ConstructKey, value: number) {
 *     checkConstruct(key, "use makeThing()");
 *     this.value = value;
 *   }
 * }
 *
 * assertEquals(new Thing(CONSTRUCT, 1).value, 1); // package code
 * assertThrows(() => new Thing(Symbol() as ConstructKey, 1), TypeError, "use makeThing()");
 * ```
 *
 * @module
 */

/** The key a public class's constructor asks for; nothing outside the package holds it. */
export const CONSTRUCT: unique symbol = Symbol("winipc: made by the package");

/** The type of {@linkcode CONSTRUCT}: the first parameter of every public class's constructor. */
export type ConstructKey = typeof CONSTRUCT;

/**
 * Refuses a constructor call that did not come from package code.
 *
 * @example
 * ```ts
 * import { checkConstruct, CONSTRUCT } from "./construct.ts";
 * import { assertThrows } from "@std/assert";
 *
 * checkConstruct(CONSTRUCT, "use createMailslot()");
 * assertThrows(
 *   () => checkConstruct(Symbol("winipc: made by the package"), "use createMailslot()"),
 *   TypeError,
 *   "Illegal constructor: use createMailslot()",
 * );
 * ```
 *
 * @param key The constructor's first argument.
 * @param hint Where instances come from, for the message (`use createMailslot()`).
 * @throws {TypeError} Unless `key` is {@linkcode CONSTRUCT}.
 */
export function checkConstruct(key: unknown, hint: string): void {
  if (key !== CONSTRUCT) throw new TypeError(`Illegal constructor: ${hint}`);
}
