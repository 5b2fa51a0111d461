// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import {
  decodeFileList,
  decodeHtml,
  decodeRtf,
  decodeText,
  encodeFileList,
  encodeHtml,
  encodeRtf,
  encodeText,
  isAbsoluteWindowsPath,
  standardFormatName,
} from "./_formats.ts";

Deno.test("clipboard: encodeText() keeps every code unit, line ends and lone surrogates, and ends with NUL", () => {
  for (
    const text of ["", "a\r\nb\nc\r", "𝄞 日本 é", "\uD800x\uDC00", "\uFEFFbom", "x".repeat(20_000)]
  ) {
    const bytes = encodeText(text, "test");
    assertEquals(bytes.length, (text.length + 1) * 2);
    assertEquals(bytes.subarray(-2), new Uint8Array([0, 0]));
    assertEquals(decodeText(bytes), text);
  }
});

Deno.test("clipboard: encodeText() refuses a NUL and non-strings, saying where", () => {
  assertThrows(() => encodeText("ab\0c", "Cannot write"), TypeError, "NUL character at index 2");
  assertThrows(() => encodeText(1, "Cannot write"), TypeError, "text must be a string, got 1");
});

Deno.test("clipboard: decodeText() stops at the first NUL, or the end, or an odd last byte", () => {
  assertEquals(decodeText(new Uint8Array([0x61, 0, 0, 0, 0x62, 0])), "a");
  assertEquals(decodeText(new Uint8Array([0x61, 0, 0x62, 0])), "ab");
  assertEquals(decodeText(new Uint8Array([0x61, 0, 0x62])), "a");
  assertEquals(decodeText(new Uint8Array()), "");
});

Deno.test("clipboard: encodeHtml() writes UTF-8 byte offsets that point at the markers", () => {
  const fragment = "<b>Grüße 日本 𝄞</b>";
  const url = "https://e.test/ü";
  const bytes = encodeHtml(fragment, url, "test");
  assertEquals(bytes.at(-1), 0);
  const text = new TextDecoder().decode(bytes.subarray(0, -1));
  const field = (name: string) => Number(text.match(new RegExp(`${name}:(\\d{10})`))![1]);
  const utf8 = new TextEncoder().encode(text);
  const at = (needle: string) => {
    const n = new TextEncoder().encode(needle);
    for (let i = 0; i + n.length <= utf8.length; i++) {
      if (n.every((b, k) => utf8[i + k] === b)) return i;
    }
    return -1;
  };
  assertEquals(field("StartHTML"), at("<html>"));
  assertEquals(field("EndHTML"), utf8.length);
  assertEquals(field("StartFragment"), at("<!--StartFragment-->") + 20);
  assertEquals(field("EndFragment"), at("<!--EndFragment-->"));
  assertEquals(
    new TextDecoder().decode(utf8.subarray(field("StartFragment"), field("EndFragment"))),
    fragment,
  );
  assertEquals(decodeHtml(bytes), {
    html: fragment,
    fullHtml: `<html><body>\r\n<!--StartFragment-->${fragment}<!--EndFragment-->\r\n</body></html>`,
    sourceUrl: url,
  });
});

Deno.test("clipboard: encodeHtml() refuses NULs, non-strings and a source URL with a line break", () => {
  assertThrows(() => encodeHtml("a\0", undefined, "w"), TypeError, "NUL");
  assertThrows(() => encodeHtml(null, undefined, "w"), TypeError, "got null");
  assertThrows(() => encodeHtml("a", "x\r\nEvil:1", "w"), TypeError, "line break");
  assertThrows(() => encodeHtml("a", 3, "w"), TypeError, "sourceUrl must be a string");
});

Deno.test("clipboard: decodeHtml() reads other writers: StartHTML -1, markers only, not HTML Format", () => {
  const encoder = new TextEncoder();
  const body = "<html><body><!--StartFragment-->é<!--EndFragment--></body></html>";
  const header = (sf: number, ef: number) =>
    `Version:1.0\r\nStartHTML:-1\r\nEndHTML:-1\r\nStartFragment:${
      String(sf).padStart(8, "0")
    }\r\nEndFragment:${String(ef).padStart(8, "0")}\r\n`;
  const h = header(0, 0).length;
  const sf = h + body.indexOf("é");
  const doc = header(sf, sf + 2) + body;
  assertEquals(decodeHtml(encoder.encode(doc)), { html: "é" });
  // Offsets out of range: the markers decide.
  assertEquals(decodeHtml(encoder.encode(header(9999, 99999) + body)), { html: "é" });
  assertEquals(decodeHtml(encoder.encode("<b>plain html</b>")), null);
});

