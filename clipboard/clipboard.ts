// Copyright 2026 the winipc authors. MIT license.
/**
 * Reading and writing the clipboard: text, HTML, RTF, file lists, images,
 * custom formats, several at once; inspection; snapshot and restore.
 *
 * @module
 */
import {
  checkContention,
  clipboardFormats,
  type ClipboardOptions,
  clipboardRegister,
  clipboardSnapshot,
  clipboardWrite,
} from "./_core.ts";
import {
  CF,
  decodeFileList,
  decodeHtml,
  decodeRtf,
  decodeText,
  encodeFileList,
  encodeHtml,
  encodeRtf,
  encodeText,
  FORMAT_NAME,
  standardFormatName,
} from "./_formats.ts";
import {
  checkImage,
  type ClipboardImage,
  decodeDib,
  type ImageInput,
  isPlainDibV5,
} from "./_image.ts";
import { dropSynthesized, type SnapshotFormat } from "./_snapshot.ts";
import type { DelayedData } from "./_delayed.ts";
import { describeValue } from "../_win32/options.ts";
import { user32 } from "../_win32/ffi.ts";

import type {
  ClipboardData,
  ClipboardFormat,
  ClipboardHtml,
  ClipboardSnapshot,
  FormatInfo,
  WriteHtmlOptions,
  WriteOptions,
  WriteResult,
  WriteRtfOptions,
} from "./types.ts";
import { checkBytes, checkFormat, checkItem, type Item } from "./_checks.ts";
import { htmlToText } from "./_html_text.ts";
import { imageItems, readItems, writeItems } from "./_write.ts";

