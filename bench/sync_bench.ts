// Copyright 2026 the winipc authors. MIT license.
/**
 * Synchronisation benchmarks. Prints one JSON object per line:
 *
 * - `sync.mutex_uncontended`: `acquire()` + `release()` of a free mutex.
 * - `sync.mutex_handoff`: two processes take turns holding one named mutex
 *   (turns passed with two auto-reset events); hand-offs per second.
 * - `sync.event_pingpong`: two processes set and wait for two auto-reset
 *   events in turn; round trips per second.
 *
 * `deno task bench` runs it beside `bench/native/sync_ref.c` (the same in
 * C), pinned to one CPU under Wine.
 *
 * @module
 */
import { timed } from "./_timing.ts";
import { createEvent, createMutex, openEvent, openMutex } from "../sync/mod.ts";
import { createSharedMemory, openSharedMemory } from "../shared_memory/mod.ts";

const script = new URL(import.meta.url).pathname.replace(/^\/([A-Za-z]:)/, "$1");

if (Deno.args[0] === "--handoff") {
  const name = Deno.args[1];
  using mutex = openMutex(`${name}-mutex`);
  using mine = openEvent(`${name}-b`);
  using theirs = openEvent(`${name}-a`);
  using shm = openSharedMemory(`${name}-map`, { size: 8 });
  const view = shm.dataView;
  while (true) {
    await mine.wait();
    if (view.getUint32(4, true) === 1) break;
    using _lock = await mutex.acquire();
    view.setUint32(0, view.getUint32(0, true) + 1, true);
    _lock.release();
    theirs.set();
  }
  Deno.exit(0);
}
if (Deno.args[0] === "--pong") {
  const name = Deno.args[1];
  using ping = openEvent(`${name}-a`);
  using pong = openEvent(`${name}-b`);
  using shm = openSharedMemory(`${name}-map`, { size: 8 });
  while (true) {
    await ping.wait();
    if (shm.dataView.getUint32(4, true) === 1) break;
    pong.set();
  }
  Deno.exit(0);
}

const duration = Number(Deno.args[0] ?? 1000);
let serial = 0;

function measure(run: () => Promise<void>): Promise<number> {
  return timed(run, { duration, warmup: duration / 10, batch: 16 });
}

function child(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", script, ...args],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
}

{
  using mutex = createMutex();
  const ops = await measure(async () => {
    (await mutex.acquire()).release();
  });
  console.log(
    JSON.stringify({ bench: "sync.mutex_uncontended", impl: "winipc", ops_per_s: Math.round(ops) }),
  );
}

{
  const name = `Local\\winipc-bench-handoff-${Deno.pid}-${++serial}`;
  using mutex = createMutex(`${name}-mutex`);
  using mine = createEvent(`${name}-a`, { initialState: true });
  using theirs = createEvent(`${name}-b`);
  using shm = createSharedMemory(`${name}-map`, { size: 8 });
  const view = shm.dataView;
  const other = child(["--handoff", name]);
  let turns = 0;
  const ops = await measure(async () => {
    await mine.wait();
    using _lock = await mutex.acquire();
    view.setUint32(0, view.getUint32(0, true) + 1, true);
    _lock.release();
    turns++;
    theirs.set();
  });
  await mine.wait();
  view.setUint32(4, 1, true);
  theirs.set();
  await other.status;
  const counter = view.getUint32(0, true);
  if (counter !== 2 * turns) throw new Error(`hand-off counter ${counter}, expected ${2 * turns}`);
  console.log(
    JSON.stringify({ bench: "sync.mutex_handoff", impl: "winipc", ops_per_s: Math.round(ops * 2) }),
  );
}

{
  const name = `Local\\winipc-bench-pong-${Deno.pid}-${++serial}`;
  using ping = createEvent(`${name}-a`);
  using pong = createEvent(`${name}-b`);
  using shm = createSharedMemory(`${name}-map`, { size: 8 });
  const other = child(["--pong", name]);
  const ops = await measure(async () => {
    ping.set();
    await pong.wait();
  });
  shm.dataView.setUint32(4, 1, true);
  ping.set();
  await other.status;
  console.log(
    JSON.stringify({ bench: "sync.event_pingpong", impl: "winipc", ops_per_s: Math.round(ops) }),
  );
}
