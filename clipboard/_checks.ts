// Copyright 2026 the winipc authors. MIT license.
/**
 * The clipboard's input checks: formats, bytes, items and flags, each
 * failing with a clear `TypeError` or `RangeError` before the clipboard is
 * touched.
 *
 * @module
 */
import { describeValue } from "../_win32/options.ts";
import { CF, standardFormatName } from "./_formats.ts";
import type { ClipboardFormat } from "./types.ts";

export interface Item {
  format: ClipboardFormat;
  bytes: Uint8Array;
}

/** Standard formats whose data is a handle (GDI, metafile, owner-drawn), not a memory block. */
const HANDLE_FORMATS: ReadonlySet<number> = new Set([
  CF.BITMAP,
  CF.METAFILEPICT,
  CF.PALETTE,
  CF.OWNERDISPLAY,
  CF.DSPBITMAP,
  CF.DSPMETAFILEPICT,
  CF.DSPENHMETAFILE,
]);

export function isHandleFormat(id: number): boolean {
  return HANDLE_FORMATS.has(id) || (id >= 0x200 && id <= 0x3ff);
}

export function checkFormat(format: unknown, what: string): ClipboardFormat {
  if (typeof format === "number") {
    if (!Number.isInteger(format) || format < 1 || format > 0xffff) {
      throw new RangeError(
        `${what}: a format id must be an integer from 1 to 65535, got ${describeValue(format)}`,
      );
    }
    if (isHandleFormat(format)) {
      throw new RangeError(
        `${what}: format ${format} (${
          standardFormatName(format)
        }) holds a handle, not bytes (images: writeImage/readImage)`,
      );
    }
    return format;
  }
  if (typeof format === "string") {
    if (format.length === 0 || format.length > 255 || format.includes("\0")) {
      throw new TypeError(
        `${what}: a format name must be 1 to 255 characters without NUL, got ${
          describeValue(format)
        }`,
      );
    }
    return format;
  }
  throw new TypeError(
    `${what}: format must be a number (an id) or a string (a registered name), got ${
      describeValue(format)
    }`,
  );
}

export function checkBytes(bytes: unknown, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`${what}: bytes must be a Uint8Array, got ${describeValue(bytes)}`);
  }
  if (bytes.length === 0) {
    throw new RangeError(
      `${what}: bytes is empty; a clipboard format holds a movable memory block of at least one byte`,
    );
  }
  return bytes;
}

/**
 * The bytes of an enhanced metafile (`CF_ENHMETAFILE`, which winipc turns
 * into a metafile handle with `SetEnhMetaFileBits`): an `ENHMETAHEADER`
 * record first, signed " EMF". Anything else would fail only after the
 * clipboard had been emptied.
 */
export function checkItem(format: ClipboardFormat, bytes: Uint8Array, what: string): Item {
  if (format === CF.ENHMETAFILE) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (
      bytes.length < 88 || view.getUint32(0, true) !== 1 ||
      view.getUint32(40, true) !== 0x464d4520
    ) {
      throw new TypeError(
        `${what}: CF_ENHMETAFILE bytes must be an enhanced metafile (an ENHMETAHEADER signed " EMF"), got ${bytes.length} bytes that are not`,
      );
    }
  }
  return { format, bytes };
}

export function checkBoolean(value: unknown, name: string, what: string): boolean {
  if (value === undefined) return false;
  if (value !== true && value !== false) {
    throw new TypeError(`${what}: ${name} must be true or false, got ${describeValue(value)}`);
  }
  return value;
}
