// Copyright 2026 the winipc authors. MIT license.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { at, windowsTest } from "../tests/_helpers.ts";
import { kernel32 } from "./ffi.ts";
import { OwnedHandle } from "./handle.ts";
import { completionStats, pendingOperations, startPortThread } from "./completion.ts";
import { readFile, writeFile } from "./io.ts";
import { createPipePair } from "./pipes.ts";
import { processCpuMilliseconds, threadCount } from "./process_info.ts";
import { waitForHandle } from "./wait.ts";
import { startWaitThreads } from "./wait_thread.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

windowsTest("a read that finds data completes synchronously", {}, async () => {
  const [a, b] = createPipePair();
  using _a = a;
  using _b = b;
  const written = await writeFile(a, encoder.encode("hello"));
  assertEquals(written, { bytes: 5, error: 0, synchronous: true });
  const buffer = new Uint8Array(16);
  const read = await readFile(b, buffer);
  assertEquals(read, { bytes: 5, error: 0, synchronous: true });
  assertEquals(decoder.decode(buffer.subarray(0, 5)), "hello");
  // No completion packet follows a synchronous success (the OVERLAPPED is
  // reused at once, so a stray packet would be misattributed): a pending read
  // now gets exactly its own completion, and no unknown packet shows up.
  const unknown = completionStats.unknownPackets;
  const reading = readFile(b, buffer);
  await writeFile(a, encoder.encode("again"));
  assertEquals(await reading, { bytes: 5, error: 0, synchronous: false });
  assertEquals(decoder.decode(buffer.subarray(0, 5)), "again");
  assertEquals(completionStats.unknownPackets, unknown);
});

windowsTest("a pending read completes through the port when data arrives", {}, async () => {
  const [a, b] = createPipePair();
  using _a = a;
  using _b = b;
  const buffer = new Uint8Array(16);
  const reading = readFile(b, buffer);
  assertEquals(pendingOperations(), 1);
  await writeFile(a, encoder.encode("later"));
  const read = await reading;
  assertEquals(read, { bytes: 5, error: 0, synchronous: false });
  assertEquals(decoder.decode(buffer.subarray(0, 5)), "later");
  assertEquals(pendingOperations(), 0);
});

