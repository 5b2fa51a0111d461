// Copyright 2026 the winipc authors. MIT license.
/**
 * The Windows clipboard, in-process: no PowerShell, no helper program, each
 * call a few Win32 calls on winipc's window thread. Text, HTML, RTF, file
 * lists, images, custom formats, several at once; change events; secret
 * mode; snapshot and restore; delayed rendering.
 *
 * ```ts no-run
 * import * as clipboard from "@winipc/winipc/clipboard";
 *
 * await clipboard.writeText("héllo 𝄞");
 * console.log(await clipboard.readText()); // "héllo 𝄞"
 *
 * await clipboard.writeHtml("<b>bold</b> text", { sourceUrl: "https://example.com/" });
 * await clipboard.writeFiles(["C:\\Users\\me\\été.txt"]);
 * await clipboard.writeImage({ width: 1, height: 1, data: new Uint8Array([255, 0, 0, 128]) });
 * await clipboard.write({ text: "1\t2", html: "<table><tr><td>1<td>2</table>" });
 *
 * // Change events, for a minute: the signal ends the loop by rejecting with its reason.
 * const signal = AbortSignal.timeout(60_000);
 * try {
 *   for await (const change of clipboard.watch({ signal })) {
 *     console.log(change.sequenceNumber, change.formats.map((f) => f.name), change.missed);
 *   }
 * } catch (error) {
 *   if (error !== signal.reason) throw error; // the minute is over: not a failure
 * }
 *
 * const saved = await clipboard.snapshot();
 * await clipboard.writeText("hunter2", { secret: true, clearAfter: 30_000 });
 * await clipboard.restore(saved);
 * ```
 *
 * ## Formats
 *
 * - **Text** (`CF_UNICODETEXT`): any string round-trips exactly: surrogate
 *   pairs, lone surrogates, `\r\n`, `\n` and a leading U+FEFF as given. A
 *   NUL character is refused on write (`TypeError`): every reader stops at
 *   the first NUL. Reading stops at the first NUL too (a block may be
 *   longer than its text).
 * - **HTML** (`"HTML Format"`): the header's `StartHTML`, `EndHTML`,
 *   `StartFragment` and `EndFragment` are UTF-8 byte offsets (ten digits),
 *   `SourceURL` is added when given, and the fragment sits between
 *   `<!--StartFragment-->` and `<!--EndFragment-->` inside
 *   `<html><body>`. Plain text goes alongside by default (the HTML without
 *   its tags). Reading returns `{ html, fullHtml?, sourceUrl? }`: the
 *   fragment, the whole document, the page.
 * - **RTF** (`"Rich Text Format"`): 8-bit text, one byte a character
 *   (U+0000 to U+00FF); write other characters as `\uN?` escapes.
 * - **Files** (`CF_HDROP`): absolute paths (`C:\...`, `\\server\share\...`),
 *   written wide (`fWide` = 1), any Unicode; lists of old programs in ANSI
 *   are read as Windows-1252.
 * - **Images**: read from `"PNG"`, else `CF_DIBV5`, else `CF_DIB` (the first
 *   form that decodes), into one form: `{ width, height, data, hasAlpha }`,
 *   `data` RGBA, top row first, straight alpha. Written as `CF_DIBV5`
 *   (32-bit, `BI_BITFIELDS`, alpha mask, sRGB), `CF_DIB` (32-bit `BI_RGB`,
 *   alpha in the fourth byte) and `"PNG"` (RGBA, or RGB when opaque; PNG
 *   coding by the npm package fast-png). A 32-bit DIB whose alpha bytes are
 *   all 0 is read as opaque (many programs leave them 0).
 * - **Custom formats**: a registered name (or an id) and bytes, at least
 *   one; read back as `GlobalSize` reports them.
 * - **Several at once**: {@linkcode write} opens, empties, sets every
 *   format and closes once, richest form first.
 * - **Delayed rendering**: `write({ delayed: [{ format, render }] })`
 *   promises formats whose bytes are made only when a program pastes them
 *   (`WM_RENDERFORMAT`, answered on the window thread, which waits at most
 *   10 s for `render`; a later answer is dropped, the paste having got
 *   nothing). The process keeps running while the clipboard holds
 *   a promise not yet rendered.
 *
 * ## Contention
 *
 * Another program holding the clipboard open is normal (clipboard managers,
 * Explorer after a copy). A call that finds it open tries again after 8,
 * 16, 32, 64 ms, then every `retryDelay` (125 ms), `retries` (10) more
 * times: about 0.9 s in all. The waits are on the JavaScript side, between
 * attempts, and a `signal` cancels them. Then it fails with
 * `Deno.errors.Busy`, naming the holder: `GetOpenClipboardWindow`, its
 * process id and, where this user may query it, its image path.
 *
 * ## Change events
 *
 * {@linkcode watch} registers a format listener (`AddClipboardFormatListener`)
 * on a window of its own: no polling, nothing while idle. Each change
 * carries the sequence number and the formats present, read when the
 * clipboard is closed and the sequence number does not move meanwhile (so
 * never a half-written state, except from a program that opens the
 * clipboard without a window, which `GetOpenClipboardWindow` cannot show). Changes that come faster than they can be
 * read are merged into the next event and counted in its `missed`: every
 * `WM_CLIPBOARDUPDATE` is an event or a counted miss, never hidden.
 *
 * ## Secret mode
 *
 * `{ secret: true }` adds three registered formats: `ExcludeClipboardContentFromMonitorProcessing`
 * (a DWORD 0: its presence is what counts), `CanIncludeInClipboardHistory`
 * (DWORD 0) and `CanUploadToCloudClipboard` (DWORD 0), which keep the
 * content out of Windows' clipboard history, cloud clipboard and
 * well-behaved monitors. `clearAfter: ms` empties the clipboard after that
 * time only if its sequence number is still the one after this write
 * (compared while the clipboard is open), and reports `"cleared"`,
 * `"replaced"` or `"failed"`; the process keeps running until then.
 *
 * ## Snapshot and restore
 *
 * {@linkcode snapshot} opens the clipboard once and copies every format in
 * its order, except:
 *
 * - `CF_BITMAP` (a GDI bitmap handle): its pixels are kept as `CF_DIB` or
 *   `CF_DIBV5`, from which Windows makes it again;
 * - `CF_PALETTE`, `CF_DSPBITMAP` and the range `CF_GDIOBJFIRST` to
 *   `CF_GDIOBJLAST` (0x0300 to 0x03FF): GDI handles;
 * - `CF_METAFILEPICT` and `CF_DSPMETAFILEPICT` (a metafile handle inside);
 *   `CF_ENHMETAFILE` itself is copied, through `GetEnhMetaFileBits`, and
 *   Windows makes `CF_METAFILEPICT` from it (written back, its bytes must be
 *   an enhanced metafile, checked before the clipboard is touched, and it
 *   cannot be delayed); `CF_DSPENHMETAFILE` is skipped;
 * - `CF_OWNERDISPLAY` (no data: the owner draws it);
 * - the private range `CF_PRIVATEFIRST` to `CF_PRIVATELAST` (0x0200 to
 *   0x02FF): handles only the owner understands;
 * - formats Windows synthesizes from one that is kept: of `CF_UNICODETEXT`,
 *   `CF_TEXT` and `CF_OEMTEXT` the first present in that order is kept; of
 *   `CF_DIBV5` and `CF_DIB` likewise;
 * - data that is not a global memory block, empty blocks, and formats whose
 *   owner rendered nothing when asked.
 *
 * Each is listed in `skipped` with its reason. Everything else, standard or
 * registered (registered ones by name, so that the snapshot restores into
 * another session), is kept as bytes, and {@linkcode restore} puts it all
 * back in one open, empty and close. A format another program renders only
 * on request is rendered when the snapshot is taken.
 *
 * ## Threads
 *
 * Every clipboard call runs whole (`OpenClipboard` to `CloseClipboard`) on
 * winipc's window thread, with a hidden message-only window as owner; the
 * JavaScript thread only posts requests, so no clipboard message ever waits
 * on it, and the event loop is never blocked by a Win32 call. The owner
 * window closes 50 ms after the last call (so the window thread stops and a
 * script that only writes exits by itself); the data stays on the
 * clipboard. {@linkcode sequenceNumber} is one call on the JavaScript
 * thread, which sends no message.
 *
 * ## Limits
 *
 * Reading a format another program renders only on request
 * (`WM_RENDERFORMAT`) waits for that program, as every reader does; Windows
 * sets no time limit, so a hung owner holds up winipc's window thread (and
 * any window of this process on it) until it answers. Images in DIBs with
 * RLE or JPEG compression, and PNGs fast-png cannot decode, are refused with
 * a `TypeError` when no other form is present.
 *
 * ## Under Wine
 *
 * Tested under Wine 10 with a C peer in another process. Wine adds the
 * formats it synthesizes (`CF_LOCALE`, `CF_TEXT`, `CF_OEMTEXT`, `CF_BITMAP`)
 * when the clipboard is closed, moving the sequence number then: write
 * results report the number read after closing. Wine refuses a zero-byte
 * block, and so does winipc everywhere. Wine gives up on an owner that does
 * not answer `WM_RENDERFORMAT` after 5 s; Windows waits.
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
} from "./types.ts";
export type { ClipboardOptions } from "./_core.ts";
export type { DelayedData } from "./_delayed.ts";
export type { ClipboardImage, ImageInput } from "./_image.ts";
export type { SkippedFormat, SnapshotFormat } from "./_snapshot.ts";
export { ClipboardWatcher, watch } from "./watch.ts";
export type { ClipboardChange, WatchOptions } from "./watch.ts";
