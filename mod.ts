// Copyright 2026 the winipc authors. MIT license.
/**
 * winipc: the classic Windows inter-process communication mechanisms for
 * Deno, through `Deno.dlopen` on kernel32 and user32, with one lifecycle
 * model: Web Streams, async iterables, `AbortSignal` and `using`.
 *
 * Each mechanism is a submodule, all on one shared Win32 core:
 *
 * | import | mechanism |
 * | --- | --- |
 * | `@winipc/winipc/pipe` | anonymous pipes, child processes |
 * | `@winipc/winipc/named-pipe` | named pipes: server, client, byte and message mode |
 * | `@winipc/winipc/mailslot` | mailslots: one-way datagrams, local and broadcast names |
 * | `@winipc/winipc/shared-memory` | named file mappings, and a message channel over them |
 * | `@winipc/winipc/sync` | mutex, semaphore, event, waitable timer, timer queue, waits on many |
 * | `@winipc/winipc/copydata` | `WM_COPYDATA`: messages to and from windows (AutoHotkey, C programs) |
 * | `@winipc/winipc/clipboard` | the clipboard: every common format, change events (here as the `clipboard` namespace) |
 *
 * Importing winipc opens no DLL: libraries are opened on first use, so type
 * checks and documentation work on every OS.
 *
 * @module
 */
export { Win32Error } from "./_win32/errors.ts";
export * from "./pipe/mod.ts";
export * from "./named_pipe/mod.ts";
export * from "./mailslot/mod.ts";
export * from "./shared_memory/mod.ts";
export * from "./sync/mod.ts";
export * from "./copydata/mod.ts";
/**
 * The clipboard, as a namespace (`clipboard.writeText`, `clipboard.watch`):
 * its functions have short names (`write`, `read`, `clear`, `formats`) that
 * would be ambiguous at the root. The same module is
 * `@winipc/winipc/clipboard`.
 */
export * as clipboard from "./clipboard/mod.ts";
