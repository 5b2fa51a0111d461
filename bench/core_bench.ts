// Copyright 2026 the winipc authors. MIT license.
/**
 * Benchmarks of the shared core. Prints one JSON object per line:
 *
 * - `core.ffi_call`: a synchronous FFI call (`GetCurrentProcessId`).
 * - `core.nonblocking_call`: one `nonblocking` FFI call that returns at once
 *   (`WaitForMultipleObjects` on a set event): the price of one thread hop,
 *   which the core's design avoids paying per operation.
 * - `core.io_roundtrip_sync`: a 64-byte overlapped write and read on a local
 *   pipe pair, both completing synchronously (no hop).
 * - `core.io_roundtrip_pending`: the read is issued first and pends, the write
 *   completes it, and the completion arrives through the port (one hop).
 * - `core.wait_signalled`: a wait registered on an event, then the event set;
 *   the wait resolves through the pool's callback (one hop).
 *
 * Usage: `deno run -A bench/core_bench.ts [milliseconds per benchmark]`.
 * `deno task bench` runs it under Wine pinned to one CPU beside the native
 * reference `bench/native/core_ref.c`.
 *
 * @module
 */
import { kernel32 } from "../_win32/ffi.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { readFile, writeFile } from "../_win32/io.ts";
import { createPipePair } from "../_win32/pipes.ts";
import { waitForHandle } from "../_win32/wait.ts";

const duration = Number(Deno.args[0] ?? 1000);

async function measure(run: () => unknown | Promise<unknown>): Promise<number> {
  const warmUpEnd = performance.now() + Math.min(200, duration / 5);
  while (performance.now() < warmUpEnd) await run();
  let ops = 0;
  const start = performance.now();
  const end = start + duration;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) await run();
    ops += 16;
  }
  return ops / ((performance.now() - start) / 1000);
}

function report(bench: string, fields: Record<string, number>, opsPerSecond: number): void {
  console.log(JSON.stringify({
    bench,
    impl: "winipc",
    ...fields,
    ops_per_s: Math.round(opsPerSecond),
    us_per_op: Number((1e6 / opsPerSecond).toFixed(2)),
  }));
}

const k = kernel32();

{
  // Synchronous loop: no await per call, as a native loop would do it.
  const warm = performance.now() + 100;
  while (performance.now() < warm) k.GetCurrentProcessId();
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < duration) {
    for (let i = 0; i < 10_000; i++) k.GetCurrentProcessId();
    ops += 10_000;
  }
  report("core.ffi_call", {}, ops / ((performance.now() - start) / 1000));
}

{
  using event = OwnedHandle.from(
    k.CreateEventW(null, 1, 1, null),
    k.GetLastError(),
    "event",
    "event",
  );
  const handles = new BigUint64Array([BigInt(Deno.UnsafePointer.value(event.raw))]);
  report(
    "core.nonblocking_call",
    {},
    await measure(() => k.WaitForMultipleObjectsNb(1, handles, 0, 0)),
  );
}

{
  const [a, b] = createPipePair();
  using _a = a;
  using _b = b;
  const out = new Uint8Array(64).fill(7);
  const into = new Uint8Array(64);
  report(
    "core.io_roundtrip_sync",
    { size: 64 },
    await measure(async () => {
      await writeFile(a, out);
      const result = await readFile(b, into);
      if (result.bytes !== 64 || !result.synchronous) throw new Error("unexpected read");
    }),
  );
  report(
    "core.io_roundtrip_pending",
    { size: 64 },
    await measure(async () => {
      const reading = readFile(b, into);
      await writeFile(a, out);
      const result = await reading;
      if (result.bytes !== 64) throw new Error("unexpected read");
    }),
  );
}

{
  using event = OwnedHandle.from(
    k.CreateEventW(null, 0, 0, null),
    k.GetLastError(),
    "event",
    "event",
  );
  report(
    "core.wait_signalled",
    {},
    await measure(async () => {
      const waiting = waitForHandle(event);
      k.SetEvent(event.raw);
      if (await waiting !== "signaled") throw new Error("unexpected wait result");
    }),
  );
}
