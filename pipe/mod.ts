// Copyright 2026 the winipc authors. MIT license.
/**
 * Anonymous pipes and child processes: asynchronous pipe ends (no thread
 * held per pending read), and children whose standard streams, and any
 * extra inherited ends, are those pipes, with nothing else inherited.
 *
 * ```ts no-run
 * import { createPipe, spawn } from "@winipc/winipc/pipe";
 *
 * // A child's stdin and stdout.
 * await using child = spawn("cmd", { args: ["/c", "sort"], stdin: "piped", stdout: "piped" });
 * await child.stdin!.write(new TextEncoder().encode("b\r\na\r\n"));
 * child.stdin!.close();
 * console.log(await new Response(child.stdout!.readable).text());
 * console.log(await child.status); // { success: true, code: 0, signal: null }
 *
 * // A pipe in one process; reads take a timeout and a signal.
 * const { reader, writer } = createPipe();
 * await writer.write(new TextEncoder().encode("hi"));
 * const n = await reader.read(new Uint8Array(16), { timeout: 1000 }); // 2
 * ```
 *
 * @module
 */
export type { WaitOptions } from "../_win32/options.ts";
export { createPipe, openPipeHandle } from "./create.ts";
export type { CreatePipeOptions, OpenPipeHandleOptions, PipeAccess, PipeEnds } from "./create.ts";
export { PipeReader, PipeWriter } from "./end.ts";
export type { PipeWriteOptions } from "./end.ts";
export { ChildProcess, spawn } from "./spawn.ts";
export type { SpawnOptions, SpawnStdio } from "./spawn.ts";
