// Copyright 2026 the winipc authors. MIT license.
// Events, semaphores, waitable timers and waits on many objects, across
// processes with a plain C peer (tests/native/sync_peer.c).
import { assert, assertEquals, assertRejects, assertStrictEquals, assertThrows } from "@std/assert";
import { at, nativePath, Peer, uniqueName, windowsTest } from "./_helpers.ts";
import {
  createEvent,
  createMutex,
  createSemaphore,
  createWaitableTimer,
  type Mutex,
  openEvent,
  openMutex,
  openOrCreateEvent,
  openOrCreateMutex,
  openOrCreateSemaphore,
  openOrCreateWaitableTimer,
  openSemaphore,
  openWaitableTimer,
  setTimerQueueTimer,
  type SyncEvent,
  type SyncObject,
  type TimerQueueTimer,
  waitAll,
  waitAny,
} from "../sync/mod.ts";
import { kernel32 } from "../_win32/ffi.ts";

const decoder = new TextDecoder();

async function peer(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const result = await new Deno.Command(nativePath("sync_peer"), { args }).output();
  return {
    code: result.code,
    out: decoder.decode(result.stdout),
    err: decoder.decode(result.stderr),
  };
}

windowsTest(
  "events: a C program sets, winipc waits, and the reverse; auto and manual reset",
  {},
  async () => {
    using auto = createEvent(uniqueName("auto"));
    assert(auto.created);
    const waiting = auto.wait({ timeout: 5000 });
    assertEquals(await peer(["set-event", auto.name!]), { code: 0, out: "set\n", err: "" });
    await waiting;
    // Auto-reset: the wait consumed the signal.
    await assertRejects(() => auto.wait({ timeout: 50 }), Deno.errors.TimedOut);
    // winipc sets, the C program waits.
    await using c = new Peer("sync_peer", ["wait-event", auto.name!, "5000"], { native: true });
    assertEquals(await c.line(), "ready");
    auto.set();
    assertEquals(await c.line(), "signaled");
    // Manual reset: every waiter passes until reset.
    using manual = createEvent(uniqueName("manual"), { manualReset: true });
    manual.set();
    await Promise.all([manual.wait(), manual.wait(), manual.wait()]);
    manual.reset();
    await assertRejects(() => manual.wait({ timeout: 30 }), Deno.errors.TimedOut);
    // Opening by name, and create on an existing name.
    assertThrows(() => createEvent(auto.name!), Deno.errors.AlreadyExists, "openOrCreateEvent");
    using again = openOrCreateEvent(auto.name!);
    assertEquals(again.created, false);
    assertEquals(again.manualReset, null);
    using opened = openEvent(auto.name!);
    assertEquals(opened.created, false);
    opened.set();
    await auto.wait({ timeout: 1000 });
  },
);

windowsTest("timeouts are not early, and every wait can be aborted", {}, async () => {
  using event = createEvent();
  const start = performance.now();
  await assertRejects(() => event.wait({ timeout: 200 }), Deno.errors.TimedOut);
  const waited = performance.now() - start;
  assert(waited >= 195 && waited < 2000, `waited ${waited} ms`);
  const controller = new AbortController();
  const pending = event.wait({ signal: controller.signal });
  setTimeout(() => controller.abort(new Error("stop")), 50);
  await assertRejects(() => pending, Error, "stop");
  // The aborted wait took nothing: a set now is seen by the next wait.
  event.set();
  await event.wait({ timeout: 1000 });
  using semaphore = createSemaphore({ initial: 0, maximum: 1 });
  await assertRejects(
    () => semaphore.acquire({ signal: AbortSignal.timeout(50) }),
    DOMException,
  );
  using timer = createWaitableTimer();
  timer.set(10_000);
  await assertRejects(() => timer.wait({ signal: AbortSignal.timeout(50) }), DOMException);
});

