// Copyright 2026 the winipc authors. MIT license.
// waitAll's atomic wait (up to 64 objects): alertable on a thread of its own,
// woken by the kernel or by an APC (abort, close), exact timeouts, no
// signal lost in races, and no process kept alive by the idle thread.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { nativePath, runDeno, uniqueName, windowsTest } from "./_helpers.ts";
import { createEvent, createSemaphore, openEvent, waitAll } from "../sync/mod.ts";
import { processCpuMilliseconds } from "../_win32/process_info.ts";

const decoder = new TextDecoder();

async function peer(args: string[]): Promise<string> {
  const result = await new Deno.Command(nativePath("sync_peer"), { args }).output();
  return decoder.decode(result.stdout).trim();
}

windowsTest(
  "waitAll: a C program signals both objects; the wait takes both signals and nothing more",
  {},
  async () => {
    const eventName = uniqueName("all-ev");
    const semName = uniqueName("all-sem");
    using event = createEvent(eventName);
    using semaphore = createSemaphore(semName, { initial: 0, maximum: 5 });
    const waiting = waitAll([event, semaphore], { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assertEquals(await peer(["release-sem", semName, "2"]), "previous 0");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assertEquals(await peer(["set-event", eventName]), "set");
    await waiting;
    // The event (auto-reset) was taken; one of the two units was.
    await assertRejects(() => event.wait({ timeout: 0 }), Deno.errors.TimedOut);
    assertEquals(semaphore.release(1), 1);
  },
);

windowsTest("waitAll: an abort wakes the wait at once and takes nothing", {}, async () => {
  using a = createSemaphore({ initial: 1, maximum: 1 });
  using b = createSemaphore({ initial: 0, maximum: 1 });
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const controller = new AbortController();
    const waiting = waitAll([a, b], { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, i === 0 ? 200 : 20));
    const t0 = performance.now();
    controller.abort(new TypeError("stop"));
    await assertRejects(() => waiting, TypeError, "stop");
    latencies.push(performance.now() - t0);
  }
  latencies.sort((x, y) => x - y);
  // The old design saw an abort only at the end of a 100 ms slice.
  assert(latencies[10]! < 50, `median abort latency ${latencies[10]} ms`);
  // a's unit is still there.
  const permit = a.tryAcquire();
  assert(permit !== null, "a's unit was taken by an aborted waitAll");
  permit!.release();
});

windowsTest(
  "waitAll: closing an object while it waits ends the wait with BadResource; the others keep their signals",
  {},
  async () => {
    const a = createSemaphore({ initial: 1, maximum: 1 });
    using b = createEvent(uniqueName("all-close"));
    const waiting = waitAll([a, b], { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    a.close();
    await assertRejects(() => waiting, Deno.errors.BadResource, "object 0 was closed");
    b.set();
    await b.wait({ timeout: 0 }); // b's signal was not taken
  },
);

windowsTest(
  "waitAll: 300 aborts racing the last signal lose no signal and take none twice",
  {},
  async () => {
    using event = createEvent(uniqueName("all-race"));
    using semaphore = createSemaphore({ initial: 0, maximum: 1000 });
    let won = 0;
    for (let i = 0; i < 300; i++) {
      semaphore.release(1);
      const controller = new AbortController();
      const waiting = waitAll([event, semaphore], { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, i % 3));
      event.set();
      // From the same instant to a few milliseconds later: both outcomes occur.
      if (i % 2 === 1) await new Promise((resolve) => setTimeout(resolve, i % 4));
      controller.abort(new RangeError("raced"));
      try {
        await waiting;
        won++;
      } catch (error) {
        assert(error instanceof RangeError, String(error));
        // Nothing was taken: the event is still set and the unit still there.
        await event.wait({ timeout: 0 });
        await semaphore.acquire({ timeout: 0 }); // kept: the unit is used up
      }
      // Either way both signals are gone now, and none was taken twice.
      await assertRejects(() => event.wait({ timeout: 0 }), Deno.errors.TimedOut);
      await assertRejects(() => semaphore.acquire({ timeout: 0 }), Deno.errors.TimedOut);
    }
    console.log(`waitAll won ${won} of 300 races against an abort`);
  },
);

windowsTest(
  "waitAll: the timeout is exact (never early), and a long wait costs no CPU",
  {},
  async () => {
    using a = createEvent(uniqueName("all-t"), { manualReset: true });
    using b = createEvent(uniqueName("all-u"));
    a.set();
    for (const ms of [30, 250]) {
      const t0 = performance.now();
      await assertRejects(() => waitAll([a, b], { timeout: ms }), Deno.errors.TimedOut);
      const took = performance.now() - t0;
      assert(took >= ms - 1, `timed out after ${took} ms, asked ${ms}`);
    }
    const controller = new AbortController();
    const waiting = waitAll([a, b], { signal: controller.signal }).catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cpu = processCpuMilliseconds();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const used = processCpuMilliseconds() - cpu;
    controller.abort();
    await waiting;
    assert(used < 50, `${used} ms of CPU in 2 s of waiting`);
  },
);

windowsTest(
  "waitAll: a process whose waitAll is done exits by itself (the idle thread keeps nothing alive)",
  {},
  async () => {
    const name = uniqueName("all-exit");
    using event = createEvent(name, { manualReset: true });
    const script = `
      import { openEvent, createSemaphore, waitAll } from "../../sync/mod.ts";
      using event = openEvent(${JSON.stringify(name)});
      using semaphore = createSemaphore({ initial: 0, maximum: 1 });
      setTimeout(() => semaphore.release(), 200);
      await waitAll([event, semaphore], { timeout: 10_000 });
      console.log("done");
    `;
    const path = new URL("./fixtures/.wait_all_exit.ts", import.meta.url);
    await Deno.writeTextFile(path, script);
    try {
      event.set();
      const t0 = performance.now();
      const result = await runDeno(path);
      assertEquals(result.code, 0, result.stderr);
      assertEquals(result.stdout.trim(), "done");
      assert(performance.now() - t0 < 20_000);
    } finally {
      await Deno.remove(path);
    }
    void openEvent;
  },
);

windowsTest(
  "waitAll: the same object twice (one handle, or two handles from two opens) is refused, taking nothing",
  {},
  async () => {
    // Windows refuses a wait-all holding an object twice (ERROR_INVALID_PARAMETER);
    // Wine accepted it and let one signal of an auto-reset event count for both.
    const name = uniqueName("all-same");
    using event = createEvent(name);
    using again = openEvent(name);
    using other = createSemaphore({ initial: 1, maximum: 1 });
    event.set();
    for (const objects of [[event, event], [event, other, again], [again, event]]) {
      await assertRejects(() => waitAll(objects, { timeout: 100 }), TypeError, "same object");
    }
    // Nothing was taken: the event and the semaphore still hold their signals.
    await waitAll([event, other], { timeout: 0 });
  },
);
