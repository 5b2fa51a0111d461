// Copyright 2026 the winipc authors. MIT license.
/**
 * Whether code runs inside a delayed-rendering render function (its own
 * asynchronous continuations included): a clipboard call made there could
 * never get through (the program pasting holds the clipboard open, and the
 * clipboard thread waits for that render), so it is refused at once.
 *
 * The scope is an `AsyncLocalStorage`, loaded with the first write that
 * promises a format ({@linkcode loadRenderScope}), so that a program that
 * never uses delayed rendering does not load `node:async_hooks`.
 *
 * @module
 */
import type { AsyncLocalStorage } from "node:async_hooks";

let scope: AsyncLocalStorage<true> | null = null;

/** Loads the scope; call before any render function can run. */
export async function loadRenderScope(): Promise<void> {
  if (scope !== null) return;
  const { AsyncLocalStorage } = await import("node:async_hooks");
  scope ??= new AsyncLocalStorage<true>();
}

/**
 * Runs a render function inside the render scope.
 *
 * @param render The function.
 * @returns What it returns.
 */
export function inRenderScope<T>(render: () => T): T {
  return scope === null ? render() : scope.run(true, render);
}

/** Whether the caller runs inside a render function. */
export function insideRender(): boolean {
  return scope?.getStore() === true;
}
