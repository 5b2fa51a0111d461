// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import {
  MAX_REMOTE_MESSAGE,
  messageBytes,
  openMailslot,
  type OpenMailslotOptions,
} from "./writer.ts";

Deno.test("messageBytes() checks the 424-byte limit of remote messages before sending", () => {
  const path = "\\\\*\\mailslot\\jobs";
  assertEquals(messageBytes(path, true, new Uint8Array(424)).length, 424);
  assertThrows(
    () => messageBytes(path, true, new Uint8Array(425)),
    RangeError,
    "at most 424 bytes, this one is 425",
  );
  // UTF-8 bytes count, not characters: 213 two-byte characters are 426 bytes.
  assertThrows(() => messageBytes(path, true, "é".repeat(213)), RangeError, "426");
  // Local slots have no such limit (only their own maximum).
  assertEquals(messageBytes("\\\\.\\mailslot\\jobs", false, new Uint8Array(10_000)).length, 10_000);
  assertEquals(messageBytes(path, true, "hi"), new Uint8Array([104, 105]));
  // deno-lint-ignore no-explicit-any
  assertThrows(() => messageBytes(path, true, 5 as any), TypeError, "Uint8Array or a string");
  assertEquals(MAX_REMOTE_MESSAGE, 424);
});

Deno.test("openMailslot() refuses another computer's or the domain's slot unless remote is true", () => {
  for (
    const name of [
      "\\\\*\\mailslot\\jobs",
      "\\\\PC7\\mailslot\\jobs",
      "\\\\corp.example.com\\mailslot\\a\\b",
    ]
  ) {
    assertThrows(
      () => openMailslot(name),
      TypeError,
      `Cannot open mailslot "${name}": it is on another computer or a domain`,
    );
    assertThrows(() => openMailslot(name, { remote: false }), TypeError, "pass { remote: true }");
  }
  for (const remote of ["yes", 1, null, "true"]) {
    assertThrows(
      () => openMailslot("\\\\*\\mailslot\\x", { remote } as unknown as OpenMailslotOptions),
      TypeError,
      "remote must be true or false",
    );
  }
  assertThrows(
    () => openMailslot("jobs", null as unknown as OpenMailslotOptions),
    TypeError,
    "options must be an object",
  );
  // With remote: true (and for local names) the check passes and the call
  // gets as far as Windows: on Linux, the library's NotSupported; not tried
  // on Windows, where it would reach for the domain.
  if (Deno.build.os !== "windows") {
    for (
      const [name, options] of [["\\\\*\\mailslot\\x", { remote: true }], ["jobs", {}]] as const
    ) {
      assertThrows(() => openMailslot(name, options), Deno.errors.NotSupported);
    }
  }
});
