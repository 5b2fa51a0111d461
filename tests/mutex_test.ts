// Copyright 2026 the winipc authors. MIT license.
// Mutexes across processes: winipc children and a plain C peer
// (tests/native/sync_peer.c) contending, holding, dying.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { at, nativePath, Peer, repoPath, uniqueName, windowsTest } from "./_helpers.ts";
import { createMutex, openMutex, openOrCreateMutex } from "../sync/mod.ts";
import { createSharedMemory } from "../shared_memory/mod.ts";
import { threadCount } from "../_win32/process_info.ts";
import { kernel32 } from "../_win32/ffi.ts";
import { type OwnerThreadKind, useOwnerThreadKind } from "../_win32/owner_thread.ts";

/**
 * Each test runs with both owner-thread loops: the x86-64 machine code and
 * the Worker that other architectures (ARM64 Windows) use.
 */
function mutexTest(
  name: string,
  options: Parameters<typeof windowsTest>[1],
  fn: (kind: OwnerThreadKind) => void | Promise<void>,
): void {
  for (const kind of ["code", "worker"] as const) {
    windowsTest(`${name} [owner thread: ${kind}]`, options, async () => {
      const before = useOwnerThreadKind(kind);
      try {
        await fn(kind);
      } finally {
        useOwnerThreadKind(before);
      }
    });
  }
}

