// Copyright 2026 the winipc authors. MIT license.
// Mailslots across real processes: Deno writers, the classic C client and
// server (tests/native/mailslot_peer.c), and cmd.exe's redirection.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  at,
  nativePath,
  Peer,
  repoPath,
  streamMessage,
  UNDER_WINE,
  uniqueName,
  windowsTest,
} from "./_helpers.ts";
import {
  createMailslot,
  Mailslot,
  MailslotWriter,
  MAX_REMOTE_MESSAGE,
  openMailslot,
} from "../mailslot/mod.ts";
import { threadCount } from "../_win32/process_info.ts";
import { completionStats } from "../_win32/completion.ts";

const PEER = "tests/fixtures/mailslot_peer.ts";
const decoder = new TextDecoder();

function path(name: string): string {
  return `\\\\.\\mailslot\\${name}`;
}

windowsTest(
  "10,000 messages from 4 writer processes: none lost, torn or merged; order kept",
  {},
  async () => {
    const name = uniqueName("stream");
    using slot = createMailslot(name, { maxMessageSize: 1024 });
    const per = 2500;
    const writers = [0, 1, 2, 3].map((w) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", repoPath(PEER), "stream", name, String(w), String(per)],
        stdout: "piped",
        stderr: "piped",
      }).output()
    );
    const next = [0, 0, 0, 0];
    for (let n = 0; n < 4 * per; n++) {
      const message = await slot.receive({ timeout: 30_000 });
      const fields = decoder.decode(message.subarray(0, 12)).split(",").map(Number);
      const [w, i] = [at(fields, 0), at(fields, 1)];
      const due = at(next, w);
      assertEquals(i, due, `writer ${w}: message ${i} came when ${due} was due`);
      assertEquals(message, streamMessage(w, i));
      next[w] = due + 1;
    }
    for (const out of await Promise.all(writers)) {
      assertEquals(decoder.decode(out.stderr), "");
      assertEquals(decoder.decode(out.stdout), `sent ${per}\n`);
    }
    assertEquals(slot.info().count, 0);
  },
);

windowsTest("zero-length and size-boundary messages arrive as sent (C writer)", {}, async () => {
  const name = uniqueName("sizes");
  using slot = createMailslot(name, { maxMessageSize: 400 });
  const sizes = [0, 1, 0, 399, 400];
  const out = await new Deno.Command(nativePath("mailslot_peer"), {
    args: ["write-sizes", path(name), sizes.join(",")],
  }).output();
  assertEquals(decoder.decode(out.stdout), `sent ${sizes.length}\n`);
  for (const size of sizes) {
    const message = await slot.receive({ timeout: 5000 });
    assertEquals(message.length, size);
    for (let j = 0; j < size; j++) assertEquals(message[j], (j * 7 + size) & 255);
  }
  // And from winipc's own writer.
  using writer = openMailslot(name);
  await writer.send(new Uint8Array(0));
  assertEquals((await slot.receive({ timeout: 1000 })).length, 0);
});

windowsTest(
  "the slot's maximum is enforced: a larger message never reaches the caller",
  {},
  async () => {
    const name = uniqueName("max");
    using slot = createMailslot(name, { maxMessageSize: 100 });
    using writer = openMailslot(name);
    if (UNDER_WINE) {
      // Wine queues a message above the maximum (Windows refuses it at the
      // writer): the reader takes it out and refuses it, with its size.
      await writer.send(new Uint8Array(101));
      await assertRejects(() => slot.receive({ timeout: 1000 }), RangeError, "101-byte message");
    } else {
      await assertRejects(() => writer.send(new Uint8Array(101)), Error, "101-byte message");
    }
    await writer.send(new Uint8Array(100).fill(9));
    assertEquals(await slot.receive({ timeout: 1000 }), new Uint8Array(100).fill(9));
    assertEquals(slot.info().count, 0);
  },
);

windowsTest("a slot of unbounded size grows its buffer to each message", {}, async () => {
  const name = uniqueName("unbounded");
  using slot = createMailslot(name, { maxMessageSize: 0 });
  using writer = openMailslot(name);
  const big = new Uint8Array(200_000).map((_, i) => i & 255);
  await writer.send(big);
  await writer.send("after");
  assertEquals(await slot.receive({ timeout: 1000 }), big);
  assertEquals(await slot.receiveText({ timeout: 1000 }), "after");
});

