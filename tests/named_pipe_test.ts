// Copyright 2026 the winipc authors. MIT license.
// Named pipes across real processes: the edge cases of
// shared/design/security-and-edge-cases.md that concern named pipes, and the
// secure defaults.
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotMatch,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { delay } from "@std/async/delay";
import { payload, Peer, uniqueName, windowsTest } from "./_helpers.ts";
import {
  callNamedPipe,
  connectNamedPipe,
  listenNamedPipe,
  listNamedPipes,
  type NamedPipeConn,
  type NamedPipeListener,
} from "../named_pipe/mod.ts";
import { objectSddl } from "../_win32/security.ts";
import { advapi32, kernel32, outValue } from "../_win32/ffi.ts";
import { Win32Error } from "../_win32/errors.ts";
import { connectPipe, openPipeClient } from "../_win32/pipes.ts";
import { writeFile } from "../_win32/io.ts";

const PEER = "tests/fixtures/pipe_peer.ts";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readAll(conn: NamedPipeConn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    parts.push(buffer.slice(0, n));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

windowsTest("1. connecting to a missing pipe fails fast with NotFound", {}, async () => {
  const start = performance.now();
  await assertRejects(() => connectNamedPipe(uniqueName("missing")), Deno.errors.NotFound);
  assert(performance.now() - start < 500);
  const timed = performance.now();
  await assertRejects(
    () => connectNamedPipe(uniqueName("missing"), { timeout: 200 }),
    Deno.errors.TimedOut,
    "did not appear",
  );
  assert(performance.now() - timed >= 190);
});

windowsTest(
  "2/8. all instances busy: Busy, a bounded wait, and the others unaffected",
  {},
  async () => {
    const name = uniqueName("busy");
    await using server = new Peer(PEER, ["hold", name, "1"]);
    assertEquals(await server.line(), "ready");
    using first = await connectNamedPipe(name);
    await assertRejects(() => connectNamedPipe(name), Deno.errors.Busy);
    const start = performance.now();
    await assertRejects(
      () => connectNamedPipe(name, { timeout: 300 }),
      Deno.errors.TimedOut,
      "busy",
    );
    const waited = performance.now() - start;
    assert(waited >= 290 && waited < 3000, `waited ${waited} ms`);
    // The connected client is unaffected.
    assertEquals(first.peerProcessId, server.child.pid);
    first.close();
    assertEquals((await server.finish()).code, 0);
  },
);

windowsTest("3. a client that connects before accept() is accepted", {}, async () => {
  const name = uniqueName("early");
  using listener = listenNamedPipe(name);
  await using client = new Peer(PEER, ["write-exit", name, "early bird"]);
  assertEquals(await client.line(), "ready");
  assertEquals((await client.finish()).code, 0);
  // The client connected, wrote and exited before the server accepted.
  using conn = await listener.accept();
  assertEquals(decoder.decode(await readAll(conn)), "early bird");
});

windowsTest(
  "4/5. message mode: messages of every size, zero and > 64 KiB, arrive whole and in order",
  {},
  async () => {
    const name = uniqueName("messages");
    using listener = listenNamedPipe(name, { mode: "message" });
    const sizes = [0, 1, 100, 0, 65535, 65536, 65537, 200_000, 1 << 20, 3];
    await using client = new Peer(PEER, ["send", name, "message", sizes.join(",")]);
    using conn = await listener.accept();
    assertEquals(await client.line(), "ready");
    for (const size of sizes) {
      const message = await conn.receive();
      assert(message !== null, `message of ${size} bytes missing`);
      assertEquals(message!.length, size);
      assertEquals(message, payload(size));
    }
    await conn.send(encoder.encode("thanks"));
    assertEquals(await client.line(), "thanks");
    assertEquals((await client.finish()).code, 0);
    assertEquals(await conn.receive(), null);
  },
);

windowsTest("4. a short read of a message returns the rest on the next reads", {}, async () => {
  const name = uniqueName("short");
  using listener = listenNamedPipe(name, { mode: "message" });
  await using client = new Peer(PEER, ["send", name, "message", "1000,10"]);
  using conn = await listener.accept();
  const small = new Uint8Array(300);
  const got: number[] = [];
  for (let i = 0; i < 4; i++) got.push((await conn.read(small))!);
  assertEquals(got, [300, 300, 300, 100]);
  assertEquals(await conn.receive(), payload(10));
  await conn.send(encoder.encode("ok"));
  assertEquals((await client.finish()).code, 0);
});

windowsTest(
  "6. the peer closing: buffered data drains first, then end of stream, then BrokenPipe",
  {},
  async () => {
    const name = uniqueName("drain");
    using listener = listenNamedPipe(name);
    await using client = new Peer(PEER, ["send", name, "byte", "70000,5"]);
    using conn = await listener.accept();
    assertEquals(await client.line(), "ready");
    const expected = new Uint8Array([...payload(70000), ...payload(5)]);
    const received = new Uint8Array(expected.length);
    let offset = 0;
    while (offset < expected.length) {
      const n = await conn.read(received.subarray(offset));
      if (n === null) {
        const { code, stderr } = await client.finish();
        throw new Error(`end of stream after ${offset} bytes; client exited ${code}: ${stderr}`);
      }
      offset += n;
    }
    assertEquals(received, expected);
    await conn.write(encoder.encode("bye"));
    assertEquals(await client.line(), "bye");
    assertEquals((await client.finish()).code, 0);
    assertEquals(await conn.read(new Uint8Array(8)), null);
    await assertRejects(() => conn.write(encoder.encode("late")), Deno.errors.BrokenPipe);
  },
);

windowsTest(
  "6. data written just before close() reaches the peer, which then sees the end",
  {},
  async () => {
    const name = uniqueName("flush");
    await using server = new Peer(PEER, ["echo-server", name, "byte", "1"]);
    assertEquals(await server.line(), "ready");
    const conn = await connectNamedPipe(name, { timeout: 5000 });
    const big = payload(300_000);
    const writing = conn.write(big);
    // The echo comes back while we still write; read it all after close.
    const echoed = new Uint8Array(big.length);
    let offset = 0;
    const reading = (async () => {
      while (offset < big.length) {
        const n = await conn.read(echoed.subarray(offset));
        if (n === null) break;
        offset += n;
      }
    })();
    await writing;
    await reading;
    conn.close();
    assertEquals(offset, big.length);
    assertEquals(echoed, big);
    assertEquals((await server.finish()).code, 0);
  },
);

windowsTest("7. after close: I/O fails clearly, and the name is served again", {}, async () => {
  const name = uniqueName("again");
  using listener = listenNamedPipe(name);
  for (let round = 0; round < 2; round++) {
    await using client = new Peer(PEER, ["connect-hold", name]);
    const conn = await listener.accept();
    assertEquals(await client.line(), `ready ${Deno.pid}`);
    conn.close();
    await assertRejects(() => conn.read(new Uint8Array(4)), Deno.errors.BadResource, "closed");
    await assertRejects(() => conn.write(new Uint8Array(4)), Deno.errors.BadResource, "closed");
    assertThrows(() => conn.close(), Deno.errors.BadResource, "already closed");
    assertEquals((await client.finish()).code, 0);
  }
});

windowsTest("10. a byte-mode pipe cannot be read as messages", {}, async () => {
  const name = uniqueName("bytes");
  using listener = listenNamedPipe(name);
  const accepting = listener.accept();
  await assertRejects(
    () => connectNamedPipe(name, { mode: "message" }),
    TypeError,
    "the server created a byte-mode pipe",
  );
  // The refused client did connect before it saw the pipe type: the server
  // got that connection, which ends at once.
  using refused = await accepting;
  assertEquals(await refused.read(new Uint8Array(1)), null);
  const accepting2 = listener.accept();
  using client = await connectNamedPipe(name, { timeout: 5000 });
  using conn = await accepting2;
  await assertRejects(() => conn.receive(), Deno.errors.NotSupported, "byte mode");
  await assertRejects(() => client.send(new Uint8Array(1)), Deno.errors.NotSupported);
  await assertRejects(() => client.transact(new Uint8Array(1)), Deno.errors.NotSupported);
});

windowsTest(
  "11. cancelling accept, connect and read: rejects with the reason, stays usable",
  {},
  async () => {
    const name = uniqueName("cancel");
    using listener = listenNamedPipe(name);
    const reason = new Error("changed my mind");
    // accept
    const controller = new AbortController();
    const accepting = listener.accept({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    assertEquals(await assertRejects(() => accepting), reason);
    // connect (waiting for a pipe that does not exist)
    const connectController = new AbortController();
    const connecting = connectNamedPipe(uniqueName("never"), {
      timeout: 60_000,
      signal: connectController.signal,
    });
    setTimeout(() => connectController.abort(reason), 20);
    assertEquals(await assertRejects(() => connecting), reason);
    // The listener still accepts, and a read can be cancelled and retried.
    await using client = new Peer(PEER, ["send", name, "byte", "4"]);
    using conn = await listener.accept();
    assertEquals(await client.line(), "ready");
    const readController = new AbortController();
    // Data may already be there: drain it, then cancel a read that must wait.
    assertEquals(await conn.read(new Uint8Array(16)), 4);
    const reading = conn.read(new Uint8Array(16), { signal: readController.signal });
    setTimeout(() => readController.abort(reason), 20);
    assertEquals(await assertRejects(() => reading), reason);
    await conn.write(encoder.encode("still here"));
    assertEquals(await client.line(), "still here");
    assertEquals((await client.finish()).code, 0);
  },
);

windowsTest(
  "12. the peer process dying with a read pending ends the read, no hang",
  {},
  async () => {
    const name = uniqueName("dies");
    using listener = listenNamedPipe(name);
    await using client = new Peer(PEER, ["connect-hold", name]);
    using conn = await listener.accept();
    await client.line();
    const reading = conn.read(new Uint8Array(16));
    client.child.kill();
    assertEquals(await reading, null);
  },
);

windowsTest("13. peer identity: process ids seen on both ends are the real ones", {}, async () => {
  const name = uniqueName("who");
  using listener = listenNamedPipe(name);
  await using client = new Peer(PEER, ["connect-hold", name]);
  using conn = await listener.accept();
  // The client reports the server's pid; the server sees the client's.
  assertEquals(await client.line(), `ready ${Deno.pid}`);
  assertEquals(conn.peerProcessId, client.child.pid);
  assertEquals(typeof conn.peerSessionId, "number");
});

/** The SDDL of the security descriptor a listener's pipe really got. */
function pipeSddl(listener: NamedPipeListener): string {
  return objectSddl(listener.unsafeHandle!);
}

windowsTest("secure default: owner-only DACL, nothing for Everyone or Anonymous", {}, () => {
  using listener = listenNamedPipe(uniqueName("dacl"));
  const sddl = pipeSddl(listener);
  assertMatch(sddl, /\(A;;[^;]*;;;SY\)/);
  assertMatch(sddl, /\(A;;[^;]*;;;BA\)/);
  assertNotMatch(sddl, /;;;(WD|AN|AU|BU)\)/);
  using owner = listenNamedPipe(uniqueName("owner"), { security: "owner" });
  // security: "owner" is the default, spelt out.
  const dacl = (text: string) => text.slice(text.indexOf("D:"));
  assertEquals(dacl(pipeSddl(owner)), dacl(sddl));
});

windowsTest(
  'security: "everyone" and { sddl } set the pipe\'s DACL; access is a TypeError',
  {},
  () => {
    using open = listenNamedPipe(uniqueName("everyone"), { security: "everyone" });
    const everyone = pipeSddl(open);
    const entry = /\(A;;(0x[0-9a-f]+);;;WD\)/i.exec(everyone);
    assert(entry, everyone);
    // Everyone may read and write but not create instances (FILE_CREATE_PIPE_INSTANCE, 0x4).
    assertEquals(Number(entry![1]) & 0x4, 0);
    // Every instance gets it, not only the first (the backlog's others too).
    using own = listenNamedPipe(uniqueName("sddl"), {
      security: { sddl: "D:P(A;;GA;;;SY)(A;;GRGW;;;AU)(A;;GA;;;OW)" },
    });
    const custom = pipeSddl(own);
    assertMatch(custom, /;;;AU\)/);
    assertNotMatch(custom, /;;;(WD|BA)\)/);
    assertThrows(
      () => listenNamedPipe(uniqueName("bad"), { security: { sddl: "nonsense" } }),
      TypeError,
    );
    const name = uniqueName("old-access");
    assertThrows(
      // deno-lint-ignore no-explicit-any
      () => listenNamedPipe(name, { access: "everyone" } as any),
      TypeError,
      "the access option is now called security",
    );
    // Nothing was created under the name: it is still free.
    using after = listenNamedPipe(name);
    assertEquals(after.path, `\\\\.\\pipe\\${name}`);
  },
);

