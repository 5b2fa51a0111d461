// Copyright 2026 the winipc authors. MIT license.
/**
 * Named pipe benchmarks between two processes, and Deno's own TCP loopback
 * doing the same exchanges (the reference a user would otherwise pick).
 * Prints one JSON object per line:
 *
 * - `named_pipe.roundtrip` (`mode` byte or message, `size` 64 or 1024): the
 *   client writes `size` bytes, a winipc echo server in another process
 *   writes them back; round trips per second.
 * - `named_pipe.throughput` (`size` 65536 or 1048576): the client sends an
 *   8-byte length then that many bytes in writes of `size`; the server reads
 *   them all and answers one byte; MB/s.
 *
 * `impl` is `"winipc"` or `"deno_tcp"`. `deno task bench` runs this beside
 * `bench/native/named_pipe_ref.c`, pinned to one CPU under Wine.
 *
 * @module
 */
import { timed } from "./_timing.ts";
import { connectNamedPipe, listenNamedPipe, type NamedPipeConn } from "../named_pipe/mod.ts";

type Mode = "byte" | "message";
type Kind = "echo" | "sink";
const duration = Number(Deno.args[0] ?? 1000);

/** Reads exactly `into.length` bytes. */
async function readFull(
  read: (p: Uint8Array) => Promise<number | null>,
  into: Uint8Array,
): Promise<void> {
  let offset = 0;
  while (offset < into.length) {
    const n = await read(into.subarray(offset));
    if (n === null) throw new Error("unexpected end of stream");
    offset += n;
  }
}

async function serveSink(
  read: (p: Uint8Array) => Promise<number | null>,
  write: (p: Uint8Array) => Promise<number>,
): Promise<void> {
  const header = new Uint8Array(8);
  const buffer = new Uint8Array(1 << 20);
  while (true) {
    try {
      await readFull(read, header);
    } catch {
      return; // the client is done
    }
    let left = Number(new DataView(header.buffer).getBigUint64(0, true));
    while (left > 0) {
      const n = await read(buffer.subarray(0, Math.min(buffer.length, left)));
      if (n === null) return;
      left -= n;
    }
    await write(new Uint8Array([107]));
  }
}

// ---- child: the server side ----
if (Deno.args[0] === "--serve") {
  const [, name, mode, kind] = Deno.args as [string, string, Mode, Kind];
  using listener = listenNamedPipe(name, { mode });
  console.log("ready");
  using conn = await listener.accept();
  // Like a real server, keep accepting other clients meanwhile.
  listener.accept().catch(() => {});
  if (kind === "sink") {
    await serveSink((p) => conn.read(p), (p) => conn.write(p));
  } else if (mode === "message") {
    for await (const m of conn) await conn.send(m);
  } else {
    const buffer = new Uint8Array(65536);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      await conn.write(buffer.subarray(0, n));
    }
  }
  Deno.exit(0);
}
if (Deno.args[0] === "--serve-tcp") {
  const kind = Deno.args[1] as Kind;
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(`ready ${(listener.addr as Deno.NetAddr).port}`);
  const conn = await listener.accept();
  conn.setNoDelay(true);
  if (kind === "sink") {
    await serveSink((p) => conn.read(p), (p) => conn.write(p));
  } else {
    const buffer = new Uint8Array(65536);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      let offset = 0;
      while (offset < n) offset += await conn.write(buffer.subarray(offset, n));
    }
  }
  conn.close();
  Deno.exit(0);
}

// ---- parent: the client side ----
let serial = 0;

async function startServer(args: string[]): Promise<{ child: Deno.ChildProcess; line: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      new URL(import.meta.url).pathname.replace(/^\/([A-Za-z]:)/, "$1"),
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("server exited before it was ready");
    text += value;
  }
  reader.releaseLock();
  return { child, line: text.trim() };
}

function measure(run: () => Promise<void>): Promise<number> {
  return timed(run, { duration, warmup: Math.min(200, duration / 5) });
}

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

async function pipeClient(mode: Mode, kind: Kind): Promise<[NamedPipeConn, Deno.ChildProcess]> {
  const name = `winipc-bench-${Deno.pid}-${++serial}`;
  const { child } = await startServer(["--serve", name, mode, kind]);
  return [await connectNamedPipe(name, { mode, timeout: 10_000 }), child];
}

async function tcpClient(kind: Kind): Promise<[Deno.TcpConn, Deno.ChildProcess]> {
  const { child, line } = await startServer(["--serve-tcp", kind]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(line.split(" ")[1]) });
  conn.setNoDelay(true);
  return [conn, child];
}

async function throughput(
  read: (p: Uint8Array) => Promise<number | null>,
  write: (p: Uint8Array) => Promise<number>,
  size: number,
): Promise<number> {
  const chunk = new Uint8Array(size).fill(1);
  const ack = new Uint8Array(1);
  const send = async (total: number) => {
    const header = new Uint8Array(8);
    new DataView(header.buffer).setBigUint64(0, BigInt(total), true);
    await write(header);
    for (let sent = 0; sent < total; sent += size) {
      let offset = 0;
      while (offset < size) offset += await write(chunk.subarray(offset));
    }
    await readFull(read, ack);
  };
  await send(size * Math.max(4, Math.floor((duration * 200_000) / size))); // warm-up, ~duration/4
  const total = size * Math.max(16, Math.floor((duration * 800_000) / size));
  const start = performance.now();
  await send(total);
  return total / ((performance.now() - start) / 1000) / 1e6;
}

for (const mode of ["byte", "message"] as const) {
  for (const size of [64, 1024]) {
    const [conn, child] = await pipeClient(mode, "echo");
    const out = new Uint8Array(size).fill(3);
    const back = new Uint8Array(size);
    const ops = await measure(async () => {
      if (mode === "message") {
        await conn.send(out);
        const reply = await conn.receive();
        if (reply?.length !== size) throw new Error("short reply");
      } else {
        await conn.write(out);
        await readFull((p) => conn.read(p), back);
      }
    });
    conn.close();
    await child.status;
    emit({ bench: "named_pipe.roundtrip", impl: "winipc", mode, size, ops_per_s: Math.round(ops) });
  }
}
for (const size of [64, 1024]) {
  const [conn, child] = await tcpClient("echo");
  const out = new Uint8Array(size).fill(3);
  const back = new Uint8Array(size);
  const ops = await measure(async () => {
    let offset = 0;
    while (offset < size) offset += await conn.write(out.subarray(offset));
    await readFull((p) => conn.read(p), back);
  });
  conn.close();
  await child.status;
  emit({
    bench: "named_pipe.roundtrip",
    impl: "deno_tcp",
    mode: "byte",
    size,
    ops_per_s: Math.round(ops),
  });
}
for (const size of [65536, 1 << 20]) {
  const [conn, child] = await pipeClient("byte", "sink");
  const mb = await throughput((p) => conn.read(p), (p) => conn.write(p), size);
  conn.close();
  await child.status;
  emit({
    bench: "named_pipe.throughput",
    impl: "winipc",
    mode: "byte",
    size,
    mb_per_s: Number(mb.toFixed(1)),
  });
}
for (const size of [65536, 1 << 20]) {
  const [conn, child] = await tcpClient("sink");
  const mb = await throughput((p) => conn.read(p), (p) => conn.write(p), size);
  conn.close();
  await child.status;
  emit({
    bench: "named_pipe.throughput",
    impl: "deno_tcp",
    mode: "byte",
    size,
    mb_per_s: Number(mb.toFixed(1)),
  });
}