/** A C program takes the mutex (not abandoned) within 5 s, then lets it go. */
async function cTakesIt(name: string): Promise<void> {
  await using peer = new Peer("sync_peer", ["hold-mutex", name], { native: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const first = await Promise.race([
    peer.line(),
    new Promise<string>((resolve) =>
      timer = setTimeout(() => resolve("still held after 5 s"), 5000)
    ),
  ]);
  clearTimeout(timer);
  if (first !== "acquired") peer.child.kill();
  assertEquals(first, "acquired");
  assertEquals(await peer.line(), "holding");
  await peer.release();
  assertEquals(await peer.line(), "released");
  assertEquals((await peer.finish()).code, 0);
}

mutexTest(
  "4 processes (2 winipc, 2 C) increment a shared counter 10,000 times: no lost update",
  {},
  async (kind) => {
    using mutex = createMutex(uniqueName("counter"));
    using shm = createSharedMemory(uniqueName("counter-map"), { size: 8 });
    const per = 2500;
    const job = ["increment", mutex.name!, shm.name, String(per)];
    const winipc = [
      "run",
      "-A",
      "--quiet",
      repoPath("tests/fixtures/mutex_peer.ts"),
      ...job,
      kind,
    ];
    const children = [
      new Deno.Command(Deno.execPath(), { args: winipc }),
      new Deno.Command(Deno.execPath(), { args: winipc }),
      new Deno.Command(nativePath("sync_peer"), { args: job }),
      new Deno.Command(nativePath("sync_peer"), { args: job }),
    ].map((command) => command.output());
    for (const out of await Promise.all(children)) {
      assertEquals(new TextDecoder().decode(out.stderr), "");
      assertEquals(new TextDecoder().decode(out.stdout), "done\n");
    }
    assertEquals(shm.dataView.getUint32(0, true), 4 * per);
  },
);

mutexTest("a mutex whose C owner died is reported abandoned, and works on", {}, async () => {
  using mutex = createMutex(uniqueName("abandon"));
  const out = await new Deno.Command(nativePath("sync_peer"), {
    args: ["die-holding-mutex", mutex.name!],
  }).output();
  assertEquals(out.code, 7);
  {
    using lock = await mutex.acquire({ timeout: 5000 });
    assert(lock.abandoned);
  }
  using again = await mutex.acquire({ timeout: 5000 });
  assert(!again.abandoned);
});

mutexTest(
  "release after an asynchronous acquire works, and a C program gets it next",
  {},
  async () => {
    using mutex = createMutex(uniqueName("async"));
    await using holder = new Peer("sync_peer", ["hold-mutex", mutex.name!], { native: true });
    assertEquals(await holder.line(), "acquired");
    assertEquals(await holder.line(), "holding");
    assertEquals(mutex.tryAcquire(), null);
    const pending = mutex.acquire({ timeout: 10_000 });
    setTimeout(() => holder.release(), 100);
    const lock = await pending; // acquired on the owner thread
    assertEquals(await holder.line(), "released");
    lock.release(); // no ERROR_NOT_OWNER
    assertEquals((await holder.finish()).code, 0);
    await cTakesIt(mutex.name!);
  },
);

mutexTest("several mutexes held at once are released in any order", {}, async () => {
  for (const order of [[0, 1, 2], [2, 0, 1]]) {
    const mutexes = [0, 1, 2].map((i) => createMutex(uniqueName(`many-${i}`)));
    try {
      // Make every acquire contended, so that each goes through its owner thread.
      const holders = mutexes.map((m) =>
        new Peer("sync_peer", ["hold-mutex", m.name!], { native: true })
      );
      for (const h of holders) {
        assertEquals(await h.line(), "acquired");
        await h.line();
      }
      const pending = mutexes.map((m) => m.acquire({ timeout: 10_000 }));
      for (const h of holders) await h.release();
      const locks = await Promise.all(pending);
      for (const i of order) at(locks, i).release();
      for (const h of holders) assertEquals((await h.finish()).code, 0);
      // All free again: a C program takes each at once.
      for (const m of mutexes) await cTakesIt(m.name!);
    } finally {
      for (const m of mutexes) m.close();
    }
  }
});

mutexTest("a cancelled or timed-out acquire never leaves the mutex held", {}, async () => {
  using mutex = createMutex(uniqueName("cancel"));
  await using holder = new Peer("sync_peer", ["hold-mutex", mutex.name!], { native: true });
  await holder.line();
  await holder.line();
  const start = performance.now();
  await assertRejects(() => mutex.acquire({ timeout: 200 }), Deno.errors.TimedOut);
  assert(performance.now() - start >= 195);
  await assertRejects(() => mutex.acquire({ signal: AbortSignal.timeout(100) }), DOMException);
  await holder.release();
  assertEquals(await holder.line(), "released");
  // Nobody holds it: a C program takes it at once (it would report abandoned
  // if the owner thread had kept it).
  await cTakesIt(mutex.name!);
});

mutexTest(
  "within one process, async tasks exclude each other; one thread per contended mutex",
  {},
  async () => {
    using mutex = createMutex();
    const first = await mutex.acquire();
    let second = false;
    const pending = mutex.acquire().then((lock) => {
      second = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert(!second, "the second acquire must wait for the first release");
    assertEquals(mutex.tryAcquire(), null);
    first.release();
    (await pending).release();
    assertThrows(() => first.release(), Deno.errors.BadResource);
    // Contended acquires of one mutex share one owner thread.
    using contended = createMutex(uniqueName("threads"));
    await using holder = new Peer("sync_peer", ["hold-mutex", contended.name!], { native: true });
    await holder.line();
    await holder.line();
    const before = threadCount();
    await assertRejects(() => contended.acquire({ timeout: 50 }), Deno.errors.TimedOut);
    await assertRejects(() => contended.acquire({ timeout: 50 }), Deno.errors.TimedOut);
    assert(threadCount() - before <= 2, `threads ${before} -> ${threadCount()}`);
    assertThrows(() => openMutex(uniqueName("missing")), Deno.errors.NotFound);
  },
);

mutexTest("16. a release by a thread that does not own the mutex fails cleanly", {}, async () => {
  using mutex = createMutex(uniqueName("not-owner"));
  await using holder = new Peer("sync_peer", ["hold-mutex", mutex.name!], { native: true });
  await holder.line();
  await holder.line();
  const pending = mutex.acquire({ timeout: 10_000 });
  // Let the acquire find the mutex held, so that its owner thread takes it.
  await new Promise((r) => setTimeout(r, 100));
  await holder.release();
  using lock = await pending; // held by this mutex's owner thread
  // The JavaScript thread is not the owner: Windows refuses, nothing breaks.
  const k = kernel32();
  const handle = mutex.unsafeHandle;
  assertEquals([k.ReleaseMutex(handle), k.GetLastError()], [0, 288]); // ERROR_NOT_OWNER
  assert(!lock.abandoned);
  lock.release();
  await cTakesIt(mutex.name!);
});

mutexTest("tryAcquire takes its turn too, and close() releases a held lock", {}, async () => {
  using mutex = createMutex(uniqueName("try"));
  const tried = mutex.tryAcquire();
  assert(tried !== null);
  let second = false;
  const pending = mutex.acquire().then((lock) => {
    second = true;
    return lock;
  });
  await new Promise((r) => setTimeout(r, 100));
  assert(!second, "an acquire must wait for the lock tryAcquire took");
  tried!.release();
  (await pending).release();
  // A lock still held when the mutex is closed is released: another process gets it.
  const contended = createMutex(uniqueName("close-held"));
  await using holder = new Peer("sync_peer", ["hold-mutex", contended.name!], { native: true });
  await holder.line();
  await holder.line();
  const acquiring = contended.acquire({ timeout: 10_000 });
  await holder.release();
  await acquiring; // held by the owner thread
  contended.close();
  await cTakesIt(contended.name!);
});

// Issue 11, item 5: NaN passed as a timeout (every other wait refused it).
mutexTest(
  "acquire() refuses a bad timeout before anything else, even when free",
  {},
  async () => {
    using mutex = createMutex(uniqueName("nan"));
    for (const timeout of [NaN, -1, "10" as unknown as number]) {
      await assertRejects(() => mutex.acquire({ timeout }), RangeError, "timeout must be");
    }
    // A long one is honoured: free, so taken at once.
    using lock = await mutex.acquire({ timeout: 2 ** 40 });
    assert(!lock.released);
  },
);

mutexTest(
  "timeout and signal cover the wait for this process's own lock; the queue stays in order",
  {},
  async () => {
    using mutex = createMutex();
    const first = await mutex.acquire();
    const start = performance.now();
    await assertRejects(() => mutex.acquire({ timeout: 150 }), Deno.errors.TimedOut);
    const took = performance.now() - start;
    assert(took >= 145 && took < 2000, `timed out after ${took} ms`);
    const controller = new AbortController();
    const aborted = mutex.acquire({ signal: controller.signal });
    const order: string[] = [];
    const later = mutex.acquire().then((lock) => {
      order.push("later");
      return lock;
    });
    controller.abort(new Error("gave up"));
    await assertRejects(() => aborted, Error, "gave up");
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(order, [], "the acquire after the aborted one still waits for the holder");
    first.release();
    const lock = await later;
    assertEquals(order, ["later"]);
    lock.release();
    (await mutex.acquire({ timeout: 0 })).release();
  },
);

mutexTest("a named mutex is created once: AlreadyExists, then openOrCreate", {}, () => {
  using mutex = createMutex(uniqueName("once"));
  assert(mutex.created);
  assertThrows(() => createMutex(mutex.name!), Deno.errors.AlreadyExists);
  using again = openOrCreateMutex(mutex.name!);
  assertEquals(again.created, false);
  assertThrows(() => openOrCreateMutex(mutex.name!, { security: "all" as "owner" }), TypeError);
});

// Found by the issue 12 work: two Mutex objects for one name in one process
// both took it (the JavaScript thread owns it, and Win32 mutexes are recursive).
mutexTest("two Mutex objects of one name in one process exclude each other", {}, async () => {
  const name = uniqueName("twice");
  using a = createMutex(name);
  using b = openMutex(name);
  const first = await a.acquire();
  assertEquals(b.tryAcquire(), null);
  await assertRejects(() => b.acquire({ timeout: 100 }), Deno.errors.TimedOut);
  let taken = false;
  const waiting = b.acquire({ timeout: 5000 }).then((lock) => {
    taken = true;
    return lock;
  });
  await new Promise((r) => setTimeout(r, 50));
  assertEquals(taken, false, "b must wait while a holds it");
  first.release();
  const second = await waiting;
  assert(!second.released);
  second.release();
});