windowsTest(
  "secure default: a name served by another process fails with AlreadyExists",
  {},
  async () => {
    const name = uniqueName("taken");
    await using other = new Peer(PEER, ["hold", name, "4"]);
    assertEquals(await other.line(), "ready");
    assertThrows(() => listenNamedPipe(name), Deno.errors.AlreadyExists, "taken by another server");
    assertEquals((await other.finish()).code, 0);
    // Once the other server is gone, the name is free.
    using listener = listenNamedPipe(name);
    assertEquals(listener.path, `\\\\.\\pipe\\${name}`);
  },
);

windowsTest("one instance keeps listening between connections", {}, async () => {
  const name = uniqueName("gapless");
  using listener = listenNamedPipe(name);
  await using a = new Peer(PEER, ["connect-hold", name]);
  using first = await listener.accept();
  await a.line();
  // With no accept() pending, the name is still ours and a client can connect.
  using second = await connectNamedPipe(name);
  assertThrows(() => listenNamedPipe(name), Deno.errors.AlreadyExists);
  using accepted = await listener.accept();
  await second.write(encoder.encode("x"));
  assertEquals(await accepted.read(new Uint8Array(4)), 1);
  assertEquals(first.peerProcessId, a.child.pid);
});

windowsTest("transact() and peek() in message mode, against a winipc echo server", {}, async () => {
  const name = uniqueName("transact");
  await using server = new Peer(PEER, ["echo-server", name, "message", "1"]);
  assertEquals(await server.line(), "ready");
  using conn = await connectNamedPipe(name, { mode: "message", timeout: 5000 });
  assertEquals(await conn.transact(encoder.encode("ping")), encoder.encode("ping"));
  const big = payload(150_000);
  assertEquals(await conn.transact(big), big);
  await conn.send(encoder.encode("peek me"));
  let peeked = conn.peek();
  for (let i = 0; i < 100 && peeked.bytesAvailable === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    peeked = conn.peek();
  }
  assertEquals(peeked.messageBytesLeft, 7);
  assertEquals(decoder.decode((await conn.receive())!), "peek me");
  conn.close();
  assertEquals((await server.finish()).code, 0);
});

