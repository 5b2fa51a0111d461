// Copyright 2026 the winipc authors. MIT license.
// Named pipes under load: connection storms from several processes at once,
// and what the listener's backlog leaves behind when it closes.
import { assert, assertEquals } from "@std/assert";
import { Peer, uniqueName, windowsTest } from "./_helpers.ts";
import { listenNamedPipe, type NamedPipeConn } from "../named_pipe/mod.ts";

const PEER = "tests/fixtures/pipe_peer.ts";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface StormReport {
  ok: number;
  failed: string[];
  ms: number;
}

/** Answers one message with "ack <message>", then closes. */
async function answer(conn: NamedPipeConn, received: string[]): Promise<void> {
  using _ = conn;
  const message = await conn.readMessage();
  if (message === null) return;
  const text = decoder.decode(message);
  received.push(text);
  await conn.writeMessage(encoder.encode(`ack ${text}`));
}

windowsTest(
  "a storm: 4 processes x 50 clients connect at once, all exchange a message within 10 s",
  {},
  async () => {
    const processes = 4;
    const perProcess = 50;
    const name = uniqueName("storm");
    using listener = listenNamedPipe(name, { mode: "message" });
    const received: string[] = [];
    const serving = (async () => {
      const answers: Promise<void>[] = [];
      for await (const conn of listener) answers.push(answer(conn, received));
      await Promise.all(answers);
    })();
    const clients = Array.from(
      { length: processes },
      () => new Peer(PEER, ["storm", name, String(perProcess)]),
    );
    try {
      for (const client of clients) assertEquals(await client.line(), "ready");
      // Every client process starts its 50 connections when its stdin closes.
      const start = performance.now();
      await Promise.all(clients.map((client) => client.release()));
      const reports: StormReport[] = await Promise.all(
        clients.map(async (client) => JSON.parse(await client.line())),
      );
      const elapsed = performance.now() - start;
      console.log(
        `storm: ${processes} x ${perProcess} clients in ${Math.round(elapsed)} ms ` +
          `(per process: ${reports.map((r) => r.ms).join(", ")} ms)`,
      );
      for (const report of reports) {
        assertEquals(report.failed, []);
        assertEquals(report.ok, perProcess);
      }
      assert(elapsed < 10_000, `the storm took ${Math.round(elapsed)} ms`);
      // Every client's own message reached the server, once.
      const expected = clients.flatMap((client) =>
        Array.from({ length: perProcess }, (_, i) => `${client.child.pid}:${i}`)
      );
      assertEquals([...received].sort(), expected.sort());
      for (const client of clients) assertEquals((await client.finish()).code, 0);
    } finally {
      listener.close();
      await serving;
      for (const client of clients) await client[Symbol.asyncDispose]();
    }
  },
);
