// Copyright 2026 the winipc authors. MIT license.
// Which server a client reached: a process of the same user can add instances
// of a winipc pipe name and take clients; `connectNamedPipe`'s `server`
// option lets a client refuse it before sending anything.
import { assertEquals, assertMatch, assertRejects, assertStringIncludes } from "@std/assert";
import { at, Peer, uniqueName, windowsTest } from "./_helpers.ts";
import {
  callNamedPipe,
  connectNamedPipe,
  listenNamedPipe,
  type NamedPipeConn,
} from "../named_pipe/mod.ts";

const PEER = "tests/fixtures/pipe_peer.ts";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

windowsTest(
  "server check: a same-user rogue that added instances is refused, the real server is reached",
  {},
  async () => {
    const name = uniqueName("rogue");
    using listener = listenNamedPipe(name, { backlog: 1 });
    // A first client takes our only waiting instance (and is not accepted
    // yet), so for now only the rogue's instances listen.
    using early = await connectNamedPipe(name);
    await using rogue = new Peer(PEER, ["rogue", name, "6"]);
    assertEquals(await rogue.line(), "ready");
    const roguePid = rogue.child.pid;

    // Without a check, a client is silently the rogue's.
    using fooled = await connectNamedPipe(name);
    assertEquals(fooled.peerProcessId, roguePid);
    // With the process check, it is refused, and told who was found.
    const refused = await assertRejects(
      () => connectNamedPipe(name, { server: { processId: Deno.pid } }),
      Deno.errors.PermissionDenied,
    );
    assertStringIncludes(
      refused.message,
      `the server is process ${roguePid}, expected process ${Deno.pid}`,
    );
    // A user check alone cannot tell two processes of one user apart...
    using sameUser = await connectNamedPipe(name, { server: { user: "self" } });
    assertEquals(sameUser.peerProcessId, roguePid);
    // ...and one for another user refuses the rogue, naming both users.
    const otherUser = await assertRejects(
      () => callNamedPipe(name, encoder.encode("secret"), { server: { user: "S-1-5-18" } }),
      Deno.errors.PermissionDenied,
    );
    assertMatch(
      otherUser.message,
      new RegExp(`server process ${roguePid} runs as S-1-5-21(-\\d+)+, expected S-1-5-18$`),
    );

    // Our listener takes the early client, and listens again at once.
    using first = await listener.accept();
    await early.write(encoder.encode("early"));
    assertEquals(decoder.decode(await readSome(first)), "early");
    // A checked client retries past whatever the rogue still has and reaches us.
    let conn: NamedPipeConn | undefined;
    let refusals = 0;
    for (let attempt = 0; attempt < 10 && conn === undefined; attempt++) {
      try {
        conn = await connectNamedPipe(name, {
          timeout: 5000,
          server: { processId: Deno.pid, user: "self" },
        });
      } catch (error) {
        if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
        assertStringIncludes(error.message, `the server is process ${roguePid}`);
        refusals++;
      }
    }
    if (conn === undefined) throw new Error("the checked client never reached the real server");
    using _conn = conn;
    assertEquals(conn.peerProcessId, Deno.pid);
    using accepted = await listener.accept();
    await conn.write(encoder.encode("secret"));
    assertEquals(decoder.decode(await readSome(accepted)), "secret");

    // The rogue saw every refused client connect, and not one byte.
    const { code, rest } = await rogue.finish();
    assertEquals(code, 0);
    assertEquals(JSON.parse(at(rest, 0)), { connections: 4 + refusals, bytes: 0 });
  },
);

windowsTest(
  "server check: the right process and user pass, for connect and for callNamedPipe",
  {},
  async () => {
    const name = uniqueName("checked");
    await using server = new Peer(PEER, ["echo-server", name, "message", "2"]);
    assertEquals(await server.line(), "ready");
    const pid = server.child.pid;
    using conn = await connectNamedPipe(name, {
      mode: "message",
      timeout: 5000,
      server: { processId: pid, user: "self" },
    });
    assertEquals(await conn.transact(encoder.encode("ping")), encoder.encode("ping"));
    conn.close();
    const reply = await callNamedPipe(name, encoder.encode("status"), {
      timeout: 5000,
      server: { processId: pid, user: "self" },
    });
    assertEquals(decoder.decode(reply), "status");
    assertEquals((await server.finish()).code, 0);
  },
);

async function readSome(conn: NamedPipeConn): Promise<Uint8Array> {
  const buffer = new Uint8Array(64);
  const n = await conn.read(buffer);
  if (n === null) throw new Error("end of stream");
  return buffer.subarray(0, n);
}