windowsTest("readable and writable streams move bytes both ways", {}, async () => {
  const name = uniqueName("streams");
  await using server = new Peer(PEER, ["echo-server", name, "byte", "1"]);
  assertEquals(await server.line(), "ready");
  const conn = await connectNamedPipe(name, { timeout: 5000 });
  assertEquals(conn.readable, conn.readable);
  const data = payload(500_000);
  const sending = (async () => {
    const writer = conn.writable.getWriter();
    for (let i = 0; i < data.length; i += 50_000) await writer.write(data.subarray(i, i + 50_000));
    writer.releaseLock();
  })();
  const received = new Uint8Array(data.length);
  let offset = 0;
  for await (const chunk of conn.readable) {
    received.set(chunk, offset);
    offset += chunk.length;
    if (offset === data.length) break;
  }
  await sending;
  assertEquals(received, data);
  assertEquals((await server.finish()).code, 0);
});

windowsTest(
  "200 clients on one name, a read pending on each: at most 10 server threads",
  {},
  async () => {
    const name = uniqueName("many");
    await using server = new Peer(PEER, ["serve-many", name, "200"]);
    assertEquals(await server.line(), "ready");
    const clients = [0, 1, 2, 3].map(() => new Peer(PEER, ["clients", name, "50"]));
    try {
      for (const client of clients) assertEquals(await client.line(), "ready");
      const report = JSON.parse(await server.line());
      assertEquals(report.connections, 200);
      assert(report.threads <= 10, `${report.threads} threads with 200 reads pending`);
    } finally {
      for (const client of clients) await client.finish();
    }
    assertEquals((await server.finish()).code, 0);
  },
);