/**
 * Puts Unicode text on the clipboard (`CF_UNICODETEXT`), replacing what was
 * there. Any string round-trips exactly (surrogate pairs, `\r\n` and `\n`
 * as given); a NUL character is refused, since every reader stops there.
 *
 * @example Copy text
 * ```ts no-run
 * import { writeText } from "@winipc/winipc/clipboard";
 *
 * await writeText("héllo 𝄞");
 * ```
 *
 * @example Copy a password, keep it out of history, clear it after 30 s
 * ```ts no-run
 * import { writeText } from "@winipc/winipc/clipboard";
 *
 * const { cleared } = await writeText("hunter2", { secret: true, clearAfter: 30_000 });
 * console.log(await cleared); // "cleared", or "replaced" if the user copied something else
 * ```
 *
 * @param text The text.
 * @param options Secret mode, clearing, and contention.
 * @returns The sequence number of the write (and the clearing's outcome).
 * @throws {TypeError} For a non-string or a NUL character.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export function writeText(text: string, options?: WriteOptions): Promise<WriteResult> {
  const what = "Cannot write text to the clipboard";
  try {
    return writeItems([{ format: CF.UNICODETEXT, bytes: encodeText(text, what) }], options, what);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Reads the clipboard's Unicode text (`CF_UNICODETEXT`, which Windows also
 * makes from `CF_TEXT`), up to its first NUL.
 *
 * @example Paste text
 * ```ts no-run
 * import { readText } from "@winipc/winipc/clipboard";
 *
 * console.log(await readText() ?? "(no text)");
 * ```
 *
 * @param options Contention.
 * @returns The text, or `null` when the clipboard holds none.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export async function readText(options?: ClipboardOptions): Promise<string | null> {
  const [bytes] = await readItems([CF.UNICODETEXT], options, "Cannot read text from the clipboard");
  return bytes ? decodeText(bytes) : null;
}

/**
 * Puts HTML on the clipboard as `"HTML Format"` (what browsers, Word and
 * Excel exchange), with plain text beside it by default. The header's
 * offsets are UTF-8 byte offsets and the fragment is marked with
 * `<!--StartFragment-->` and `<!--EndFragment-->`.
 *
 * @example Copy a link as HTML and text
 * ```ts no-run
 * import { writeHtml } from "@winipc/winipc/clipboard";
 *
 * await writeHtml('<a href="https://deno.com">Deno</a>', { sourceUrl: "https://deno.com/" });
 * ```
 *
 * @param html The HTML fragment.
 * @param options Plain text, source URL, secret mode, contention.
 * @returns The sequence number of the write.
 * @throws {TypeError} For a non-string, a NUL, or a bad option.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export function writeHtml(html: string, options?: WriteHtmlOptions): Promise<WriteResult> {
  const what = "Cannot write HTML to the clipboard";
  try {
    const items: Item[] = [{
      format: FORMAT_NAME.HTML,
      bytes: encodeHtml(html, options?.sourceUrl, what),
    }];
    const text = options?.text;
    if (text !== false) {
      items.push({
        format: CF.UNICODETEXT,
        bytes: encodeText(text === undefined ? htmlToText(html) : text, what),
      });
    }
    return writeItems(items, options, what);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Reads the clipboard's `"HTML Format"`.
 *
 * @example Paste HTML
 * ```ts no-run
 * import { readHtml } from "@winipc/winipc/clipboard";
 *
 * const copied = await readHtml();
 * if (copied) console.log(copied.html, copied.sourceUrl);
 * ```
 *
 * @param options Contention.
 * @returns The fragment, the whole document and the source URL, or `null`
 * when there is no HTML (or the block is not HTML Format).
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export async function readHtml(options?: ClipboardOptions): Promise<ClipboardHtml | null> {
  const [bytes] = await readItems(
    [FORMAT_NAME.HTML],
    options,
    "Cannot read HTML from the clipboard",
  );
  return bytes ? decodeHtml(bytes) : null;
}

/**
 * Puts RTF on the clipboard (`"Rich Text Format"`). RTF is 8-bit text:
 * characters above U+00FF must be escaped (`\uN?`) by the caller.
 *
 * @example Copy bold text
 * ```ts no-run
 * import { writeRtf } from "@winipc/winipc/clipboard";
 *
 * await writeRtf("{\\rtf1\\ansi {\\b bold} text}", { text: "bold text" });
 * ```
 *
 * @param rtf The RTF document.
 * @param options Plain text beside it, secret mode, contention.
 * @returns The sequence number of the write.
 * @throws {TypeError} For a non-string, or a character above U+00FF or NUL.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export function writeRtf(rtf: string, options?: WriteRtfOptions): Promise<WriteResult> {
  const what = "Cannot write RTF to the clipboard";
  try {
    const items: Item[] = [{ format: FORMAT_NAME.RTF, bytes: encodeRtf(rtf, what) }];
    if (options?.text !== undefined) {
      items.push({ format: CF.UNICODETEXT, bytes: encodeText(options.text, what) });
    }
    return writeItems(items, options, what);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Reads the clipboard's RTF (`"Rich Text Format"`), each byte one character.
 *
 * @example Paste RTF
 * ```ts no-run
 * import { readRtf } from "@winipc/winipc/clipboard";
 *
 * console.log(await readRtf());
 * ```
 *
 * @param options Contention.
 * @returns The RTF, or `null` when there is none.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export async function readRtf(options?: ClipboardOptions): Promise<string | null> {
  const [bytes] = await readItems([FORMAT_NAME.RTF], options, "Cannot read RTF from the clipboard");
  return bytes ? decodeRtf(bytes) : null;
}

/**
 * Puts a list of files on the clipboard (`CF_HDROP`, wide paths), as
 * Explorer's Copy does: Explorer's Paste copies them.
 *
 * @example Copy two files
 * ```ts no-run
 * import { writeFiles } from "@winipc/winipc/clipboard";
 *
 * await writeFiles(["C:\\Users\\me\\report.pdf", "C:\\Users\\me\\été.png"]);
 * ```
 *
 * @param paths Absolute Windows paths (`C:\...` or `\\server\share\...`).
 * @param options Secret mode, contention.
 * @returns The sequence number of the write.
 * @throws {TypeError} For a path that is not absolute or holds a NUL.
 * @throws {RangeError} For an empty list.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export function writeFiles(paths: string[], options?: WriteOptions): Promise<WriteResult> {
  const what = "Cannot write files to the clipboard";
  try {
    return writeItems([{ format: CF.HDROP, bytes: encodeFileList(paths, what) }], options, what);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Reads the clipboard's file list (`CF_HDROP`).
 *
 * @example Paste files
 * ```ts no-run
 * import { readFiles } from "@winipc/winipc/clipboard";
 *
 * for (const path of await readFiles() ?? []) console.log(path);
 * ```
 *
 * @param options Contention.
 * @returns The paths, or `null` when there is no file list.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 * @throws {Deno.errors.InvalidData} If the file list another program put there is malformed.
 */
