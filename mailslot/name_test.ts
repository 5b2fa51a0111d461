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
});

Deno.test("mailslotPath() says what is wrong with a bad name", () => {
  assertThrows(() => mailslotPath("", "open"), TypeError, "empty");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => mailslotPath(7 as any, "open"), TypeError, "must be a string");
  assertThrows(() => mailslotPath("\\\\.\\pipe\\x", "open"), TypeError, "\\mailslot\\NAME");
  assertThrows(() => mailslotPath("\\\\*\\mailslot\\x", "create"), TypeError, "this computer");
  assertThrows(() => mailslotPath("\\\\.\\mailslot\\", "create"), TypeError, "is empty");
  assertThrows(() => mailslotPath("a\\\\b", "open"), TypeError, "empty part");
  assertThrows(() => mailslotPath("a?b", "open"), TypeError, "<>");
  assertThrows(() => mailslotPath("a\0b", "open"), TypeError, "control");
  assertThrows(() => mailslotPath("x".repeat(300), "open"), TypeError, "256");
});
