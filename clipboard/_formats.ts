// Copyright 2026 the winipc authors. MIT license.
/**
 * Clipboard formats as bytes: the standard format ids and names, and the
 * pure encoders and decoders of text, HTML Format, RTF and file lists.
 * Nothing here touches Windows, so it is tested on every OS.
 *
 * @module
 */
import { describeValue } from "../_win32/options.ts";

/** Standard clipboard format ids (`CF_*`). */
export const CF = {
  TEXT: 1,
  BITMAP: 2,
  METAFILEPICT: 3,
  SYLK: 4,
  DIF: 5,
  TIFF: 6,
  OEMTEXT: 7,
  DIB: 8,
  PALETTE: 9,
  PENDATA: 10,
  RIFF: 11,
  WAVE: 12,
  UNICODETEXT: 13,
  ENHMETAFILE: 14,
  HDROP: 15,
  LOCALE: 16,
  DIBV5: 17,
  OWNERDISPLAY: 0x80,
  DSPTEXT: 0x81,
  DSPBITMAP: 0x82,
  DSPMETAFILEPICT: 0x83,
  DSPENHMETAFILE: 0x8e,
} as const;

const STANDARD_NAMES = new Map<number, string>(
  Object.entries(CF).map(([name, id]) => [id, `CF_${name}`]),
);

/** Registered format names winipc uses. */
export const FORMAT_NAME = {
  HTML: "HTML Format",
  RTF: "Rich Text Format",
  PNG: "PNG",
  EXCLUDE_FROM_MONITORS: "ExcludeClipboardContentFromMonitorProcessing",
  HISTORY: "CanIncludeInClipboardHistory",
  CLOUD: "CanUploadToCloudClipboard",
} as const;

/**
 * The name of a format id that `GetClipboardFormatNameW` does not know:
 * `CF_*` for a standard one, the range for private and GDI object ids,
 * `#n` otherwise.
 *
 * @example
 * ```ts
 * import { standardFormatName } from "./_formats.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(standardFormatName(13), "CF_UNICODETEXT");
 * assertEquals(standardFormatName(0x201), "CF_PRIVATEFIRST+1");
 * ```
 *
 * @param id A format id.
 * @returns Its name.
 */
export function standardFormatName(id: number): string {
  const known = STANDARD_NAMES.get(id);
  if (known !== undefined) return known;
  if (id >= 0x200 && id <= 0x2ff) return `CF_PRIVATEFIRST+${id - 0x200}`;
  if (id >= 0x300 && id <= 0x3ff) return `CF_GDIOBJFIRST+${id - 0x300}`;
  return `#${id}`;
}

/**
 * Encodes text as `CF_UNICODETEXT`: UTF-16LE code units as they are (lone
 * surrogates and line ends untouched) and a terminating NUL.
 *
 * @param text The text.
 * @param what The operation, for the message.
 * @returns The bytes.
 * @throws {TypeError} If it is not a string or holds a NUL character: every
 * reader stops at the first NUL, so the rest would be lost.
 */
export function encodeText(text: unknown, what: string): Uint8Array {
  if (typeof text !== "string") {
    throw new TypeError(`${what}: text must be a string, got ${describeValue(text)}`);
  }
  const nul = text.indexOf("\0");
  if (nul !== -1) {
    throw new TypeError(
      `${what}: the text holds a NUL character at index ${nul}; clipboard text ends at the first NUL, so the rest would be lost`,
    );
  }
  // Windows is little-endian, and so is every machine Deno runs on.
  const units = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return new Uint8Array(units.buffer);
}

/**
 * Decodes `CF_UNICODETEXT` bytes up to the first NUL (or the end: a block
 * is often longer than its text, and some programs leave out the NUL).
 *
 * @example
 * ```ts
 * import { decodeText, encodeText } from "./_formats.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(decodeText(encodeText("a\r\nb 𝄞", "test")), "a\r\nb 𝄞");
 * ```
 *
 * @param bytes The block.
 * @returns The text.
 */
