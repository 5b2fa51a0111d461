// Copyright 2026 the winipc authors. MIT license.
/**
 * PNG, the clipboard's registered `PNG` format: written with `node:zlib`
 * (Deno's native zlib), read with fast-png. Loaded on first use (a dynamic
 * import, which `deno compile` still embeds): fast-png and `node:zlib` cost
 * about 80 ms to load under Wine, which a program that copies only text
 * should not pay.
 *
 * @module
 */
import { decode as decodePng } from "fast-png";
import { crc32, deflateSync } from "node:zlib";
import {
  type ClipboardImage,
  IHDR,
  MAX_IMAGE_PIXELS,
  PNG_SIGNATURE,
  withAlphaFlag,
} from "./_image.ts";

/**
 * Encodes an image as PNG: 8-bit RGBA, or RGB when it is opaque, every row
 * unfiltered, compressed with `node:zlib` (Deno's native zlib) at its fastest level (a
 * clipboard image is made to be read back soon, not stored).
 *
 * @param image A checked image.
 * @returns The PNG file's bytes.
 */
export function encodeImagePng(image: ClipboardImage): Uint8Array {
  const { width, height, data } = image;
  const channels = image.hasAlpha ? 4 : 3;
  const stride = width * channels + 1;
  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    // Filter byte 0 (none), then the row.
    const row = data.subarray(y * width * 4, (y + 1) * width * 4);
    if (channels === 4) raw.set(row, y * stride + 1);
    else {
      for (let s = 0, d = y * stride + 1; s < row.length; s += 4, d += 3) {
        raw[d] = row[s]!;
        raw[d + 1] = row[s + 1]!;
        raw[d + 2] = row[s + 2]!;
      }
    }
  }
  const header = new Uint8Array(13);
  const h = new DataView(header.buffer);
  h.setUint32(0, width);
  h.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 4 ? 6 : 2; // RGBA or RGB
  const idat = new Uint8Array(deflateSync(raw, { level: 1 }));
  const chunks = [chunk("IHDR", header), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(PNG_SIGNATURE);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)) >>> 0);
  return out;
}

/**
 * Decodes a PNG file (any bit depth, grey, grey+alpha, RGB, RGBA, indexed,
 * `tRNS` transparency) into a {@linkcode ClipboardImage}; 16-bit samples
 * keep their high byte.
 *
 * @example
 * ```ts
 * import { decodeImagePng, encodeImagePng } from "./_png.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const image = { width: 1, height: 1, data: new Uint8Array([1, 2, 3, 4]), hasAlpha: true };
 * assertEquals(decodeImagePng(encodeImagePng(image)), image);
 * ```
 *
 * @param bytes The PNG file.
 * @param subject What is decoded, for messages (default: the
 *   clipboard's PNG).
 * @returns The image.
 * @throws {Deno.errors.InvalidData} If its header declares more than
 * {@linkcode MAX_IMAGE_PIXELS} pixels (refused before anything is decoded).
 * @throws {TypeError} If it is not a PNG fast-png can decode.
 */
export function decodeImagePng(
  bytes: Uint8Array,
  subject = "the clipboard's PNG",
): ClipboardImage {
  // A few kilobytes of PNG can declare gigabytes of pixels: read the size
  // from the header (the signature, then IHDR: width and height, big-endian)
  // and refuse an image too large before decoding any of it.
  if (bytes.length >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (v.getUint32(12) === IHDR) {
      const width = v.getUint32(16), height = v.getUint32(20);
      if (width * height > MAX_IMAGE_PIXELS) {
        throw new Deno.errors.InvalidData(
          `Cannot decode ${subject}: it declares ${width} x ${height} pixels, more than the limit of ${MAX_IMAGE_PIXELS} (16384 x 16384)`,
        );
      }
    }
  }
  let png;
  try {
    png = decodePng(bytes);
  } catch (error) {
    throw new TypeError(`Cannot decode ${subject}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const { width, height, depth } = png;
  const out = new Uint8Array(width * height * 4);
  if (png.palette !== undefined) {
    const palette = png.palette;
    const perRow = Math.ceil((width * depth) / 8);
    const raw = png.data as Uint8Array;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const bit = x * depth;
        const byte = raw[y * perRow + (bit >> 3)]!;
        const index = depth === 8 ? byte : (byte >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        const color = palette[index] ?? [0, 0, 0, 0];
        const d = (y * width + x) * 4;
        out[d] = color[0] ?? 0;
        out[d + 1] = color[1] ?? 0;
        out[d + 2] = color[2] ?? 0;
        out[d + 3] = color[3] ?? png.transparency?.[index] ?? 255;
      }
    }
  } else {
    const channels = png.channels;
    const data = png.data;
    const max = (1 << depth) - 1;
    const rowSamples = width * channels;
    const perRow = depth < 8 ? Math.ceil((rowSamples * depth) / 8) : rowSamples;
    const sample = (y: number, i: number): number => {
      if (depth === 16) return (data[y * rowSamples + i]! >> 8) & 0xff;
      if (depth === 8) return data[y * rowSamples + i]!;
      const bit = i * depth;
      const byte = data[y * perRow + (bit >> 3)]!;
      return Math.round((((byte >> (8 - depth - (bit & 7))) & max) * 255) / max);
    };
    const raw = (y: number, i: number): number => {
      if (depth === 8) return data[y * rowSamples + i]!;
      if (depth === 16) return data[y * rowSamples + i]!;
      const bit = i * depth;
      return (data[y * perRow + (bit >> 3)]! >> (8 - depth - (bit & 7))) & max;
    };
    const key = png.transparency !== undefined && png.transparency.length > 0
      ? png.transparency
      : undefined;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const s = x * channels;
        const d = (y * width + x) * 4;
        const grey = channels <= 2;
        out[d] = sample(y, s);
        out[d + 1] = grey ? out[d]! : sample(y, s + 1);
        out[d + 2] = grey ? out[d]! : sample(y, s + 2);
        if (channels === 2 || channels === 4) out[d + 3] = sample(y, s + channels - 1);
        else {
          let transparent = key !== undefined;
          for (let c = 0; transparent && c < channels; c++) {
            if (raw(y, s + c) !== key![c]) transparent = false;
          }
          out[d + 3] = transparent ? 0 : 255;
        }
      }
    }
  }
  return withAlphaFlag(width, height, out);
}
