// Copyright 2026 the winipc authors. MIT license.
// The shared-memory channel across real processes.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { channelMessage, checksum, Peer, repoPath, uniqueName, windowsTest } from "./_helpers.ts";
import { processCpuMilliseconds } from "../_win32/process_info.ts";
import { kernel32 } from "../_win32/ffi.ts";
import {
  createSharedChannel,
  createSharedMemory,
  openSharedChannel,
  openSharedMemory,
  SharedChannelReceiver,
  SharedChannelSender,
} from "../shared_memory/mod.ts";

const PEER = "tests/fixtures/channel_peer.ts";

windowsTest(
  "100,000 messages of random sizes between two processes: none lost or reordered, checksum equal",
  {},
  async () => {
    const name = uniqueName("chan");
    using rx = createSharedChannel(name, { role: "receiver", capacity: 64 * 1024 });
    const count = 100_000;
    const sender = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", repoPath(PEER), "send", name, String(count), "12345"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    let sum = 0;
    let n = 0;
    for await (const message of rx) {
      if (message.length >= 4) {
        assertEquals(new DataView(message.buffer).getUint32(0, true), n, "lost or reordered");
      }
      sum = checksum(sum, message);
      n++;
    }
    const out = await sender;
    assertEquals(new TextDecoder().decode(out.stderr), "");
    assertEquals(new TextDecoder().decode(out.stdout), `sent ${count} ${sum}\n`);
    assertEquals(n, count);
  },
);

windowsTest("round trips through a second process, streams, and back-pressure", {}, async () => {
  const there = uniqueName("there");
  const back = uniqueName("back");
  using tx = createSharedChannel(there, { role: "sender", capacity: 4096 });
  using rx = createSharedChannel(back, { role: "receiver", capacity: 4096 });
  await using echo = new Peer(PEER, ["echo", there, back]);
  assertEquals(await echo.line(), "ready");
  for (const size of [0, 1, 4092, 100]) {
    await tx.send(new Uint8Array(size).fill(size & 255));
    assertEquals(await rx.receive(), new Uint8Array(size).fill(size & 255));
  }
  // More than the ring holds, through the streams: the writer waits for room.
  const sent = Array.from({ length: 200 }, (_, i) => new Uint8Array(1000).fill(i));
  const writing = ReadableStream.from(sent).pipeTo(tx.writable);
  const got: Uint8Array[] = [];
  const reader = rx.readable.getReader();
  while (got.length < sent.length) got.push((await reader.read()).value!);
  await writing; // closes the sender: the echo process ends
  assertEquals(got, sent);
  assertEquals((await echo.finish()).code, 0);
});

windowsTest("abort, close and end of stream", {}, async () => {
  const name = uniqueName("abort");
  using rx = createSharedChannel(name, { role: "receiver", capacity: 4096 });
  const controller = new AbortController();
  const pending = rx.receive({ signal: controller.signal });
  setTimeout(() => controller.abort(new Error("stop")), 50);
  await assertRejects(() => pending, Error, "stop");
  using tx = openSharedChannel(name, { role: "sender" });
  await tx.send(new Uint8Array([1]));
  assertEquals(await rx.receive(), new Uint8Array([1]));
  // A full ring: the send waits, and can be aborted too.
  await tx.send(new Uint8Array(4092));
  await assertRejects(
    () => tx.send(new Uint8Array(8), { signal: AbortSignal.timeout(100) }),
    DOMException,
  );
  assertEquals((await rx.receive())!.length, 4092);
  tx.close();
  assertEquals(await rx.receive(), null);
  // The receiver closing breaks the sender.
  const other = uniqueName("broken");
  using tx2 = createSharedChannel(other, { role: "sender", capacity: 4096 });
  const rx2 = openSharedChannel(other, { role: "receiver" });
  rx2.close();
  await assertRejects(() => tx2.send(new Uint8Array(1)), Deno.errors.BrokenPipe);
});

