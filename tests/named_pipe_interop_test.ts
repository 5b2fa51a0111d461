// Copyright 2026 the winipc authors. MIT license.
// Named pipes against an ordinary Win32 program: the C peer
// tests/native/pipe_peer.c (blocking CreateNamedPipeW/CreateFileW/ReadFile/
// WriteFile, as a classic program is written) as client and as server, in
// byte and message mode.
import { assertEquals } from "@std/assert";
import { echo, payload, Peer, uniqueName, windowsTest } from "./_helpers.ts";
import { callNamedPipe, connectNamedPipe, listenNamedPipe } from "../named_pipe/mod.ts";

for (const mode of ["byte", "message"] as const) {
  const sizes = mode === "message" ? [0, 1, 100, 65536, 200_000, 0, 7] : [1, 100, 65536, 200_000];

  windowsTest(`interop: a C client talks to a winipc server (${mode} mode)`, {}, async () => {
    const name = uniqueName(`c-client-${mode}`);
    using listener = listenNamedPipe(name, { mode });
    await using client = new Peer("pipe_peer", ["client", name, mode, sizes.join(",")], {
      native: true,
    });
    using conn = await listener.accept();
    assertEquals(conn.peerProcessId, client.child.pid);
    await echo(conn);
    const { code, rest, stderr } = await client.finish();
    assertEquals(stderr, "");
    assertEquals(rest, sizes.map((size) => `ok ${size}`));
    assertEquals(code, 0);
  });

  windowsTest(`interop: a winipc client talks to a C server (${mode} mode)`, {}, async () => {
    const name = uniqueName(`c-server-${mode}`);
    await using server = new Peer("pipe_peer", ["server", name, mode, "1"], { native: true });
    assertEquals(await server.line(), "ready");
    using conn = await connectNamedPipe(name, { mode, timeout: 10_000 });
    assertEquals(conn.peerProcessId, server.child.pid);
    for (const size of sizes) {
      const data = payload(size);
      if (mode === "message") {
        await conn.send(data);
        assertEquals(await conn.receive(), data);
      } else {
        // The C server echoes each read; send in pieces it can echo back
        // while we read (it uses blocking I/O on one thread).
        const back = new Uint8Array(size);
        let got = 0;
        for (let sent = 0; sent < size; sent += 4096) {
          await conn.write(data.subarray(sent, sent + 4096));
          const until = Math.min(size, sent + 4096);
          while (got < until) got += (await conn.read(back.subarray(got, until)))!;
        }
        assertEquals(back, data);
      }
    }
    if (mode === "message") {
      // TransactNamedPipe against the plain C server.
      assertEquals(await conn.transact(payload(300)), payload(300));
    }
    conn.close();
    const { code, rest, stderr } = await server.finish();
    assertEquals(stderr, "");
    assertEquals(rest, ["done"]);
    assertEquals(code, 0);
  });
}

windowsTest("interop: callNamedPipe() against a C message server", {}, async () => {
  const name = uniqueName("c-call");
  await using server = new Peer("pipe_peer", ["server", name, "message", "2"], { native: true });
  assertEquals(await server.line(), "ready");
  assertEquals(await callNamedPipe(name, payload(64), { timeout: 10_000 }), payload(64));
  assertEquals(await callNamedPipe(name, payload(70_000), { timeout: 10_000 }), payload(70_000));
  const { code, rest, stderr } = await server.finish();
  assertEquals(stderr, "");
  assertEquals(rest, ["done"]);
  assertEquals(code, 0);
});