Deno.test("clipboard: encodeRtf()/decodeRtf() map each character to one byte and refuse wider ones", () => {
  const rtf = "{\\rtf1 caf\u00e9 \\u26085?}";
  const bytes = encodeRtf(rtf, "test");
  assertEquals(bytes.length, rtf.length + 1);
  assertEquals(bytes[10], 0xe9);
  assertEquals(decodeRtf(bytes), rtf);
  assertThrows(() => encodeRtf("日", "w"), TypeError, "U+65E5 at index 0");
});

Deno.test("clipboard: encodeFileList() writes DROPFILES with fWide and refuses relative paths", () => {
  const paths = ["C:\\a\\été.txt", "D:/x/日本.doc", "\\\\server\\share\\𝄞"];
  const bytes = encodeFileList(paths, "test");
  const view = new DataView(bytes.buffer);
  assertEquals(view.getUint32(0, true), 20);
  assertEquals(view.getUint32(16, true), 1);
  assertEquals(bytes.subarray(-4), new Uint8Array(4));
  assertEquals(decodeFileList(bytes), paths);
  assertThrows(() => encodeFileList(["a\\b"], "w"), TypeError, "absolute");
  assertThrows(() => encodeFileList(["\\a"], "w"), TypeError, "absolute");
  assertThrows(() => encodeFileList([], "w"), RangeError, "empty");
  assertThrows(() => encodeFileList("C:\\a", "w"), TypeError, "array");
  assertThrows(() => encodeFileList(["C:\\a\0"], "w"), TypeError, "NUL");
});

Deno.test("clipboard: decodeFileList() reads ANSI lists as Windows-1252 and refuses short blocks", () => {
  const head = new Uint8Array(20);
  new DataView(head.buffer).setUint32(0, 20, true);
  const ansi = new Uint8Array([...head, 0x43, 0x3a, 0x5c, 0xe9, 0, 0x44, 0x3a, 0x5c, 0, 0]);
  assertEquals(decodeFileList(ansi), ["C:\\é", "D:\\"]);
  assertThrows(() => decodeFileList(new Uint8Array(10)), Deno.errors.InvalidData, "shorter");
  const lying = new Uint8Array(40);
  new DataView(lying.buffer).setUint32(0, 4000, true); // pFiles past the end
  assertThrows(() => decodeFileList(lying), Deno.errors.InvalidData, "outside its 40 bytes");
  new DataView(lying.buffer).setUint32(0, 4, true); // pFiles inside the header
  assertThrows(() => decodeFileList(lying), Deno.errors.InvalidData, "at 4");
});

Deno.test("clipboard: decodeFileList() refuses a last path the block cuts off, wide or ANSI", () => {
  const wide = encodeFileList(["C:\\a.txt", "C:\\b.txt"], "test");
  // Without the final NUL the list is still whole: each path ended with its own.
  assertEquals(decodeFileList(wide.subarray(0, -2)), ["C:\\a.txt", "C:\\b.txt"]);
  for (const cut of [4, 5, 6]) {
    assertThrows(
      () => decodeFileList(wide.subarray(0, -cut)),
      Deno.errors.InvalidData,
      "path 2 is not terminated",
    );
  }
  const head = new Uint8Array(20);
  new DataView(head.buffer).setUint32(0, 20, true);
  const ansi = new Uint8Array([...head, 0x43, 0x3a, 0x5c, 0x61, 0, 0x44, 0x3a, 0x5c, 0x62]);
  assertEquals(decodeFileList(ansi.subarray(0, -4)), ["C:\\a"]);
  assertThrows(() => decodeFileList(ansi), Deno.errors.InvalidData, "path 2 is not terminated");
});

Deno.test("clipboard: isAbsoluteWindowsPath() and standardFormatName()", () => {
  assertEquals(
    ["C:\\", "c:/x", "\\\\s\\x", "\\\\?\\C:\\x", "C:x", "\\x", "x"].map(isAbsoluteWindowsPath),
    [true, true, true, true, false, false, false],
  );
  assertEquals(
    [1, 8, 17, 0x80, 0x2ff, 0x300, 99].map(standardFormatName),
    [
      "CF_TEXT",
      "CF_DIB",
      "CF_DIBV5",
      "CF_OWNERDISPLAY",
      "CF_PRIVATEFIRST+255",
      "CF_GDIOBJFIRST+0",
      "#99",
    ],
  );
});
