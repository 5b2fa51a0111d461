// Copyright 2026 the winipc authors. MIT license.
import { assert, assertEquals, assertRejects, assertStrictEquals, assertThrows } from "@std/assert";
import {
  checkTimeout,
  checkWaitOptions as checkWait,
  PendingDeadline,
  sleep,
  startTimer,
  withDeadline,
} from "./timeout.ts";

Deno.test("checkTimeout() takes 0 to Infinity and refuses everything else", () => {
  assertEquals(checkTimeout(undefined, "wait"), Infinity);
  assertEquals(checkTimeout(undefined, "connect", 0), 0);
  for (const ok of [0, 1, 1.5, 2 ** 31, 3e9, 2 ** 53, Infinity]) {
    assertEquals(checkTimeout(ok, "wait"), ok);
  }
  for (const bad of [NaN, -1, -Infinity, "5", null, {}, 10n]) {
    assertThrows(() => checkTimeout(bad, "wait"), RangeError, "Cannot wait: timeout must be");
  }
});

Deno.test("startTimer() never fires a timer longer than setTimeout holds early", async () => {
  let fired = 0;
  const cancels = [2 ** 31 - 1, 2 ** 31, 2 ** 32, 3e9, 2 ** 53].map((ms) =>
    startTimer(ms, () => fired++)
  );
  await new Promise((r) => setTimeout(r, 100));
  assertEquals(fired, 0);
  for (const cancel of cancels) cancel();
});

Deno.test("startTimer() fires once its time has passed, not before, and can be cancelled", async () => {
  const start = performance.now();
  await new Promise<void>((resolve) => startTimer(30, resolve));
  assert(performance.now() - start >= 30);
  let fired = false;
  const cancel = startTimer(10, () => fired = true);
  cancel();
  await new Promise((r) => setTimeout(r, 40));
  assertEquals(fired, false);
  // Infinity starts nothing at all (the test would leak a timer otherwise).
  startTimer(Infinity, () => fired = true)();
});

Deno.test("sleep() rejects with the signal's reason", async () => {
  const reason = new Error("stop");
  await assertRejects(() => sleep(10, AbortSignal.abort(reason)), Error, "stop");
  const controller = new AbortController();
  const sleeping = sleep(2 ** 40, controller.signal);
  controller.abort(reason);
  await assertRejects(() => sleeping, Error, "stop");
  await sleep(1);
});

Deno.test("PendingDeadline: cancels a pending read at the deadline, never before, once armed", async () => {
  // Passed already: the read is cancelled as it goes pending (a zero timeout tries once).
  const passed = new PendingDeadline(performance.now());
  let cancelled = 0;
  passed.arm(() => cancelled++);
  assertEquals([cancelled, passed.timedOut, passed.passed], [1, true, true]);
  // In the future: nothing until then.
  const start = performance.now();
  const later = new PendingDeadline(start + 40);
  let at = 0;
  const fired = new Promise<void>((resolve) =>
    later.arm(() => {
      at = performance.now();
      resolve();
    })
  );
  assertEquals(later.timedOut, false);
  await fired;
  assert(at - start >= 39, `cancelled after ${at - start} ms`);
  assertEquals(later.timedOut, true);
  // Re-armed for a second pending read: only the current read is cancelled.
  const again = new PendingDeadline(performance.now() + 30);
  const calls: string[] = [];
  again.arm(() => calls.push("first"));
  again.arm(() => calls.push("second"));
  await new Promise((resolve) => setTimeout(resolve, 60));
  assertEquals(calls, ["second"]);
  // Stopped: never fires; no deadline: never armed.
  const stopped = new PendingDeadline(performance.now() + 10);
  stopped.arm(() => calls.push("stopped"));
  stopped.stop();
  const none = new PendingDeadline(Infinity);
  none.arm(() => calls.push("none"));
  await new Promise((resolve) => setTimeout(resolve, 30));
  assertEquals(calls, ["second"]);
  assertEquals([none.timedOut, none.passed], [false, false]);
});

// withDeadline(): the timeout rule of operations cancelled by a signal
// (named-pipe reads, writes and transactions, pipe-end writes): the deadline
// aborts the operation's signal with TimedOut, never early; 0 aborts right
// after the operation started (it is tried once); the caller's signal goes
// through with its own reason.

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
