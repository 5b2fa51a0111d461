// Copyright 2026 the winipc authors. MIT license.
// The shared-memory channel across real processes.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { checksum, Peer, repoPath, uniqueName, windowsTest } from "./_helpers.ts";
import {
  createSharedChannel,
  createSharedMemory,
  openSharedChannel,
  openSharedMemory,
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
  view.setUint32(4, 2, true);
  assertThrows(
    () => openSharedChannel(name, { role: "receiver" }),
    Deno.errors.InvalidData,
    "version 2",
  );
  view.setUint32(4, 1, true);
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
