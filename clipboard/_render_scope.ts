// Copyright 2026 the winipc authors. MIT license.
/**
 * Whether code runs inside a delayed-rendering render function (its own
 * asynchronous continuations included): a clipboard call made there could
 * never get through (the program pasting holds the clipboard open, and the
 * clipboard thread waits for that render), so it is refused at once.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

const scope = new AsyncLocalStorage<true>();

/**
 * Runs a render function inside the render scope.
 *
 * @param render The function.
 * @returns What it returns.
 */
export function inRenderScope<T>(render: () => T): T {
  return scope.run(true, render);
}

/** Whether the caller runs inside a render function. */
export function insideRender(): boolean {
  return scope.getStore() === true;
}