export function decodeText(bytes: Uint8Array): string {
  const count = Math.floor(bytes.length / 2);
  const units = bytes.byteOffset % 2 === 0
    ? new Uint16Array(bytes.buffer, bytes.byteOffset, count)
    : new Uint16Array(bytes.slice(0, count * 2).buffer);
  const nul = units.indexOf(0);
  const text = nul === -1 ? units : units.subarray(0, nul);
  // TextDecoder is fast but turns a lone surrogate into U+FFFD. Without any
  // U+FFFD in its result there was none; with one, decode it exactly when
  // some surrogate is alone, so that any string round-trips.
  const fast = utf16Decoder.decode(text);
  if (!fast.includes("\ufffd")) return fast;
  let paired = true;
  for (let i = 0; i < text.length; i++) {
    const unit = text[i]!;
    if ((unit & 0xf800) !== 0xd800) continue;
    if (unit < 0xdc00 && i + 1 < text.length && (text[i + 1]! & 0xfc00) === 0xdc00) {
      i++;
      continue;
    }
    paired = false;
    break;
  }
  if (paired) return fast;
  let out = "";
  for (let i = 0; i < text.length; i += 8192) {
    out += String.fromCharCode(...text.subarray(i, i + 8192));
  }
  return out;
}

const utf16Decoder = new TextDecoder("utf-16le", { ignoreBOM: true });

/**
 * Encodes RTF: one byte a character, which must be U+0000 to U+00FF (RTF
 * is 8-bit text; write other characters as `\uN?` escapes), and a NUL.
 *
 * @param rtf The RTF document.
 * @param what The operation, for the message.
 * @returns The bytes.
 * @throws {TypeError} For a non-string, a NUL, or a character above U+00FF.
 */
export function encodeRtf(rtf: unknown, what: string): Uint8Array {
  if (typeof rtf !== "string") {
    throw new TypeError(`${what}: rtf must be a string, got ${describeValue(rtf)}`);
  }
  const out = new Uint8Array(rtf.length + 1);
  for (let i = 0; i < rtf.length; i++) {
    const c = rtf.charCodeAt(i);
    if (c === 0 || c > 0xff) {
      throw new TypeError(
        `${what}: RTF is 8-bit text: the character U+${
          c.toString(16).toUpperCase().padStart(4, "0")
        } at index ${i} must be written as an escape (\\uN? or \\'hh)`,
      );
    }
    out[i] = c;
  }
  return out;
}

/**
 * Decodes RTF bytes (each byte one character, U+0000 to U+00FF) up to the
 * first NUL.
 *
 * @example
 * ```ts
 * import { decodeRtf, encodeRtf } from "./_formats.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(decodeRtf(encodeRtf("{\\rtf1 caf\\'e9}", "test")), "{\\rtf1 caf\\'e9}");
 * ```
 *
 * @param bytes The block.
 * @returns The RTF text.
 */
export function decodeRtf(bytes: Uint8Array): string {
  let end = bytes.indexOf(0);
  if (end === -1) end = bytes.length;
  let out = "";
  for (let i = 0; i < end; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
  }
  return out;
}

const START_MARKER = "<!--StartFragment-->";
const END_MARKER = "<!--EndFragment-->";

/**
 * Builds a "HTML Format" block around a fragment: the header with UTF-8 byte
 * offsets (`StartHTML`, `EndHTML`, `StartFragment`, `EndFragment`, ten
 * digits each), an optional `SourceURL`, then
 * `<html><body>\r\n<!--StartFragment-->fragment<!--EndFragment-->\r\n</body></html>`
 * and a NUL.
 *
 * @example
 * ```ts
 * import { decodeHtml, encodeHtml } from "./_formats.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const block = encodeHtml("<b>héllo</b>", "https://example.com/", "test");
 * assertEquals(decodeHtml(block)?.html, "<b>héllo</b>");
 * ```
 *
 * @param html The fragment.
 * @param sourceUrl The page it came from, or `undefined`.
 * @param what The operation, for messages.
 * @returns The bytes.
 * @throws {TypeError} For a non-string, a NUL, or a source URL with a line break.
 */
export function encodeHtml(html: unknown, sourceUrl: unknown, what: string): Uint8Array {
  if (typeof html !== "string") {
    throw new TypeError(`${what}: html must be a string, got ${describeValue(html)}`);
  }
  if (html.includes("\0")) throw new TypeError(`${what}: the HTML holds a NUL character`);
  if (sourceUrl !== undefined && typeof sourceUrl !== "string") {
    throw new TypeError(`${what}: sourceUrl must be a string, got ${describeValue(sourceUrl)}`);
  }
  if (typeof sourceUrl === "string" && /[\0\r\n]/.test(sourceUrl)) {
    throw new TypeError(`${what}: sourceUrl must not hold a line break or NUL`);
  }
  const encoder = new TextEncoder();
  const pad = (n: number) => String(n).padStart(10, "0");
  const headerOf = (sh: number, eh: number, sf: number, ef: number) =>
    `Version:0.9\r\nStartHTML:${pad(sh)}\r\nEndHTML:${pad(eh)}\r\nStartFragment:${
      pad(sf)
    }\r\nEndFragment:${pad(ef)}\r\n` +
    (sourceUrl === undefined ? "" : `SourceURL:${sourceUrl}\r\n`);
  const headerLength = encoder.encode(headerOf(0, 0, 0, 0)).length;
  const before = encoder.encode(`<html><body>\r\n${START_MARKER}`);
  const fragment = encoder.encode(html);
  const after = encoder.encode(`${END_MARKER}\r\n</body></html>`);
  const startHtml = headerLength;
  const startFragment = startHtml + before.length;
  const endFragment = startFragment + fragment.length;
  const endHtml = endFragment + after.length;
  const header = encoder.encode(headerOf(startHtml, endHtml, startFragment, endFragment));
  const out = new Uint8Array(endHtml + 1);
  out.set(header, 0);
  out.set(before, startHtml);
  out.set(fragment, startFragment);
  out.set(after, endFragment);
  return out;
}