windowsTest("semaphores: counts across processes, permits, the maximum", {}, async () => {
  using semaphore = createSemaphore(uniqueName("sem"), { initial: 0, maximum: 5 });
  assertEquals((await peer(["release-sem", semaphore.name!, "2"])).out, "previous 0\n");
  {
    using a = await semaphore.acquire({ timeout: 1000 });
    using b = await semaphore.acquire({ timeout: 1000 });
    assert(!a.released && !b.released);
    assertEquals(semaphore.tryAcquire(), null);
    await assertRejects(() => semaphore.acquire({ timeout: 50 }), Deno.errors.TimedOut);
  } // both permits go back here
  assertEquals(semaphore.release(1), 2);
  // The C program takes one; two are left, and three more make the maximum.
  assertEquals((await peer(["acquire-sem", semaphore.name!, "1000"])).out, "ready\nacquired\n");
  assertEquals(semaphore.release(3), 2);
  assertThrows(() => semaphore.release(1), RangeError, "maximum");
  const over = await peer(["release-sem", semaphore.name!, "1"]);
  assertEquals(over.code, 1);
  assert(over.err.includes("error 298"), over.err);
  using opened = openSemaphore(semaphore.name!);
  const permit = opened.tryAcquire()!;
  permit.release();
  assertThrows(() => permit.release(), Deno.errors.BadResource);
});

windowsTest(
  "createSemaphore({ initial }): the maximum defaults to 2147483647 (LONG_MAX)",
  {},
  () => {
    const LONG_MAX = 2147483647;
    using counting = createSemaphore({ initial: 3 });
    assertEquals(counting.release(LONG_MAX - 3), 3);
    assertThrows(() => counting.release(1), RangeError, "maximum");
    using empty = createSemaphore();
    assertEquals(empty.tryAcquire(), null);
    assertEquals(empty.release(LONG_MAX), 0);
    using named = createSemaphore(uniqueName("sem-default"), { initial: LONG_MAX });
    assertThrows(() => named.release(1), RangeError, "maximum");
    using either = openOrCreateSemaphore(uniqueName("sem-default"));
    assertEquals(either.release(LONG_MAX), 0);
    // A given maximum still bounds the count, and initial is checked against the default.
    assertThrows(() => createSemaphore({ initial: LONG_MAX + 1 }), RangeError, "initial");
  },
);

windowsTest(
  "waitable timers: relative and absolute due times, periods, a C waiter",
  {},
  async () => {
    using timer = createWaitableTimer(uniqueName("timer"));
    let start = performance.now();
    timer.set(150);
    await timer.wait({ timeout: 5000 });
    let took = performance.now() - start;
    assert(took >= 140 && took < 1000, `relative: fired after ${took} ms`);
    start = performance.now();
    timer.set(new Date(Date.now() + 200));
    await timer.wait({ timeout: 5000 });
    took = performance.now() - start;
    assert(took >= 180 && took < 1200, `absolute: fired after ${took} ms`);
    // Periodic: five ticks of 50 ms.
    start = performance.now();
    timer.set(50, { period: 50 });
    for await (const tick of timer) if (tick === 5) break;
    took = performance.now() - start;
    assert(took >= 240 && took < 2000, `5 ticks took ${took} ms`);
    timer.cancel();
    await assertRejects(() => timer.wait({ timeout: 120 }), Deno.errors.TimedOut);
    // A C program waits on the timer winipc arms.
    await using c = new Peer("sync_peer", ["timer", timer.name!], { native: true });
    assertEquals(await c.line(), "ready");
    timer.set(100);
    assertEquals(await c.line(), "fired");
  },
);

windowsTest(
  "WaitableTimer.ticks(): an abort rejects next() with the signal's reason",
  {},
  async () => {
    using timer = createWaitableTimer();
    timer.set(30, { period: 30 });
    const reason = new Error("enough");
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await (async () => {
      for await (const tick of timer.ticks({ signal: controller.signal })) {
        seen.push(tick);
        if (tick === 3) controller.abort(reason);
      }
    })().then(() => "ended quietly", (e) => e);
    assertStrictEquals(error, reason);
    assertEquals(seen, [1, 2, 3]);
    // An already aborted signal: the first next() rejects, nothing is yielded.
    const ticks = timer.ticks({ signal: AbortSignal.abort(reason) });
    assertStrictEquals(await ticks.next().then(() => "a tick", (e) => e), reason);
    // The loop is done after that.
    assertEquals(await ticks.next(), { done: true, value: undefined });
    timer.cancel();
  },
);