export async function readFiles(options?: ClipboardOptions): Promise<string[] | null> {
  const [bytes] = await readItems([CF.HDROP], options, "Cannot read files from the clipboard");
  return bytes ? decodeFileList(bytes) : null;
}

/**
 * Puts an image on the clipboard in the three forms programs read:
 * `CF_DIBV5` (32-bit with alpha), `CF_DIB` (32-bit, alpha in the fourth
 * byte) and the registered `"PNG"` (what browsers and Office prefer for
 * transparency).
 *
 * @example Copy a 1 × 1 half-transparent red pixel
 * ```ts no-run
 * import { writeImage } from "@winipc/winipc/clipboard";
 *
 * await writeImage({ width: 1, height: 1, data: new Uint8Array([255, 0, 0, 128]) });
 * ```
 *
 * @param image Width, height and RGBA pixels (top row first, straight alpha).
 * @param options Secret mode, contention.
 * @returns The sequence number of the write.
 * @throws {TypeError} For a malformed image.
 * @throws {RangeError} For sizes out of range.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export function writeImage(
  image: ImageInput,
  options?: WriteOptions,
): Promise<WriteResult> {
  const what = "Cannot write an image to the clipboard";
  try {
    return imageItems(checkImage(image, what)).then((items) => writeItems(items, options, what));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Reads the clipboard's image: the registered `"PNG"` if present (it keeps
 * transparency best), else `CF_DIBV5`, else `CF_DIB` (which Windows makes
 * from `CF_BITMAP` too). A form that cannot be decoded gives way to the
 * next one present.
 *
 * @example Paste an image
 * ```ts no-run
 * import { readImage } from "@winipc/winipc/clipboard";
 *
 * const image = await readImage();
 * if (image) console.log(image.width, image.height, image.hasAlpha);
 * ```
 *
 * @param options Contention.
 * @returns The image, or `null` when there is none.
 * @throws {TypeError} If no form present can be decoded (a DIB with RLE or
 * JPEG compression, a broken PNG), with the first form's reason.
 * @throws {Deno.errors.InvalidData} If that first reason is a PNG that
 * declares more than 16384 × 16384 pixels (refused before decoding).
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export async function readImage(options?: ClipboardOptions): Promise<ClipboardImage | null> {
  const what = "Cannot read an image from the clipboard";
  // A CF_DIBV5 in the plain 32-bit layout with an alpha mask (straight
  // alpha, as the format defines it: winipc's and arboard's) is exact and
  // fast to read: one format fetched. Else the richest form first; a form
  // that does not decode gives way to the next one present, and the first
  // error is thrown only if none decodes.
  const [v5] = await readItems([CF.DIBV5], options, what);
  if (v5 && isPlainDibV5(v5)) {
    try {
      return decodeDib(v5);
    } catch {
      // Read again below, the PNG first.
    }
  }
  const [png, dib] = await readItems([FORMAT_NAME.PNG, CF.DIB], options, what);
  let failure: unknown = undefined;
  const forms: [Uint8Array | null | undefined, (bytes: Uint8Array) => Promise<ClipboardImage>][] = [
    [png, async (bytes) => (await import("./_png.ts")).decodeImagePng(bytes)],
    [v5, (bytes) => Promise.resolve().then(() => decodeDib(bytes))],
    [dib, (bytes) => Promise.resolve().then(() => decodeDib(bytes))],
  ];
  for (const [bytes, decode] of forms) {
    if (!bytes) continue;
    try {
      return await decode(bytes);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return null;
}

/**
 * Puts several formats on the clipboard in one go (one open, one empty,
 * one `SetClipboardData` a format), so that every program finds the
 * form it prefers and all describe the same content. Formats are placed
 * most descriptive first: custom formats, files, image, HTML, RTF, text,
 * then the delayed ones.
 *
 * @example Promise a large format, made only if someone pastes it
 * ```ts no-run
 * import { write } from "@winipc/winipc/clipboard";
 *
 * await write({
 *   text: "report.csv (12 MB)",
 *   delayed: [{ format: "MyApp.Csv", render: () => Deno.readFile("report.csv") }],
 * });
 * ```
 *
 * @example Copy a table as HTML, text and a custom format
 * ```ts no-run
 * import { write } from "@winipc/winipc/clipboard";
 *
 * await write({
 *   html: "<table><tr><td>1</td><td>2</td></tr></table>",
 *   text: "1\t2",
 *   custom: [{ format: "MyApp.Rows", bytes: new Uint8Array([1, 2]) }],
 * });
 * ```
 *
 * @param data The formats to write (at least one).
 * @param options Secret mode, clearing, contention.
 * @returns The sequence number of the write.
 * @throws {TypeError} For bad data.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export function write(data: ClipboardData, options?: WriteOptions): Promise<WriteResult> {
  const what = "Cannot write to the clipboard";
  try {
    if (typeof data !== "object" || data === null) {
      throw new TypeError(`${what}: data must be an object, got ${describeValue(data)}`);
    }
    const items: Item[] = [];
    let images: Promise<Item[]> | null = null;
    let imageAt = 0;
    if (data.custom !== undefined) {
      if (!Array.isArray(data.custom)) {
        throw new TypeError(`${what}: custom must be an array, got ${describeValue(data.custom)}`);
      }
      for (const [i, entry] of data.custom.entries()) {
        if (typeof entry !== "object" || entry === null) {
          throw new TypeError(`${what}: custom[${i}] must be { format, bytes }`);
        }
        items.push(checkItem(
          checkFormat(entry.format, `${what}: custom[${i}]`),
          checkBytes(entry.bytes, `${what}: custom[${i}]`),
          `${what}: custom[${i}]`,
        ));
      }
    }
    if (data.files !== undefined) {
      items.push({ format: CF.HDROP, bytes: encodeFileList(data.files, what) });
    }
    if (data.image !== undefined) {
      // Its PNG is made once the encoder is loaded; its place among the items is kept.
      images = imageItems(checkImage(data.image, what));
      imageAt = items.length;
    }
    if (data.html !== undefined) {
      const html = typeof data.html === "object" && data.html !== null
        ? data.html
        : { html: data.html };
      items.push({ format: FORMAT_NAME.HTML, bytes: encodeHtml(html.html, html.sourceUrl, what) });
    }
    if (data.rtf !== undefined) {
      items.push({ format: FORMAT_NAME.RTF, bytes: encodeRtf(data.rtf, what) });
    }
    if (data.text !== undefined) {
      items.push({ format: CF.UNICODETEXT, bytes: encodeText(data.text, what) });
    }
    const delayed: DelayedData[] = [];
    if (data.delayed !== undefined) {
      if (!Array.isArray(data.delayed)) {
        throw new TypeError(
          `${what}: delayed must be an array, got ${describeValue(data.delayed)}`,
        );
      }
      for (const [i, entry] of data.delayed.entries()) {
        if (typeof entry !== "object" || entry === null || typeof entry.render !== "function") {
          throw new TypeError(`${what}: delayed[${i}] must be { format, render() }`);
        }
        const format = checkFormat(entry.format, `${what}: delayed[${i}]`);
        if (format === CF.ENHMETAFILE) {
          // A render's bytes become a memory block; CF_ENHMETAFILE's data is a metafile handle.
          throw new TypeError(
            `${what}: delayed[${i}]: CF_ENHMETAFILE cannot be delayed (its data is a metafile handle, not a memory block); write it at once`,
          );
        }
        delayed.push({ format, render: entry.render });
      }
    }
    if (items.length === 0 && delayed.length === 0 && images === null) {
      throw new TypeError(
        `${what}: data holds no format (text, html, rtf, files, image, custom or delayed)`,
      );
    }
    if (images === null) return writeItems(items, options, what, delayed);
    return images.then((made) => {
      items.splice(imageAt, 0, ...made);
      return writeItems(items, options, what, delayed);
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Registers a clipboard format by name (`RegisterClipboardFormatW`): every
 * program that registers the same name (case-insensitively) gets the same
 * id, for the whole session.
 *
 * @example Register a format
 * ```ts no-run
 * import { registerFormat } from "@winipc/winipc/clipboard";
 *
 * console.log(await registerFormat("MyApp.Rows")); // an id from 0xC000 to 0xFFFF
 * ```
 *
 * @param name The name, 1 to 255 characters.
 * @returns The format id.
 * @throws {TypeError} For a bad name, or anything but a string (an id is
 * not a name).
 */
