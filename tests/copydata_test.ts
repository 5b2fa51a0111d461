// Copyright 2026 the winipc authors. MIT license.
// WM_COPYDATA across real processes: the C peer (tests/native/copydata_peer.c)
// sends to and receives from winipc, finds its window with FindWindowW, and
// plays a receiver that never answers.
import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  nativePath,
  payload,
  Peer,
  runDeno,
  UNDER_WINE,
  uniqueName,
  windowsTest,
} from "./_helpers.ts";
import {
  CopyDataListener,
  findWindow,
  listenCopyData,
  MAX_COPYDATA_SIZE,
  sendCopyData,
  singleInstance,
} from "../copydata/mod.ts";
import { windowThreadRunning, windowThreadStopped } from "../_win32/window_thread.ts";
import { processCpuMilliseconds } from "../_win32/process_info.ts";

const decoder = new TextDecoder();
const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Runs the C peer to the end; its stdout. */
async function peer(args: string[]): Promise<string> {
  const out = await new Deno.Command(nativePath("copydata_peer"), {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return decoder.decode(out.stdout).trim();
}

/** The C peer's checksum of a message. */
function sum(bytes: Uint8Array): number {
  let s = 0;
  for (const b of bytes) s = (Math.imul(s, 31) + b) >>> 0;
  return s;
}

/** The peer's next line, or a failure after `ms` milliseconds. */
async function lineWithin(child: Peer, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      child.line(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no line from the peer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopped(): Promise<void> {
  await windowThreadStopped();
  assert(!windowThreadRunning(), "the window thread still runs after its last window closed");
}

windowsTest(
  "copydata: C sender -> listener: UTF-16 text with NUL, bytes, tags up to 2^64 - 1, 0 B to 896 KiB; under Wine, 1 MiB refused cleanly",
  {},
  async () => {
    const className = uniqueName("cd-recv");
    {
      await using listener = await listenCopyData({ className });
      const text = "héllo wörld ✓ 𝄞 日本";
      assertEquals(
        await peer([
          "send",
          className,
          String(2n ** 63n),
          "text",
          hex(new TextEncoder().encode(text)),
        ]),
        "reply 1",
      );
      let m = await listener.receive({ timeout: 5000 });
      assertEquals(m.tag, 2n ** 63n);
      assertEquals(m.bytes.length, (text.length + 1) * 2, "UTF-16 with its NUL");
      assertEquals(m.text(), text);
      for (const [size, tag] of [[0, 0n], [896 << 10, 2n ** 64n - 1n], [3, 7n]] as const) {
        assertEquals(
          await peer(["send", className, String(tag), "bytes", String(size)]),
          "reply 1",
        );
        m = await listener.receive({ timeout: 5000 });
        assertEquals(m.tag, tag);
        assertEquals(m.bytes, payload(size));
      }
      if (UNDER_WINE) {
        // Wine copies a message from another process onto the receiving
        // thread's stack (its user-mode callback), so 1 MiB leaves V8 no
        // stack: the sender learns it (reply 0), nothing half-arrives, and
        // the listener goes on working. Windows passes the data in memory
        // of its own: see the next test.
        const big = await peer(["send", className, "1", "bytes", String(1 << 20)]);
        assertEquals(big, "reply 0");
        await assertRejects(() => listener.receive({ timeout: 300 }), Deno.errors.TimedOut);
      }
      assertEquals(await peer(["send", className, "2", "bytes", "5"]), "reply 1");
      assertEquals((await listener.receive({ timeout: 5000 })).bytes, payload(5));
    }
    await stopped();
  },
);

windowsTest(
  "copydata: C sender -> listener: 1 MiB and 16 MiB arrive whole",
  {
    notUnderWine:
      "Wine puts a WM_COPYDATA payload from another process on the receiving thread's stack; above about 900 KiB V8 has no stack left to run the window procedure",
  },
  async () => {
    const className = uniqueName("cd-big");
    {
      await using listener = await listenCopyData({ className });
      for (const size of [1 << 20, 16 << 20]) {
        assertEquals(await peer(["send", className, "9", "bytes", String(size)]), "reply 1");
        const m = await listener.receive({ timeout: 5000 });
        assertEquals(m.tag, 9n);
        assertEquals(m.bytes, payload(size));
      }
    }
    await stopped();
  },
);

windowsTest(
  "copydata: sendCopyData -> C receiver: text, bytes, tags, 0 B and 1 MiB, its reply",
  {},
  async () => {
    const className = uniqueName("cd-c");
    await using receiver = new Peer("copydata_peer", ["recv", className, "c title", "0"], {
      native: true,
    });
    assertEquals(await receiver.line(), "ready");
    const text = "grüße ✓ 𝄞";
    assertEquals(await sendCopyData({ className }, text, { tag: 2n ** 63n + 5n }), 42);
    const utf16 = new Uint8Array(
      new Uint16Array(
        [...text].flatMap((c) => {
          const units = [];
          for (let i = 0; i < c.length; i++) units.push(c.charCodeAt(i));
          return units;
        }).concat([0]),
      ).buffer,
    );
    assertEquals(
      await receiver.line(),
      `msg ${2n ** 63n + 5n} ${utf16.length} ${hex(utf16.subarray(0, 16))} ${sum(utf16)}`,
    );
    const utf8 = new TextEncoder().encode(text);
    assertEquals(await sendCopyData({ title: "c title" }, text, { encoding: "utf-8" }), 42);
    assertEquals(
      await receiver.line(),
      `msg 0 ${utf8.length} ${hex(utf8.subarray(0, 16))} ${sum(utf8)}`,
    );
    for (const size of [0, 1 << 20]) {
      const data = payload(size);
      assertEquals(await sendCopyData({ className }, data, { tag: 9n }), 42);
      assertEquals(
        await receiver.line(),
        `msg 9 ${size} ${size ? hex(data.subarray(0, 16)) : "-"} ${sum(data)}`,
      );
    }
    const window = findWindow({ className });
    if (window === null) throw new Error("findWindow did not find the C receiver");
    assertEquals(await sendCopyData({ window }, "x"), 42);
    await receiver.line();
  },
);

windowsTest(
  "copydata: FindWindowW from C finds the listener by class and by title; a reply of choice",
  {},
  async () => {
    const className = uniqueName("cd-find");
    const title = `winipc title ${className}`;
    {
      await using listener = await listenCopyData({ className, title, reply: 7 });
      assertEquals(await peer(["find", className, "-"]), "found 1");
      assertEquals(await peer(["find", "-", title]), "found 1");
      assertEquals(await peer(["find", className, title]), "found 1");
      assertEquals(findWindow({ title }), listener.window);
      assertEquals(await peer(["send", className, "1", "bytes", "4"]), "reply 7");
      assertEquals((await listener.receive({ timeout: 5000 })).bytes, payload(4));
    }
    assertEquals(await peer(["find", className, "-"]), "found 0", "closed: the window is gone");
    await stopped();
  },
);

windowsTest(
  "copydata: 4 sender processes x 1,000 messages: none lost, order kept per sender",
  {},
  async () => {
    const className = uniqueName("cd-many");
    {
      await using listener = await listenCopyData({ className });
      const per = 1000;
      const senders = [0, 1, 2, 3].map((id) => peer(["many", className, String(id), String(per)]));
      const next = new Array(4).fill(0);
      for (let n = 0; n < 4 * per; n++) {
        const m = await listener.receive({ timeout: 20_000 });
        const [id, i] = m.text("utf-8").split(",").map(Number) as [number, number];
        assertEquals(i, next[id], `sender ${id}: message ${i} out of order`);
        assertEquals(m.tag, (BigInt(id) << 32n) | BigInt(i));
        next[id]++;
      }
      assertEquals(await Promise.all(senders), ["done 0", "done 0", "done 0", "done 0"]);
      await assertRejects(() => listener.receive({ timeout: 0 }), Deno.errors.TimedOut);
    }
    await stopped();
  },
);

windowsTest(
  "copydata: a receiver that never answers: the sender times out, the event loop stays free",
  {},
  async () => {
    const className = uniqueName("cd-hang");
    await using receiver = new Peer("copydata_peer", ["recv", className, "-", "4000"], {
      native: true,
    });
    assertEquals(await receiver.line(), "ready");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    try {
      await assertRejects(
        () => sendCopyData({ className }, "stuck", { timeout: 500 }),
        Deno.errors.TimedOut,
      );
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    assert(elapsed >= 450 && elapsed < 3000, `timed out after ${elapsed} ms`);
    assert(ticks >= 10, `the event loop was blocked: ${ticks} ticks in ${elapsed} ms`);
  },
);

windowsTest(
  "copydata: a timeout of 2^31 ms or more (Infinity, the CLI's --timeout Infinity) waits for the answer",
  {},
  async () => {
    const className = uniqueName("cd-long");
    await using receiver = new Peer("copydata_peer", ["recv", className, "-", "1200"], {
      native: true,
    });
    assertEquals(await receiver.line(), "ready");
    for (const timeout of [Infinity, 2 ** 31, 2 ** 32 - 2, 2 ** 32, Number.MAX_VALUE]) {
      const started = performance.now();
      assertEquals(
        await sendCopyData({ className }, "long", { timeout }),
        42,
        `timeout ${timeout}`,
      );
      const elapsed = performance.now() - started;
      assert(elapsed >= 1100, `timeout ${timeout}: answered after ${elapsed} ms, before the peer`);
      assert((await receiver.line()).startsWith("msg 0 10 "));
    }
    const cli = await runDeno("cli/main.ts", [
      "copydata",
      "send",
      "--class",
      className,
      "--timeout",
      "Infinity",
      "from the CLI",
    ]);
    assertEquals(cli.code, 0, cli.stderr);
    assertEquals(cli.stdout, `sent 26 bytes with tag 0 to class "${className}": reply 42\n`);
  },
);

windowsTest(
  "copydata: a send aborted while the receiver hangs lets its process exit at once",
  {},
  async () => {
    const className = uniqueName("cd-abort");
    await using receiver = new Peer("copydata_peer", ["recv", className, "-", "30000"], {
      native: true,
    });
    assertEquals(await receiver.line(), "ready");
    for (const timeout of ["30000", "Infinity"]) {
      const started = performance.now();
      const child = await runDeno("tests/fixtures/copydata_abort.ts", [className, timeout, "1000"]);
      const wall = performance.now() - started;
      assertEquals(child.code, 0, child.stderr);
      const [aborted, end] = child.stdout.trim().split("\n");
      assertEquals(aborted, "aborted TimeoutError", `timeout ${timeout}`);
      const ended = Number(end?.split(" ")[1]);
      assert(ended >= 1000 && ended < 10_000, `the script ended at ${end}`);
      // The script was done at `ended` ms; the process must not linger until
      // the abandoned SendMessageTimeoutW returns (30 s, or never).
      assert(wall < ended + 4000, `timeout ${timeout}: the process exited after ${wall} ms`);
    }
    // The peer got the first message and sleeps in it: the second waits behind it.
    assert((await receiver.line()).startsWith("msg 0 12 "));
  },
);

windowsTest(
  "copydata: the receiver goes away while a sender waits: NotFound, not a hang",
  {},
  async () => {
    const className = uniqueName("cd-gone");
    const receiver = new Peer("copydata_peer", ["recv", className, "-", "60000"], { native: true });
    await using _ = receiver;
    assertEquals(await receiver.line(), "ready");
    const started = performance.now();
    const sending = sendCopyData({ className }, "first", { timeout: 30_000 });
    await receiver.line(); // in its window procedure, asleep
    receiver.child.kill();
    await assertRejects(() => sending, Deno.errors.NotFound);
    assert(performance.now() - started < 10_000);
  },
);

windowsTest(
  "copydata: a closed listener: senders get NotFound; receive and iteration end with it",
  {},
  async () => {
    const className = uniqueName("cd-closed");
    const listener = await listenCopyData({ className });
    const window = listener.window;
    const pending = listener.receive();
    const iterated = (async () => {
      const got = [];
      for await (const m of listener) got.push(m);
      return got.length;
    })();
    listener.close();
    await assertRejects(() => pending, Deno.errors.BadResource);
    assertEquals(await iterated, 0);
    await assertRejects(() => listener.receive(), Deno.errors.BadResource);
    await listener[Symbol.asyncDispose]();
    await assertRejects(() => sendCopyData({ window }, "late"), Deno.errors.NotFound);
    await assertRejects(() => sendCopyData({ className }, "late"), Deno.errors.NotFound);
    assertEquals(await peer(["send", className, "1", "bytes", "1"]), "error notfound");
    await stopped();
  },
);

windowsTest("copydata: bad input: clear TypeError and RangeError", {}, async () => {
  await assertRejects(() => sendCopyData({}, "x"), TypeError, "className, a title or both");
  await assertRejects(
    () => sendCopyData({ className: "x" }, "x", { encoding: "latin1" as "utf-8" }),
    TypeError,
    'encoding must be "utf-16le" or "utf-8"',
  );
  await assertRejects(() => sendCopyData({ className: "x" }, "x", { tag: -1n }), RangeError, "tag");
  await assertRejects(
    // @ts-expect-error: a number, not a bigint
    () => sendCopyData({ className: "x" }, "x", { tag: 1 }),
    TypeError,
    "bigint",
  );
  await assertRejects(() => sendCopyData({ className: "x" }, "x", { tag: 2n ** 64n }), RangeError);
  await assertRejects(() => sendCopyData({ className: "x" }, "x", { timeout: -1 }), RangeError);
  await assertRejects(() => sendCopyData({ className: "x" }, 5 as unknown as string), TypeError);
  await assertRejects(
    () => sendCopyData({ className: uniqueName("nobody") }, "x"),
    Deno.errors.NotFound,
  );
  await assertRejects(() => listenCopyData({ className: "" }), TypeError);
  await assertRejects(() => listenCopyData({ reply: 1.5 }), RangeError);
  await assertRejects(() => listenCopyData({ reply: 2 ** 40 }), RangeError);
  assertEquals(MAX_COPYDATA_SIZE, 2 ** 31 - 1);
  assert(!windowThreadRunning());
});

windowsTest(
  "copydata: the window thread adds one thread, ends with its last window, and idles at no CPU",
  {},
  async () => {
    // The window thread is a Web Worker: one OS thread in steady state
    // (Deno loads the Worker's module on a blocking-pool thread of the
    // Worker's own, which ends after 10 s idle). Counted in a process of its
    // own, where nothing else starts threads, 11 s after start-up work
    // (after the idle CPU check: a running child costs this process CPU).
    {
      await using listener = await listenCopyData({ className: uniqueName("cd-idle") });
      const cpu = processCpuMilliseconds();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const used = processCpuMilliseconds() - cpu;
      assert(used < 50, `${used} ms of CPU in 2 s idle`);
      assert(listener.window !== 0n);
    }
    await stopped();
    const result = await runDeno("tests/fixtures/copydata_threads.ts");
    assertEquals(result.code, 0, result.stderr);
    const t = JSON.parse(result.stdout);
    assert(t.listening - t.cold <= 1, `the window thread: ${JSON.stringify(t)}`);
    assert(t.closed <= t.cold, `the window thread ends: ${JSON.stringify(t)}`);
  },
);

windowsTest(
  "copydata: deadlock rule: a flood of messages while JavaScript opens and closes windows",
  {},
  async () => {
    const className = uniqueName("cd-flood");
    {
      await using listener = await listenCopyData({ className });
      const per = 1500;
      const senders = [0, 1].map((id) => peer(["many", className, String(id), String(per)]));
      let received = 0;
      const draining = (async () => {
        while (received < 2 * per) {
          await listener.receive({ timeout: 20_000 });
          received++;
        }
      })();
      let worst = 0;
      for (let i = 0; i < 40; i++) {
        const started = performance.now();
        const other = await listenCopyData({ className: `${className}-${i}` });
        assertEquals(await sendCopyData({ window: other.window }, "self"), 1);
        assertEquals((await other.receive({ timeout: 5000 })).text(), "self");
        await other[Symbol.asyncDispose]();
        worst = Math.max(worst, performance.now() - started);
      }
      await draining;
      assertEquals(await Promise.all(senders), ["done 0", "done 0"]);
      assert(worst < 1000, `worst open/send/close during the flood: ${worst} ms`);
    }
    await stopped();
  },
);

windowsTest(
  "copydata: a process with a listener exits normally once it is closed",
  {},
  async () => {
    const result = await runDeno("tests/fixtures/copydata_exit.ts");
    assertEquals(result.stderr, "");
    assertEquals(result.stdout.trim(), "listening\nclosed");
    assertEquals(result.code, 0);
  },
);

windowsTest("copydata: CopyDataListener cannot be constructed directly", {}, () => {
  let error: unknown;
  try {
    new (CopyDataListener as unknown as new () => unknown)();
  } catch (e) {
    error = e;
  }
  assert(error instanceof TypeError);
});

windowsTest(
  "copydata: singleInstance: a first instance that refuses the message as it closes: the later one takes over",
  {},
  async () => {
    const name = uniqueName("single-race");
    await using first = new Peer("copydata_peer", ["first", name, "quit"], { native: true });
    assertEquals(await first.line(), "ready");
    using instance = await singleInstance(name, { message: "hand over", timeout: 5000 });
    assertEquals(await lineWithin(first, 5000), "refused hand over");
    assertEquals((await first.finish()).code, 0);
    // Not counted as handed over: the message would be lost. It is the first now.
    assert(instance.first, `handed over with reply ${instance.reply}`);
    assertEquals(instance.reply, null);
  },
);

windowsTest(
  "copydata: singleInstance: a first instance that refuses the message but stays gets it again",
  {},
  async () => {
    const name = uniqueName("single-busy");
    await using first = new Peer("copydata_peer", ["first", name, "busy"], { native: true });
    assertEquals(await first.line(), "ready");
    using instance = await singleInstance(name, { message: "hand over", timeout: 5000 });
    assertEquals(await lineWithin(first, 5000), "refused hand over");
    assertEquals(await lineWithin(first, 5000), "msg hand over", "the message was lost");
    assert(!instance.first);
    assertEquals(instance.reply, 1);
  },
);

windowsTest(
  "copydata: singleInstance: 10 processes at once agree on one first instance, which hears the 9 others",
  {},
  async () => {
    const name = uniqueName("single");
    const results = await Promise.all(
      Array.from({ length: 10 }, () => runDeno("tests/fixtures/copydata_single.ts", [name, "9"])),
    );
    for (const r of results) assertEquals(r.code, 0, r.stderr);
    const firsts = results.filter((r) => r.stdout.startsWith("first"));
    assertEquals(firsts.length, 1, results.map((r) => r.stdout).join("|"));
    const later = results.filter((r) => !r.stdout.startsWith("first"));
    for (const r of later) assertEquals(r.stdout.trim(), "later 1");
    const lines = firsts[0]!.stdout.trim().split("\n");
    assertEquals(lines.length, 11);
    assertEquals(lines.at(-1), "done");
    assertEquals(new Set(lines.slice(1, -1)).size, 9, "nine different senders");
    // The first has ended: the next program becomes the first.
    const again = await runDeno("tests/fixtures/copydata_single.ts", [name, "0"]);
    assertEquals(again.stdout.trim(), "first\ndone");
  },
);

windowsTest(
  "copydata: Deno to Deno across processes, both ways: text, tags, replies",
  {},
  async () => {
    const mine = uniqueName("cd-deno-a");
    const theirs = uniqueName("cd-deno-b");
    {
      await using listener = await listenCopyData({ className: mine });
      const sent = await runDeno("tests/fixtures/copydata_peer.ts", [
        "send",
        mine,
        "vom Kind: ü ✓ 𝄞",
        String(2n ** 63n + 1n),
      ]);
      assertEquals(sent.stdout.trim(), "reply 1", sent.stderr);
      const m = await listener.receive({ timeout: 5000 });
      assertEquals([m.tag, m.text()], [2n ** 63n + 1n, "vom Kind: ü ✓ 𝄞"]);

      await using echo = new Peer("tests/fixtures/copydata_peer.ts", ["echo", theirs]);
      assertEquals(await echo.line(), "ready");
      for (const [body, tag] of [["zurück ✓", 3n], ["", 0n], ["bye", 2n ** 64n - 1n]] as const) {
        assertEquals(await sendCopyData({ className: theirs }, `to:${mine}:${body}`, { tag }), 5);
        const back = await listener.receive({ timeout: 10_000 });
        assertEquals([back.tag, back.text()], [tag, body]);
      }
      assertEquals((await echo.finish()).code, 0);
    }
    await stopped();
  },
);

windowsTest(
  "copydata: allowLowerIntegrity is off by default, checked by value, and a listener with it still receives",
  {},
  async () => {
    for (const bad of ["yes", 1, null]) {
      await assertRejects(
        () => listenCopyData({ allowLowerIntegrity: bad as unknown as boolean }),
        TypeError,
        "allowLowerIntegrity must be true or false",
      );
    }
    const className = uniqueName("lowil");
    await using listener = await listenCopyData({ className, allowLowerIntegrity: true });
    // Wine has no integrity levels, so only the normal path can be observed:
    // a C sender's message still arrives.
    assertEquals(await peer(["send", className, "7", "bytes", "16"]), "reply 1");
    const message = await listener.receive({ timeout: 5000 });
    assertEquals(message.tag, 7n);
    assertEquals(message.bytes, payload(16));
  },
);

windowsTest(
  "copydata: a reply function decides each C sender's reply, async too, within replyTimeout",
  {},
  async () => {
    const className = uniqueName("cd-reply");
    {
      const seen: bigint[] = [];
      await using listener = await listenCopyData({
        className,
        replyTimeout: 300,
        reply: async (m) => {
          seen.push(m.tag);
          if (m.tag === 5n) await new Promise((resolve) => setTimeout(resolve, 1000));
          if (m.tag === 3n) await new Promise((resolve) => setTimeout(resolve, 20));
          return m.tag === 2n ? 2n ** 32n - 1n : Number(m.tag) * 10 + m.bytes.length;
        },
      });
      assertEquals(await peer(["send", className, "1", "bytes", "4"]), "reply 14");
      assertEquals(await peer(["send", className, "3", "bytes", "0"]), "reply 30");
      // 2^32 - 1 reaches the C sender as a full LRESULT.
      assertEquals(await peer(["send", className, "2", "bytes", "1"]), "reply 4294967295");
      // Too slow: the sender gets 0 after replyTimeout; the message is still there.
      const t0 = performance.now();
      assertEquals(await peer(["send", className, "5", "bytes", "7"]), "reply 0");
      assert(performance.now() - t0 < 3000);
      assertEquals(listener.lateReplies, 1);
      // Its late answer does not become the next message's reply.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assertEquals(await peer(["send", className, "4", "bytes", "2"]), "reply 42");
      const tags = [];
      for (let i = 0; i < 5; i++) tags.push((await listener.receive({ timeout: 5000 })).tag);
      assertEquals(tags, [1n, 3n, 2n, 5n, 4n]);
      assertEquals(seen, [1n, 3n, 2n, 5n, 4n]);
    }
    await stopped();
  },
);

windowsTest(
  "copydata: close() releases a C sender waiting for a reply function at once (not after replyTimeout)",
  {},
  async () => {
    const className = uniqueName("cd-close-pending");
    let called!: () => void;
    const replyCalled = new Promise<void>((resolve) => called = resolve);
    const listener = await listenCopyData({
      className,
      replyTimeout: 20_000,
      reply: () => {
        called();
        return new Promise<number>(() => {}); // never answers
      },
    });
    const t0 = performance.now();
    const sent = peer(["send", className, "1", "bytes", "3", "30000"]);
    await replyCalled;
    listener.close();
    const reply = await sent;
    const ms = performance.now() - t0;
    assert(reply === "reply 0" || reply.startsWith("error"), reply);
    assert(ms < 5000, `the sender was held ${ms.toFixed(0)} ms after close()`);
    const t1 = performance.now();
    await listener[Symbol.asyncDispose]();
    assert(performance.now() - t1 < 5000, "the window took replyTimeout to close");
    await stopped();
  },
);

windowsTest(
  "copydata: a reply function that throws gives the sender 0 and fails the listener with its error",
  {},
  async () => {
    const className = uniqueName("cd-throw");
    const listener = await listenCopyData({
      className,
      reply: (m) => {
        if (m.tag === 1n) throw new SyntaxError("bad command");
        return 1;
      },
    });
    assertEquals(await peer(["send", className, "1", "bytes", "3"]), "reply 0");
    await assertRejects(() => listener.receive({ timeout: 5000 }), SyntaxError, "bad command");
    // The window is gone: a later sender does not find it.
    await listener[Symbol.asyncDispose]();
    assertEquals(await peer(["send", className, "2", "bytes", "3"]), "error notfound");
    // A bad value fails the same way.
    const other = await listenCopyData({ className, reply: () => 2 ** 40 });
    assertEquals(await peer(["send", className, "2", "bytes", "3"]), "reply 0");
    await assertRejects(() => other.receive({ timeout: 5000 }), RangeError, "2^32 - 1");
    await other[Symbol.asyncDispose]();
    await stopped();
  },
);

windowsTest(
  "copydata: a full queue refuses messages (sender gets 0) and takes them again once received",
  {},
  async () => {
    const className = uniqueName("cd-full");
    {
      await using listener = await listenCopyData({ className, maxQueued: 3, maxQueuedBytes: 100 });
      const replies = [];
      for (let i = 1; i <= 5; i++) {
        replies.push(await peer(["send", className, String(i), "bytes", "10"]));
      }
      assertEquals(replies, ["reply 1", "reply 1", "reply 1", "reply 0", "reply 0"]);
      assertEquals(listener.refused, 2);
      for (const tag of [1n, 2n, 3n]) assertEquals((await listener.receive()).tag, tag);
      await assertRejects(() => listener.receive({ timeout: 0 }), Deno.errors.TimedOut);
      // Bytes: 60 fits, 60 more does not, 40 does.
      assertEquals(await peer(["send", className, "6", "bytes", "60"]), "reply 1");
      assertEquals(await peer(["send", className, "7", "bytes", "60"]), "reply 0");
      assertEquals(await peer(["send", className, "8", "bytes", "40"]), "reply 1");
      assertEquals(listener.refused, 3);
      assertEquals((await listener.receive()).bytes, payload(60));
      assertEquals((await listener.receive()).bytes, payload(40));
      // A waiting receive takes a message straight away, without counting it.
      const waiting = listener.receive({ timeout: 5000 });
      for (let i = 0; i < 4; i++) {
        const r = await peer(["send", className, "9", "bytes", "1"]);
        assertEquals(r, "reply 1");
        if (i === 0) assertEquals((await waiting).tag, 9n);
      }
      assertEquals(listener.refused, 3);
    }
    await stopped();
  },
);

windowsTest("copydata: bad queue and reply options: RangeError", {}, async () => {
  for (
    const options of [
      { replyTimeout: 0 },
      { replyTimeout: 60_001 },
      { maxQueued: 0 },
      { maxQueued: 1.5 },
      { maxQueuedBytes: -1 },
      { reply: 2 ** 32 },
      { reply: Number.NaN },
    ]
  ) {
    await assertRejects(() => listenCopyData(options), RangeError);
  }
  assert(!windowThreadRunning());
});