/** What {@linkcode decodeHtml} finds in a "HTML Format" block. */
export interface DecodedHtml {
  html: string;
  fullHtml?: string;
  sourceUrl?: string;
}

/**
 * Reads a "HTML Format" block: the fragment between `StartFragment` and
 * `EndFragment` (UTF-8 byte offsets), the whole document between
 * `StartHTML` and `EndHTML` (when given; `-1` means none), and `SourceURL`.
 * When the fragment offsets are missing or out of range, the text between
 * the fragment markers is taken instead.
 *
 * @example
 * ```ts
 * import { decodeHtml, encodeHtml } from "./_formats.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const read = decodeHtml(encodeHtml("<i>x</i>", undefined, "test"));
 * assertEquals(read?.html, "<i>x</i>");
 * assertEquals(read?.sourceUrl, undefined);
 * ```
 *
 * @param bytes The block.
 * @returns The parts, or `null` when it is not HTML Format at all.
 */
export function decodeHtml(bytes: Uint8Array): DecodedHtml | null {
  let end = bytes.indexOf(0);
  if (end === -1) end = bytes.length;
  const data = bytes.subarray(0, end);
  const decoder = new TextDecoder();
  // The header is "Name:value" lines up to the HTML (a line starting with
  // "<"). SourceURL runs to the end of its line, "<" included (as Windows'
  // readers take it); any other value ends at a "<", for writers that put
  // no line break before the HTML.
  const fields = new Map<string, string>();
  for (let at = 0; at < data.length;) {
    let eol = at;
    while (eol < data.length && data[eol] !== 0x0d && data[eol] !== 0x0a) eol++;
    const line = decoder.decode(data.subarray(at, eol));
    if (line.trimStart().startsWith("<")) break;
    const colon = line.indexOf(":");
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1);
      const lt = name === "sourceurl" ? -1 : value.indexOf("<");
      fields.set(name, (lt === -1 ? value : value.slice(0, lt)).trim());
      if (lt !== -1) break;
    } else if (line.includes("<")) break;
    at = eol + (data[eol] === 0x0d && data[eol + 1] === 0x0a ? 2 : 1);
  }
  if (!fields.has("version") && !fields.has("startfragment")) return null;
  const offset = (name: string) => {
    const v = fields.get(name);
    if (v === undefined || !/^-?\d+$/.test(v)) return -1;
    return Number(v);
  };
  const inRange = (a: number, b: number) => a >= 0 && b >= a && b <= data.length;
  const sf = offset("startfragment");
  const ef = offset("endfragment");
  let html: string;
  if (inRange(sf, ef)) {
    html = decoder.decode(data.subarray(sf, ef));
  } else {
    const text = decoder.decode(data);
    const a = text.indexOf(START_MARKER);
    const b = text.indexOf(END_MARKER, a + 1);
    if (a === -1 || b === -1) return null;
    html = text.slice(a + START_MARKER.length, b);
  }
  const result: DecodedHtml = { html };
  const sh = offset("starthtml");
  const eh = offset("endhtml");
  if (inRange(sh, eh)) result.fullHtml = decoder.decode(data.subarray(sh, eh));
  const url = fields.get("sourceurl");
  if (url !== undefined && url !== "") result.sourceUrl = url;
  return result;
}

/**
 * Whether a path is absolute in the Windows sense: `C:\...`, `C:/...`, or
 * a UNC path `\\server\share\...` (`\\?\` included).
 *
 * @param path A path.
 * @returns True if absolute.
 */
export function isAbsoluteWindowsPath(path: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(path) || /^[\\/]{2}[^\\/]/.test(path);
}