windowsTest("waitAny and waitAll over 100 objects (beyond 64)", {}, async () => {
  const events = Array.from(
    { length: 100 },
    (_, i) => createEvent(uniqueName(`many-${i}`), { manualReset: true }),
  );
  try {
    const any = waitAny(events, { timeout: 5000 });
    assertEquals(await peer(["set-event", at(events, 73).name!]), {
      code: 0,
      out: "set\n",
      err: "",
    });
    assertEquals(await any, 73);
    await assertRejects(() => waitAll(events, { timeout: 100 }), Deno.errors.TimedOut);
    for (const event of events) event.set();
    await waitAll(events, { timeout: 5000 });
    at(events, 5).reset();
    await assertRejects(() => waitAll(events.slice(0, 10), { timeout: 150 }), Deno.errors.TimedOut);
    await assertRejects(
      () => waitAll(events.slice(0, 10), { signal: AbortSignal.timeout(100) }),
      DOMException,
    );
    at(events, 5).set();
    await waitAll(events.slice(0, 10), { timeout: 1000 }); // atomic: 64 or fewer
    for (const event of events) event.reset();
    await assertRejects(() => waitAny(events, { timeout: 50 }), Deno.errors.TimedOut);
    await assertRejects(() => waitAny(events, { signal: AbortSignal.timeout(50) }), DOMException);
  } finally {
    for (const event of events) event.close();
  }
});

windowsTest("waitAll (atomic, up to 64) takes no signal until all are there", {}, async () => {
  using a = createSemaphore({ initial: 1, maximum: 1 });
  using b = createSemaphore({ initial: 0, maximum: 1 });
  await assertRejects(() => waitAll([a, b], { timeout: 150 }), Deno.errors.TimedOut);
  // a's unit was not taken by the failed waitAll.
  const permit = a.tryAcquire();
  assert(permit !== null);
  permit!.release();
  b.release();
  await waitAll([a, b], { timeout: 1000 });
  assertEquals(a.tryAcquire(), null);
  assertEquals(b.tryAcquire(), null);
});

windowsTest("bad input: clear errors", {}, async () => {
  assertThrows(() => openEvent(uniqueName("missing")), Deno.errors.NotFound, "no such event");
  using event = createEvent(uniqueName("kind"));
  assertThrows(() => openSemaphore(event.name!), TypeError, "another kind");
  assertThrows(() => createSemaphore(event.name!, { maximum: 1 }), TypeError, "another kind");
  assertThrows(() => createSemaphore({ maximum: 0 }), RangeError);
  assertThrows(() => createSemaphore({ initial: 3, maximum: 2 }), RangeError);
  assertThrows(() => createEvent("a\\b"), TypeError, "backslash");
  using timer = createWaitableTimer();
  assertThrows(() => timer.set(-1), RangeError);
  assertThrows(() => timer.set(10, { period: 1.5 }), RangeError);
  event.close();
  assertThrows(() => event.set(), Deno.errors.BadResource, "closed");
  await assertRejects(() => waitAny([]), RangeError);
});

windowsTest(
  "timer-queue timers call back on the JavaScript thread; close never deadlocks",
  {},
  async () => {
    const calls: number[] = [];
    const start = performance.now();
    const once = new Promise<number>((resolve) =>
      setTimerQueueTimer(() => resolve(performance.now() - start), 100)
    );
    const waited = await once;
    assert(waited >= 95 && waited < 1000, `fired after ${waited} ms`);
    // Periodic, closed from inside its own callback after 5 calls.
    let timer: TimerQueueTimer;
    const finished = new Promise<void>((resolve) => {
      timer = setTimerQueueTimer(
        () => {
          calls.push(performance.now());
          if (calls.length === 5) timer.close().then(resolve);
        },
        20,
        { period: 20 },
      );
    });
    await finished;
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(calls.length, 5, "no call after close");
    // Closed from outside while calls keep coming; an abort closes too.
    let count = 0;
    const busy = setTimerQueueTimer(() => count++, 0, { period: 1 });
    await new Promise((r) => setTimeout(r, 50));
    await busy.close();
    const after = count;
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(count, after);
    const controller = new AbortController();
    let aborted = 0;
    const cancelled = setTimerQueueTimer(() => aborted++, 200, { signal: controller.signal });
    controller.abort();
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(aborted, 0);
    assertEquals(cancelled.closed, true);
    assertThrows(() => setTimerQueueTimer(() => {}, -1), RangeError);
  },
);