windowsTest("options are validated with clear errors", {}, async () => {
  assertThrows(() => listenNamedPipe("a\\b"), TypeError, "backslash");
  assertThrows(() => listenNamedPipe(uniqueName("x"), { maxInstances: 0 }), RangeError);
  assertThrows(() => listenNamedPipe(uniqueName("x"), { maxInstances: 300 }), RangeError);
  assertThrows(() => listenNamedPipe(uniqueName("x"), { inBufferSize: -1 }), RangeError);
  assertThrows(
    () => listenNamedPipe(uniqueName("x"), { mode: "stream" as "byte" }),
    TypeError,
    'mode must be "byte" or "message"',
  );
  await assertRejects(() => connectNamedPipe("x", { timeout: -1 }), RangeError);
  await assertRejects(
    () => connectNamedPipe("x", { impersonation: "full" as "delegation" }),
    TypeError,
    "impersonation must be",
  );
  const listener = listenNamedPipe(uniqueName("closed"));
  listener.close();
  await assertRejects(() => listener.accept(), Deno.errors.BadResource, "listener is closed");
  assertThrows(() => listener.close(), Deno.errors.BadResource);
});

windowsTest("9. server-only calls on a client end fail cleanly", {}, async () => {
  const name = uniqueName("server-only");
  using listener = listenNamedPipe(name);
  using client = await connectNamedPipe(name);
  using server = await listener.accept();
  // Through the public API: identifying the peer's account is server-only.
  await assertRejects(() => client.peerUser(), Deno.errors.NotSupported, "only the server end");
  // Through raw Win32 calls on a client handle: each fails with an error
  // code, nothing hangs, and the handle stays usable.
  using raw = openPipeClient(listener.path);
  const k = kernel32();
  const [disconnected, disconnectError] = [k.DisconnectNamedPipe(raw.raw), k.GetLastError()];
  assertEquals(disconnected, 0);
  assert(disconnectError !== 0);
  const a = advapi32();
  const [impersonated, impersonateError] = [
    a.ImpersonateNamedPipeClient(raw.raw),
    k.GetLastError(),
  ];
  if (impersonated) {
    a.RevertToSelf();
    throw new Error("ImpersonateNamedPipeClient succeeded on a client handle");
  }
  assert(impersonateError !== 0);
  const connect = await connectPipe(raw);
  assert(connect.error !== 0, "ConnectNamedPipe succeeded on a client handle");
  // Both connections still carry data.
  using rawServer = await listener.accept();
  assertEquals((await writeFile(raw, encoder.encode("raw"))).bytes, 3);
  const got = new Uint8Array(8);
  assertEquals(decoder.decode(got.subarray(0, (await rawServer.read(got))!)), "raw");
  await client.write(encoder.encode("still fine"));
  assertEquals(decoder.decode(got.subarray(0, (await server.read(got))!)), "still fi");
});