/**
 * Encodes a file list as `CF_HDROP`: a `DROPFILES` header (20 bytes,
 * `pFiles` = 20, `fWide` = 1), each path in UTF-16 with its NUL, and a
 * final NUL.
 *
 * @example
 * ```ts
 * import { decodeFileList, encodeFileList } from "./_formats.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const paths = ["C:\\data\\été.txt", "\\\\server\\share\\日本.doc"];
 * assertEquals(decodeFileList(encodeFileList(paths, "test")), paths);
 * ```
 *
 * @param paths Absolute paths.
 * @param what The operation, for messages.
 * @returns The bytes.
 * @throws {TypeError} If it is not an array of absolute paths without NULs.
 * @throws {RangeError} For an empty list.
 */
export function encodeFileList(paths: unknown, what: string): Uint8Array {
  if (!Array.isArray(paths)) {
    throw new TypeError(`${what}: paths must be an array of strings, got ${describeValue(paths)}`);
  }
  if (paths.length === 0) throw new RangeError(`${what}: the file list is empty`);
  let units = 1;
  for (const [i, path] of paths.entries()) {
    if (typeof path !== "string") {
      throw new TypeError(`${what}: paths[${i}] must be a string, got ${describeValue(path)}`);
    }
    if (path.includes("\0")) throw new TypeError(`${what}: paths[${i}] holds a NUL character`);
    if (!isAbsoluteWindowsPath(path)) {
      throw new TypeError(
        `${what}: paths[${i}] must be an absolute Windows path (C:\\... or \\\\server\\share\\...), got ${
          describeValue(path)
        }`,
      );
    }
    units += path.length + 1;
  }
  const out = new Uint8Array(20 + units * 2);
  const view = new DataView(out.buffer);
  view.setUint32(0, 20, true); // pFiles
  view.setUint32(16, 1, true); // fWide
  let at = 20;
  for (const path of paths as string[]) {
    for (let i = 0; i < path.length; i++, at += 2) view.setUint16(at, path.charCodeAt(i), true);
    at += 2;
  }
  return out;
}

/**
 * Decodes a `CF_HDROP` block: wide paths (`fWide` = 1) as UTF-16, ANSI ones
 * (`fWide` = 0, from old programs) as Windows-1252.
 *
 * @param bytes The block.
 * @returns The paths.
 * @throws {Deno.errors.InvalidData} If the block is too short, its offset
 * is out of range, or it ends inside a path (another program wrote it).
 */
export function decodeFileList(bytes: Uint8Array): string[] {
  if (bytes.length < 20) {
    throw new Deno.errors.InvalidData(
      `The clipboard's CF_HDROP block is shorter than DROPFILES (${bytes.length} bytes)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = view.getUint32(0, true);
  const wide = view.getUint32(16, true) !== 0;
  if (start < 20 || start > bytes.length) {
    throw new Deno.errors.InvalidData(
      `The clipboard's CF_HDROP block has its paths at ${start}, outside its ${bytes.length} bytes`,
    );
  }
  const paths: string[] = [];
  // A path the end of the block cuts off (no NUL after it) may be any part
  // of what its writer meant: refused, never dropped or read short. A list
  // whose paths all end but whose final empty entry is missing is whole.
  const cutOff = (): never => {
    throw new Deno.errors.InvalidData(
      `The clipboard's CF_HDROP block ends inside a path: path ${
        paths.length + 1
      } is not terminated (${bytes.length} bytes)`,
    );
  };
  if (wide) {
    let current: number[] = [];
    let at = start;
    for (; at + 1 < bytes.length; at += 2) {
      const unit = view.getUint16(at, true);
      if (unit === 0) {
        if (current.length === 0) return paths;
        paths.push(decodeText(new Uint8Array(new Uint16Array(current).buffer)));
        current = [];
      } else current.push(unit);
    }
    // A path, or half a character (an odd last byte), runs into the end.
    if (current.length > 0 || at < bytes.length) cutOff();
  } else {
    const decoder = new TextDecoder("windows-1252");
    let from = start;
    for (let at = start; at < bytes.length; at++) {
      if (bytes[at] !== 0) continue;
      if (at === from) return paths;
      paths.push(decoder.decode(bytes.subarray(from, at)));
      from = at + 1;
    }
    if (from < bytes.length) cutOff();
  }
  return paths;
}

/**
 * A DWORD (4 bytes, little-endian).
 *
 * @param value The number.
 * @returns Its bytes.
 */
export function dword(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, true);
  return out;
}
