// Copyright 2026 the winipc authors. MIT license.
/**
 * UTF-16LE encoding and decoding for the W (wide) Win32 APIs.
 *
 * JavaScript strings are sequences of UTF-16 code units, like Windows strings,
 * so encoding copies code units one for one: surrogate pairs stay pairs, and a
 * lone surrogate (legal in Windows names and in JavaScript strings, not in
 * UTF-8) round-trips unchanged instead of becoming U+FFFD.
 *
 * @module
 */

/**
 * Encodes a string as UTF-16LE code units followed by one NUL, ready to pass
 * as an `LPCWSTR` argument.
 *
 * @example Encode a name
 * ```ts
 * import { encodeUtf16z } from "./utf16.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals([...encodeUtf16z("ab")], [0x61, 0x62, 0]);
 * ```
 *
 * @param text The string to encode. It must not contain NUL (U+0000), which
 * would end the string early for Windows.
 * @returns A NUL-terminated array of code units.
 * @throws {TypeError} If `text` contains U+0000.
 */
export function encodeUtf16z(text: string): Uint16Array {
  const out = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) {
      throw new TypeError(
        `Cannot pass string to Windows: it contains a NUL character at index ${i}`,
      );
    }
    out[i] = unit;
  }
  return out;
}

/**
 * Encodes a string as UTF-16LE bytes, without a terminator, for data (message
 * bodies, clipboard text) rather than API arguments.
 *
 * @example Encode text as bytes
 * ```ts
 * import { encodeUtf16le } from "./utf16.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals([...encodeUtf16le("é")], [0xe9, 0x00]);
 * ```
 *
 * @param text The string to encode.
 * @param terminate Append one NUL code unit (two zero bytes).
 * @returns The bytes, little-endian.
 */
export function encodeUtf16le(text: string, terminate = false): Uint8Array {
  const out = new Uint8Array((text.length + (terminate ? 1 : 0)) * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[2 * i] = unit & 0xff;
    out[2 * i + 1] = unit >> 8;
  }
  return out;
}

const CHUNK = 8192;

function unitsToString(units: Uint16Array): string {
  let text = "";
  for (let i = 0; i < units.length; i += CHUNK) {
    text += String.fromCharCode.apply(null, units.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return text;
}

/**
 * Decodes UTF-16 code units, stopping at the first NUL if there is one.
 *
 * @example Decode a wide string
 * ```ts
 * import { decodeUtf16z } from "./utf16.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(decodeUtf16z(new Uint16Array([0x68, 0x69, 0, 0x78])), "hi");
 * ```
 *
 * @param units The code units, for example a buffer an API filled in.
 * @returns The string before the first NUL, or all of it.
 */
export function decodeUtf16z(units: Uint16Array): string {
  const end = units.indexOf(0);
  return unitsToString(end === -1 ? units : units.subarray(0, end));
}

/**
 * Decodes UTF-16LE bytes (an odd trailing byte is an error), optionally
 * stopping at the first NUL code unit.
 *
 * @example Decode bytes
 * ```ts
 * import { decodeUtf16le } from "./utf16.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(decodeUtf16le(new Uint8Array([0x3d, 0xd8, 0x00, 0xde])), "😀");
 * ```
 *
 * @param bytes The bytes, little-endian.
 * @param stopAtNul Stop at the first NUL code unit.
 * @returns The decoded string.
 * @throws {RangeError} If the byte length is odd.
 */
export function decodeUtf16le(bytes: Uint8Array, stopAtNul = false): string {
  if (bytes.byteLength % 2 !== 0) {
    throw new RangeError(
      `Cannot decode UTF-16: byte length ${bytes.byteLength} is odd`,
    );
  }
  const units = new Uint16Array(bytes.byteLength / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < units.length; i++) units[i] = view.getUint16(2 * i, true);
  return stopAtNul ? decodeUtf16z(units) : unitsToString(units);
}

/**
 * Reads a NUL-terminated wide string from native memory, reading at most
 * `maxUnits` code units.
 *
 * @param pointer The address of the first code unit.
 * @param maxUnits The most code units to read.
 * @returns The string before the NUL (or the first `maxUnits` units).
 */
export function readUtf16z(pointer: Deno.PointerObject, maxUnits: number): string {
  const view = new Deno.UnsafePointerView(pointer);
  const units = new Uint16Array(maxUnits);
  let n = 0;
  for (; n < maxUnits; n++) {
    const unit = view.getUint16(n * 2);
    if (unit === 0) break;
    units[n] = unit;
  }
  return unitsToString(units.subarray(0, n));
}
