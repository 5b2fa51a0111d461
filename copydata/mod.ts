// Copyright 2026 the winipc authors. MIT license.
/**
 * `WM_COPYDATA`: small messages between windows, the way AutoHotkey and many
 * desktop programs talk. A listener is a hidden top-level window other
 * programs find by class name or title; each message carries a tag (a
 * pointer-sized number) and bytes, and the sender waits for a reply.
 *
 * ```ts no-run
 * import { listenCopyData, sendCopyData } from "@winipc/winipc/copydata";
 *
 * using listener = await listenCopyData({ className: "MyApp.Receiver", title: "MyApp" });
 * // usually in another process (or AutoHotkey, or C):
 * await sendCopyData({ className: "MyApp.Receiver" }, "hello", { tag: 1n });
 * const message = await listener.receive({ timeout: 1000 });
 * console.log(message.tag, message.text()); // 1n "hello"
 * ```
 *
 * The listener's window lives on winipc's window thread (one a process,
 * started on first use, stopped when the last window closes). Messages are
 * copied and answered there, so neither side waits on the other's
 * JavaScript. `sendCopyData` waits on Deno's blocking pool, never on the
 * event loop.
 *
 * @module
 */
export { CopyDataListener, CopyDataMessage, listenCopyData } from "./listener.ts";
export type { CopyDataEncoding, ListenCopyDataOptions } from "./listener.ts";
export { findWindow, MAX_COPYDATA_SIZE, sendCopyData } from "./send.ts";
export type { CopyDataTarget, SendCopyDataOptions } from "./send.ts";
export { SingleInstance, singleInstance } from "./single_instance.ts";
export type { SingleInstanceOptions } from "./single_instance.ts";
export type { WaitOptions } from "../_win32/options.ts";
