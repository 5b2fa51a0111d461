// Copyright 2026 the winipc authors. MIT license.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { at, windowsTest } from "../tests/_helpers.ts";
import { kernel32, outValue } from "./ffi.ts";
import { OwnedHandle } from "./handle.ts";
import { waitActivity, waitForAny, waitForHandle, waitStats } from "./wait.ts";
import { threadCount } from "./process_info.ts";

function newEvent(manualReset = false): OwnedHandle {
  const k = kernel32();
  return OwnedHandle.from(
    k.CreateEventW(null, manualReset ? 1 : 0, 0, null),
    k.GetLastError(),
    "event",
    "Cannot create event",
  );
}

windowsTest(
  "waitForHandle() resolves at once for a signalled object, with no hop",
  {},
  async () => {
    using event = newEvent();
    kernel32().SetEvent(event.raw);
    const before = waitStats.calls;
    assertEquals(await waitForHandle(event), "signaled");
    assertEquals(waitStats.calls, before);
    // The auto-reset event's signal was consumed.
    assertEquals(await waitForHandle(event, { timeout: 0 }), "timeout");
  },
);

windowsTest("waitForHandle() resolves when the event is set later", {}, async () => {
  using event = newEvent();
  const waiting = waitForHandle(event);
  setTimeout(() => kernel32().SetEvent(event.raw), 20);
  assertEquals(await waiting, "signaled");
});

windowsTest("waitForHandle() times out after the timeout and not before", {}, async () => {
  using event = newEvent();
  const start = performance.now();
  assertEquals(await waitForHandle(event, { timeout: 150 }), "timeout");
  const elapsed = performance.now() - start;
  assert(elapsed >= 140, `returned after ${elapsed} ms`);
  assert(elapsed < 2000, `returned after ${elapsed} ms`);
});

windowsTest(
  "waitForHandle() rejects with the abort reason and leaves no registration",
  {},
  async () => {
    using event = newEvent();
    const controller = new AbortController();
    const waiting = waitForHandle(event, { signal: controller.signal });
    const reason = new Error("stop");
    setTimeout(() => controller.abort(reason), 10);
    const error = await assertRejects(() => waiting);
    assertEquals(error, reason);
    // The event still works and its later signal is not swallowed by the dead wait.
    kernel32().SetEvent(event.raw);
    assertEquals(await waitForHandle(event, { timeout: 1000 }), "signaled");
    // An already aborted signal rejects without waiting.
    await assertRejects(() => waitForHandle(event, { signal: AbortSignal.abort(reason) }));
  },
);

windowsTest("waitForHandle() validates its timeout", {}, async () => {
  using event = newEvent();
  await assertRejects(() => waitForHandle(event, { timeout: -1 }), RangeError, "timeout must be");
  await assertRejects(() => waitForHandle(event, { timeout: NaN }), RangeError);
});

windowsTest("waitForHandle() on a closed handle fails clearly", {}, async () => {
  const event = newEvent();
  event.close();
  await assertRejects(() => waitForHandle(event), Deno.errors.BadResource, "it is closed");
});

windowsTest("200 pending waits: the last one signalled first resolves promptly", {}, async () => {
  const baseline = threadCount();
  const events = Array.from({ length: 200 }, () => newEvent());
  try {
    const settled: number[] = [];
    const waits = events.map((event, i) =>
      waitForHandle(event, { timeout: 20_000 }).then((r) => {
        settled.push(i);
        return r;
      })
    );
    await new Promise((r) => setTimeout(r, 50));
    const threads = threadCount();
    const start = performance.now();
    kernel32().SetEvent(at(events, 199).raw);
    assertEquals(await waits[199], "signaled");
    const latency = performance.now() - start;
    assert(latency < 100, `last wait resolved after ${latency} ms`);
    assertEquals(settled, [199]);
    for (const event of events.slice(0, 199)) kernel32().SetEvent(event.raw);
    assertEquals(new Set(await Promise.all(waits)), new Set(["signaled"]));
    // The pool's wait threads each watch up to 63 objects: 4 of them, plus
    // a worker or two that run the callbacks.
    assert(threads - baseline <= 6, `${baseline} threads before 200 waits, ${threads} with them`);
  } finally {
    for (const event of events) event.close();
  }
});

