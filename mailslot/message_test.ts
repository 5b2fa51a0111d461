// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { messageBytes } from "./_message.ts";
import { MAX_REMOTE_MESSAGE } from "./writer.ts";

Deno.test("messageBytes() checks the 424-byte limit of remote messages before sending", () => {
  const path = "\\\\*\\mailslot\\jobs";
  assertEquals(messageBytes(path, new Uint8Array(424), MAX_REMOTE_MESSAGE).length, 424);
  assertThrows(
    () => messageBytes(path, new Uint8Array(425), MAX_REMOTE_MESSAGE),
    RangeError,
    "at most 424 bytes, this one is 425",
  );
  // UTF-8 bytes count, not characters: 213 two-byte characters are 426 bytes.
  assertThrows(() => messageBytes(path, "é".repeat(213), MAX_REMOTE_MESSAGE), RangeError, "426");
  // Local slots have no such limit (only their own maximum).
  assertEquals(messageBytes("\\\\.\\mailslot\\jobs", new Uint8Array(10_000)).length, 10_000);
  assertEquals(messageBytes(path, "hi", MAX_REMOTE_MESSAGE), new Uint8Array([104, 105]));
  assertThrows(
    () => messageBytes(path, 5 as unknown as string, MAX_REMOTE_MESSAGE),
    TypeError,
    "Uint8Array or a string",
  );
  assertEquals(MAX_REMOTE_MESSAGE, 424);
});
