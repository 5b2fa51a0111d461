// Copyright 2026 the winipc authors. MIT license.
/**
 * Clipboard images as bytes: `CF_DIB`/`CF_DIBV5` (device-independent
 * bitmaps) and the registered `"PNG"` format, to and from one pixel form,
 * {@linkcode ClipboardImage}. PNG coding is fast-png's; nothing here touches
 * Windows, so it is tested on every OS.
 *
 * @module
 */
import { describeValue } from "../_win32/options.ts";

/**
 * An image as winipc reads and writes it: `width` × `height` pixels, rows
 * top to bottom, 4 bytes a pixel in the order red, green, blue, alpha,
 * alpha straight (not premultiplied); 255 is opaque.
 */
export interface ClipboardImage {
  /** Pixels across, at least 1. */
  readonly width: number;
  /** Pixels down, at least 1. */
  readonly height: number;
  /** `width * height * 4` bytes: RGBA, top row first, straight alpha. */
  readonly data: Uint8Array;
  /**
   * Whether the source carried transparency (some pixel's alpha below 255).
   * An image read from a source with no alpha channel has every alpha 255
   * and `hasAlpha` false.
   */
  readonly hasAlpha: boolean;
}

/**
 * An image to write: a {@linkcode ClipboardImage} whose `hasAlpha` may be
 * left out (it is then worked out from the pixels; writing ignores it).
 */
export type ImageInput = Omit<ClipboardImage, "hasAlpha"> & { readonly hasAlpha?: boolean };

const BI_RGB = 0, BI_BITFIELDS = 3, BI_ALPHABITFIELDS = 6;
const LCS_SRGB = 0x73524742; // 'sRGB'
const LCS_GM_IMAGES = 4;

/** The largest image accepted, in pixels (a 16k × 16k image is 1 GiB of RGBA). */
export const MAX_IMAGE_PIXELS = 16384 * 16384;

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
export const IHDR = 0x49484452; // "IHDR"

/**
 * Checks an image given by a caller.
 *
 * @param image The value.
 * @param what The operation, for messages.
 * @returns The image, with `hasAlpha` computed when missing.
 * @throws {TypeError} Unless it has integer `width`, `height` and a
 * `Uint8Array` `data` of `width * height * 4` bytes.
 * @throws {RangeError} For sizes out of range.
 */
export function checkImage(image: unknown, what: string): ClipboardImage {
  if (typeof image !== "object" || image === null) {
    throw new TypeError(`${what}: image must be an object, got ${describeValue(image)}`);
  }
  const { width, height, data } = image as ClipboardImage;
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) {
      throw new RangeError(
        `${what}: image.${name} must be an integer from 1 to 65535, got ${describeValue(v)}`,
      );
    }
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new RangeError(`${what}: the image has more than ${MAX_IMAGE_PIXELS} pixels`);
  }
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`${what}: image.data must be a Uint8Array, got ${describeValue(data)}`);
  }
  if (data.length !== width * height * 4) {
    throw new RangeError(
      `${what}: image.data must be width * height * 4 = ${
        width * height * 4
      } bytes (RGBA), got ${data.length}`,
    );
  }
  let hasAlpha = false;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 255) {
      hasAlpha = true;
      break;
    }
  }
  return { width, height, data, hasAlpha };
}

/**
 * Encodes an image as a `CF_DIBV5` block: a `BITMAPV5HEADER` (124 bytes,
 * `BI_BITFIELDS`, masks R 0x00FF0000, G 0x0000FF00, B 0x000000FF, A
 * 0xFF000000, sRGB), then 32-bit BGRA rows bottom-up, straight alpha.
 *
 * @param image A checked image.
 * @returns The bytes.
 */
export function encodeDibV5(image: ClipboardImage): Uint8Array {
  const out = newDib(image, 124, BI_BITFIELDS);
  const v = new DataView(out.buffer);
  v.setUint32(40, 0x00ff0000, true);
  v.setUint32(44, 0x0000ff00, true);
  v.setUint32(48, 0x000000ff, true);
  v.setUint32(52, 0xff000000, true);
  v.setUint32(56, LCS_SRGB, true);
  v.setUint32(108, LCS_GM_IMAGES, true);
  writeBgraBottomUp(image, out, 124);
  return out;
}

/**
 * A 32-bit DIB of the image's size: the header fields `BITMAPINFOHEADER`
 * and `BITMAPV5HEADER` share (size, width, height with rows bottom-up,
 * one plane, 32 bits, compression, image size), the rest left 0.
 */
function newDib(image: ClipboardImage, headerSize: number, compression: number): Uint8Array {
  const pixels = image.width * image.height * 4;
  const out = new Uint8Array(headerSize + pixels);
  const v = new DataView(out.buffer);
  v.setUint32(0, headerSize, true);
  v.setInt32(4, image.width, true);
  v.setInt32(8, image.height, true);
  v.setUint16(12, 1, true);
  v.setUint16(14, 32, true);
  v.setUint32(16, compression, true);
  v.setUint32(20, pixels, true);
  return out;
}

