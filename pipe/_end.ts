// Copyright 2026 the winipc authors. MIT license.
/**
 * Package-private: making pipe ends, and handing them to a child process
 * (`mod.ts` does not re-export any of this).
 *
 * @module
 */
import type { OwnedHandle } from "../_win32/handle.ts";
import { HandleIo } from "../_win32/handle_io.ts";
import { CONSTRUCT } from "../_win32/construct.ts";
import { PipeReader, PipeWriter } from "./end.ts";

/** Either end of a pipe. */
export type AnyPipeEnd = PipeReader | PipeWriter;

/** Each end's I/O, for handing the end to a child. */
const ios = new WeakMap<AnyPipeEnd, HandleIo>();

/**
 * Makes a read end owning `handle`.
 *
 * @param handle The handle, owned by the end from now on.
 * @param overlapped Whether it was opened with `FILE_FLAG_OVERLAPPED`.
 * @returns The end.
 */
export function newPipeReader(handle: OwnedHandle, overlapped: boolean): PipeReader {
  const io = new HandleIo(handle, { overlapped, describe: "pipe reader" });
  const reader = new PipeReader(CONSTRUCT, io);
  ios.set(reader, io);
  return reader;
}

/**
 * Makes a write end owning `handle`.
 *
 * @param handle The handle, owned by the end from now on.
 * @param overlapped Whether it was opened with `FILE_FLAG_OVERLAPPED`.
 * @returns The end.
 */
export function newPipeWriter(handle: OwnedHandle, overlapped: boolean): PipeWriter {
  const io = new HandleIo(handle, { overlapped, describe: "pipe writer" });
  const writer = new PipeWriter(CONSTRUCT, io);
  ios.set(writer, io);
  return writer;
}

/**
 * Checks that an end can be handed to a child process, and returns its
 * handle (still owned by the end until {@linkcode releaseToChild}).
 *
 * @param end The end.
 * @param role What it is for, in messages (`stdin`, `pipe end`).
 * @returns Its handle.
 * @throws {Deno.errors.BadResource} If it is closed or was given before.
 * @throws {TypeError} If this process has read or written on it.
 */
export function handleForChild(end: AnyPipeEnd, role: string): OwnedHandle {
  const io = ios.get(end)!;
  if (io.closed) {
    throw new Deno.errors.BadResource(
      `Cannot give the ${role} to a child process: the pipe end is closed (or was already given to a child)`,
    );
  }
  if (io.associated) {
    throw new TypeError(
      `Cannot give the ${role} to a child process: this process has already read or written on that end, which binds its handle to this process's completion port; give a child only ends this process does not use`,
    );
  }
  return io.handle;
}

/**
 * Marks an end as handed over: the child has its own copy, and this
 * process's copy is closed, so that the reader sees the end of the stream
 * when the child's copy closes.
 *
 * @param end The end.
 */
export function releaseToChild(end: AnyPipeEnd): void {
  const handle = ios.get(end)!.release();
  if (!handle.closed) handle.close();
}