windowsTest(
  "peer user: the server learns the client's account, and reverts to itself",
  {},
  async () => {
    const name = uniqueName("user");
    using listener = listenNamedPipe(name, { mode: "message" });
    await using client = new Peer(PEER, ["send", name, "message", "5"]);
    using conn = await listener.accept();
    assertEquals(await client.line(), "ready");
    assertEquals(await conn.receive(), payload(5));
    const user = await conn.peerUser();
    assertMatch(user.sid, /^S-1-5-21(-\d+){4}$/);
    assertEquals(user.name?.toLowerCase(), Deno.env.get("USERNAME")?.toLowerCase());
    assert(user.domain !== null && user.domain.length > 0);
    // The JavaScript thread is itself again: it has no thread token.
    const token = new BigUint64Array(1);
    const [a, k] = [advapi32(), kernel32()];
    const thread = k.GetCurrentThread();
    const out = new Uint8Array(token.buffer);
    const opened = [a.OpenThreadToken(thread, 0x8, 1, out), k.GetLastError()];
    assertEquals(opened, [0, 1008]); // ERROR_NO_TOKEN
    await conn.send(encoder.encode("bye"));
    assertEquals(await client.line(), "bye");
    assertEquals((await client.finish()).code, 0);
  },
);

windowsTest(
  "peer user: before anything was read, Windows cannot identify the client",
  {
    notUnderWine:
      "Wine's ImpersonateNamedPipeClient succeeds before any read; Windows fails with ERROR_CANNOT_IMPERSONATE",
  },
  async () => {
    const name = uniqueName("user-early");
    using listener = listenNamedPipe(name);
    using _client = await connectNamedPipe(name);
    using conn = await listener.accept();
    const error = await assertRejects(() => conn.peerUser(), Win32Error, "read from it first");
    assertEquals(error.code, 1368);
  },
);