windowsTest("timeouts: an empty slot returns after the timeout and not before", {}, async () => {
  using slot = createMailslot(uniqueName("timeout"));
  let start = performance.now();
  await assertRejects(() => slot.receive({ timeout: 300 }), Deno.errors.TimedOut, "300 ms");
  const waited = performance.now() - start;
  assert(waited >= 295 && waited < 2000, `waited ${waited} ms`);
  // 0 tries once: a message already there is taken, an empty slot fails at once.
  start = performance.now();
  await assertRejects(() => slot.receive({ timeout: 0 }), Deno.errors.TimedOut, "0 ms");
  assert(performance.now() - start < 500, "timeout 0 waited");
  using writer = openMailslot(slot.path);
  await writer.send("there");
  assertEquals(await slot.receiveText({ timeout: 0 }), "there");
  // Without a timeout a receive waits for ever: a slot has no timeout of its own.
  let state = "pending";
  const waiting = slot.receiveText().then((text) => state = text, (e) => state = String(e));
  await new Promise((r) => setTimeout(r, 300));
  assertEquals(state, "pending");
  await writer.send("late");
  await waiting;
  assertEquals(state, "late");
  // The one timeout idea: no readTimeout option, no setReadTimeout(), no readTimeout in info().
  assertThrows(
    () => createMailslot(uniqueName("rt"), { readTimeout: 100 } as never),
    TypeError,
    "there is no readTimeout option; pass { timeout } to each receive()",
  );
  assertEquals("setReadTimeout" in slot, false);
  assertEquals("readTimeout" in slot.info(), false);
});

// Issue 11, item 3: receive({ timeout: 3e9 }) failed with TimedOut after 3 ms.
windowsTest(
  "timeouts: a long timeout is honoured",
  {},
  async () => {
    using slot = createMailslot(uniqueName("long"));
    for (const timeout of [2 ** 31, 3e9, 0xffff_ffff, 2 ** 45]) {
      const controller = new AbortController();
      let state = "pending";
      const receiving = slot.receive({ timeout, signal: controller.signal }).then(
        () => state = "message",
        (e) => state = (e as Error).name,
      );
      await new Promise((r) => setTimeout(r, 150));
      assertEquals(state, "pending", `timeout ${timeout}`);
      controller.abort();
      await receiving;
      assertEquals(state, "AbortError");
    }
    // A message sent later still arrives within a timeout.
    using writer = openMailslot(slot.path);
    const start = performance.now();
    setTimeout(() => writer.send("late"), 400);
    assertEquals(await slot.receiveText({ timeout: 5000 }), "late");
    assert(performance.now() - start >= 350);
    for (const timeout of [NaN, -1, "5" as unknown as number]) {
      await assertRejects(() => slot.receive({ timeout }), RangeError, "timeout must be");
    }
  },
);