windowsTest("a mapping that is not a valid channel is rejected on open", {}, () => {
  const name = uniqueName("bogus");
  using shm = createSharedMemory(name, { size: 8192 });
  assertThrows(
    () => openSharedChannel(name, { role: "receiver" }),
    Deno.errors.InvalidData,
    "not a winipc channel",
  );
  const view = shm.dataView;
  view.setUint32(0, 0x4e48_4357, true);
  view.setUint32(4, 3, true);
  assertThrows(
    () => openSharedChannel(name, { role: "receiver" }),
    Deno.errors.InvalidData,
    "version 3",
  );
  view.setUint32(4, 2, true);
  view.setUint32(8, 1 << 20, true);
  assertThrows(
    () => openSharedChannel(name, { role: "receiver" }),
    Deno.errors.InvalidData,
    "capacity",
  );
});

windowsTest("a corrupt record is a clear error, never an out-of-bounds read", {}, async () => {
  const name = uniqueName("corrupt");
  using rx = createSharedChannel(name, { role: "receiver", capacity: 4096 });
  // Another process's view of the same memory, writing garbage.
  using shm = openSharedMemory(`Local\\${name}`, { size: 256 + 4096 });
  shm.dataView.setUint32(256, 0x7fff_ffff, true); // a record length far beyond the ring
  shm.dataView.setUint32(64, 8, true); // tail: 8 bytes "written"
  await assertRejects(() => rx.receive(), Deno.errors.InvalidData, "corrupt");
  shm.dataView.setUint32(256, 100, true); // a length larger than what was written
  await assertRejects(() => rx.receive(), Deno.errors.InvalidData, "corrupt");
});

windowsTest("one sender and one receiver: a second one is Busy; bad input", {}, () => {
  const name = uniqueName("spsc");
  using rx = createSharedChannel(name, { role: "receiver", capacity: 4096 });
  assertThrows(
    () => openSharedChannel(name, { role: "receiver" }),
    Deno.errors.Busy,
    "already has one",
  );
  using tx = openSharedChannel(name, { role: "sender" });
  assertThrows(() => openSharedChannel(name, { role: "sender" }), Deno.errors.Busy);
  assertEquals(tx.maxMessageSize, 4092);
  assertThrows(() => createSharedChannel(name, { role: "sender" }), Deno.errors.AlreadyExists);
  assertThrows(
    () => createSharedChannel(uniqueName("cap"), { role: "sender", capacity: 5000 }),
    RangeError,
    "power of two",
  );
  // deno-lint-ignore no-explicit-any
  assertThrows(() => createSharedChannel(uniqueName("role"), { role: "both" as any }), TypeError);
  assertThrows(
    () => openSharedChannel(uniqueName("none"), { role: "sender" }),
    Deno.errors.NotFound,
  );
  assert(!rx.closed);
});

