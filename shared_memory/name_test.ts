// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { mappingName } from "./_name.ts";

Deno.test("mappingName() puts short names in Local\\ (or Global\\) and keeps full ones", () => {
  assertEquals(mappingName("state"), "Local\\state");
  assertEquals(mappingName("state", true), "Global\\state");
  assertEquals(mappingName("Global\\state"), "Global\\state");
  assertEquals(mappingName("local\\x"), "local\\x");
});

Deno.test("mappingName() keeps names the object manager reads literally", () => {
  // "/" and dots are ordinary characters in kernel object names.
  for (
    const name of ["my.app.v2", "my app", "a/b", "../x", "x.", "x ", "...", "caf\u00e9 \u{1f600}"]
  ) {
    assertEquals(mappingName(name), `Local\\${name}`);
    assertEquals(mappingName(`Global\\${name}`), `Global\\${name}`);
  }
  assertEquals(mappingName("GlobalState"), "Local\\GlobalState");
});

Deno.test("mappingName() says what is wrong with a bad name", () => {
  assertThrows(() => mappingName(""), TypeError, "empty");
  assertThrows(() => mappingName("Local\\"), TypeError, "nothing follows");
  assertThrows(() => mappingName("a\\b"), TypeError, "backslash");
  assertThrows(() => mappingName("a\0b"), TypeError, "NUL");
  assertThrows(() => mappingName("x".repeat(300)), TypeError, "260");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => mappingName(5 as any), TypeError, "string");
});

Deno.test("mappingName() refuses every name that could leave its namespace", async (t) => {
  const cases: Array<[string, string]> = [
    ["Local\\..\\Global\\x", "backslash"],
    ["..\\x", "backslash"],
    ["Local\\a\\b", "backslash"],
    ["\\??\\C:\\x", "backslash"],
    ["\\BaseNamedObjects\\x", "backslash"],
    ["Session\\1\\x", "backslash"],
    ["..", 'must not be ".."'],
    [".", 'must not be "."'],
    ["Local\\..", 'must not be ".."'],
    ["Global\\.", 'must not be "."'],
    ["Global", "links these names to other namespaces"],
    ["Local\\Global", "links these names to other namespaces"],
    ["Global\\local", "links these names to other namespaces"],
    ["Session", "links these names to other namespaces"],
    ["AppContainerNamedObjects", "links these names to other namespaces"],
    ["a\nb", "control characters"],
    ["Local\\a\x01", "control characters"],
  ];
  for (const [name, message] of cases) {
    await t.step(JSON.stringify(name), () => {
      const error = assertThrows(() => mappingName(name), TypeError, message);
      assertEquals(error.message.startsWith(`Invalid shared memory name "${name}": `), true);
    });
  }
});

Deno.test("mappingName() counts a reserve for derived names in the 260-character limit", () => {
  assertEquals(mappingName("x".repeat(254)).length, 260);
  assertEquals(mappingName("x".repeat(241), false, 13).length, 247);
  assertThrows(() => mappingName("x".repeat(242), false, 13), TypeError, "247 here");
});

Deno.test("shared memory and shared channels check the name first", async (t) => {
  // The check comes before any call into Windows, so this runs on every OS.
  const mod = await import("./mod.ts");
  const hostile = ["Local\\..\\Global\\x", "..", "Local\\Global", "Session\\1\\x", "a\tb"];
  for (const name of hostile) {
    await t.step(JSON.stringify(name), () => {
      const message = `Invalid shared memory name "${name}": `;
      assertThrows(() => mod.createSharedMemory(name, { size: 4096 }), TypeError, message);
      assertThrows(() => mod.openSharedMemory(name), TypeError, message);
      assertThrows(() => mod.openOrCreateSharedMemory(name, { size: 4096 }), TypeError, message);
      assertThrows(
        () => mod.createSharedChannel(name, { role: "sender" }),
        TypeError,
        message,
      );
      assertThrows(() => mod.openSharedChannel(name, { role: "receiver" }), TypeError, message);
    });
  }
  // The channel's events add 13 characters to the mapping's name.
  assertThrows(
    () => mod.createSharedChannel("x".repeat(242), { role: "sender" }),
    TypeError,
    "247 here",
  );
});
