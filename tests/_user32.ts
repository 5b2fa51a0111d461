// Copyright 2026 the winipc authors. MIT license.
/**
 * A helper for the user32 suites: the end state every test of the clipboard
 * or `WM_COPYDATA` threads must reach.
 *
 * @module
 */
import { assert } from "@std/assert";
import { clipboardIdle } from "../clipboard/_core.ts";
import { windowThreadRunning, windowThreadStopped } from "../_win32/window_thread.ts";

/** Waits until the clipboard is idle and every window thread has stopped; fails if one still runs. */
export async function user32Stopped(): Promise<void> {
  await clipboardIdle();
  await windowThreadStopped();
  assert(!windowThreadRunning(), "a window thread still runs after its last user");
}
