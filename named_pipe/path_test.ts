// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { pipePath } from "./_path.ts";

Deno.test("pipePath() expands short names and keeps full local paths", () => {
  assertEquals(pipePath("my-app", "listen"), "\\\\.\\pipe\\my-app");
  assertEquals(pipePath("caf\u00e9 \u{1f600}", "connect"), "\\\\.\\pipe\\caf\u00e9 \u{1f600}");
  assertEquals(pipePath("\\\\.\\pipe\\x\\y", "listen"), "\\\\.\\pipe\\x\\y");
  assertEquals(pipePath("\\\\.\\PIPE\\x", "listen"), "\\\\.\\PIPE\\x");
  assertEquals(pipePath("\\\\server\\pipe\\x", "connect"), "\\\\server\\pipe\\x");
});

Deno.test("pipePath() rejects bad names with a message that says what is wrong", async (t) => {
  const cases: Array<[string, "listen" | "connect", string]> = [
    ["", "listen", "name is empty"],
    ["a\0b", "connect", "NUL"],
    ["a\\b", "listen", "cannot contain a backslash"],
    ["\\\\.\\mailslot\\x", "connect", "must start with \\\\.\\pipe\\"],
    ["\\\\.\\pipe\\", "listen", "empty"],
    ["\\\\server\\pipe\\x", "listen", "only create local pipes"],
    ["x".repeat(300), "listen", "most Windows allows is 256"],
  ];
  for (const [name, use, message] of cases) {
    await t.step(JSON.stringify(name.slice(0, 20)), () => {
      assertThrows(() => pipePath(name, use), TypeError, message);
    });
  }
  assertThrows(() => pipePath(42 as unknown as string, "listen"), TypeError, "must be a string");
});
