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
 * `impl` is `"winipc"`, `"deno_tcp"`, or `"node_pipe"` (the same exchanges over a
 * Windows named pipe through Deno's `node:net`, what a Deno user would
 * otherwise use for named pipes). `deno task bench` runs this beside
 * `bench/native/named_pipe_ref.c`, pinned to one CPU under Wine.
 *
 * @module
 */
import net from "node:net";
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

if (Deno.args[0] === "--serve-node-pipe") {
  const [, path, kind] = Deno.args as [string, string, Kind];
  const server = net.createServer((socket) => {
    const io = nodeIo(socket);
    const done = kind === "sink" ? serveSink(io.read, io.write) : (async () => {
      const buffer = new Uint8Array(65536);
      for (let n = await io.read(buffer); n !== null; n = await io.read(buffer)) {
        await io.write(buffer.subarray(0, n));
      }
    })();
    done.finally(() => Deno.exit(0));
  });
  server.listen(path, () => console.log("ready"));
  await new Promise(() => {});
}

/** `read`/`write` promises over a `node:net` socket. */
function nodeIo(socket: net.Socket): {
  read: (p: Uint8Array) => Promise<number | null>;
  write: (p: Uint8Array) => Promise<number>;
} {
  const chunks: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  socket.setNoDelay?.(true);
  socket.on("data", (data: Uint8Array) => {
    chunks.push(data);
    wake?.();
  });
  socket.on("end", () => {
    ended = true;
    wake?.();
  });
  socket.on("error", () => {
    ended = true;
    wake?.();
  });
  return {
    read: async (p) => {
      while (chunks.length === 0) {
        if (ended) return null;
        await new Promise<void>((resolve) => wake = resolve);
        wake = null;
      }
      const first = chunks[0]!; // the loop above ensures one
      const n = Math.min(p.length, first.length);
      p.set(first.subarray(0, n));
      if (n === first.length) chunks.shift();
      else chunks[0] = first.subarray(n);
      return n;
    },
    write: (p) =>
      new Promise((resolve, reject) =>
        socket.write(p.slice(), (error) => error ? reject(error) : resolve(p.length))
      ),
  };
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

async function nodePipeClient(
  kind: Kind,
): Promise<[ReturnType<typeof nodeIo> & { close(): void }, Deno.ChildProcess]> {
  const path = `\\\\.\\pipe\\winipc-bench-node-${Deno.pid}-${++serial}`;
  const { child } = await startServer(["--serve-node-pipe", path, kind]);
  const socket = net.connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  return [{ ...nodeIo(socket), close: () => socket.destroy() }, child];
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
for (const size of [64, 1024]) {
  const [conn, child] = await nodePipeClient("echo");
  const out = new Uint8Array(size).fill(3);
  const back = new Uint8Array(size);
  const ops = await measure(async () => {
    await conn.write(out);
    await readFull(conn.read, back);
  });
  conn.close();
  await child.status;
  emit({
    bench: "named_pipe.roundtrip",
    impl: "node_pipe",
    mode: "byte",
    size,
    ops_per_s: Math.round(ops),
  });
}
for (const size of [65536, 1 << 20]) {
  const [conn, child] = await nodePipeClient("sink");
  const mb = await throughput(conn.read, conn.write, size);
  conn.close();
  await child.status;
  emit({
    bench: "named_pipe.throughput",
    impl: "node_pipe",
    mode: "byte",
    size,
    mb_per_s: Number(mb.toFixed(1)),
  });
}