windowsTest("waitForAny() returns the index of the signalled object", {}, async () => {
  const events = Array.from({ length: 100 }, () => newEvent());
  try {
    assertEquals(await waitForAny(events, { timeout: 0 }), -1);
    const waiting = waitForAny(events, { timeout: 10_000 });
    setTimeout(() => kernel32().SetEvent(at(events, 73).raw), 20);
    assertEquals(await waiting, 73);
    // Only the winner's signal was consumed.
    kernel32().SetEvent(at(events, 5).raw);
    assertEquals(await waitForAny(events), 5);
    assertEquals(await waitForAny(events, { timeout: 50 }), -1);
  } finally {
    for (const event of events) event.close();
  }
});

windowsTest("waitForAny() gives back signals consumed by losing waits", {}, async () => {
  const events = Array.from({ length: 8 }, () => newEvent());
  try {
    const restored: number[] = [];
    const waiting = waitForAny(events, {
      restore: (raw, i) => {
        restored.push(i);
        kernel32().SetEvent(raw);
      },
    });
    await new Promise((r) => setTimeout(r, 20));
    for (const event of events) kernel32().SetEvent(event.raw);
    const winner = await waiting;
    assert(winner >= 0);
    await new Promise((r) => setTimeout(r, 100));
    // Every event except the winner's is still signalled: either its wait was
    // unregistered in time, or its consumed signal was restored.
    for (const [i, event] of events.entries()) {
      const expected = i === winner ? "timeout" : "signaled";
      assertEquals(await waitForHandle(event, { timeout: 0 }), expected, `event ${i}`);
    }
  } finally {
    for (const event of events) event.close();
  }
});

windowsTest("waitForAny() rejects on abort and validates its input", {}, async () => {
  using event = newEvent();
  const controller = new AbortController();
  const waiting = waitForAny([event], { signal: controller.signal });
  controller.abort(new Error("gone"));
  await assertRejects(() => waiting, Error, "gone");
  await assertRejects(() => waitForAny([]), RangeError, "no objects");
});

// Issue 11, item 2: an abort at the instant of a signal must not swallow it.
// Before the fix, 16-24 of 1,000 signals were never seen by any later wait.
windowsTest(
  "an abort racing a SetEvent never loses the signal (1,000 rounds)",
  {},
  async () => {
    using event = newEvent();
    let delivered = 0;
    let lost = 0;
    for (let round = 0; round < 1000 && lost < 3; round++) {
      const controller = new AbortController();
      const waiting = waitForHandle(event, {
        signal: controller.signal,
        restore: (raw) => kernel32().SetEvent(raw),
      }).then(() => 1, () => 0);
      setTimeout(() => kernel32().SetEvent(event.raw), 0);
      setTimeout(() => controller.abort(), 0);
      const got = await waiting;
      // Exactly one signal was given: the wait had it, or a later wait does.
      const later = got === 1
        ? 0
        : await waitForHandle(event, { timeout: 2000 }).then((r) => r === "signaled" ? 1 : 0);
      if (got + later === 1) delivered++;
      else lost++;
      // And never two.
      assertEquals(await waitForHandle(event, { timeout: 0 }), "timeout", `round ${round}`);
    }
    assertEquals(lost, 0, `${lost} signals lost after ${delivered} delivered`);
  },
);

windowsTest(
  "a timeout racing a SetEvent never loses the signal (300 rounds)",
  {},
  async () => {
    using event = newEvent();
    for (let round = 0; round < 300; round++) {
      const waiting = waitForHandle(event, {
        timeout: 1,
        restore: (raw) => kernel32().SetEvent(raw),
      });
      setTimeout(() => kernel32().SetEvent(event.raw), 1);
      const first = await waiting;
      const later = first === "signaled" ? "none" : await waitForHandle(event, { timeout: 2000 });
      assert(first === "signaled" || later === "signaled", `round ${round}: signal lost`);
      assertEquals(await waitForHandle(event, { timeout: 0 }), "timeout", `round ${round}`);
    }
  },
);

windowsTest("waits longer than setTimeout can hold do not fire early", {}, async () => {
  using event = newEvent();
  for (const timeout of [2 ** 31, 2 ** 31 + 5, 3e9, 0xffff_ffff, 2 ** 53]) {
    const controller = new AbortController();
    let settled = "pending";
    const one = waitForHandle(event, { timeout, signal: controller.signal }).then(
      (r) => settled = r,
      () => settled = "aborted",
    );
    let anyState = "pending";
    const any = waitForAny([event], { timeout, signal: controller.signal }).then(
      (r) => anyState = String(r),
      () => anyState = "aborted",
    );
    await new Promise((r) => setTimeout(r, 200));
    assertEquals(settled, "pending", `timeout ${timeout}`);
    assertEquals(anyState, "pending", `timeout ${timeout}`);
    controller.abort();
    await Promise.all([one, any]);
    assertEquals([settled, anyState], ["aborted", "aborted"]);
  }
});