windowsTest(
  "listNamedPipes() lists a pipe another process serves, until it closes",
  {
    notUnderWine:
      "Wine cannot list the pipe namespace: FindFirstFileW fails with ERROR_BAD_DEV_TYPE (66)",
  },
  async () => {
    const name = uniqueName("listed");
    await using other = new Peer(PEER, ["hold", name]);
    assertEquals(await other.line(), "ready");
    const names = listNamedPipes();
    assert(names.includes(name), `${name} not in ${names.length} names`);
    assertEquals((await other.finish()).code, 0);
    assert(!listNamedPipes().includes(name));
  },
);

windowsTest("callNamedPipe(): one request, one reply, against a winipc server", {}, async () => {
  const name = uniqueName("call");
  await using server = new Peer(PEER, ["echo-server", name, "message", "3"]);
  assertEquals(await server.line(), "ready");
  assertEquals(
    await callNamedPipe(name, encoder.encode("status"), { timeout: 5000 }),
    encoder.encode("status"),
  );
  const big = payload(100_000);
  assertEquals(await callNamedPipe(name, big, { timeout: 5000 }), big);
  assertEquals(await callNamedPipe(name, new Uint8Array(0), { timeout: 5000 }), new Uint8Array(0));
  assertEquals((await server.finish()).code, 0);
  await assertRejects(() => callNamedPipe(name, new Uint8Array(1)), Deno.errors.NotFound);
  await assertRejects(
    // deno-lint-ignore no-explicit-any
    () => callNamedPipe(name, "text" as any),
    TypeError,
    "must be a Uint8Array",
  );
});

windowsTest("callNamedPipe(): a server that never replies is cancelled cleanly", {}, async () => {
  const name = uniqueName("call-silent");
  using listener = listenNamedPipe(name, { mode: "message" });
  const accepted = listener.accept();
  const calling = callNamedPipe(name, encoder.encode("anyone?"), {
    signal: AbortSignal.timeout(300),
  });
  using conn = await accepted;
  assertEquals(decoder.decode((await conn.receive())!), "anyone?");
  const error = await assertRejects(() => calling);
  assertEquals((error as DOMException).name, "TimeoutError");
  // The caller closed its end: the server sees the end of the stream.
  assertEquals(await conn.receive(), null);
});