windowsTest(
  "cancelling a pending read rejects with the reason; the pipe stays usable",
  {},
  async () => {
    const [a, b] = createPipePair();
    using _a = a;
    using _b = b;
    const controller = new AbortController();
    const reason = new DOMException("no more", "AbortError");
    const reading = readFile(b, new Uint8Array(16), { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 10);
    const error = await assertRejects(() => reading);
    assertEquals(error, reason);
    assertEquals(pendingOperations(), 0);
    await writeFile(a, encoder.encode("still"));
    const buffer = new Uint8Array(16);
    assertEquals((await readFile(b, buffer)).bytes, 5);
    assertEquals(decoder.decode(buffer.subarray(0, 5)), "still");
    await assertRejects(() => readFile(b, buffer, { signal: AbortSignal.abort(reason) }));
  },
);

windowsTest("closing a handle ends its pending read with an error", {}, async () => {
  const [a, b] = createPipePair();
  using _a = a;
  const reading = readFile(b, new Uint8Array(16));
  b.close();
  const result = await reading;
  assert(result.error !== 0, "the read must fail");
  assertEquals(pendingOperations(), 0);
});

windowsTest("the peer closing ends a pending read with ERROR_BROKEN_PIPE", {}, async () => {
  const [a, b] = createPipePair();
  using _b = b;
  const reading = readFile(b, new Uint8Array(16));
  a.close();
  assertEquals((await reading).error, 109);
});

windowsTest(
  "200 reads pending on 200 pipes add at most one thread, and all complete",
  {},
  async () => {
    // The absolute bound (10 threads in a plain `deno run` process) is checked
    // in tests/core_test.ts; the test runner itself has more threads.
    const baseline = threadCount();
    const pairs = Array.from({ length: 200 }, () => createPipePair());
    try {
      const buffers = pairs.map(() => new Uint8Array(32));
      const reads = pairs.map(([_, reader], i) => readFile(reader, at(buffers, i)));
      await new Promise((r) => setTimeout(r, 100));
      assertEquals(pendingOperations(), 200);
      const threads = threadCount();
      assert(
        threads - baseline <= 1,
        `${baseline} threads before, ${threads} with 200 reads pending`,
      );
      // Complete them in reverse order, each with its own data.
      for (let i = 199; i >= 0; i--) {
        await writeFile(at(pairs, i)[0], encoder.encode(`message ${i}`));
      }
      const results = await Promise.all(reads);
      assertEquals(results.length, 200);
      for (const [i, result] of results.entries()) {
        assertEquals(result.error, 0);
        assertEquals(decoder.decode(at(buffers, i).subarray(0, result.bytes)), `message ${i}`);
      }
    } finally {
      for (const [a, b] of pairs) {
        a.close();
        b.close();
      }
    }
  },
);

windowsTest(
  "idle: 200 reads and 200 waits pending cost under 2% CPU, and still wake promptly",
  {},
  async () => {
    const pairs = Array.from({ length: 200 }, () => createPipePair());
    const events = Array.from(
      { length: 200 },
      () => {
        const k = kernel32();
        return OwnedHandle.from(
          k.CreateEventW(null, 0, 0, null),
          k.GetLastError(),
          "event",
          "event",
        );
      },
    );
    // The port's thread starts the first time the core sleeps, and a wait
    // group's thread the first time it waits; under `deno test` each start
    // includes a type check of its module: not idle time.
    await startPortThread();
    await startWaitThreads(4);
    const reads = pairs.map(([_, reader]) => readFile(reader, new Uint8Array(8)));
    const waits = events.map((event) => waitForHandle(event));
    try {
      await new Promise((r) => setTimeout(r, 200));
      const cpuBefore = processCpuMilliseconds();
      const wallBefore = performance.now();
      await new Promise((r) => setTimeout(r, 2000));
      const cpu = processCpuMilliseconds() - cpuBefore;
      const wall = performance.now() - wallBefore;
      const share = cpu / wall;
      console.log(`idle: ${(share * 100).toFixed(2)}% of a CPU`);
      assert(share < 0.02, `idle process used ${(share * 100).toFixed(2)}% of a CPU`);

      let start = performance.now();
      await writeFile(at(pairs, 123)[0], encoder.encode("x"));
      assertEquals((await at(reads, 123)).bytes, 1);
      const readLatency = performance.now() - start;
      start = performance.now();
      kernel32().SetEvent(at(events, 77).raw);
      assertEquals(await waits[77], "signaled");
      const waitLatency = performance.now() - start;
      assert(readLatency < 100, `read woke after ${readLatency} ms`);
      assert(waitLatency < 100, `wait woke after ${waitLatency} ms`);

      for (const [writer] of pairs) await writeFile(writer, encoder.encode("y"));
      for (const event of events) kernel32().SetEvent(event.raw);
      await Promise.all([...reads, ...waits]);
    } finally {
      for (const [a, b] of pairs) {
        a.close();
        b.close();
      }
      // After a failure: the pending waits end with BadResource here.
      for (const wait of waits) wait.catch(() => {});
      for (const event of events) event.close();
    }
  },
);

windowsTest("completions arrive in batches, not one thread hop each", {}, async () => {
  const pairs = Array.from({ length: 50 }, () => createPipePair());
  try {
    const reads = pairs.map(([_, reader]) => readFile(reader, new Uint8Array(8)));
    await new Promise((r) => setTimeout(r, 50));
    const before = completionStats.batches;
    // All 50 writes happen before the JavaScript thread looks at the port again.
    const writes = pairs.map(([writer]) => writeFile(writer, new Uint8Array([1])));
    await Promise.all([...writes, ...reads]);
    const batches = completionStats.batches - before;
    assert(batches < 10, `${batches} batches for 50 completions`);
  } finally {
    for (const [a, b] of pairs) {
      a.close();
      b.close();
    }
  }
});
