// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { sidToString } from "./security.ts";

Deno.test("sidToString() writes the documented string form", () => {
  // S-1-5-18 (LocalSystem): revision 1, 1 sub-authority, authority 5.
  assertEquals(sidToString(new Uint8Array([1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0])), "S-1-5-18");
  // A user SID: S-1-5-21-1-2-4294967295-1001.
  const user = new Uint8Array(8 + 4 * 5);
  user.set([1, 5, 0, 0, 0, 0, 0, 5]);
  const view = new DataView(user.buffer);
  [21, 1, 2, 0xffff_ffff, 1001].forEach((sub, i) => view.setUint32(8 + 4 * i, sub, true));
  assertEquals(sidToString(user), "S-1-5-21-1-2-4294967295-1001");
  // An authority above 32 bits is written in hexadecimal.
  assertEquals(sidToString(new Uint8Array([1, 0, 1, 0, 0, 0, 0, 2])), "S-1-0x10000000002");
});

Deno.test("sidToString() rejects bytes that are not a SID", () => {
  assertThrows(() => sidToString(new Uint8Array(4)), TypeError, "Not a security identifier");
  assertThrows(() => sidToString(new Uint8Array([1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0])), TypeError);
});