windowsTest(
  "message mode: send()/receive(), and for await over the messages, ending at the end of the stream",
  {},
  async () => {
    const name = uniqueName("iterate");
    using listener = listenNamedPipe(name, { mode: "message" });
    const sizes = [3, 0, 70_000, 1, 0];
    await using client = new Peer(PEER, ["send-close", name, "message", sizes.join(",")]);
    using conn = await listener.accept({ timeout: 10_000 });
    assertEquals(await client.line(), "ready");
    const got: Uint8Array[] = [];
    for await (const message of conn) got.push(message);
    assertEquals(got, sizes.map(payload));
    // The end of the stream stays the end.
    assertEquals(await conn.receive(), null);
    assertEquals((await client.finish()).code, 0);

    // send() and receive() against a winipc echo server in another process.
    const echoName = uniqueName("send");
    await using server = new Peer(PEER, ["echo-server", echoName, "message", "1"]);
    assertEquals(await server.line(), "ready");
    const echoed = await connectNamedPipe(echoName, { mode: "message", timeout: 5000 });
    for (const size of [0, 5, 100_000]) {
      await echoed.send(payload(size));
      assertEquals(await echoed.receive({ timeout: 10_000 }), payload(size));
    }
    echoed.close();
    assertEquals((await server.finish()).code, 0);
    // Byte mode has no messages to iterate.
    const bytesName = uniqueName("byte-iterate");
    using bytes = listenNamedPipe(bytesName);
    using bytesClient = await connectNamedPipe(bytesName);
    using bytesConn = await bytes.accept();
    await assertRejects(
      async () => {
        for await (const _ of bytesConn) { /* never */ }
      },
      Deno.errors.NotSupported,
      "byte mode",
    );
    await assertRejects(() => bytesClient.send(new Uint8Array(1)), Deno.errors.NotSupported);
  },
);

