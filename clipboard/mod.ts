// Copyright 2026 the winipc authors. MIT license.
/**
 * The Windows clipboard, in-process (no PowerShell, no helper program):
 * text, HTML, RTF, file lists, images, custom formats, several at once;
 * change events; secret mode; snapshot and restore.
 *
 * ```ts ignore
 * import * as clipboard from "@winipc/winipc/clipboard";
 *
 * await clipboard.writeText("héllo 𝄞");
 * console.log(await clipboard.readText()); // "héllo 𝄞"
 * ```
 *
 * @module
 */
export {
  clear,
  formats,
  readFiles,
  readFormat,
  readHtml,
  readImage,
  readRtf,
  readText,
  registerFormat,
  restore,
  sequenceNumber,
  snapshot,
  write,
  writeFiles,
  writeFormat,
  writeHtml,
  writeImage,
  writeRtf,
  writeText,
} from "./clipboard.ts";
export type {
  ClipboardData,
  ClipboardFormat,
  ClipboardHtml,
  ClipboardSnapshot,
  CustomData,
  FormatInfo,
  WriteHtmlOptions,
  WriteOptions,
  WriteResult,
  WriteRtfOptions,
} from "./clipboard.ts";
export type { ClipboardOptions } from "./_core.ts";
export type { DelayedData } from "./_delayed.ts";
export type { ClipboardImage, ImageInput } from "./_image.ts";
export type { SkippedFormat, SnapshotFormat } from "./_snapshot.ts";
export { ClipboardWatcher, watch } from "./watch.ts";
export type { ClipboardChange, WatchOptions } from "./watch.ts";
