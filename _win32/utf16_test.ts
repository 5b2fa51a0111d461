// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { decodeUtf16le, decodeUtf16z, encodeUtf16le, encodeUtf16z } from "./utf16.ts";

Deno.test("encodeUtf16z() appends one NUL and copies code units", () => {
  assertEquals([...encodeUtf16z("")], [0]);
  assertEquals([...encodeUtf16z("Ab")], [0x41, 0x62, 0]);
});

Deno.test("UTF-16 round-trips non-ASCII text and surrogate pairs", async (t) => {
  const samples = [
    "\\\\.\\pipe\\caf\u00e9",
    "\u65e5\u672c\u8a9e\u306e\u540d\u524d",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "emoji \u{1f600} and \u{1f9d1}\u200d\u{1f4bb}",
    "\u{10ffff}\u{10000}",
  ];
  for (const text of samples) {
    await t.step(JSON.stringify(text), () => {
      const units = encodeUtf16z(text);
      assertEquals(units.length, text.length + 1);
      assertEquals(decodeUtf16z(units), text);
      assertEquals(decodeUtf16le(encodeUtf16le(text)), text);
      assertEquals(decodeUtf16le(encodeUtf16le(text, true), true), text);
    });
  }
});

Deno.test("a surrogate pair is two code units, high first", () => {
  assertEquals([...encodeUtf16z("\u{1f600}")], [0xd83d, 0xde00, 0]);
  assertEquals([...encodeUtf16le("\u{1f600}")], [0x3d, 0xd8, 0x00, 0xde]);
});

Deno.test("lone surrogates round-trip unchanged, as Windows names allow", () => {
  const text = "a\ud800b\udc00";
  assertEquals(decodeUtf16z(encodeUtf16z(text)), text);
  assertEquals(decodeUtf16le(encodeUtf16le(text)), text);
});

Deno.test("encodeUtf16z() rejects an embedded NUL with its index", () => {
  assertThrows(() => encodeUtf16z("ab\0c"), TypeError, "NUL character at index 2");
});

Deno.test("decodeUtf16z() stops at the first NUL; decodeUtf16le() checks its length", () => {
  assertEquals(decodeUtf16z(new Uint16Array([0x61, 0, 0x62])), "a");
  assertEquals(decodeUtf16z(new Uint16Array([0x61, 0x62])), "ab");
  assertEquals(decodeUtf16le(new Uint8Array([0x61, 0, 0, 0, 0x62, 0]), true), "a");
  assertEquals(decodeUtf16le(new Uint8Array([0x61, 0, 0, 0, 0x62, 0])), "a\0b");
  assertThrows(() => decodeUtf16le(new Uint8Array(3)), RangeError, "byte length 3 is odd");
});

Deno.test("long strings decode whole (past the chunk size)", () => {
  const text = "\u00e9\u{1f600}x".repeat(10_000);
  assertEquals(decodeUtf16z(encodeUtf16z(text)), text);
  assertEquals(decodeUtf16le(encodeUtf16le(text)), text);
});
