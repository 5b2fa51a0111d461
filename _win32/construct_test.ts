// Copyright 2026 the winipc authors. MIT license.
// One way to refuse `new` (./construct.ts), used by every public class.
import { assertEquals, assertThrows } from "@std/assert";
import * as winipc from "../mod.ts";
import { checkConstruct, CONSTRUCT } from "./construct.ts";

/** Public classes whose constructor is public by design, and why. */
const CONSTRUCTIBLE: Record<string, string> = {
  Win32Error: "an error class, made like any Error",
  "clipboard.ClipboardWatcher": "watch() is its shorthand; new ClipboardWatcher() starts watching",
};

function publicClasses(): [string, new (...args: unknown[]) => unknown][] {
  const exports: [string, unknown][] = [
    ...Object.entries(winipc),
    ...Object.entries(winipc.clipboard).map(([name, value]): [string, unknown] => [
      `clipboard.${name}`,
      value,
    ]),
  ];
  return exports.filter((entry): entry is [string, new (...args: unknown[]) => unknown] => {
    const [, value] = entry;
    return typeof value === "function" &&
      Function.prototype.toString.call(value).startsWith("class");
  });
}

Deno.test("checkConstruct() lets the package's key through and nothing else", () => {
  checkConstruct(CONSTRUCT, "use f()");
  for (const key of [undefined, null, Symbol("winipc: made by the package"), {}, "key"]) {
    assertThrows(() => checkConstruct(key, "use f()"), TypeError, "Illegal constructor: use f()");
  }
});

Deno.test("every public class refuses new from outside the package, the same way", () => {
  const classes = publicClasses();
  assertEquals(classes.length, 23, classes.map(([name]) => name).join(", "));
  for (const [name, Class] of classes) {
    if (name in CONSTRUCTIBLE) continue;
    for (const args of [[], [Symbol("winipc: made by the package")], [undefined, {}]]) {
      assertThrows(() => new Class(...args), TypeError, "Illegal constructor: ", name);
    }
  }
});
