// Copyright 2026 the winipc authors. MIT license.
/**
 * The clipboard's public types: formats, write options and results, the
 * shapes of HTML, custom data, several formats at once, and snapshots.
 *
 * @module
 */
import type { ClipboardOptions } from "./_core.ts";
import type { DelayedData } from "./_delayed.ts";
import type { ImageInput } from "./_image.ts";
import type { SkippedFormat, SnapshotFormat } from "./_snapshot.ts";

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
