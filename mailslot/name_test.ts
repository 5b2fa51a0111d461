// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { mailslotPath } from "./_name.ts";

Deno.test("mailslotPath() expands short names and keeps full ones", () => {
  assertEquals(mailslotPath("jobs", "create"), { path: "\\\\.\\mailslot\\jobs", local: true });
  assertEquals(mailslotPath("app\\jobs", "open").path, "\\\\.\\mailslot\\app\\jobs");
  assertEquals(mailslotPath("\\\\.\\MailSlot\\x", "create").local, true);
  assertEquals(mailslotPath("\\\\*\\mailslot\\x", "open"), {
    path: "\\\\*\\mailslot\\x",
    local: false,
  });
  assertEquals(mailslotPath("\\\\PC7\\mailslot\\x", "open").local, false);
  assertEquals(mailslotPath("\\\\WORKGROUP\\mailslot\\a\\b", "open").local, false);
  assertEquals(mailslotPath("\\\\corp.example.com\\mailslot\\x", "open").local, false);
});

Deno.test("mailslotPath() keeps legitimate names that look a little like paths", () => {
  for (const name of ["my.app.v2", "my app", "caf\u00e9 \u{1f600}", ".x", "a..b", "app\\v1.2"]) {
    assertEquals(mailslotPath(name, "create").path, `\\\\.\\mailslot\\${name}`);
    assertEquals(mailslotPath(name, "open").path, `\\\\.\\mailslot\\${name}`);
  }
});

Deno.test("mailslotPath() says what is wrong with a bad name", () => {
  assertThrows(() => mailslotPath("", "open"), TypeError, "empty");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => mailslotPath(7 as any, "open"), TypeError, "must be a string");
  assertThrows(() => mailslotPath("\\\\.\\pipe\\x", "open"), TypeError, "\\mailslot\\NAME");
  assertThrows(() => mailslotPath("\\\\*\\mailslot\\x", "create"), TypeError, "this computer");
  assertThrows(() => mailslotPath("\\\\.\\mailslot\\", "create"), TypeError, "is empty");
  assertThrows(() => mailslotPath("a\\\\b", "open"), TypeError, "empty segments");
  assertThrows(() => mailslotPath("a?b", "open"), TypeError, "<>");
  assertThrows(() => mailslotPath("a\0b", "open"), TypeError, "control");
  assertThrows(() => mailslotPath("x".repeat(300), "open"), TypeError, "256");
});

Deno.test("mailslotPath() refuses every name that could leave \\\\HOST\\mailslot\\", async (t) => {
  const SLASH = 'must not contain "/"';
  const DOTDOT = 'must not contain ".." segments';
  const DOT = 'must not contain "." segments';
  const EMPTY = "empty segments";
  const TRAILING = "must not end with a dot or a space";
  const CONTROL = "control characters";
  const HOST = "is not a computer or domain name";
  const cases: Array<[string, string]> = [
    ["a/../../x", SLASH],
    ["../../C:/windows/win.ini", SLASH],
    ["a/b", SLASH],
    ["..", DOTDOT],
    [".", DOT],
    ["a\\..\\..\\x", DOTDOT],
    ["..\\..\\C:\\x", DOTDOT],
    ["a\\.\\b", DOT],
    ["\\\\.\\mailslot\\..\\..\\x", DOTDOT],
    ["\\\\.\\mailslot\\a/b", SLASH],
    ["\\x", EMPTY],
    ["a\\", EMPTY],
    ["\\??\\C:\\x", EMPTY],
    ["x.", TRAILING],
    ["x ", TRAILING],
    ["...", TRAILING],
    ["a.\\b", TRAILING],
    ["a\tb", CONTROL],
    ["a\nb", CONTROL],
  ];
  for (const [name, message] of cases) {
    await t.step(JSON.stringify(name), () => {
      const error = assertThrows(() => mailslotPath(name, "open"), TypeError, message);
      assertEquals(error.message.startsWith(`Cannot open mailslot "${name}": `), true);
      assertThrows(() => mailslotPath(name, "create"), TypeError, message);
    });
  }
  // Full names whose host is not ".", "*" or a computer or domain name.
  const remote: Array<[string, string]> = [
    ["\\\\?\\mailslot\\x", HOST],
    ["\\\\..\\mailslot\\x", HOST],
    ["\\\\./x\\mailslot\\x", HOST],
    ["\\\\pc:1\\mailslot\\x", HOST],
    ["\\\\*\\mailslot\\..\\x", DOTDOT],
    ["\\\\PC7\\mailslot\\a/../../x", SLASH],
    ["\\\\WORKGROUP\\mailslot\\x.", TRAILING],
    ["\\\\?\\C:\\x", "\\mailslot\\NAME"],
    ["\\\\.\\C:\\windows\\win.ini", "\\mailslot\\NAME"],
  ];
  for (const [name, message] of remote) {
    await t.step(JSON.stringify(name), () => {
      assertThrows(() => mailslotPath(name, "open"), TypeError, message);
    });
  }
});

Deno.test("createMailslot() and openMailslot() check the name first", async (t) => {
  // The check comes before any call into Windows, so this runs on every OS.
  const { createMailslot, openMailslot } = await import("./mod.ts");
  const hostile = [
    "a/../../x",
    "a\\..\\..\\x",
    "../../C:/windows/win.ini",
    "\\\\.\\mailslot\\..\\..\\C:\\windows\\win.ini",
    "\\\\?\\mailslot\\x",
    "x ",
    "a\nb",
  ];
  for (const name of hostile) {
    await t.step(JSON.stringify(name), () => {
      assertThrows(() => createMailslot(name), TypeError, `Cannot create mailslot "${name}": `);
      assertThrows(() => openMailslot(name), TypeError, `Cannot open mailslot "${name}": `);
    });
  }
});