windowsTest(
  "closing a handle with a wait pending ends the wait with BadResource, and nothing stays waiting",
  {},
  async () => {
    const event = newEvent();
    const waiting = waitForHandle(event);
    const other = newEvent();
    const any = waitForAny([other, event]);
    await new Promise((r) => setTimeout(r, 20));
    assertEquals(waitActivity().watched, 2);
    event.close();
    await assertRejects(() => waiting, Deno.errors.BadResource, "closed while waiting");
    await assertRejects(() => any, Deno.errors.BadResource, "closed while waiting");
    // Nobody waits on the other object any more: it left its group too.
    assertEquals(waitActivity().watched, 0);
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(waitActivity().inFlight, 0);
    other.close();
  },
);

windowsTest("a semaphore's units survive 1,000 aborted acquires racing releases", {}, async () => {
  const k = kernel32();
  using semaphore = OwnedHandle.from(
    k.CreateSemaphoreW(null, 0, 100_000, null),
    k.GetLastError(),
    "semaphore",
    "Cannot create a semaphore",
  );
  const restore = (r: Deno.PointerObject) => kernel32().ReleaseSemaphore(r, 1, null);
  let taken = 0;
  for (let round = 0; round < 1000; round++) {
    const controller = new AbortController();
    const waiting = waitForHandle(semaphore, { signal: controller.signal, restore }).then(
      () => 1,
      () => 0,
    );
    setTimeout(() => kernel32().ReleaseSemaphore(semaphore.raw, 1, null), 0);
    setTimeout(() => controller.abort(), 0);
    taken += await waiting;
  }
  // Let any callback still on its way give its unit back.
  await new Promise((r) => setTimeout(r, 200));
  const previous = new Int32Array(1);
  kernel32().ReleaseSemaphore(semaphore.raw, 1, new Uint8Array(previous.buffer));
  const left = outValue(previous);
  assertEquals(taken + left, 1000, `${taken} taken, ${left} left`);
});

windowsTest(
  "a handle closed behind the core's back fails only its own waiters, not its group's",
  {},
  async () => {
    using good = newEvent();
    const bad = newEvent();
    using poke = newEvent();
    const controller = new AbortController();
    // Three waits made in one turn share one group's call.
    const goodWait = waitForHandle(good, { timeout: 10_000 });
    const badWait = waitForHandle(bad, { timeout: 10_000 });
    const pokeWait = waitForHandle(poke, { signal: controller.signal }).catch(() => "aborted");
    await new Promise((r) => setTimeout(r, 20));
    // Close the raw handle without telling the core (as a caller misusing
    // unsafeHandle would), then make the group's call start again.
    kernel32().CloseHandle(bad.release());
    controller.abort();
    assertEquals(await pokeWait, "aborted");
    await assertRejects(() => badWait, Deno.errors.BadResource, "not valid");
    kernel32().SetEvent(good.raw);
    assertEquals(await goodWait, "signaled");
  },
);

windowsTest(
  "a wait is served while Deno's blocking pool is busy with other calls",
  {},
  async () => {
    // 24 one-second sleeps hold every thread of Deno's blocking pool (a few
    // a CPU) for seconds: a wait made on that pool would be made only then.
    const pool = Deno.dlopen("kernel32.dll", {
      Sleep: { parameters: ["u32"], result: "void", nonblocking: true },
    });
    const sleeps = Array.from({ length: 24 }, () => pool.symbols.Sleep(1000));
    try {
      using event = newEvent();
      const start = performance.now();
      const waiting = waitForHandle(event, { timeout: 10_000 });
      setTimeout(() => kernel32().SetEvent(event.raw), 300);
      assertEquals(await waiting, "signaled");
      const elapsed = performance.now() - start;
      assert(elapsed < 1000, `the wait resolved after ${Math.round(elapsed)} ms`);
    } finally {
      await Promise.all(sleeps);
      // Pool calls made while the group's thread started end within a slice.
      await new Promise((r) => setTimeout(r, 100));
      pool.close();
    }
  },
);