windowsTest(
  "timeouts: accept, read and receive fail with TimedOut, not early; 0 tries once",
  {},
  async () => {
    const name = uniqueName("timeouts");
    using listener = listenNamedPipe(name, { mode: "message" });
    // accept: nobody comes.
    let start = performance.now();
    await assertRejects(
      () => listener.accept({ timeout: 150 }),
      Deno.errors.TimedOut,
      "no client came within 150 ms",
    );
    assert(performance.now() - start >= 150, `${performance.now() - start} ms`);
    start = performance.now();
    await assertRejects(() => listener.accept({ timeout: 0 }), Deno.errors.TimedOut, "timeout 0");
    assert(performance.now() - start < 100);
    await assertRejects(() => listener.accept({ timeout: -1 }), RangeError, "timeout");
    // accept with 0: a client that has already connected is taken.
    await using client = new Peer(PEER, ["send", name, "message", "4"]);
    assertEquals(await client.line(), "ready");
    let taken: NamedPipeConn | undefined;
    for (let i = 0; i < 100 && taken === undefined; i++) {
      taken = await listener.accept({ timeout: 0 }).catch((error) => {
        if (error instanceof Deno.errors.TimedOut) return undefined;
        throw error;
      });
      if (taken === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    assert(taken !== undefined, "accept({ timeout: 0 }) never took the connected client");
    using conn: NamedPipeConn = taken!;
    // receive with 0: the message is there (or comes), then nothing is.
    let message: Uint8Array | null | undefined;
    for (let i = 0; i < 100 && message === undefined; i++) {
      message = await conn.receive({ timeout: 0 }).catch((error) => {
        if (error instanceof Deno.errors.TimedOut) return undefined;
        throw error;
      });
      if (message === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    assertEquals(message, payload(4));
    start = performance.now();
    await assertRejects(() => conn.receive({ timeout: 0 }), Deno.errors.TimedOut, "timeout 0");
    assert(performance.now() - start < 100);
    start = performance.now();
    await assertRejects(
      () => conn.receive({ timeout: 200 }),
      Deno.errors.TimedOut,
      "timed out after 200 ms",
    );
    assert(performance.now() - start >= 200, `${performance.now() - start} ms`);
    // read, too; and a timeout is no abort of the connection: it still works.
    start = performance.now();
    await assertRejects(
      () => conn.read(new Uint8Array(8), { timeout: 120 }),
      Deno.errors.TimedOut,
      "timed out after 120 ms",
    );
    assert(performance.now() - start >= 120, `${performance.now() - start} ms`);
    await assertRejects(() => conn.read(new Uint8Array(8), { timeout: 0 }), Deno.errors.TimedOut);
    await conn.send(encoder.encode("still here"), { timeout: 5000 });
    assertEquals(await client.line(), "still here");
    assertEquals((await client.finish()).code, 0);
    // The client's end: receive with a timeout returns null at the end.
    assertEquals(await conn.receive({ timeout: 10_000 }), null);
  },
);

windowsTest("unsafeHandle is the raw handle; internals are not reachable", {}, async () => {
  const name = uniqueName("unsafe");
  const listener = listenNamedPipe(name, { mode: "message" });
  const client = await connectNamedPipe(name, { mode: "message" });
  const server = await listener.accept();
  const k = kernel32();
  for (const conn of [client, server]) {
    assert(conn.unsafeHandle !== null);
    // GetNamedPipeInfo: PIPE_SERVER_END (1) on the server's handle, PIPE_TYPE_MESSAGE (4).
    const flags = new Uint32Array(1);
    const none = new Uint32Array(1);
    assert(k.GetNamedPipeInfo(conn.unsafeHandle, flags, none, none, none));
    assertEquals(outValue(flags) & 1, conn.end === "server" ? 1 : 0);
    assertEquals(outValue(flags) & 4, 4);
    assertEquals(Object.getOwnPropertyNames(conn), []);
    for (const key of ["handle", "io", "raw", "_handle", "listeningHandle", "handleValue"]) {
      assertEquals(key in conn, false, key);
    }
  }
  assert(listener.unsafeHandle !== null);
  assertEquals(Object.getOwnPropertyNames(listener), []);
  for (const key of ["listeningHandle", "handle", "raw", "security", "instances"]) {
    assertEquals(key in listener, false, key);
  }
  // deno-lint-ignore no-explicit-any
  const Conn = client.constructor as any;
  assertThrows(() => new Conn(Symbol("NamedPipeConn")), TypeError, "Illegal constructor");
  await client.send(encoder.encode("via winipc"));
  assertEquals(decoder.decode((await server.receive())!), "via winipc");
  client.close();
  server.close();
  listener.close();
  assertThrows(() => client.unsafeHandle, Deno.errors.BadResource, "closed");
  assertThrows(() => listener.unsafeHandle, Deno.errors.BadResource, "closed");
});

windowsTest(
  "a read aborted just before, or just after its data arrived but before JavaScript saw it, loses nothing: 300 a mode, quiet and busy",
  {},
  async () => {
    for (const mode of ["byte", "message"] as const) {
      const name = uniqueName("abort-race");
      using listener = listenNamedPipe(name, { mode });
      const accepting = listener.accept();
      using client = await connectNamedPipe(name, { mode, timeout: 5000 });
      using server = await accepting;
      const buffer = new Uint8Array(16);
      let read = 0;
      let aborted = 0;
      for (let i = 0; i < 300; i++) {
        // Every third read waits long enough for the next one to start as a
        // quiet read (a zero-byte wait first); the others read at once.
        if (i % 3 === 0) await delay(25);
        const controller = new AbortController();
        const reading = server.read(buffer, { signal: controller.signal });
        const byte = new Uint8Array([i & 255]);
        // Even: the abort comes first. Odd: the data is in the pipe (the read
        // completed in the kernel) when the abort comes, in the same turn.
        if (i % 2 === 0) {
          controller.abort();
          await client.write(byte);
        } else {
          await client.write(byte);
          controller.abort();
        }
        try {
          assertEquals(await reading, 1);
          read++;
        } catch (error) {
          assertStrictEquals(error, controller.signal.reason);
          aborted++;
          // Aborted before it took the byte: the byte is still there, once.
          assertEquals(await server.read(buffer, { timeout: 2000 }), 1);
        }
        assertEquals(buffer[0], i & 255, `race ${i} (${mode})`);
      }
      // Nothing left over, nothing doubled.
      await assertRejects(() => server.read(buffer, { timeout: 0 }), Deno.errors.TimedOut);
      console.log(`${mode}: ${read} reads won, ${aborted} aborts won`);
    }
  },
);
