// Copyright 2026 the winipc authors. MIT license.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { checkTimeout, sleep, startTimer } from "./timeout.ts";

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