windowsTest(
  "TimerQueueTimer.close(): closed, a second close is BadResource, dispose is idempotent",
  {},
  async () => {
    const timer = setTimerQueueTimer(() => {}, 10_000);
    assertEquals(timer.closed, false);
    const closing = timer.close();
    assertEquals(timer.closed, true);
    await assertRejects(() => timer.close(), Deno.errors.BadResource, "already closed");
    await closing;
    await assertRejects(() => timer.close(), Deno.errors.BadResource, "already closed");
    assertThrows(() => timer.unsafeHandle, Deno.errors.BadResource, "closed");
    // Disposing waits for the same close, as often as it is called.
    await timer[Symbol.asyncDispose]();
    await timer[Symbol.asyncDispose]();
    {
      await using disposed = setTimerQueueTimer(() => {}, 10_000);
      assertEquals(disposed.closed, false);
    }
    // A timer an abort closed: disposing is fine, closing again is BadResource.
    const controller = new AbortController();
    const aborted = setTimerQueueTimer(() => {}, 10_000, { signal: controller.signal });
    controller.abort();
    assertEquals(aborted.closed, true);
    await aborted[Symbol.asyncDispose]();
    await assertRejects(() => aborted.close(), Deno.errors.BadResource);
  },
);

// Issue 11, item 2, through the public API: an aborted wait at the instant of
// a set() or release() never swallows the signal or the unit.
windowsTest(
  "an aborted wait never swallows a signal or a semaphore unit (1,000 rounds each)",
  {},
  async () => {
    using event = createEvent();
    let seen = 0;
    for (let round = 0; round < 1000; round++) {
      const controller = new AbortController();
      const waiting = event.wait({ signal: controller.signal }).then(() => 1, () => 0);
      setTimeout(() => event.set(), 0);
      setTimeout(() => controller.abort(), 0);
      let got = await waiting;
      if (got === 0) got = await event.wait({ timeout: 2000 }).then(() => 1, () => 0);
      seen += got;
      await assertRejects(() => event.wait({ timeout: 0 }), Deno.errors.TimedOut);
    }
    assertEquals(seen, 1000);

    using semaphore = createSemaphore({ initial: 0, maximum: 100_000 });
    let taken = 0;
    for (let round = 0; round < 1000; round++) {
      const controller = new AbortController();
      const waiting = semaphore.acquire({ signal: controller.signal }).then(
        (permit) => {
          permit.release();
          return 1;
        },
        () => 0,
      );
      setTimeout(() => semaphore.release(1), 0);
      setTimeout(() => controller.abort(), 0);
      taken += await waiting;
    }
    await new Promise((r) => setTimeout(r, 200));
    // Every unit released is still there (a permit taken was given back).
    assertEquals(semaphore.release(1), 1000);
  },
);

// Issue 11, item 3: a timeout of 2^31 ms or more used to fire at once.
windowsTest("timeouts of 2^31 ms and more are honoured, not fired early", {}, async () => {
  using event = createEvent();
  using semaphore = createSemaphore({ initial: 0, maximum: 1 });
  const controller = new AbortController();
  const states: string[] = [];
  const track = (p: Promise<unknown>, i: number) =>
    p.then(() => states[i] = "settled", (e) => states[i] = (e as Error).name ?? "error");
  const all = [
    track(waitAny([event], { timeout: 2 ** 31, signal: controller.signal }), 0),
    track(event.wait({ timeout: 3e9, signal: controller.signal }), 1),
    track(semaphore.acquire({ timeout: 0xffff_ffff, signal: controller.signal }), 2),
    track(waitAll([event, semaphore], { timeout: 2 ** 40, signal: controller.signal }), 3),
  ];
  await new Promise((r) => setTimeout(r, 300));
  assertEquals(states.filter(Boolean), [], "no wait may end before its timeout");
  controller.abort(new Error("enough"));
  await Promise.all(all);
  assertEquals(states, ["Error", "Error", "Error", "Error"]);
  // Bad values are refused, never taken as "now".
  for (const timeout of [NaN, -1, "5" as unknown as number]) {
    await assertRejects(() => event.wait({ timeout }), RangeError, "timeout must be");
    await assertRejects(() => waitAny([event], { timeout }), RangeError, "timeout must be");
    await assertRejects(() => waitAll([event], { timeout }), RangeError, "timeout must be");
  }
});

