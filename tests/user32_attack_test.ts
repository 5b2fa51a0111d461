// Copyright 2026 the winipc authors. MIT license.
// The user32 half under attack: a hundred senders at once, aborts at the
// instant of completion, a clipboard held by another program while calls
// time out, hostile format names.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { Peer, uniqueName, windowsTest } from "./_helpers.ts";
import * as clipboard from "../clipboard/mod.ts";
import { listenCopyData, sendCopyData } from "../copydata/mod.ts";
import { user32Stopped } from "./_user32.ts";

windowsTest(
  "copydata: 100 sendCopyData at once to one listener: every one answered, none lost",
  {},
  async () => {
    const className = uniqueName("storm");
    {
      await using listener = await listenCopyData({ className });
      const started = performance.now();
      const replies = await Promise.all(
        Array.from(
          { length: 100 },
          (_, i) => sendCopyData({ className }, `m${i}`, { tag: BigInt(i), timeout: 20_000 }),
        ),
      );
      const ms = performance.now() - started;
      assertEquals(replies, new Array(100).fill(1));
      const tags = new Set<bigint>();
      for (let i = 0; i < 100; i++) tags.add((await listener.receive({ timeout: 2000 })).tag);
      assertEquals(tags.size, 100);
      // At most 8 send threads, the rest queued: 0.4-0.6 s under `deno run`;
      // under `deno test` each new Worker's module is type-checked first (about
      // 8 s for the 8). One Worker per send, as before the queue, took 32 s.
      assert(ms < 15_000, `100 concurrent sends took ${ms.toFixed(0)} ms`);
    }
    await user32Stopped();
  },
);

windowsTest(
  "copydata: 300 sends each aborted at once or at the instant of its answer: no hang, no crash, every delivered message accounted",
  {},
  async () => {
    const className = uniqueName("abort");
    {
      await using listener = await listenCopyData({ className });
      let answered = 0, aborted = 0;
      for (let i = 0; i < 300; i++) {
        const controller = new AbortController();
        const send = sendCopyData({ className }, "x", { signal: controller.signal, timeout: 5000 });
        if (i % 3 === 0) controller.abort();
        else if (i % 3 === 1) queueMicrotask(() => controller.abort());
        else setTimeout(() => controller.abort(), 0);
        try {
          assertEquals(await send, 1);
          answered++;
        } catch (error) {
          assert(error instanceof DOMException && error.name === "AbortError", String(error));
          aborted++;
        }
      }
      assertEquals(answered + aborted, 300);
      // An aborted send may still have been delivered (a message cannot be withdrawn):
      // every answered one was, and nothing beyond the 300 arrives.
      let delivered = 0;
      while (true) {
        try {
          await listener.receive({ timeout: 500 });
          delivered++;
        } catch {
          break;
        }
      }
      assert(
        delivered >= answered && delivered <= 300,
        `${delivered} delivered, ${answered} answered`,
      );
    }
    await user32Stopped();
  },
);

windowsTest(
  "clipboard: held open by another program: a timeout of 200 ms rejects in time with TimedOut, a signal with its reason",
  {},
  async () => {
    await using holder = new Peer("clipboard_peer", ["hold", "3000"], { native: true });
    assert((await holder.line()).startsWith("held"));
    let started = performance.now();
    await assertRejects(
      () => clipboard.writeText("x", { timeout: 200, retries: 1000 }),
      Deno.errors.TimedOut,
    );
    let ms = performance.now() - started;
    assert(ms < 600, `the timeout of 200 ms took ${ms.toFixed(0)} ms`);
    started = performance.now();
    await assertRejects(
      () => clipboard.readText({ signal: AbortSignal.timeout(150), retries: 1000 }),
      DOMException,
    );
    ms = performance.now() - started;
    assert(ms < 600, `the signal took ${ms.toFixed(0)} ms`);
    await user32Stopped();
  },
);

windowsTest(
  "clipboard: hostile format names and ids are refused before the clipboard is touched",
  {},
  async () => {
    await clipboard.writeText("keep");
    for (const bad of ["", "\0x", "a".repeat(256)]) {
      await assertRejects(() => clipboard.writeFormat(bad, new Uint8Array([1])), TypeError);
    }
    for (const bad of [-1, 0, 0x10000, 1.5, NaN, 2 ** 53]) {
      await assertRejects(() => clipboard.readFormat(bad), RangeError, "format id");
    }
    // A number is an id, not a name to register.
    // @ts-expect-error: a number, not a name
    await assertRejects(() => clipboard.registerFormat(49000), TypeError);
    assertEquals(await clipboard.readText(), "keep");
    await clipboard.clear();
    await user32Stopped();
  },
);
