// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { encode as encodePng } from "fast-png";
import { checkImage, decodeDib, encodeDib, encodeDibV5 } from "./_image.ts";
import { decodeImagePng, encodeImagePng } from "./_png.ts";

function image(width: number, height: number, alpha = true) {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = (i * 3) & 255;
    data[i + 1] = (i * 5 + 1) & 255;
    data[i + 2] = (i * 7 + 2) & 255;
    data[i + 3] = alpha ? (i * 11 + 3) & 255 : 255;
  }
  return { width, height, data, hasAlpha: alpha };
}

/** A DIB made by hand: header fields, then the given bytes after the 40-byte header. */
function dib(
  width: number,
  height: number,
  bits: number,
  compression: number,
  rest: number[],
  clrUsed = 0,
) {
  const out = new Uint8Array(40 + rest.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 40, true);
  v.setInt32(4, width, true);
  v.setInt32(8, height, true);
  v.setUint16(12, 1, true);
  v.setUint16(14, bits, true);
  v.setUint32(16, compression, true);
  v.setUint32(32, clrUsed, true);
  out.set(rest, 40);
  return out;
}

Deno.test("clipboard: CF_DIBV5 and CF_DIB round-trip RGBA with straight alpha, rows bottom-up", () => {
  const img = image(5, 3);
  for (const encode of [encodeDibV5, encodeDib]) assertEquals(decodeDib(encode(img)), img);
  const v5 = encodeDibV5(img);
  const v = new DataView(v5.buffer);
  assertEquals([
    v.getUint32(0, true),
    v.getInt32(8, true),
    v.getUint16(14, true),
    v.getUint32(16, true),
  ], [124, 3, 32, 3]);
  assertEquals(v.getUint32(52, true), 0xff000000);
  // The first stored row is the bottom one: pixel (0, 2) in BGRA.
  const bottom = 2 * 5 * 4;
  assertEquals(Array.from(v5.subarray(124, 128)), [
    img.data[bottom + 2],
    img.data[bottom + 1],
    img.data[bottom],
    img.data[bottom + 3],
  ]);
});

Deno.test("clipboard: decodeDib(): 24-bit, top-down, 8-bit palette, 16-bit 565 bitfields, 32-bit zero alpha", () => {
  // 2x1 24-bit: rows padded to 4 bytes; BGR blue, red.
  assertEquals(
    decodeDib(dib(2, 1, 24, 0, [255, 0, 0, 0, 0, 255, 0, 0])).data,
    new Uint8Array([0, 0, 255, 255, 255, 0, 0, 255]),
  );
  // Top-down 1x2 32-bit with every alpha 0: read as opaque.
  const topDown = decodeDib(dib(1, -2, 32, 0, [1, 2, 3, 0, 4, 5, 6, 0]));
  assertEquals(topDown, {
    width: 1,
    height: 2,
    data: new Uint8Array([3, 2, 1, 255, 6, 5, 4, 255]),
    hasAlpha: false,
  });
  // 8-bit with a two-colour table.
  const palette = [0, 0, 255, 0, 0, 255, 0, 0];
  assertEquals(
    decodeDib(dib(2, 1, 8, 0, [...palette, 1, 0, 0, 0], 2)).data,
    new Uint8Array([0, 255, 0, 255, 255, 0, 0, 255]),
  );
  // 16-bit BI_BITFIELDS 565: masks after the header, then one white pixel.
  const masks = [0x00, 0xf8, 0, 0, 0xe0, 0x07, 0, 0, 0x1f, 0, 0, 0];
  assertEquals(
    decodeDib(dib(1, 1, 16, 3, [...masks, 0xff, 0xff, 0, 0])).data,
    new Uint8Array([255, 255, 255, 255]),
  );
});

Deno.test("clipboard: decodeDib() refuses what it cannot read, saying why", () => {
  assertThrows(() => decodeDib(new Uint8Array(10)), TypeError, "shorter than a BITMAPINFOHEADER");
  assertThrows(() => decodeDib(dib(1, 1, 32, 5, [0, 0, 0, 0])), TypeError, "compression 5");
  assertThrows(() => decodeDib(dib(4, 4, 32, 0, [0, 0])), TypeError, "pixels are shorter");
  assertThrows(() => decodeDib(dib(0, 1, 32, 0, [])), TypeError, "size 0 x 1");
});

