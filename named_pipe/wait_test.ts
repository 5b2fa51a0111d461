// Copyright 2026 the winipc authors. MIT license.
// The timeout rule of named-pipe operations, on every OS: the deadline
// aborts the operation's signal with TimedOut, never early; 0 aborts right
// after the operation started (it is tried once); the caller's signal goes
// through with its own reason.
import { assert, assertEquals, assertRejects, assertStrictEquals, assertThrows } from "@std/assert";
import { withDeadline } from "./_wait.ts";
import { checkWaitOptions as checkWait } from "../_win32/timeout.ts";

/** An operation that ends only when its signal aborts, or with `value` when `ready`. */
function operation(ready: boolean, value = 42) {
  let seen: AbortSignal | undefined;
  const run = (signal: AbortSignal | undefined): Promise<number> => {
    seen = signal;
    if (ready) return Promise.resolve(value);
    return new Promise((_, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  };
  return { run, signal: () => seen };
}

Deno.test("checkWaitOptions() applies the one timeout rule and checks the signal", () => {
  assertEquals(checkWait(undefined, "read"), { timeout: Infinity, signal: undefined });
  assertEquals(checkWait({}, "read", 0).timeout, 0);
  assertEquals(checkWait({ timeout: 5 }, "read").timeout, 5);
  for (const bad of [-1, NaN, "10"]) {
    assertThrows(() => checkWait({ timeout: bad as number }, "read from x"), RangeError, "timeout");
  }
  assertThrows(
    () => checkWait({ signal: { aborted: false } as AbortSignal }, "read from x"),
    TypeError,
    "signal must be an AbortSignal",
  );
  assertThrows(() => checkWait(null, "read from x"), TypeError, "options must be an object");
});

Deno.test("withDeadline() with timeout 0 returns a ready result and fails TimedOut otherwise", async () => {
  assertEquals(
    await withDeadline({ timeout: 0, signal: undefined }, "read", operation(true).run),
    42,
  );
  const pending = operation(false);
  const start = performance.now();
  await assertRejects(
    () => withDeadline({ timeout: 0, signal: undefined }, "read from x", pending.run),
    Deno.errors.TimedOut,
    "Cannot read from x: nothing was ready at once (timeout 0)",
  );
  assert(performance.now() - start < 50);
  assert(pending.signal()?.aborted);
});

Deno.test("withDeadline() fails TimedOut after the timeout, not before", async () => {
  const start = performance.now();
  await assertRejects(
    () => withDeadline({ timeout: 120, signal: undefined }, "read from x", operation(false).run),
    Deno.errors.TimedOut,
    "timed out after 120 ms",
  );
  assert(performance.now() - start >= 120, `${performance.now() - start} ms`);
});

Deno.test("withDeadline() rejects with the caller's reason, and Infinity adds nothing", async () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  const op = operation(false);
  const running = withDeadline({ timeout: 60_000, signal: controller.signal }, "read", op.run);
  controller.abort(reason);
  assertStrictEquals(await assertRejects(() => running), reason);
  const direct = operation(true);
  const signal = new AbortController().signal;
  assertEquals(await withDeadline({ timeout: Infinity, signal }, "read", direct.run), 42);
  assertStrictEquals(direct.signal(), signal);
  await assertRejects(
    () => withDeadline({ timeout: 10, signal: AbortSignal.abort(reason) }, "read", direct.run),
    Error,
    "stop",
  );
});
