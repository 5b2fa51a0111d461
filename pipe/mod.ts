// Copyright 2026 the winipc authors. MIT license.
/**
 * Anonymous pipes and child processes: asynchronous pipe ends (no thread
 * held per pending read), and children whose standard streams, and any
 * extra inherited ends, are those pipes, with nothing else inherited.
 *
 * ```ts ignore
 * import { createPipe, spawn } from "@winipc/winipc/pipe";
 *
 * // A child's stdin and stdout.
 * await using child = spawn("cmd", { args: ["/c", "sort"], stdin: "piped", stdout: "piped" });
 * await child.stdin!.write(new TextEncoder().encode("b\r\na\r\n"));
 * child.stdin!.close();
 * console.log(await new Response(child.stdout!.readable).text());
 *
 * // A pipe in one process.
 * const { reader, writer } = createPipe();
 * ```
 *
 * @module
 */
export { createPipe, openPipeHandle } from "./create.ts";
export type { CreatePipeOptions } from "./create.ts";
export { PipeEnd, PipeReader, PipeWriter } from "./end.ts";
export type { PipeIoOptions } from "./end.ts";
export { ChildProcess, spawn } from "./spawn.ts";
export type { SpawnOptions, SpawnStdio } from "./spawn.ts";