export async function registerFormat(name: string): Promise<number> {
  const what = `Cannot register clipboard format ${describeValue(name)}`;
  // Only a name can be registered: a number (an id) is not echoed back as if registered.
  if (typeof name !== "string") {
    throw new TypeError(`${what}: name must be a string, got ${describeValue(name)}`);
  }
  checkFormat(name, what);
  return await Promise.resolve(clipboardRegister(name, what));
}

/**
 * Puts one format's bytes on the clipboard, replacing what was there.
 *
 * @example Copy bytes in a format of your own
 * ```ts no-run
 * import { writeFormat } from "@winipc/winipc/clipboard";
 *
 * await writeFormat("MyApp.Rows", new Uint8Array([1, 2, 3]));
 * ```
 *
 * @param format A registered name (registered on the way) or an id.
 * @param bytes The data, stored as it is (at least one byte).
 * @param options Secret mode, clearing, contention.
 * @returns The sequence number of the write.
 * @throws {TypeError} For a bad format or data.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export function writeFormat(
  format: ClipboardFormat,
  bytes: Uint8Array,
  options?: WriteOptions,
): Promise<WriteResult> {
  const what = "Cannot write to the clipboard";
  try {
    return writeItems(
      [checkItem(checkFormat(format, what), checkBytes(bytes, what), what)],
      options,
      what,
    );
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Reads one format's bytes, as `GlobalSize` reports them (a writer's block
 * may be longer than its content).
 *
 * @example Paste bytes of your own format
 * ```ts no-run
 * import { readFormat } from "@winipc/winipc/clipboard";
 *
 * const bytes = await readFormat("MyApp.Rows");
 * ```
 *
 * @param format A registered name or an id.
 * @param options Contention.
 * @returns The bytes, or `null` when the format is absent or its data is
 * not a memory block (a GDI handle, for example).
 * @throws {TypeError} For a bad format.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export async function readFormat(
  format: ClipboardFormat,
  options?: ClipboardOptions,
): Promise<Uint8Array | null> {
  const what = "Cannot read from the clipboard";
  const [bytes] = await readItems([checkFormat(format, what)], options, what);
  return bytes ?? null;
}

/**
 * The formats on the clipboard (`EnumClipboardFormats`), in its order,
 * including those Windows synthesizes (`CF_TEXT` from `CF_UNICODETEXT`...).
 *
 * @example List the formats
 * ```ts no-run
 * import { formats } from "@winipc/winipc/clipboard";
 *
 * for (const { id, name } of await formats()) console.log(id, name);
 * ```
 *
 * @param options Contention.
 * @returns The formats.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export async function formats(options?: ClipboardOptions): Promise<FormatInfo[]> {
  const what = "Cannot list the clipboard's formats";
  const list = await clipboardFormats(what, checkContention(options, what));
  return list.map(({ id, name }) => ({
    id,
    name: name ?? standardFormatName(id),
    registered: name !== null,
  }));
}

/**
 * The clipboard's sequence number (`GetClipboardSequenceNumber`): it moves
 * whenever the content changes. One call, no window, synchronous.
 *
 * @example Notice a change
 * ```ts no-run
 * import { sequenceNumber } from "@winipc/winipc/clipboard";
 *
 * const before = sequenceNumber();
 * // ... later
 * if (sequenceNumber() !== before) console.log("the clipboard changed");
 * ```
 *
 * @returns The number (0 when this process may not see the clipboard).
 */
