// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { mappingName } from "./shared_memory.ts";

Deno.test("mappingName() puts short names in Local\\ (or Global\\) and keeps full ones", () => {
  assertEquals(mappingName("state"), "Local\\state");
  assertEquals(mappingName("state", true), "Global\\state");
  assertEquals(mappingName("Global\\state"), "Global\\state");
  assertEquals(mappingName("local\\x"), "local\\x");
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
