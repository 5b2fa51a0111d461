// Copyright 2026 the winipc authors. MIT license.
/**
 * winipc: the classic Windows inter-process communication mechanisms for
 * Deno, through `Deno.dlopen` on kernel32 and user32, with one lifecycle
 * model: Web Streams, async iterables, `AbortSignal` and `using`.
 *
 * The mechanisms come one by one, each on the shared Win32 core. Each
 * submodule says what it holds:
 *
 * | import | mechanism | state |
 * | --- | --- | --- |
 * | `@winipc/winipc/pipe` | anonymous pipes, child processes | built |
 * | `@winipc/winipc/named-pipe` | named pipes | built: server, client, byte and message mode |
 * | `@winipc/winipc/mailslot` | mailslots | built |
 * | `@winipc/winipc/shared-memory` | shared memory, channels | built |
 * | `@winipc/winipc/sync` | mutex, semaphore, event, timers | built |
 * | `@winipc/winipc/clipboard` | the clipboard | not built yet |
 * | `@winipc/winipc/copydata` | `WM_COPYDATA` messages | not built yet |
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
export * from "./clipboard/mod.ts";
export * from "./copydata/mod.ts";