Deno.test("clipboard: decodeImagePng() refuses a header over 16384 x 16384 pixels before decoding", () => {
  const png = encodeImagePng({ width: 1, height: 1, data: new Uint8Array(4), hasAlpha: true });
  const sizes: [number, number][] = [[17000, 17000], [0xffffffff, 1], [1, 16384 * 16384 + 1]];
  for (const [width, height] of sizes) {
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    view.setUint32(16, width);
    view.setUint32(20, height);
    assertThrows(
      () => decodeImagePng(png),
      Deno.errors.InvalidData,
      `declares ${width} x ${height} pixels`,
    );
  }
});

Deno.test("clipboard: PNG: round trip with alpha, opaque as RGB; grey, grey+alpha, 16-bit and palette read", () => {
  const img = image(4, 3);
  assertEquals(decodeImagePng(encodeImagePng(img)), img);
  const opaque = image(3, 2, false);
  const png = encodeImagePng(opaque);
  assertEquals(png[25], 2); // colour type 2: RGB
  assertEquals(decodeImagePng(png), opaque);
  const grey = decodeImagePng(
    encodePng({ width: 2, height: 1, data: new Uint8Array([0, 200]), channels: 1 }),
  );
  assertEquals(grey.data, new Uint8Array([0, 0, 0, 255, 200, 200, 200, 255]));
  const greyAlpha = decodeImagePng(
    encodePng({ width: 1, height: 1, data: new Uint8Array([9, 7]), channels: 2 }),
  );
  assertEquals(greyAlpha, {
    width: 1,
    height: 1,
    data: new Uint8Array([9, 9, 9, 7]),
    hasAlpha: true,
  });
  const deep = decodeImagePng(
    encodePng({
      width: 1,
      height: 1,
      data: new Uint16Array([0x1234, 0xabcd, 0xffff, 0x8000]),
      channels: 4,
      depth: 16,
    }),
  );
  assertEquals(deep.data, new Uint8Array([0x12, 0xab, 0xff, 0x80]));
  const indexed = decodeImagePng(
    encodePng({
      width: 2,
      height: 1,
      data: new Uint8Array([1, 0]),
      channels: 1,
      depth: 8,
      palette: [[1, 2, 3], [4, 5, 6]],
    }),
  );
  assertEquals(indexed.data, new Uint8Array([4, 5, 6, 255, 1, 2, 3, 255]));
  assertThrows(() => decodeImagePng(new Uint8Array([1, 2, 3])), TypeError, "PNG");
});

Deno.test("clipboard: checkImage() describes what is wrong", () => {
  assertThrows(() => checkImage(null, "w"), TypeError, "image must be an object, got null");
  assertThrows(
    () => checkImage({ width: 0, height: 1, data: new Uint8Array() }, "w"),
    RangeError,
    "image.width",
  );
  assertThrows(
    () => checkImage({ width: 1, height: 1, data: [1, 2, 3, 4] }, "w"),
    TypeError,
    "Uint8Array",
  );
  assertThrows(
    () => checkImage({ width: 1, height: 1, data: new Uint8Array(3) }, "w"),
    RangeError,
    "4 bytes",
  );
  assertEquals(
    checkImage({ width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]) }, "w").hasAlpha,
    false,
  );
});

Deno.test("image: PNG (native zlib) and 32-bit DIBs round-trip odd sizes, with and without alpha", () => {
  for (const hasAlpha of [true, false]) {
    const width = 37, height = 23;
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < data.length; i++) {
      data[i] = i % 4 === 3 ? (hasAlpha ? (i * 13) & 255 : 255) : (i * 31 + 7) & 255;
    }
    if (hasAlpha) data[3] = 0; // at least one pixel not opaque
    const image = { width, height, data, hasAlpha };
    assertEquals(decodeImagePng(encodeImagePng(image)), image);
    assertEquals(decodeDib(encodeDibV5(image)), image);
    assertEquals(decodeDib(encodeDib(image)), image);
  }
});