// Issue 11, item 1: a channel whose peer process dies used to hang for ever.
windowsTest(
  "a sender killed mid-stream: the receiver gets what was sent, then the end, within 1 s, idle at no cost; a new sender takes over",
  {},
  async () => {
    const name = uniqueName("dead-tx");
    using rx = createSharedChannel(name, { role: "receiver", capacity: 64 * 1024 });
    const sender = new Peer(PEER, ["send-hold", name, "50"]);
    try {
      assertEquals(await sender.line(), "sent 50");
      for (let i = 0; i < 50; i++) {
        const message = (await rx.receive())!;
        assertEquals(message, channelMessage(i, 100));
      }
      let ended: Uint8Array | null | "pending" = "pending";
      const pending = rx.receive().then((m) => ended = m);
      // Waiting costs nothing: no polling while the sender is alive and quiet.
      const cpu = processCpuMilliseconds();
      await new Promise((r) => setTimeout(r, 1000));
      const used = processCpuMilliseconds() - cpu;
      assert(used < 100, `${used} ms of CPU in 1 s of waiting`);
      assertEquals(ended, "pending");
      sender.child.kill("SIGKILL");
      const start = performance.now();
      await pending;
      const took = performance.now() - start;
      assertEquals(ended, null);
      assert(took < 1000, `the end came ${took} ms after the kill`);
      assertEquals(await rx.receive(), null, "and stays ended");
    } finally {
      try {
        sender.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await sender.child.status;
    }
    // The dead sender's end can be taken by a new process.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", repoPath(PEER), "send", name, "20", "7"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(out.stderr), "");
    let sum = 0;
    let n = 0;
    for await (const message of rx) {
      sum = checksum(sum, message);
      n++;
    }
    assertEquals(n, 20);
    assertEquals(new TextDecoder().decode(out.stdout), `sent 20 ${sum}\n`);
  },
);

windowsTest(
  "a receiver killed while the sender waits for room: BrokenPipe within 1 s; a new receiver takes over",
  {},
  async () => {
    const name = uniqueName("dead-rx");
    using tx = createSharedChannel(name, { role: "sender", capacity: 4096 });
    const receiver = new Peer(PEER, ["hold-receiver", name]);
    try {
      assertEquals(await receiver.line(), "ready");
      await tx.send(new Uint8Array(3000).fill(1)); // fits
      const blocked = tx.send(new Uint8Array(3000).fill(2)); // waits for room
      let state = "pending";
      blocked.catch(() => {}).finally(() => state = "settled");
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(state, "pending");
      receiver.child.kill("SIGKILL");
      const start = performance.now();
      await assertRejects(() => blocked, Deno.errors.BrokenPipe, "receiver's process ended");
      const took = performance.now() - start;
      assert(took < 1000, `BrokenPipe came ${took} ms after the kill`);
    } finally {
      try {
        receiver.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await receiver.child.status;
    }
    // A new receiver takes the dead one's end and gets the message in the ring.
    using rx = openSharedChannel(name, { role: "receiver" });
    assertEquals(await rx.receive(), new Uint8Array(3000).fill(1));
    await tx.send(new Uint8Array([7]));
    assertEquals(await rx.receive(), new Uint8Array([7]));
    // A live end is still Busy.
    assertThrows(() => openSharedChannel(name, { role: "receiver" }), Deno.errors.Busy);
  },
);

windowsTest(
  "a sender that dies in the middle of writing a message: the receiver gets UnexpectedEof",
  {},
  async () => {
    const name = uniqueName("torn");
    using rx = createSharedChannel(name, { role: "receiver", capacity: 4096 });
    const sender = new Peer(PEER, ["die-writing", name]);
    try {
      assertEquals(await sender.line(), "ready");
      const pending = rx.receive();
      await new Promise((r) => setTimeout(r, 100));
      sender.child.kill("SIGKILL");
      await assertRejects(() => pending, Deno.errors.UnexpectedEof, "while writing a message");
    } finally {
      try {
        sender.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await sender.child.status;
    }
  },
);

windowsTest("closing an end while it waits ends the wait with BadResource", {}, async () => {
  const name = uniqueName("close-wait");
  const rx = createSharedChannel(name, { role: "receiver", capacity: 4096 });
  const pending = rx.receive();
  await new Promise((r) => setTimeout(r, 50));
  rx.close();
  await assertRejects(() => pending, Deno.errors.BadResource, "closed while receiving");
});

windowsTest(
  "receive({ timeout }): TimedOut, never early; 0 tries once; a message in time arrives",
  {},
  async () => {
    const name = uniqueName("rx-timeout");
    using rx = createSharedChannel(name, { role: "receiver", capacity: 4096 });
    using tx = openSharedChannel(name, { role: "sender" });
    let start = performance.now();
    await assertRejects(() => rx.receive({ timeout: 300 }), Deno.errors.TimedOut, "300 ms");
    const waited = performance.now() - start;
    assert(waited >= 299 && waited < 2000, `waited ${waited} ms`);
    // 0: an empty ring fails at once; a message already there is taken.
    start = performance.now();
    await assertRejects(() => rx.receive({ timeout: 0 }), Deno.errors.TimedOut, "0 ms");
    assert(performance.now() - start < 200, "timeout 0 waited");
    await tx.send(new Uint8Array([1]));
    assertEquals(await rx.receive({ timeout: 0 }), new Uint8Array([1]));
    // A message sent during the wait arrives; no wake-up is lost after a timeout.
    setTimeout(() => tx.send(new Uint8Array([2])), 100);
    assertEquals(await rx.receive({ timeout: 5000 }), new Uint8Array([2]));
    // The end of the stream is not a timeout.
    tx.close();
    assertEquals(await rx.receive({ timeout: 0 }), null);
    for (const timeout of [-1, NaN, "5" as unknown as number]) {
      await assertRejects(() => rx.receive({ timeout }), RangeError, "timeout must be");
    }
  },
);

windowsTest(
  "send({ timeout }): TimedOut while the ring stays full, nothing sent; 0 tries once",
  {},
  async () => {
    const name = uniqueName("tx-timeout");
    using tx = createSharedChannel(name, { role: "sender", capacity: 4096 });
    using rx = openSharedChannel(name, { role: "receiver" });
    await tx.send(new Uint8Array(4000).fill(1), { timeout: 0 }); // room now: sent
    let start = performance.now();
    await assertRejects(
      () => tx.send(new Uint8Array(200).fill(2), { timeout: 250 }),
      Deno.errors.TimedOut,
      "no room",
    );
    const waited = performance.now() - start;
    assert(waited >= 249 && waited < 2000, `waited ${waited} ms`);
    start = performance.now();
    await assertRejects(() => tx.send(new Uint8Array(200), { timeout: 0 }), Deno.errors.TimedOut);
    assert(performance.now() - start < 200, "timeout 0 waited");
    // Room made during a wait lets the send through.
    setTimeout(() => rx.receive(), 100);
    await tx.send(new Uint8Array(200).fill(3), { timeout: 5000 });
    // Only the messages that were sent are there.
    assertEquals(await rx.receive({ timeout: 0 }), new Uint8Array(200).fill(3));
    await assertRejects(() => rx.receive({ timeout: 0 }), Deno.errors.TimedOut);
    for (const timeout of [-1, NaN]) {
      await assertRejects(
        () => tx.send(new Uint8Array(1), { timeout }),
        RangeError,
        "timeout must be",
      );
    }
  },
);

windowsTest("channel ends: unsafeHandle is the mapping's handle while open", {}, () => {
  const name = uniqueName("handle");
  const tx = createSharedChannel(name, { role: "sender", capacity: 4096 });
  const rx = openSharedChannel(name, { role: "receiver" });
  const k = kernel32();
  for (const end of [tx, rx]) {
    // The mapping: its first bytes are the channel header's magic, "WCHN".
    const view = k.MapViewOfFile(end.unsafeHandle, 0x4, 0, 0, 256n); // FILE_MAP_READ
    if (view === null) throw new Error("MapViewOfFile failed");
    try {
      assertEquals(new Deno.UnsafePointerView(view).getUint32(0), 0x4e48_4357);
    } finally {
      k.UnmapViewOfFile(view);
    }
  }
  tx.close();
  rx.close();
  assertThrows(() => tx.unsafeHandle, Deno.errors.BadResource, "closed");
  assertThrows(() => rx.unsafeHandle, Deno.errors.BadResource, "closed");
});

windowsTest("channel ends: no public constructor; hostile roles are TypeErrors", {}, () => {
  // deno-lint-ignore no-explicit-any
  assertThrows(() => new (SharedChannelSender as any)(), TypeError, "Illegal constructor");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => new (SharedChannelReceiver as any)({}), TypeError, "Illegal constructor");
  for (const role of ["toString", "__proto__", undefined, "both"]) {
    assertThrows(
      // deno-lint-ignore no-explicit-any
      () => createSharedChannel(uniqueName("role"), { role: role as any }),
      TypeError,
      'role must be "sender" or "receiver"',
    );
  }
  assertThrows(
    // deno-lint-ignore no-explicit-any
    () => createSharedChannel(uniqueName("sec"), { role: "sender", security: "toString" as any }),
    TypeError,
    "security must be",
  );
});
