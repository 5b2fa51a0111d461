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
  clipboardRead,
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
  dword,
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
  decodeImagePng,
  encodeDib,
  encodeDibV5,
  encodeImagePng,
  type ImageInput,
} from "./_image.ts";
import { dropSynthesized, type SkippedFormat, type SnapshotFormat } from "./_snapshot.ts";
import { type DelayedData, promiseFormats } from "./_delayed.ts";
import { describeValue } from "../_win32/options.ts";
import { user32 } from "../_win32/ffi.ts";
import { startTimer } from "../_win32/timeout.ts";

/** A clipboard format: a number (a standard `CF_*` id or a registered id) or a registered name. */
export type ClipboardFormat = number | string;

/** Options for a write. */
export interface WriteOptions extends ClipboardOptions {
  /**
   * Secret mode, for passwords: the content is also marked with the
   * registered formats `ExcludeClipboardContentFromMonitorProcessing` (a
   * DWORD 0: its presence is what counts), `CanIncludeInClipboardHistory`
   * (DWORD 0) and `CanUploadToCloudClipboard` (DWORD 0), so that Windows'
   * clipboard history (Win+V), cloud clipboard and well-behaved clipboard
   * monitors leave it alone.
   * @default {false}
   */
  secret?: boolean;
  /**
   * Milliseconds after which to empty the clipboard, but only if it still
   * holds this write (its sequence number has not moved). The process stays
   * alive until then. `Infinity` or `undefined`: never.
   * @default {undefined}
   */
  clearAfter?: number;
}

/** What a write did. */
export interface WriteResult {
  /**
   * The clipboard's sequence number just after the write (read right after
   * `CloseClipboard`, since closing may move it: Windows adds synthesized
   * formats then).
   */
  readonly sequenceNumber: number;
  /**
   * With `clearAfter`: settles when the time has come, with `"cleared"`
   * (the clipboard was emptied), `"replaced"` (something else had been put
   * there since, and was left alone) or `"failed"` (the clipboard could not
   * be opened). Never rejects.
   */
  readonly cleared?: Promise<"cleared" | "replaced" | "failed">;
}

/** What {@linkcode readHtml} returns. */
export interface ClipboardHtml {
  /** The fragment: the HTML between `StartFragment` and `EndFragment`. */
  readonly html: string;
  /** The whole document, between `StartHTML` and `EndHTML`, when the writer gave it. */
  readonly fullHtml?: string;
  /** The page the HTML came from (`SourceURL`), when given. */
  readonly sourceUrl?: string;
}

/** Options for {@linkcode writeHtml}. */
export interface WriteHtmlOptions extends WriteOptions {
  /**
   * The plain text written alongside (`CF_UNICODETEXT`), for programs that
   * do not read HTML: a string, or `false` for none.
   * @default {the HTML with its tags removed and its entities decoded}
   */
  text?: string | false;
  /** The page the HTML came from (`SourceURL` in the header). */
  sourceUrl?: string;
}

/** Options for {@linkcode writeRtf}. */
export interface WriteRtfOptions extends WriteOptions {
  /** Plain text written alongside (`CF_UNICODETEXT`), if any. */
  text?: string;
}

/** One custom format's data in {@linkcode ClipboardData}. */
export interface CustomData {
  /** The format: a registered name (registered on the way) or an id. */
  readonly format: ClipboardFormat;
  /** The bytes, stored as they are. */
  readonly bytes: Uint8Array;
}

/** Everything {@linkcode write} can put on the clipboard at once. */
export interface ClipboardData {
  /** Unicode text (`CF_UNICODETEXT`). */
  text?: string;
  /** HTML (`"HTML Format"`): a fragment, or a fragment and its source page. */
  html?: string | { html: string; sourceUrl?: string };
  /** RTF (`"Rich Text Format"`), 8-bit text. */
  rtf?: string;
  /** Absolute file paths (`CF_HDROP`). */
  files?: string[];
  /** An image, written as `CF_DIBV5`, `CF_DIB` and `"PNG"`. */
  image?: ImageInput;
  /** Custom formats, in order. */
  custom?: CustomData[];
  /**
   * Formats rendered only when a program pastes them (delayed rendering,
   * for large or costly data), placed after the others. The process keeps
   * running while the clipboard holds formats it has not rendered yet
   * (until they are all rendered or another write replaces them).
   */
  delayed?: DelayedData[];
}

/** A format on the clipboard, from {@linkcode formats}. */
export interface FormatInfo {
  /** Its id. */
  readonly id: number;
  /** Its registered name, or `CF_*` for a standard one (`#n` if unknown). */
  readonly name: string;
  /** Whether `name` is a registered name. */
  readonly registered: boolean;
}

/** A copy of the clipboard, from {@linkcode snapshot}. */
export interface ClipboardSnapshot {
  /** The clipboard's sequence number when it was copied. */
  readonly sequenceNumber: number;
  /** The formats copied, in the clipboard's order. */
  readonly formats: readonly SnapshotFormat[];
  /** The formats not copied, each with its reason. */
  readonly skipped: readonly SkippedFormat[];
}