export function sequenceNumber(): number {
  return user32().GetClipboardSequenceNumber();
}

/**
 * Empties the clipboard.
 *
 * @example Clear
 * ```ts no-run
 * import { clear } from "@winipc/winipc/clipboard";
 *
 * await clear();
 * ```
 *
 * @param options Contention.
 * @returns The sequence number after emptying.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export async function clear(options?: ClipboardOptions): Promise<number> {
  const what = "Cannot clear the clipboard";
  const result = await clipboardWrite([], what, checkContention(options, what));
  if (!("written" in result)) throw new Error(`${what}: the clipboard was not cleared`);
  return result.sequenceNumber;
}

/**
 * Copies every format on the clipboard that can be copied, and lists the
 * others with the reason (see the module documentation for the rules).
 *
 * @example Save and put back
 * ```ts no-run
 * import { restore, snapshot, writeText } from "@winipc/winipc/clipboard";
 *
 * const saved = await snapshot();
 * await writeText("temporary");
 * await restore(saved);
 * for (const s of saved.skipped) console.log(s.name, s.reason);
 * ```
 *
 * @param options Contention.
 * @returns The snapshot.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export async function snapshot(options?: ClipboardOptions): Promise<ClipboardSnapshot> {
  const what = "Cannot copy the clipboard";
  const result = await clipboardSnapshot(what, checkContention(options, what));
  const read: SnapshotFormat[] = result.items.map(({ id, name, bytes }) => ({
    id,
    name: name ?? standardFormatName(id),
    registered: name !== null,
    bytes,
  }));
  const { kept, skipped } = dropSynthesized(read);
  return {
    sequenceNumber: result.sequenceNumber,
    formats: kept,
    skipped: [
      ...result.skipped.map(({ id, name, reason }) => ({
        id,
        name: name ?? standardFormatName(id),
        reason,
      })),
      ...skipped,
    ],
  };
}

/**
 * Puts a snapshot back: empties the clipboard and sets every copied format
 * in its order (registered formats by name), in one go.
 *
 * @example Restore
 * ```ts no-run
 * import { restore, snapshot } from "@winipc/winipc/clipboard";
 *
 * const saved = await snapshot();
 * await restore(saved);
 * ```
 *
 * @param saved A snapshot from {@linkcode snapshot}.
 * @param options Secret mode, clearing, contention.
 * @returns The sequence number of the write.
 * @throws {TypeError} For something that is not a snapshot.
 * @throws {Deno.errors.Busy} If another program held the clipboard open through every attempt.
 */
export function restore(saved: ClipboardSnapshot, options?: WriteOptions): Promise<WriteResult> {
  const what = "Cannot restore the clipboard";
  try {
    if (typeof saved !== "object" || saved === null || !Array.isArray(saved.formats)) {
      throw new TypeError(`${what}: not a snapshot: ${describeValue(saved)}`);
    }
    const items = saved.formats.map((f, i) => {
      if (typeof f !== "object" || f === null) {
        throw new TypeError(`${what}: formats[${i}] is not a snapshot format`);
      }
      return checkItem(
        checkFormat(f.registered ? f.name : f.id, `${what}: formats[${i}]`),
        checkBytes(f.bytes, `${what}: formats[${i}]`),
        `${what}: formats[${i}]`,
      );
    });
    return writeItems(items, options, what);
  } catch (error) {
    return Promise.reject(error);
  }
}