windowsTest(
  "abort and close: a pending receive ends, nothing leaks, the slot stays usable",
  {},
  async () => {
    const name = uniqueName("abort");
    using slot = createMailslot(name);
    const controller = new AbortController();
    const pending = slot.receive({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 100);
    await assertRejects(() => pending, Error, "stop");
    using writer = openMailslot(name);
    await writer.send("still here");
    assertEquals(await slot.receiveText({ timeout: 1000 }), "still here");
    // Closing ends a pending receive and an async iteration.
    const received: string[] = [];
    const loop = (async () => {
      for await (const message of slot) received.push(decoder.decode(message));
    })();
    await writer.send("one");
    await new Promise((r) => setTimeout(r, 100));
    slot.close();
    await loop;
    assertEquals(received, ["one"]);
    await assertRejects(() => slot.receive(), Deno.errors.BadResource, "closed");
    // The name is free again once every handle (the writer's too) is closed.
    writer.close();
    using again = createMailslot(name);
    assertEquals(again.path, path(name));
  },
);

windowsTest("a name taken by another process fails with AlreadyExists", {}, async () => {
  const name = uniqueName("taken");
  await using other = new Peer("mailslot_peer", ["hold", path(name)], { native: true });
  assertEquals(await other.line(), "ready");
  assertThrows(() => createMailslot(name), Deno.errors.AlreadyExists, "taken");
  await other.release();
  assertEquals((await other.finish()).code, 0);
  using slot = createMailslot(name);
  assertEquals(slot.info().count, 0);
});

windowsTest("interop: the classic C client writes, winipc reads the text", {}, async () => {
  const name = uniqueName("c-writer");
  using slot = createMailslot(name);
  const out = await new Deno.Command(nativePath("mailslot_peer"), {
    args: ["write", path(name), "3", "hello"],
  }).output();
  assertEquals(decoder.decode(out.stdout), "sent 3\n");
  assertEquals(slot.info().nextSize, 8); // strlen + 1
  for (let i = 0; i < 3; i++) assertEquals(await slot.receiveText({ timeout: 1000 }), `hello ${i}`);
});

windowsTest("interop: winipc writes, the classic C server reads", {}, async () => {
  const name = uniqueName("c-reader");
  await using reader = new Peer("mailslot_peer", ["read", path(name), "3"], { native: true });
  assertEquals(await reader.line(), "ready");
  using writer = openMailslot(name);
  await writer.send("text\0");
  await writer.send(new Uint8Array([1, 2, 3]));
  await writer.send("");
  const { code, rest } = await reader.finish();
  assertEquals(rest, ["got 5: text", "got 3: \\x01\\x02\\x03", "got 0: "]);
  assertEquals(code, 0);
});

windowsTest(
  "interop: cmd.exe writes by redirection (echo hello> \\\\.\\mailslot\\name)",
  {},
  async () => {
    const name = uniqueName("cmd");
    using slot = createMailslot(name);
    const out = await new Deno.Command("cmd", { args: ["/c", `echo hello> ${path(name)}`] })
      .output();
    assertEquals(out.code, 0);
    // echo writes the text, then the line break: two messages.
    assertEquals(await slot.receiveText({ timeout: 2000 }), "hello");
    assertEquals(await slot.receiveText({ timeout: 2000 }), "\r\n");
  },
);

windowsTest("200 slots with a receive pending on each add no threads", {}, async () => {
  const before = threadCount();
  const slots = Array.from({ length: 200 }, (_, i) => createMailslot(uniqueName(`many-${i}`)));
  const pending = slots.map((slot) => slot.receive());
  await new Promise((r) => setTimeout(r, 200));
  const during = threadCount();
  assert(during - before <= 2, `threads went from ${before} to ${during}`);
  for (const slot of slots) {
    using writer = openMailslot(slot.path);
    await writer.send("x");
  }
  assertEquals((await Promise.all(pending)).map((m) => m.length), slots.map(() => 1));
  for (const slot of slots) slot.close();
});

windowsTest("bad input: clear errors", {}, async () => {
  assertThrows(() => openMailslot(uniqueName("missing")), Deno.errors.NotFound, "no such mailslot");
  assertThrows(() => createMailslot("\\\\*\\mailslot\\x"), TypeError, "this computer");
  assertThrows(() => createMailslot("x", { maxMessageSize: -1 }), RangeError);
  const name = uniqueName("bad");
  using slot = createMailslot(name);
  const pending = slot.receive();
  await assertRejects(() => slot.receive(), Deno.errors.Busy);
  await assertRejects(() => slot.receive({ timeout: -1 }), RangeError);
  using writer = openMailslot(name);
  // deno-lint-ignore no-explicit-any
  await assertRejects(() => writer.send(42 as any), TypeError);
  await writer.send(new Uint8Array([0xff, 0xfe]));
  assertEquals(await pending, new Uint8Array([0xff, 0xfe]));
  await writer.send(new Uint8Array([0xff]));
  await assertRejects(() => slot.receiveText(), RangeError, "not valid utf-8");
  writer.close();
  await assertRejects(() => writer.send("x"), Deno.errors.BadResource);
  assertEquals(MAX_REMOTE_MESSAGE, 424);
});

windowsTest(
  "broadcast: \\\\*\\mailslot\\ names open, and a message above 424 bytes is refused before sending",
  {
    notUnderWine:
      "Wine cannot open \\\\*\\, domain or computer mailslot names (ERROR_FILE_NOT_FOUND); messageBytes() is unit-tested instead",
  },
  async () => {
    using writer = openMailslot(`\\\\*\\mailslot\\${uniqueName("broadcast")}`, { remote: true });
    assertEquals(writer.remote, true);
    await assertRejects(() => writer.send(new Uint8Array(425)), RangeError, "424");
    // Sending may work, or fail as NotSupported where remote mailslots are off (3025).
    try {
      await writer.send("hello, domain");
    } catch (error) {
      assert(error instanceof Deno.errors.NotSupported, String(error));
      assert(String(error).includes("3025"));
    }
  },
);

windowsTest(
  "security: the rule is the security option; the old access option is refused",
  {},
  async (t) => {
    await t.step("owner (default), everyone and { sddl } slots open for writing", async () => {
      for (
        const security of [undefined, "owner", "everyone", { sddl: "D:P(A;;GA;;;WD)" }] as const
      ) {
        const name = uniqueName("security");
        using slot = createMailslot(name, security !== undefined ? { security } : {});
        using writer = openMailslot(name);
        await writer.send("hi");
        assertEquals(await slot.receiveText({ timeout: 1000 }), "hi");
      }
    });
    await t.step("access, the old name, is a TypeError that names security", () => {
      for (const access of ["everyone", "owner", { sddl: "D:P" }]) {
        assertThrows(
          // deno-lint-ignore no-explicit-any
          () => createMailslot(uniqueName("old"), { access } as any),
          TypeError,
          "now called security",
        );
      }
    });
    await t.step("hostile and wrong values are TypeErrors, never a prototype lookup", () => {
      for (const security of ["toString", "__proto__", "constructor", "all", 5, null, {}]) {
        assertThrows(
          // deno-lint-ignore no-explicit-any
          () => createMailslot(uniqueName("hostile"), { security: security as any }),
          TypeError,
          'security must be "owner", "everyone" or { sddl }',
        );
      }
      assertThrows(
        () => createMailslot(uniqueName("sddl"), { security: { sddl: "not sddl" } }),
        TypeError,
        "security descriptor",
      );
    });
  },
);

windowsTest(
  "MailslotWriter.send() writes through the completion core and never blocks the event loop",
  {},
  async () => {
    const name = uniqueName("async-send");
    using slot = createMailslot(name, { maxMessageSize: 1024 });
    using writer = openMailslot(name);
    const before = completionStats.synchronous + completionStats.queued;
    // 200 sends in flight at once, each one overlapped WriteFile started
    // through the completion core (not a blocking call wrapped in a Promise).
    const sends = Array.from({ length: 200 }, (_, i) => writer.send(`message ${i}`));
    assert(sends.every((p) => p instanceof Promise));
    await Promise.all(sends);
    assertEquals(completionStats.synchronous + completionStats.queued - before, 200);
    for (let i = 0; i < 200; i++) {
      assertEquals(await slot.receiveText({ timeout: 1000 }), `message ${i}`);
    }
    // A send with bad data or on a closed writer rejects; it never throws.
    // deno-lint-ignore no-explicit-any
    const bad = writer.send(42 as any);
    assert(bad instanceof Promise);
    await assertRejects(() => bad, TypeError);
  },
);

windowsTest(
  "unsafeHandle and construction: raw handles while open, no public constructor",
  {},
  () => {
    const name = uniqueName("handle");
    const slot = createMailslot(name);
    const writer = openMailslot(name);
    assert(slot.unsafeHandle !== null);
    assert(writer.unsafeHandle !== null);
    writer.close();
    slot.close();
    assertThrows(() => slot.unsafeHandle, Deno.errors.BadResource, "closed");
    assertThrows(() => writer.unsafeHandle, Deno.errors.BadResource, "closed");
    // deno-lint-ignore no-explicit-any
    assertThrows(() => new (Mailslot as any)(), TypeError, "Illegal constructor");
    // deno-lint-ignore no-explicit-any
    assertThrows(() => new (MailslotWriter as any)(), TypeError, "Illegal constructor");
  },
);