const KINDS: Array<{
  kind: string;
  peer: string;
  create: (name: string) => SyncObject;
  open: (name: string) => SyncObject;
  openOrCreate: (name: string) => SyncObject;
}> = [
  {
    kind: "event",
    peer: "event",
    create: (name) => createEvent(name),
    open: (name) => openEvent(name),
    openOrCreate: (name) => openOrCreateEvent(name),
  },
  {
    kind: "semaphore",
    peer: "semaphore",
    create: (name) => createSemaphore(name, { maximum: 1 }),
    open: (name) => openSemaphore(name),
    openOrCreate: (name) => openOrCreateSemaphore(name, { maximum: 1 }),
  },
  {
    kind: "mutex",
    peer: "mutex",
    create: (name) => createMutex(name),
    open: (name) => openMutex(name),
    openOrCreate: (name) => openOrCreateMutex(name),
  },
  {
    kind: "waitable timer",
    peer: "timer",
    create: (name) => createWaitableTimer(name),
    open: (name) => openWaitableTimer(name),
    openOrCreate: (name) => openOrCreateWaitableTimer(name),
  },
];

windowsTest(
  "create of a name another process made is AlreadyExists; openOrCreate says created",
  {},
  async (t) => {
    for (const { kind, peer, create, open, openOrCreate } of KINDS) {
      await t.step(kind, async () => {
        const name = `Local\\${uniqueName(`exists-${peer}`)}`;
        // A C program creates it: every create here fails, the others open it.
        {
          await using c = new Peer("sync_peer", ["create", peer, name], { native: true });
          assertEquals(await c.line(), "created");
          const error = assertThrows(
            () => create(name),
            Deno.errors.AlreadyExists,
            "name is taken",
          );
          assert(error.message.includes(`${kind} "${name}"`), error.message);
          using opened = open(name);
          assertEquals(opened.created, false);
          using either = openOrCreate(name);
          assertEquals(either.created, false);
          await c.release();
          assertEquals((await c.finish()).code, 0);
        }
        // Gone with its last handle: NotFound, then openOrCreate makes it...
        assertThrows(() => open(name), Deno.errors.NotFound);
        using made = openOrCreate(name);
        assertEquals(made.created, true);
        assertEquals(made.name, name);
        // ...and the C program sees that it exists.
        await using c = new Peer("sync_peer", ["create", peer, name], { native: true });
        assertEquals(await c.line(), "existed");
        await c.release();
        assertEquals((await c.finish()).code, 0);
        // A second create in this process fails too; unnamed ones never do.
        assertThrows(() => create(name), Deno.errors.AlreadyExists);
      });
    }
    using a = createEvent();
    using b = createEvent();
    assert(a.created && b.created && a.name === null);
  },
);