/**
 * Encodes an image as a `CF_DIB` block: a `BITMAPINFOHEADER` (40 bytes,
 * `BI_RGB`, 32 bits), then BGRA rows bottom-up; the fourth byte holds the
 * alpha, which programs that know only opaque DIBs ignore.
 *
 * @param image A checked image.
 * @returns The bytes.
 */
export function encodeDib(image: ClipboardImage): Uint8Array {
  const out = newDib(image, 40, BI_RGB);
  writeBgraBottomUp(image, out, 40);
  return out;
}

function writeBgraBottomUp(image: ClipboardImage, out: Uint8Array, offset: number): void {
  const { width, height, data } = image;
  if (data.byteOffset % 4 === 0 && (out.byteOffset + offset) % 4 === 0) {
    // Four bytes at a time: RGBA and BGRA differ by the first and third
    // byte (every machine Deno runs on is little-endian).
    const from = new Uint32Array(data.buffer, data.byteOffset, width * height);
    const to = new Uint32Array(out.buffer, out.byteOffset + offset, width * height);
    for (let y = 0; y < height; y++) {
      let s = y * width;
      let d = (height - 1 - y) * width;
      for (const end = s + width; s < end; s++, d++) {
        const p = from[s]!;
        to[d] = (p & 0xff00ff00) | ((p & 0xff) << 16) | ((p >>> 16) & 0xff);
      }
    }
    return;
  }
  for (let y = 0; y < height; y++) {
    let s = y * width * 4;
    let d = offset + (height - 1 - y) * width * 4;
    for (let x = 0; x < width; x++, s += 4, d += 4) {
      out[d] = data[s + 2]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s]!;
      out[d + 3] = data[s + 3]!;
    }
  }
}

/** An image of these pixels, `hasAlpha` set when some pixel is not opaque. */
export function withAlphaFlag(width: number, height: number, data: Uint8Array): ClipboardImage {
  let hasAlpha = false;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 255) {
      hasAlpha = true;
      break;
    }
  }
  return { width, height, data, hasAlpha };
}

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/**
 * Whether a `CF_DIBV5` block has the plain layout: a `BITMAPV5HEADER`,
 * 32 bits, `BI_BITFIELDS` with the masks R 0x00FF0000, G 0x0000FF00,
 * B 0x000000FF and A 0xFF000000 (straight alpha, as the format defines it).
 *
 * @param bytes The block.
 * @returns True for that layout.
 */
export function isPlainDibV5(bytes: Uint8Array): boolean {
  if (bytes.length < 124) return false;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return v.getUint32(0, true) >= 124 && v.getUint16(14, true) === 32 &&
    v.getUint32(16, true) === BI_BITFIELDS && v.getUint32(40, true) === 0x00ff0000 &&
    v.getUint32(44, true) === 0x0000ff00 && v.getUint32(48, true) === 0x000000ff &&
    v.getUint32(52, true) === 0xff000000;
}

/**
 * Decodes a device-independent bitmap (`CF_DIB` or `CF_DIBV5`: a
 * `BITMAPINFOHEADER`, `BITMAPV4HEADER` or `BITMAPV5HEADER`, then masks or
 * a colour table, then the pixels) with 1, 4, 8, 16, 24 or 32 bits a pixel,
 * `BI_RGB`, `BI_BITFIELDS` or `BI_ALPHABITFIELDS`, rows bottom-up or
 * top-down.
 *
 * Alpha: a 32-bit bitmap's fourth byte (or its alpha mask) is taken as
 * straight alpha, unless every pixel's is 0: many programs leave that byte
 * 0 in opaque bitmaps, so such an image is read as opaque.
 *
 * @example
 * ```ts
 * import { decodeDib, encodeDibV5 } from "./_image.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const image = { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 128, 0, 0, 255, 255]), hasAlpha: true };
 * assertEquals(decodeDib(encodeDibV5(image)), image);
 * ```
 *
 * @param bytes The block.
 * @returns The image.
 * @throws {TypeError} For a compression or layout it does not handle, or a
 * block too short for its header.
 */
