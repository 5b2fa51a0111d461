// Copyright 2026 the winipc authors. MIT license.
// The user32 half's threads: one per mechanism, so that a stall in one never
// stalls the other; a wake that cannot be confused by stray thread
// messages; and a render function that calls the clipboard failing fast.
// Each case against a real C program in another process.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { nativePath, Peer, uniqueName, windowsTest } from "./_helpers.ts";
import * as clipboard from "../clipboard/mod.ts";
import { listenCopyData } from "../copydata/mod.ts";
import { user32Stopped } from "./_user32.ts";
import { user32 } from "../_win32/ffi.ts";

const decoder = new TextDecoder();

/** Runs a C peer to the end; its stdout. */
async function run(name: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(nativePath(name), {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return decoder.decode(out.stdout).trim();
}

windowsTest(
  "isolation: a foreign owner hung 20 s in WM_RENDERFORMAT under a pending read; C senders to a WM_COPYDATA listener all get their replies meanwhile",
  {},
  async () => {
    const format = uniqueName("hung-render");
    const className = uniqueName("iso-cd");
    // The C owner promises `format` and sleeps 20 s when asked to render it.
    await using owner = new Peer("clipboard_peer", ["delay-hang", format, "20000", "23000"], {
      native: true,
    });
    assertStringIncludes(await owner.line(), "ready");
    {
      await using listener = await listenCopyData({ className, reply: 7 });
      // The read goes to the clipboard thread, which waits on the hung owner;
      // the caller gives up at 1 s, the thread stays in GetClipboardData.
      const started = performance.now();
      await assertRejects(
        () => clipboard.readFormat(format, { timeout: 1000 }),
        Deno.errors.TimedOut,
      );
      const gaveUp = performance.now() - started;
      assert(gaveUp < 2500, `the read gave up after ${gaveUp.toFixed(0)} ms, not about 1 s`);
      // Meanwhile: 20 single senders, then 2 C senders x 300 messages, each answered 7.
      const sendStart = performance.now();
      const replies = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) => run("copydata_peer", ["send", className, String(i), "text", "6869", "5000"]),
        ),
      );
      for (const reply of replies) assertEquals(reply, "reply 7");
      const many = await Promise.all(
        [0, 1].map((id) => run("copydata_peer", ["many", className, String(id), "300", "7"])),
      );
      assertEquals(many, ["done 0", "done 0"]);
      const sendMs = performance.now() - sendStart;
      assert(sendMs < 12_000, `the senders took ${sendMs.toFixed(0)} ms: held by the hung render`);
      let received = 0;
      while (received < 620) {
        await listener.receive({ timeout: 5000 });
        received++;
      }
    }
    assertEquals(await owner.line(), "gone");
    await user32Stopped();
  },
);

windowsTest(
  "isolation: while a WM_COPYDATA reply function takes 5 s, clipboard calls complete promptly",
  {},
  async () => {
    const className = uniqueName("iso-slow");
    let asked = 0;
    {
      await using listener = await listenCopyData({
        className,
        replyTimeout: 10_000,
        reply: async () => {
          asked++;
          await new Promise((resolve) => setTimeout(resolve, 5000));
          return 42;
        },
      });
      const sender = run("copydata_peer", ["send", className, "1", "text", "6869", "10000"]);
      while (asked === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const started = performance.now();
      let worst = 0;
      for (let i = 0; i < 50; i++) {
        const t = performance.now();
        await clipboard.writeText(`during ${i}`);
        assertEquals(await clipboard.readText(), `during ${i}`);
        worst = Math.max(worst, performance.now() - t);
      }
      // Calls that need the clipboard thread: a delayed write, read back.
      const t = performance.now();
      const format = uniqueName("iso-delayed");
      await clipboard.write({ delayed: [{ format, render: () => new Uint8Array([9, 9]) }] });
      assertEquals(await clipboard.readFormat(format), new Uint8Array([9, 9]));
      worst = Math.max(worst, performance.now() - t);
      const all = performance.now() - started;
      assert(all < 4000, `the clipboard calls took ${all.toFixed(0)} ms: held by the reply`);
      assert(worst < 1000, `one clipboard call took ${worst.toFixed(0)} ms`);
      assertEquals(await sender, "reply 42");
      assertEquals((await listener.receive({ timeout: 1000 })).text(), "hi");
      await clipboard.clear();
    }
    await user32Stopped();
  },
);

windowsTest(
  "wake: stray thread messages (the old wake's number, WM_QUIT, others) posted to a window thread are ignored",
  {},
  async () => {
    const className = uniqueName("iso-stray");
    {
      await using listener = await listenCopyData({ className });
      const pid = new Uint32Array(1);
      const thread = user32().GetWindowThreadProcessId(
        Deno.UnsafePointer.create(listener.window),
        pid,
      );
      assert(thread !== 0, "no thread for the listener's window");
      for (const message of [0x80d1, 0x0012, 0x8000, 0x0400, 0x0010]) {
        for (let i = 0; i < 20; i++) {
          assert(user32().PostThreadMessageW(thread, message, BigInt(i), 0n) !== 0);
        }
      }
      for (let i = 0; i < 10; i++) {
        assertEquals(
          await run("copydata_peer", ["send", className, String(i), "text", "6869", "5000"]),
          "reply 1",
        );
        assertEquals((await listener.receive({ timeout: 2000 })).tag, BigInt(i));
      }
    }
    await user32Stopped();
  },
);

windowsTest(
  "delayed rendering: a render function that calls the clipboard fails fast with Busy; the paste gets nothing at once, not after 10 s",
  {},
  async () => {
    const format = uniqueName("reenter");
    let inner: unknown = null;
    await clipboard.write({
      delayed: [{
        format,
        render: async () => {
          try {
            await clipboard.readText();
          } catch (error) {
            inner = error;
          }
          return new Uint8Array([1]);
        },
      }],
    });
    const started = performance.now();
    assertEquals(await run("clipboard_peer", ["get-custom", format]), "custom 01");
    const ms = performance.now() - started;
    assert(ms < 3000, `the paste took ${ms.toFixed(0)} ms`);
    assert(inner instanceof Deno.errors.Busy, `the inner call gave ${inner}`);
    assertStringIncludes(String(inner), "render function");
    await clipboard.clear();
    await user32Stopped();
  },
);