windowsTest("a Deno child cannot create what this process made", {}, async () => {
  using event = createEvent(uniqueName("child-exists"));
  const code = `
    import { createEvent, openOrCreateEvent } from ${
    JSON.stringify(new URL("../sync/mod.ts", import.meta.url).href)
  };
    try { createEvent(${JSON.stringify(event.name)}); console.log("created"); }
    catch (e) { console.log(e instanceof Deno.errors.AlreadyExists ? "AlreadyExists" : String(e)); }
    using again = openOrCreateEvent(${JSON.stringify(event.name)});
    console.log(again.created);
    again.set();
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", code],
    stderr: "inherit",
  }).output();
  assertEquals(new TextDecoder().decode(out.stdout), "AlreadyExists\nfalse\n");
  await event.wait({ timeout: 0 }); // the child set it
});

windowsTest(
  "timeout 0 tries once: TimedOut at once, or the signal if it is there",
  {},
  async () => {
    const quick = async (what: string, run: () => Promise<unknown>) => {
      const start = performance.now();
      await assertRejects(run, Deno.errors.TimedOut, "timeout 0");
      const took = performance.now() - start;
      assert(took < 50, `${what}: a zero timeout took ${took} ms`);
    };
    using event = createEvent();
    using semaphore = createSemaphore({ maximum: 2 });
    using timer = createWaitableTimer();
    await quick("event.wait", () => event.wait({ timeout: 0 }));
    await quick("semaphore.acquire", () => semaphore.acquire({ timeout: 0 }));
    await quick("timer.wait", () => timer.wait({ timeout: 0 }));
    await assertRejects(() => waitAny([event, semaphore], { timeout: 0 }), Deno.errors.TimedOut);
    await quick("waitAll", () => waitAll([event, semaphore], { timeout: 0 }));
    // Signalled: the one try takes it.
    event.set();
    await event.wait({ timeout: 0 });
    semaphore.release(2);
    (await semaphore.acquire({ timeout: 0 })).release();
    event.set();
    await waitAll([event, semaphore], { timeout: 0 });
    assertEquals(semaphore.release(1), 1, "waitAll took one of the two units");
    event.set();
    assertEquals(await waitAny([timer, event], { timeout: 0 }), 1);
    timer.set(0);
    await new Promise((r) => setTimeout(r, 20));
    await timer.wait({ timeout: 0 });
    // A mutex: free, held by this process, held by another.
    using mutex = createMutex(uniqueName("zero"));
    const lock = await mutex.acquire({ timeout: 0 });
    await quick("mutex held here", () => mutex.acquire({ timeout: 0 }));
    lock.release();
    await using holder = new Peer("sync_peer", ["hold-mutex", mutex.name!], { native: true });
    assertEquals(await holder.line(), "acquired");
    await holder.line();
    await quick("mutex held by a C program", () => mutex.acquire({ timeout: 0 }));
    await holder.release();
    assertEquals(await holder.line(), "released");
    (await mutex.acquire({ timeout: 0 })).release();
  },
);

windowsTest("hostile wait options and objects are refused clearly", {}, async () => {
  using event = createEvent();
  using mutex = createMutex();
  const bad: Array<[unknown, ErrorConstructor | RangeErrorConstructor, string]> = [
    [5, TypeError, "options must be an object"],
    [{ signal: {} }, TypeError, "signal must be an AbortSignal"],
    [{ signal: "abort" }, TypeError, "signal must be an AbortSignal"],
    [{ timeout: "10" }, RangeError, "timeout must be"],
    [{ timeout: -0.5 }, RangeError, "timeout must be"],
  ];
  for (const [options, ErrorClass, message] of bad) {
    const o = options as { timeout?: number };
    await assertRejects(() => event.wait(o), ErrorClass, message);
    await assertRejects(() => mutex.acquire(o), ErrorClass, message);
    await assertRejects(() => waitAny([event], o), ErrorClass, message);
    await assertRejects(() => waitAll([event], o), ErrorClass, message);
  }
  // A mutex that gets past the types is still refused: its wait would own it.
  await assertRejects(
    () => waitAny([event, mutex as unknown as SyncEvent]),
    TypeError,
    "object 1 is a mutex",
  );
  await assertRejects(() => waitAll([mutex as unknown as SyncEvent]), TypeError, "acquire()");
  assertThrows(() => createEvent({ security: "toString" as "owner" }), TypeError, "security");
  assertThrows(
    () => openOrCreateEvent(uniqueName("x"), { security: { sddl: 5 } as never }),
    TypeError,
  );
});

windowsTest("internals are not reachable; unsafeHandle is the raw handle", {}, async () => {
  using event = createEvent();
  using semaphore = createSemaphore({ maximum: 1 });
  using timer = createWaitableTimer();
  using mutex: Mutex = createMutex();
  for (const object of [event, semaphore, timer, mutex] as SyncObject[]) {
    for (const key of ["raw", "handle", "describe", "restore", "_handle", "internals"]) {
      assertEquals(key in object, false, key);
    }
    assertEquals(Object.getOwnPropertyNames(object), []);
    assertEquals(Object.getOwnPropertySymbols(object), []);
    assert(object.unsafeHandle !== null);
  }
  assert(kernel32().SetEvent(event.unsafeHandle));
  await event.wait({ timeout: 0 });
  event.close();
  assertThrows(() => event.unsafeHandle, Deno.errors.BadResource, "closed");
  const queued = setTimerQueueTimer(() => {}, 10_000);
  assert(queued.unsafeHandle !== null);
  await queued.close();
  assertThrows(() => queued.unsafeHandle, Deno.errors.BadResource);
});