export function decodeDib(bytes: Uint8Array): ClipboardImage {
  const fail = (why: string): never => {
    throw new TypeError(`Cannot decode the clipboard's bitmap: ${why}`);
  };
  if (bytes.length < 40) fail("the block is shorter than a BITMAPINFOHEADER");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = v.getUint32(0, true);
  if (headerSize < 40 || headerSize > bytes.length) fail(`header size ${headerSize}`);
  const width = v.getInt32(4, true);
  const rawHeight = v.getInt32(8, true);
  const bits = v.getUint16(14, true);
  const compression = v.getUint32(16, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width < 1 || height < 1) fail(`size ${width} x ${rawHeight}`);
  if (width * height > MAX_IMAGE_PIXELS) fail(`more than ${MAX_IMAGE_PIXELS} pixels`);
  if (![1, 4, 8, 16, 24, 32].includes(bits)) fail(`${bits} bits a pixel`);
  if (![BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) {
    fail(`compression ${compression} (RLE, JPEG and PNG inside a DIB are not read)`);
  }
  let offset = headerSize;
  let masks: [number, number, number, number];
  if (compression === BI_RGB) {
    masks = bits === 16
      ? [0x7c00, 0x03e0, 0x001f, 0]
      : [0x00ff0000, 0x0000ff00, 0x000000ff, bits === 32 ? 0xff000000 : 0];
  } else if (headerSize >= 56 || (headerSize >= 52 && compression === BI_BITFIELDS)) {
    masks = [
      v.getUint32(40, true),
      v.getUint32(44, true),
      v.getUint32(48, true),
      headerSize >= 56 ? v.getUint32(52, true) : 0,
    ];
  } else {
    const n = compression === BI_ALPHABITFIELDS ? 4 : 3;
    if (offset + n * 4 > bytes.length) fail("the masks are missing");
    masks = [
      v.getUint32(offset, true),
      v.getUint32(offset + 4, true),
      v.getUint32(offset + 8, true),
      n === 4 ? v.getUint32(offset + 12, true) : 0,
    ];
    offset += n * 4;
  }
  let palette: Uint8Array | null = null;
  if (bits <= 8) {
    const used = v.getUint32(32, true);
    const count = used === 0 ? 1 << bits : Math.min(used, 1 << bits);
    if (offset + count * 4 > bytes.length) fail("the colour table is missing");
    palette = bytes.subarray(offset, offset + count * 4);
    offset += count * 4;
  } else if (compression === BI_RGB) {
    // A colour table may follow anyway (biClrUsed) as an optimisation hint.
    offset += v.getUint32(32, true) * 4;
  }
  const stride = Math.floor((width * bits + 31) / 32) * 4;
  if (offset + stride * height > bytes.length) fail("the pixels are shorter than the header says");
  const out = new Uint8Array(width * height * 4);
  const [rm, gm, bm, am] = masks.map(maskShift) as [
    ReturnType<typeof maskShift>,
    ReturnType<typeof maskShift>,
    ReturnType<typeof maskShift>,
    ReturnType<typeof maskShift>,
  ];
  if (
    bits === 32 && palette === null && masks[0] === 0x00ff0000 && masks[1] === 0x0000ff00 &&
    masks[2] === 0x000000ff && (masks[3] === 0xff000000 || masks[3] === 0) &&
    (bytes.byteOffset + offset) % 4 === 0
  ) {
    // The common layout (winipc's, arboard's, most programs'): four bytes
    // at a time, BGRA to RGBA.
    const from = new Uint32Array(bytes.buffer, bytes.byteOffset + offset, width * height);
    const to = new Uint32Array(out.buffer);
    const opaque = masks[3] === 0 ? 0xff000000 : 0;
    let alpha = 0;
    for (let row = 0; row < height; row++) {
      let s = row * width;
      let d = (topDown ? row : height - 1 - row) * width;
      for (const end = s + width; s < end; s++, d++) {
        const p = from[s]!;
        alpha |= p;
        to[d] = ((p & 0xff00ff00) | ((p & 0xff) << 16) | ((p >>> 16) & 0xff) | opaque) >>> 0;
      }
    }
    // An alpha byte 0 everywhere: an opaque bitmap whose writer left it 0.
    if (opaque === 0 && (alpha & 0xff000000) === 0) {
      for (let i = 3; i < out.length; i += 4) out[i] = 255;
    }
    return withAlphaFlag(width, height, out);
  }
  const scale = (value: number, m: { max: number }) =>
    m.max === 255 ? value : m.max === 0 ? 0 : Math.round((value * 255) / m.max);
  let alphaSeen = false;
  for (let row = 0; row < height; row++) {
    const y = topDown ? row : height - 1 - row;
    const base = offset + row * stride;
    for (let x = 0; x < width; x++) {
      const d = (y * width + x) * 4;
      if (palette !== null) {
        const bit = x * bits;
        const byte = bytes[base + (bit >> 3)]!;
        const index = bits === 8 ? byte : (byte >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
        out[d] = palette[index * 4 + 2] ?? 0;
        out[d + 1] = palette[index * 4 + 1] ?? 0;
        out[d + 2] = palette[index * 4] ?? 0;
        out[d + 3] = 255;
        continue;
      }
      if (bits === 24) {
        const s = base + x * 3;
        out[d] = bytes[s + 2]!;
        out[d + 1] = bytes[s + 1]!;
        out[d + 2] = bytes[s]!;
        out[d + 3] = 255;
        continue;
      }
      const pixel = bits === 32 ? v.getUint32(base + x * 4, true) : v.getUint16(base + x * 2, true);
      out[d] = scale((pixel & masks[0]) >>> rm.shift, rm);
      out[d + 1] = scale((pixel & masks[1]) >>> gm.shift, gm);
      out[d + 2] = scale((pixel & masks[2]) >>> bm.shift, bm);
      if (am.max === 0) out[d + 3] = 255;
      else {
        const a = scale((pixel & masks[3]) >>> am.shift, am);
        out[d + 3] = a;
        if (a !== 0) alphaSeen = true;
      }
    }
  }
  if (am.max !== 0 && !alphaSeen) { for (let i = 3; i < out.length; i += 4) out[i] = 255; }
  return withAlphaFlag(width, height, out);
}