interface Item {
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

function isHandleFormat(id: number): boolean {
  return HANDLE_FORMATS.has(id) || (id >= 0x200 && id <= 0x3ff);
}

function checkFormat(format: unknown, what: string): ClipboardFormat {
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

function checkBytes(bytes: unknown, what: string): Uint8Array {
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
function checkItem(format: ClipboardFormat, bytes: Uint8Array, what: string): Item {
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

function checkBoolean(value: unknown, name: string, what: string): boolean {
  if (value === undefined) return false;
  if (value !== true && value !== false) {
    throw new TypeError(`${what}: ${name} must be true or false, got ${describeValue(value)}`);
  }
  return value;
}

function secretItems(): Item[] {
  return [
    { format: FORMAT_NAME.EXCLUDE_FROM_MONITORS, bytes: dword(0) },
    { format: FORMAT_NAME.HISTORY, bytes: dword(0) },
    { format: FORMAT_NAME.CLOUD, bytes: dword(0) },
  ];
}

function imageItems(image: ClipboardImage): Item[] {
  return [
    { format: CF.DIBV5, bytes: encodeDibV5(image) },
    { format: CF.DIB, bytes: encodeDib(image) },
    { format: FORMAT_NAME.PNG, bytes: encodeImagePng(image) },
  ];
}

/** Strips tags and decodes the common entities: the plain text beside written HTML. */
function htmlToText(html: string): string {
  const named: Record<string, string> = {
    amp: "&",
    lt: "<",
    gt: ">",
    quot: '"',
    apos: "'",
    nbsp: "\u00a0",
  };
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>/gi, "\r\n")
    .replace(/<\/(p|div|li|tr|h[1-6])\s*>/gi, "\r\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, code: string) => {
      if (code[0] === "#") {
        const n = code[1] === "x" || code[1] === "X"
          ? parseInt(code.slice(2), 16)
          : parseInt(code.slice(1), 10);
        return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : all;
      }
      return named[code.toLowerCase()] ?? all;
    });
}

async function writeItems(
  items: Item[],
  options: WriteOptions | undefined,
  what: string,
  delayed: DelayedData[] = [],
): Promise<WriteResult> {
  const contention = checkContention(options, what);
  const secret = checkBoolean(options?.secret, "secret", what);
  const clearAfter = options?.clearAfter;
  if (
    clearAfter !== undefined &&
    (typeof clearAfter !== "number" || Number.isNaN(clearAfter) || clearAfter < 0)
  ) {
    throw new RangeError(
      `${what}: clearAfter must be a number of milliseconds from 0 to Infinity, got ${
        describeValue(clearAfter)
      }`,
    );
  }
  const all = secret ? [...items, ...secretItems()] : items;
  const promised = delayed.length > 0 ? await promiseFormats(delayed, what) : null;
  let sequenceNumber: number;
  let ours: boolean;
  try {
    const result = await clipboardWrite(
      all,
      what,
      contention,
      promised === null ? {} : { delayed: promised.delayed },
    );
    if (!("written" in result)) throw new Error(`${what}: the write was not made`);
    ({ sequenceNumber, ours } = result);
  } catch (error) {
    promised?.failed();
    throw error;
  }
  if (clearAfter === undefined || clearAfter === Infinity) return { sequenceNumber };
  const cleared = new Promise<"cleared" | "replaced" | "failed">((resolve) => {
    startTimer(clearAfter, () => {
      clipboardWrite(
        [],
        "Cannot clear the clipboard",
        { ...contention, signal: undefined },
        // Replaced before its number could be read: never clear.
        { ifSequence: ours ? sequenceNumber : -1 },
      ).then((r) => resolve("replaced" in r ? "replaced" : "cleared"), () => resolve("failed"));
    });
  });
  return { sequenceNumber, cleared };
}

async function readItems(
  formats: ClipboardFormat[],
  options: ClipboardOptions | undefined,
  what: string,
): Promise<(Uint8Array | null)[]> {
  const contention = checkContention(options, what);
  return await clipboardRead(formats, what, contention);
}

/**
 * Puts Unicode text on the clipboard (`CF_UNICODETEXT`), replacing what was
 * there. Any string round-trips exactly (surrogate pairs, `\r\n` and `\n`
 * as given); a NUL character is refused, since every reader stops there.
 *
 * @example Copy text
 * ```ts ignore
 * import { writeText } from "@winipc/winipc/clipboard";
 *
 * await writeText("héllo 𝄞");
 * ```
 *
 * @example Copy a password, keep it out of history, clear it after 30 s
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
    return writeItems(imageItems(checkImage(image, what)), options, what);
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
 * ```ts ignore
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
  const [png, v5, dib] = await readItems(
    [FORMAT_NAME.PNG, CF.DIBV5, CF.DIB],
    options,
    "Cannot read an image from the clipboard",
  );
  // The richest form first; a form that does not decode gives way to the
  // next one present, and the first error is thrown only if none decodes.
  let failure: unknown = undefined;
  for (
    const [bytes, decode] of [[png, decodeImagePng], [v5, decodeDib], [dib, decodeDib]] as const
  ) {
    if (!bytes) continue;
    try {
      return decode(bytes);
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
 * ```ts ignore
 * import { write } from "@winipc/winipc/clipboard";
 *
 * await write({
 *   text: "report.csv (12 MB)",
 *   delayed: [{ format: "MyApp.Csv", render: () => Deno.readFile("report.csv") }],
 * });
 * ```
 *
 * @example Copy a table as HTML, text and a custom format
 * ```ts ignore
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
    if (data.image !== undefined) items.push(...imageItems(checkImage(data.image, what)));
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
    if (items.length === 0 && delayed.length === 0) {
      throw new TypeError(
        `${what}: data holds no format (text, html, rtf, files, image, custom or delayed)`,
      );
    }
    return writeItems(items, options, what, delayed);
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
 * ```ts ignore
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
