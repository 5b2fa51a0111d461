// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import {
  decodeText,
  decodeUtf8,
  dumpRows,
  encodeUtf16le,
  formatDump,
  parseDuration,
  parseHex,
  parseInteger,
  parseSize,
  progressLine,
} from "./_util.ts";
import { UsageError } from "./_command.ts";

Deno.test("parseDuration(): ms by default, units, Infinity; anything else is a usage error", () => {
  assertEquals(parseDuration("250", "timeout"), 250);
  assertEquals(parseDuration("1.5s", "timeout"), 1500);
  assertEquals(parseDuration("2m", "timeout"), 120_000);
  assertEquals(parseDuration("500ms", "hold", "s"), 500);
  assertEquals(parseDuration("3", "hold", "s"), 3000);
  assertEquals(parseDuration("Infinity", "timeout"), Infinity);
  for (const bad of ["-1", "", "5 sec", "NaN", "1e3"]) {
    assertThrows(() => parseDuration(bad, "timeout"), UsageError, "--timeout must be a duration");
  }
});

Deno.test("parseSize(): decimal, hex and binary suffixes", () => {
  assertEquals(parseSize("4096", "--size"), 4096);
  assertEquals(parseSize("0x1000", "--size"), 4096);
  assertEquals(parseSize("64k", "--size"), 65536);
  assertEquals(parseSize("64KiB", "--size"), 65536);
  assertEquals(parseSize("1m", "--size"), 1 << 20);
  assertEquals(parseSize("1G", "--size"), 1 << 30);
  assertThrows(() => parseSize("-1", "--size"), UsageError, "--size must be a number of bytes");
  assertThrows(() => parseSize("1.5k", "--size"), UsageError);
  assertThrows(() => parseSize("99999999999G", "--size"), UsageError, "too large");
});

Deno.test("parseInteger(): whole numbers in a range", () => {
  assertEquals(parseInteger("-5", "--reply", -10, 10), -5);
  assertThrows(() => parseInteger("11", "--reply", -10, 10), UsageError, "from -10 to 10");
  assertThrows(() => parseInteger("1.0", "--count", 1, 5), UsageError);
});

Deno.test("parseHex(): pairs of digits, with spaces, colons or dashes between bytes", () => {
  assertEquals(parseHex("de ad BE:ef-00"), new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0]));
  assertEquals(parseHex("0x0102"), new Uint8Array([1, 2]));
  assertEquals(parseHex(""), new Uint8Array(0));
  assertThrows(() => parseHex("abc"), UsageError, "pairs of hex digits");
  assertThrows(() => parseHex("zz"), UsageError);
});

Deno.test("dumpRows() and formatDump(): hexdump -C layout, identical rows folded", () => {
  const bytes = new Uint8Array(70);
  bytes.set(new TextEncoder().encode("hello"), 0);
  bytes[69] = 0x41;
  const rows = dumpRows(bytes, 0x100);
  assertEquals(rows.map((r) => [r.offset, r.repeat]), [[0x100, 0], [0x110, 2], [0x140, 0]]);
  assertEquals(formatDump(rows, 0x100 + 70), [
    "00000100  68 65 6c 6c 6f 00 00 00  00 00 00 00 00 00 00 00  |hello...........|",
    "00000110  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
    "*",
    "00000140  00 00 00 00 00 41                                 |.....A|",
    "00000146",
  ]);
  assertEquals(formatDump(dumpRows(new Uint8Array(0)), 0), ["00000000"]);
});

Deno.test("decodeText() drops one trailing NUL; encodeUtf16le() writes UTF-16LE units", () => {
  assertEquals(decodeText(new Uint8Array([104, 105, 0])), "hi");
  assertEquals(decodeText(new Uint8Array([104, 0, 0])), "h\0");
  const utf16 = encodeUtf16le("é𝄞");
  assertEquals(utf16, new Uint8Array([0xe9, 0, 0x34, 0xd8, 0x1e, 0xdd]));
  assertEquals(decodeText(new Uint8Array([...utf16, 0, 0]), "utf-16le"), "é𝄞");
});

Deno.test("decodeUtf8(): UTF-8 as text; anything else refused, naming the first bad byte", () => {
  const encoder = new TextEncoder();
  assertEquals(decodeUtf8(encoder.encode("héllo 𝄞"), "stdin"), "héllo 𝄞");
  assertEquals(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]), "stdin"), "a", "BOM dropped");
  assertEquals(decodeUtf8(encoder.encode("\ufffd"), "stdin"), "\ufffd", "U+FFFD itself is text");
  const cases: Array<[number[], string]> = [
    [[0x61, 0x62, 0xff, 0x63], "byte 0xff at offset 2"],
    [[0xc3, 0x28], "byte 0xc3 at offset 0"], // a lead byte without its continuation
    [[0x61, 0xe2, 0x82], "byte 0xe2 at offset 1"], // cut short at the end
    [[0xed, 0xa0, 0x80], "byte 0xed at offset 0"], // a surrogate, as CESU-8 writes it
    [[0xef, 0xbf, 0xbd, 0x80], "byte 0x80 at offset 3"], // after a real U+FFFD
    [[0xef, 0xbb, 0xbf, 0x61, 0xc0, 0xaf], "byte 0xc0 at offset 4"], // after a BOM; overlong
  ];
  for (const [bytes, where] of cases) {
    assertThrows(
      () => decodeUtf8(new Uint8Array(bytes), "line 3 of stdin"),
      Deno.errors.InvalidData,
      `Cannot read line 3 of stdin as text: it is not UTF-8 (${where})`,
    );
  }
});

Deno.test("progressLine(): bytes and rate", () => {
  assertEquals(progressLine("sent", 3 << 20, 2000), "sent 3.0 MiB (1.5 MiB/s)");
  assertEquals(progressLine("received", 512, 0), "received 512 B (0 B/s)");
});
