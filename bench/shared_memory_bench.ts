// Copyright 2026 the winipc authors. MIT license.
/**
 * Shared memory benchmarks. Prints one JSON object per line:
 *
 * - `shared_memory.copy` (`size` 1 MiB): `Uint8Array.set` of 1 MiB into a
 *   mapped view, GB/s; with `"impl":"local_set"`, the same between two
 *   ordinary buffers (the memory-bandwidth reference).
 * - `shared_memory.channel` (`size` 64 and 4096): messages per second from
 *   another process through a shared channel (sender there, receiver here).
 * - `shared_memory.pingpong` (`size` 64 and 4096): round trips per second
 *   through two channels and an echoing process (the latency is 1/that).
 * - `named_pipe.roundtrip` (`size` 4096, byte mode): winipc's own named pipe
 *   round trip at 4 KiB, in the same run, for the channel's target.
 *
 * `deno task bench` runs it beside `bench/native/shared_memory_ref.c` (an
 * event ping-pong with a copy through shared memory in C), pinned to one
 * CPU under Wine.
 *
 * @module
 */
import { timed } from "./_timing.ts";
import {
  createSharedChannel,
  createSharedMemory,
  openSharedChannel,
} from "../shared_memory/mod.ts";
import { connectNamedPipe, listenNamedPipe } from "../named_pipe/mod.ts";

const script = new URL(import.meta.url).pathname.replace(/^\/([A-Za-z]:)/, "$1");

/** Command-line argument `index` of a child mode; a usage error if it is missing. */
function arg(index: number, what: string): string {
  const value = Deno.args[index];
  if (value === undefined) {
    throw new Error(`shared_memory_bench.ts ${Deno.args[0]}: missing ${what}`);
  }
  return value;
}

if (Deno.args[0] === "--send") {
  const [, , size, count] = Deno.args;
  using tx = openSharedChannel(arg(1, "NAME"), { role: "sender" });
  const message = new Uint8Array(Number(size)).fill(1);
  for (let i = 0; i < Number(count); i++) await tx.send(message);
  Deno.exit(0);
}
if (Deno.args[0] === "--echo") {
  using rx = openSharedChannel(arg(1, "RX"), { role: "receiver" });
  using tx = openSharedChannel(arg(2, "TX"), { role: "sender" });
  for await (const message of rx) await tx.send(message);
  Deno.exit(0);
}
if (Deno.args[0] === "--pipe-echo") {
  using listener = listenNamedPipe(arg(1, "PIPE"));
  console.log("ready");
  using conn = await listener.accept();
  const buffer = new Uint8Array(65536);
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    await conn.write(buffer.subarray(0, n));
  }
  Deno.exit(0);
}

const duration = Number(Deno.args[0] ?? 1000);
let serial = 0;
const unique = (what: string) => `winipc-bench-${what}-${Deno.pid}-${++serial}`;

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

function child(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", script, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

function measure(run: () => Promise<void>): Promise<number> {
  return timed(run, { duration, warmup: duration / 10 });
}

// Copy bandwidth.
{
  const size = 1 << 20;
  using shm = createSharedMemory(unique("copy"), { size });
  const source = new Uint8Array(size).fill(3);
  const local = new Uint8Array(size);
  const rate = (into: Uint8Array) => {
    let rounds = 0;
    const start = performance.now();
    while (performance.now() - start < duration / 2) {
      for (let i = 0; i < 64; i++) into.set(source);
      rounds += 64;
    }
    return (rounds * size) / ((performance.now() - start) / 1000) / 1e9;
  };
  rate(shm.bytes); // warm-up
  rate(local);
  emit({
    bench: "shared_memory.copy",
    impl: "winipc",
    size,
    gb_per_s: Number(rate(shm.bytes).toFixed(2)),
  });
  emit({
    bench: "shared_memory.copy",
    impl: "local_set",
    size,
    gb_per_s: Number(rate(local).toFixed(2)),
  });
}

// One-way messages from another process.
for (const size of [64, 4096]) {
  const round = async (count: number) => {
    const name = unique("chan");
    using rx = createSharedChannel(name, { role: "receiver", capacity: 1 << 20 });
    const sender = child(["--send", name, String(size), String(count)]);
    await rx.receive();
    const start = performance.now();
    for (let i = 1; i < count; i++) {
      const message = await rx.receive();
      if (message?.length !== size) throw new Error("lost a message");
    }
    const elapsed = performance.now() - start;
    await sender.status;
    return (count - 1) / (elapsed / 1000);
  };
  const warm = await round(Math.max(1000, duration * 20));
  const rate = await round(Math.max(2000, Math.floor((warm * duration) / 1000)));
  emit({ bench: "shared_memory.channel", impl: "winipc", size, msgs_per_s: Math.round(rate) });
}

// Round trips through an echoing process.
for (const size of [64, 4096]) {
  const there = unique("there");
  const back = unique("back");
  using tx = createSharedChannel(there, { role: "sender", capacity: 1 << 16 });
  using rx = createSharedChannel(back, { role: "receiver", capacity: 1 << 16 });
  const echo = child(["--echo", there, back]);
  const message = new Uint8Array(size).fill(5);
  const ops = await measure(async () => {
    await tx.send(message);
    await rx.receive();
  });
  tx.close();
  await echo.status;
  emit({ bench: "shared_memory.pingpong", impl: "winipc", size, ops_per_s: Math.round(ops) });
}

// winipc's named pipe round trip at 4 KiB, for comparison.
{
  const name = unique("pipe");
  const server = child(["--pipe-echo", name]);
  const reader = server.stdout.getReader();
  await reader.read(); // "ready"
  reader.releaseLock();
  using conn = await connectNamedPipe(name, { timeout: 10_000 });
  const out = new Uint8Array(4096).fill(7);
  const back = new Uint8Array(4096);
  const ops = await measure(async () => {
    await conn.write(out);
    let got = 0;
    while (got < back.length) got += (await conn.read(back.subarray(got)))!;
  });
  conn.close();
  await server.status;
  emit({
    bench: "named_pipe.roundtrip",
    impl: "winipc",
    mode: "byte",
    size: 4096,
    ops_per_s: Math.round(ops),
  });
}
