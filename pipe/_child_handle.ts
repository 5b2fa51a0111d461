// Copyright 2026 the winipc authors. MIT license.
/**
 * Package-private: the process handle of each {@linkcode ChildProcess}, for
 * package code that waits on it among other objects (the handle is
 * signalled once the process has ended, and a wait consumes nothing). The
 * handle stays open until the child is disposed.
 *
 * @module
 */
import type { OwnedHandle } from "../_win32/handle.ts";
import type { ChildProcess } from "./spawn.ts";

const handles = new WeakMap<ChildProcess, OwnedHandle>();

/**
 * Records a child's process handle (done once, by `spawn`).
 *
 * @param child The child.
 * @param handle Its process handle, owned by the child.
 */
export function setChildProcessHandle(child: ChildProcess, handle: OwnedHandle): void {
  handles.set(child, handle);
}

/**
 * The process handle of a child from `spawn`.
 *
 * @param child The child.
 * @returns Its process handle (closed once the child is disposed).
 * @throws {TypeError} If `child` is not a `ChildProcess`.
 */
export function childProcessHandle(child: ChildProcess): OwnedHandle {
  const handle = handles.get(child);
  if (handle === undefined) throw new TypeError("Not a ChildProcess from spawn()");
  return handle;
}
