// Copyright 2026 the winipc authors. MIT license.
// The clipboard across real processes: the C peer (tests/native/clipboard_peer.c)
// writes what winipc reads and reads what winipc writes, format by format; holds
// the clipboard open; makes rapid changes. Every winipc clipboard call must take
// under 1 s (Wine gives up on a stuck owner after 5 s: a stall would hide there).
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { deflateSync } from "node:zlib";
import { nativePath, Peer, runDeno, windowsTest } from "./_helpers.ts";
import * as clipboard from "../clipboard/mod.ts";
import { clipboardIdle } from "../clipboard/_core.ts";
import { encodeDibV5 } from "../clipboard/_image.ts";
import { windowThreadRunning, windowThreadStopped } from "../_win32/window_thread.ts";
import { processCpuMilliseconds } from "../_win32/process_info.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const hex = (bytes: Uint8Array) =>
  bytes.length === 0 ? "-" : Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const hexText = (text: string) => hex(encoder.encode(text));

/** Runs the C peer to the end; its stdout's first line. */
async function peer(...args: string[]): Promise<string> {
  const out = await new Deno.Command(nativePath("clipboard_peer"), {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const line = decoder.decode(out.stdout).trim();
  if (!out.success) throw new Error(`clipboard_peer ${args[0]} failed: ${line}`);
  return line;
}

/** A winipc clipboard call, failed if it takes 1 s or more. */
async function quick<T>(what: string, call: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await call();
  } finally {
    const ms = performance.now() - start;
    assert(ms < 1000, `${what} took ${ms.toFixed(0)} ms (over 1 s: a stall)`);
  }
}

/** Registers a clipboard test that ends with the owner window and the window thread gone. */
function clipTest(
  name: string,
  fn: () => Promise<void>,
  options: { notUnderWine?: string } = {},
): void {
  windowsTest(`clipboard: ${name}`, options, async () => {
    try {
      await fn();
    } finally {
      await clipboardIdle();
      await windowThreadStopped();
    }
    assert(!windowThreadRunning(), "the window thread still runs after the last call");
  });
}

// The C peer's test image, pixel (x, y) in straight RGBA.
function pattern(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = (y * width + x) * 4;
      data[d] = (x * 40 + y * 7) & 255;
      data[d + 1] = (y * 50 + x * 3) & 255;
      data[d + 2] = (x * y * 11 + 5) & 255;
      data[d + 3] = (x * 37 + y * 91 + 1) & 255;
    }
  }
  return data;
}

/** assertEquals for strings that may be long: says where they differ, not all of them. */
function sameText(actual: string | null, expected: string): void {
  if (actual === expected) return;
  if (actual === null) throw new Error("got null, expected text");
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  assertEquals(
    actual.slice(Math.max(0, i - 10), i + 20),
    expected.slice(Math.max(0, i - 10), i + 20),
    `lengths ${actual.length} and ${expected.length}, first difference at ${i}`,
  );
}

// The clipboard thread's first start in a `deno test` run includes a type
// check of its entry module (`deno run` and compiled programs do none), which
// would count against the first timed call: start it once, untimed.
clipTest(
  "the clipboard thread starts (untimed warm-up), and stops after its last call",
  async () => {
    const format = `winipc.test.warmup.${Deno.pid}`;
    await clipboard.write({ delayed: [{ format, render: () => new Uint8Array([1]) }] });
    await clipboard.clear();
  },
);

const TEXTS = [
  "plain ASCII",
  "héllo wörld ✓ 日本語 𝄞 👍🏽",
  "line one\r\nline two\nline three\r",
  "  leading and trailing spaces \t ",
  "x".repeat(10_000) + "é", // a command line holds at most 32767 characters
];

clipTest("text both ways: C writes, winipc reads; winipc writes, C reads", async () => {
  for (const text of TEXTS) {
    assertStringIncludes(await peer("set-text", hexText(text)), "ok");
    sameText(await quick("readText", () => clipboard.readText()), text);
    await quick("writeText", () => clipboard.writeText(text));
    sameText(await peer("get-text"), `text ${hexText(text)}`);
  }
  // Lone surrogates cannot pass through UTF-8 to the peer: round-trip them here.
  const lone = "a\uD800b\uDC00c";
  await quick("writeText", () => clipboard.writeText(lone));
  assertEquals(await quick("readText", () => clipboard.readText()), lone);
});

clipTest("text: a NUL is refused on write; a block with a NUL is read up to it", async () => {
  await assertRejects(() => clipboard.writeText("a\0b"), TypeError, "NUL character at index 1");
  assertStringIncludes(await peer("set-text", "610062"), "ok"); // "a", NUL, "b"
  assertEquals(await quick("readText", () => clipboard.readText()), "a");
  await quick("clear", () => clipboard.clear());
  assertEquals(await quick("readText", () => clipboard.readText()), null);
  assertEquals(await peer("get-text"), "none");
});

clipTest("HTML both ways, non-ASCII, offsets recomputed and checked by C", async () => {
  const fragment =
    '<p class="x">Grüße, <b>日本</b> &amp; 𝄞 <a href="https://e.test/ü">link</a></p>';
  const url = "https://example.test/päge?q=1";
  assertStringIncludes(await peer("set-html", hexText(fragment), hexText(url)), "ok");
  const read = await quick("readHtml", () => clipboard.readHtml());
  assertEquals(read?.html, fragment);
  assertEquals(read?.sourceUrl, url);
  assertStringIncludes(read?.fullHtml ?? "", `<!--StartFragment-->${fragment}<!--EndFragment-->`);

  await quick("writeHtml", () => clipboard.writeHtml(fragment, { sourceUrl: url }));
  assertEquals(await peer("get-html"), `html ${hexText(fragment)} ${hexText(url)}`);
  assertEquals(await peer("get-text"), `text ${hexText("Grüße, 日本 & 𝄞 link\r\n")}`);

  await quick("writeHtml", () => clipboard.writeHtml("<i>é</i>", { text: false }));
  assertEquals(await peer("get-html"), `html ${hexText("<i>é</i>")} -`);
  assertEquals(await peer("get-text"), "none");
  assertEquals(await quick("readHtml", () => clipboard.readHtml()), {
    html: "<i>é</i>",
    fullHtml: "<html><body>\r\n<!--StartFragment--><i>é</i><!--EndFragment-->\r\n</body></html>",
  });
});

clipTest("HTML: a SourceURL holding '<' is read whole, from C and from winipc", async () => {
  // Windows' readers take SourceURL to the end of its line; the header is not cut at '<'.
  const url = "https://example.test/search?q=<b>&r=a>b";
  assertStringIncludes(await peer("set-html", hexText("<i>x</i>"), hexText(url)), "ok");
  const read = await quick("readHtml", () => clipboard.readHtml());
  assertEquals(read?.html, "<i>x</i>");
  assertEquals(read?.sourceUrl, url);
  await quick("writeHtml", () => clipboard.writeHtml("<i>y</i>", { sourceUrl: url }));
  assertEquals(await peer("get-html"), `html ${hexText("<i>y</i>")} ${hexText(url)}`);
  assertEquals((await quick("readHtml", () => clipboard.readHtml()))?.sourceUrl, url);
});

clipTest(
  "delayed rendering: a render answered after the 10 s limit never becomes another format's data",
  async () => {
    const name = `winipc.test.late.${Deno.pid}`;
    const slow = `${name}.slow`, next = `${name}.next`;
    let slowDone!: () => void;
    const slowRendered = new Promise<void>((resolve) => slowDone = resolve);
    await quick("write", () =>
      clipboard.write({
        delayed: [
          {
            format: slow,
            render: async () => {
              // Past the window thread's 10 s limit: the paste got nothing.
              await new Promise((resolve) => setTimeout(resolve, 11_000));
              slowDone();
              return new Uint8Array([0xaa, 0xaa]);
            },
          },
          {
            format: next,
            render: async () => {
              // Asked at about 10 s, answered at 13 s: the slow one's late
              // answer (at 11 s) comes while this one is awaited.
              await new Promise((resolve) => setTimeout(resolve, 3_000));
              return new Uint8Array([0xbb]);
            },
          },
        ],
      }));
    try {
      assertEquals(await peer("get-custom", slow), "none");
      assertEquals(await peer("get-custom", next), "custom bb");
      await slowRendered;
    } finally {
      await clipboard.clear(); // the slow format's promise, never kept, goes
    }
  },
);

clipTest(
  "CF_ENHMETAFILE bytes that are no metafile, or promised by delayed rendering, are refused and the clipboard is kept",
  async () => {
    assertStringIncludes(await peer("set-text", hexText("keep me")), "ok");
    await assertRejects(
      () => clipboard.writeFormat(14, new Uint8Array([1, 2, 3])),
      TypeError,
      "enhanced metafile",
    );
    await assertRejects(
      () => clipboard.write({ text: "x", custom: [{ format: 14, bytes: new Uint8Array(100) }] }),
      TypeError,
      "enhanced metafile",
    );
    // Delayed rendering hands Windows a memory block, which CF_ENHMETAFILE is not.
    await assertRejects(
      () => clipboard.write({ delayed: [{ format: 14, render: () => new Uint8Array(100) }] }),
      TypeError,
      "delayed",
    );
    assertEquals(await peer("get-text"), `text ${hexText("keep me")}`);
  },
);

clipTest("RTF both ways as 8-bit text", async () => {
  const rtf = "{\\rtf1\\ansi\\ansicpg1252 {\\b caf\\'e9} \\u26085? and raw \u00e9\\par}";
  assertStringIncludes(
    await peer("set-rtf", hex(Uint8Array.from(rtf, (c) => c.charCodeAt(0)))),
    "ok",
  );
  assertEquals(await quick("readRtf", () => clipboard.readRtf()), rtf);
  await quick("writeRtf", () => clipboard.writeRtf(rtf, { text: "café" }));
  assertEquals(await peer("get-rtf"), `rtf ${hex(Uint8Array.from(rtf, (c) => c.charCodeAt(0)))}`);
  assertEquals(await peer("get-text"), `text ${hexText("café")}`);
  await assertRejects(() => clipboard.writeRtf("{\\rtf1 日本}"), TypeError, "U+65E5 at index 7");
});

clipTest("CF_HDROP both ways with non-ASCII absolute paths", async () => {
  const paths = [
    "C:\\Users\\José\\Données\\été 2026.txt",
    "Z:\\tmp\\日本語\\ファイル.doc",
    "\\\\server\\share\\𝄞 music.flac",
  ];
  assertStringIncludes(await peer("set-files", hexText(paths.join("\n"))), "ok");
  assertEquals(await quick("readFiles", () => clipboard.readFiles()), paths);
  await quick("writeFiles", () => clipboard.writeFiles(paths));
  assertEquals(await peer("get-files"), `files ${hexText(paths.join("\n"))}`);
  await assertRejects(() => clipboard.writeFiles(["relative\\x.txt"]), TypeError, "absolute");
  await assertRejects(() => clipboard.writeFiles([]), RangeError, "empty");
});

clipTest(
  "CF_HDROP whose last path has no terminator: InvalidData, not a shorter list",
  async () => {
    const paths = ["C:\\first.txt", "C:\\second ✓.txt"];
    assertStringIncludes(await peer("set-files-unterminated", hexText(paths.join("\n"))), "ok");
    await assertRejects(
      () => quick("readFiles", () => clipboard.readFiles()),
      Deno.errors.InvalidData,
      "not terminated",
    );
    // The same list with its terminators reads whole.
    assertStringIncludes(await peer("set-files", hexText(paths.join("\n"))), "ok");
    assertEquals(await quick("readFiles", () => clipboard.readFiles()), paths);
  },
);

clipTest("custom format both ways; registerFormat gives the peer's id", async () => {
  const name = `winipc.test.custom.${Deno.pid}`;
  const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) & 255);
  assertStringIncludes(await peer("set-custom", name, hex(bytes)), "ok");
  assertEquals(await quick("readFormat", () => clipboard.readFormat(name)), bytes);
  const id = await quick("registerFormat", () => clipboard.registerFormat(name));
  assert(id >= 0xc000 && id <= 0xffff, `id ${id}`);
  // registerFormat takes a name: an id (even a registered one) is a TypeError, not echoed back.
  await assertRejects(
    () => clipboard.registerFormat(id as unknown as string),
    TypeError,
    `name must be a string, got ${id}`,
  );
  assertEquals(await quick("readFormat", () => clipboard.readFormat(id)), bytes);
  await quick("writeFormat", () => clipboard.writeFormat(name, bytes.subarray(0, 5)));
  assertEquals(await peer("get-custom", name), `custom ${hex(bytes.subarray(0, 5))}`);
  assertEquals(await quick("readFormat", () => clipboard.readFormat("winipc.absent.format")), null);
});

clipTest("a multi-format write, read by C format by format", async () => {
  const name = `winipc.test.multi.${Deno.pid}`;
  const image = { width: 3, height: 2, data: pattern(3, 2) };
  const result = await quick("write", () =>
    clipboard.write({
      text: "plain ✓",
      html: { html: "<b>bold ✓</b>", sourceUrl: "https://e.test/" },
      rtf: "{\\rtf1 bold}",
      files: ["C:\\x\\ü.txt"],
      image,
      custom: [{ format: name, bytes: new Uint8Array([9, 8, 7]) }],
    }));
  assertEquals(result.sequenceNumber, clipboard.sequenceNumber());
  assertEquals(await peer("get-text"), `text ${hexText("plain ✓")}`);
  assertEquals(
    await peer("get-html"),
    `html ${hexText("<b>bold ✓</b>")} ${hexText("https://e.test/")}`,
  );
  assertEquals(await peer("get-rtf"), `rtf ${hexText("{\\rtf1 bold}")}`);
  assertEquals(await peer("get-files"), `files ${hexText("C:\\x\\ü.txt")}`);
  assertEquals(await peer("get-custom", name), "custom 090807");
  assertEquals(await peer("get-image"), `image 3 2 ${hex(image.data)}`);
  // One open, one empty, many sets: the formats in the order written.
  const names = (await quick("formats", () => clipboard.formats())).map((f) => f.name);
  const order = [
    name,
    "CF_HDROP",
    "CF_DIBV5",
    "CF_DIB",
    "PNG",
    "HTML Format",
    "Rich Text Format",
    "CF_UNICODETEXT",
  ];
  assertEquals(names.filter((n) => order.includes(n)), order);
});

clipTest(
  "an image with alpha both ways (CF_DIBV5 from C; DIBV5 + DIB + PNG from winipc)",
  async () => {
    assertStringIncludes(await peer("set-image", "7", "5"), "ok");
    const read = await quick("readImage", () => clipboard.readImage());
    assertEquals(read, { width: 7, height: 5, data: pattern(7, 5), hasAlpha: true });
    const image = { width: 6, height: 4, data: pattern(6, 4) };
    await quick("writeImage", () => clipboard.writeImage(image));
    assertEquals(await peer("get-image"), `image 6 4 ${hex(image.data)}`);
    const png = await quick("readFormat", () => clipboard.readFormat("PNG"));
    assertEquals(Array.from(png!.subarray(1, 4)), [0x50, 0x4e, 0x47]);
    assertEquals(await quick("readImage", () => clipboard.readImage()), {
      ...image,
      hasAlpha: true,
    });
    const ids = (await clipboard.formats()).map((f) => f.id);
    assert(ids.includes(17) && ids.includes(8), `formats ${ids}`);
  },
);

clipTest("contention: held 300 ms, the write still succeeds", async () => {
  await using holder = new Peer("clipboard_peer", ["hold", "300"], { native: true });
  assertStringIncludes(await holder.line(), "held");
  const start = performance.now();
  await quick("writeText", () => clipboard.writeText("after the hold"));
  assert(performance.now() - start >= 150, "the write did not wait for the holder");
  assertEquals(await holder.line(), "released");
  assertEquals(await peer("get-text"), `text ${hexText("after the hold")}`);
});

clipTest("contention: held 5 s, Busy after the bound, naming the holder's process", async () => {
  await using holder = new Peer("clipboard_peer", ["hold", "5000"], { native: true });
  const held = await holder.line();
  const pid = held.split(" ")[1];
  const start = performance.now();
  const error = await assertRejects(
    () => quick("writeText", () => clipboard.writeText("x", { retries: 5, retryDelay: 100 })),
    Deno.errors.Busy,
  );
  const ms = performance.now() - start;
  assert(ms >= 200, `gave up after ${ms} ms, before the bound`);
  assertStringIncludes(error.message, `process ${pid}`);
  assertStringIncludes(error.message, "clipboard_peer.exe");
  assertStringIncludes(error.message, "6 attempts");
  // Cancelled while waiting between attempts.
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const aborted = await assertRejects(() =>
    quick("readText", () => clipboard.readText({ signal: controller.signal, retryDelay: 1000 }))
  );
  assertInstanceOf(aborted, DOMException);
  assertEquals((aborted as DOMException).name, "AbortError");
  // The holder goes away; the clipboard is free again for the next tests.
  holder.child.kill();
  await holder.child.status;
  await quick("writeText", () => clipboard.writeText("free again"));
});

/** Watches while the C peer makes 100 changes `gap` ms apart; the events, checked. */
async function watchPeer(gap: number): Promise<{ events: number; missed: number }> {
  await using watcher = clipboard.watch();
  await watcher.ready;
  const done = peer("changes", "100", String(gap));
  const seen: clipboard.ClipboardChange[] = [];
  const iterator = watcher[Symbol.asyncIterator]();
  const deadline = setTimeout(() => watcher.close(), 20_000);
  // Every WM_CLIPBOARDUPDATE is an event or counted as missed: stop at 100.
  while (seen.length + watcher.missed < 100) {
    const { value, done: ended } = await iterator.next();
    if (ended) break;
    seen.push(value);
  }
  clearTimeout(deadline);
  const [, first, last] = (await done).split(" ");
  assertEquals(
    seen.length + watcher.missed,
    100,
    `events ${seen.length}, missed ${watcher.missed}`,
  );
  assertEquals(seen.reduce((sum, c) => sum + c.missed, 0), watcher.missed, "a gap not reported");
  for (let i = 1; i < seen.length; i++) {
    assert(seen[i]!.sequenceNumber > seen[i - 1]!.sequenceNumber, "out of order");
  }
  assert(seen[0]!.sequenceNumber >= Number(first), "an event from before the changes");
  assertEquals(seen.at(-1)!.sequenceNumber, Number(last), "the last change not seen");
  const odd = seen.filter((c) => !c.formats.some((f) => f.name === "CF_UNICODETEXT"));
  assertEquals(odd, [], "every change carries the text format");
  return { events: seen.length, missed: watcher.missed };
}

clipTest(
  "watch: 100 changes by another process 30 ms apart: all seen, in order, none missed",
  async () => {
    const { events, missed } = await watchPeer(30);
    assertEquals({ events, missed }, { events: 100, missed: 0 });
  },
);

clipTest(
  "watch: 100 back-to-back changes: in order, every one an event or a reported gap",
  async () => {
    const { events, missed } = await watchPeer(0);
    console.log(`watch, back-to-back: ${events} events, ${missed} reported missed`);
  },
);

clipTest(
  "watch: a clipboard of 600 formats is reported with all 600 (not an empty list)",
  async () => {
    const watcher = clipboard.watch();
    try {
      await watcher.ready;
      const changes = watcher[Symbol.asyncIterator]();
      const custom = Array.from({ length: 600 }, (_, i) => ({
        format: `winipc.test.many.${Deno.pid}.${i}`,
        bytes: new Uint8Array([i & 255]),
      }));
      await quick("write", () => clipboard.write({ custom }));
      const change = (await changes.next()).value as clipboard.ClipboardChange;
      assertEquals((await quick("formats", () => clipboard.formats())).length, 600);
      assertEquals(change.formats.length, 600);
      assertEquals(change.formats[599]?.name, `winipc.test.many.${Deno.pid}.599`);
    } finally {
      await watcher.close();
      await clipboard.clear();
    }
  },
);

clipTest(
  "watch: idle costs no CPU; a signal ends it with AbortError; close() ends it quietly",
  async () => {
    // No program holds the clipboard now (a write waits for any holder
    // of an earlier test to let go), so nothing is being written.
    await quick("writeText", () => clipboard.writeText("before the idle watch"));
    const controller = new AbortController();
    const watcher = clipboard.watch({ signal: controller.signal });
    await watcher.ready;
    // The process's CPU also counts V8's garbage collection after the
    // heavier tests before this one, so the quietest of three 1 s windows
    // is what watching costs.
    const windows: number[] = [];
    for (let i = 0; i < 3; i++) {
      const cpu = processCpuMilliseconds();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      windows.push(processCpuMilliseconds() - cpu);
    }
    const used = Math.min(...windows);
    if (used >= 25) await watcher.close(); // leave no window behind for the next tests
    assert(
      used < 25,
      `${windows.join(", ")} ms of CPU in 1 s windows of watching an idle clipboard`,
    );
    const iterator = watcher[Symbol.asyncIterator]();
    const next = iterator.next();
    setTimeout(() => controller.abort(), 50);
    const error = await assertRejects(() => next);
    assertEquals((error as DOMException).name, "AbortError");

    const quiet = clipboard.watch();
    await quiet.ready;
    const ended = quiet[Symbol.asyncIterator]().next();
    await quiet.close();
    assertEquals((await ended).done, true);
    assertThrows(
      () => clipboard.watch({ signal: AbortSignal.abort() }),
      DOMException,
    );
  },
);

clipTest(
  "secret mode: the three formats with DWORD 0; clearAfter only clears our own write",
  async () => {
    const { cleared: none } = await quick(
      "writeText",
      () => clipboard.writeText("hunter2", { secret: true }),
    );
    assertEquals(none, undefined);
    assertEquals(await peer("get-text"), `text ${hexText("hunter2")}`);
    for (
      const name of [
        "ExcludeClipboardContentFromMonitorProcessing",
        "CanIncludeInClipboardHistory",
        "CanUploadToCloudClipboard",
      ]
    ) {
      assertEquals(await peer("get-dword", name), "dword 4 0", name);
    }
    const first = await quick(
      "writeText",
      () => clipboard.writeText("secret 1", { secret: true, clearAfter: 200 }),
    );
    assertEquals(await first.cleared, "cleared");
    assertEquals(await peer("formats"), "formats");
    const second = await quick(
      "writeText",
      () => clipboard.writeText("secret 2", { secret: true, clearAfter: 1500 }),
    );
    assertStringIncludes(await peer("set-text", hexText("the user's own copy")), "ok");
    assertEquals(await second.cleared, "replaced");
    assertEquals(await peer("get-text"), `text ${hexText("the user's own copy")}`);
  },
);

clipTest("snapshot and restore: text, HTML, image, files and a custom format", async () => {
  const name = `winipc.test.snap.${Deno.pid}`;
  const image = { width: 4, height: 3, data: pattern(4, 3) };
  await quick("write", () =>
    clipboard.write({
      text: "snap ✓",
      html: "<u>snap ✓</u>",
      files: ["C:\\snap\\é.txt"],
      image,
      custom: [{ format: name, bytes: new Uint8Array([1, 2, 3, 4]) }],
    }));
  const before = await quick("formats", () => clipboard.formats());
  const saved = await quick("snapshot", () => clipboard.snapshot());
  // Nothing silently dropped: every format is copied or listed as skipped.
  const accounted = new Set([...saved.formats, ...saved.skipped].map((f) => f.id));
  assertEquals(before.filter((f) => !accounted.has(f.id)), []);
  for (const s of saved.skipped) assert(s.reason.length > 0);
  const skippedIds = saved.skipped.map((s) => s.id);
  for (const id of [1, 7]) assert(skippedIds.includes(id), `CF_TEXT/CF_OEMTEXT ${id} not skipped`);
  if (before.some((f) => f.id === 2)) assert(skippedIds.includes(2), "CF_BITMAP not skipped");

  assertStringIncludes(await peer("set-text", hexText("something else")), "ok");
  await quick("restore", () => clipboard.restore(saved));
  assertEquals(await peer("get-text"), `text ${hexText("snap ✓")}`);
  assertEquals(await peer("get-html"), `html ${hexText("<u>snap ✓</u>")} -`);
  assertEquals(await peer("get-files"), `files ${hexText("C:\\snap\\é.txt")}`);
  assertEquals(await peer("get-custom", name), "custom 01020304");
  assertEquals(await peer("get-image"), `image 4 3 ${hex(image.data)}`);
  assertEquals(await quick("readImage", () => clipboard.readImage()), { ...image, hasAlpha: true });
  const after = (await clipboard.formats()).map((f) => f.id);
  for (const f of saved.formats) assert(after.includes(f.id), `${f.name} not restored`);
});

clipTest(
  "snapshot and restore: an enhanced metafile is copied as its bits; CF_METAFILEPICT skipped",
  async () => {
    assertStringIncludes(await peer("set-emf"), "ok");
    const original = await peer("get-emf");
    assertStringIncludes(original, "emf ");
    const saved = await quick("snapshot", () => clipboard.snapshot());
    assert(saved.formats.some((f) => f.id === 14), "CF_ENHMETAFILE not copied");
    const skipped = new Map(saved.skipped.map((f) => [f.id, f.reason]));
    if ((await clipboard.formats()).some((f) => f.id === 3)) {
      assertStringIncludes(skipped.get(3) ?? "", "metafile handle");
    }
    await quick("clear", () => clipboard.clear());
    assertEquals(await peer("get-emf"), "none");
    await quick("restore", () => clipboard.restore(saved));
    assertEquals(await peer("get-emf"), original);
  },
);

clipTest(
  "delayed rendering: made once, only when a program pastes; released when replaced",
  async () => {
    const name = `winipc.test.delayed.${Deno.pid}`;
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13 + 1) & 255);
    let renders = 0;
    await quick("write", () =>
      clipboard.write({
        text: "eager text",
        delayed: [{
          format: name,
          render: async () => {
            renders++;
            await new Promise((resolve) => setTimeout(resolve, 20));
            return bytes;
          },
        }],
      }));
    assertEquals(await peer("get-text"), `text ${hexText("eager text")}`);
    assertEquals(renders, 0, "rendered before anyone asked");
    assertEquals(await peer("get-custom", name), `custom ${hex(bytes)}`);
    assertEquals(renders, 1);
    assertEquals(await peer("get-custom", name), `custom ${hex(bytes)}`);
    assertEquals(renders, 1, "rendered twice");

    // Read by this process: the window thread asks this thread, which is free.
    const own = `${name}.own`;
    await quick(
      "write",
      () => clipboard.write({ delayed: [{ format: own, render: () => new Uint8Array([4, 2]) }] }),
    );
    assertEquals(
      await quick("readFormat", () => clipboard.readFormat(own)),
      new Uint8Array([4, 2]),
    );

    // A render that fails gives the paste nothing, and nothing hangs.
    const failing = `${name}.failing`;
    await quick("write", () =>
      clipboard.write({
        text: "x",
        delayed: [{
          format: failing,
          render: () => {
            throw new Error("cannot render");
          },
        }],
      }));
    assertEquals(await peer("get-custom", failing), "none");
    // Replaced by another program: the promise is void, the owner window and
    // the window thread may go (clipTest checks that they do).
    assertStringIncludes(await peer("set-text", hexText("replaced")), "ok");
  },
);

clipTest("a script that only writes text exits by itself, and the text stays", async () => {
  const script = new URL("./fixtures/clipboard_write_once.ts", import.meta.url);
  const start = performance.now();
  const result = await runDeno(script, ["written by a script that then exits ✓"]);
  const ms = performance.now() - start;
  assertEquals(result.code, 0, result.stderr);
  assertEquals(result.stdout.trim(), "written");
  assert(ms < 30_000, `the script took ${ms} ms to exit`);
  assertEquals(await peer("get-text"), `text ${hexText("written by a script that then exits ✓")}`);
});

/** The CRC-32 of PNG chunks (ISO 3309), of `bytes`. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A valid PNG of `side` × `side` 1-bit grey pixels, all black: a few tens
 * of kilobytes that decode to `side² * 4` bytes of RGBA.
 */
function pngBomb(side: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Uint8Array => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(encoder.encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, side);
  view.setUint32(4, side);
  ihdr[8] = 1; // bit depth; colour type 0 (grey), deflate, filter 0, no interlace
  const rows = new Uint8Array(side * (1 + Math.ceil(side / 8))); // filter byte 0, pixels 0
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", new Uint8Array()),
  ];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    png.set(part, at);
    at += part.length;
  }
  return png;
}

clipTest("a PNG that declares 17000 x 17000 pixels is refused before decoding", async () => {
  const bomb = pngBomb(17000);
  assert(bomb.length < 100_000, `the PNG is ${bomb.length} bytes`);
  const file = await Deno.makeTempFile({ suffix: ".png" });
  try {
    await Deno.writeFile(file, bomb);
    assertStringIncludes(await peer("set-custom-file", "PNG", file), "ok");
  } finally {
    await Deno.remove(file);
  }
  await assertRejects(
    () => quick("readImage", () => clipboard.readImage()),
    Deno.errors.InvalidData,
    "17000 x 17000",
  );
  // A small PNG of the same making is read.
  const small = await Deno.makeTempFile({ suffix: ".png" });
  try {
    await Deno.writeFile(small, pngBomb(9));
    assertStringIncludes(await peer("set-custom-file", "PNG", small), "ok");
  } finally {
    await Deno.remove(small);
  }
  const image = await quick("readImage", () => clipboard.readImage());
  assertEquals([image?.width, image?.height, image?.hasAlpha], [9, 9, false]);
  assertEquals(image?.data.every((b, i) => b === (i % 4 === 3 ? 255 : 0)), true);
});

clipTest("bad input: clear errors, nothing written", async () => {
  const seq = clipboard.sequenceNumber();
  await assertRejects(() => clipboard.writeText(42 as unknown as string), TypeError, "got 42");
  await assertRejects(() => clipboard.writeText("x", { retries: -1 }), RangeError, "retries");
  await assertRejects(
    () => clipboard.writeText("x", { clearAfter: NaN }),
    RangeError,
    "clearAfter",
  );
  await assertRejects(() => clipboard.writeFormat(0, new Uint8Array(1)), RangeError, "format id");
  await assertRejects(() => clipboard.writeFormat("f", new Uint8Array()), RangeError, "empty");
  await assertRejects(
    () => clipboard.writeImage({ width: 2, height: 2, data: new Uint8Array(3) }),
    RangeError,
    "width * height * 4",
  );
  await assertRejects(() => clipboard.write({}), TypeError, "no format");
  assertEquals(clipboard.sequenceNumber(), seq);
  // A PNG that does not decode fails clearly, unless a DIB is there too.
  assertStringIncludes(await peer("set-custom", "PNG", "00010203"), "ok");
  await assertRejects(() => clipboard.readImage(), TypeError, "PNG");
  const image = { width: 2, height: 2, data: pattern(2, 2), hasAlpha: true };
  await clipboard.write({
    custom: [{ format: "PNG", bytes: new Uint8Array([1, 2, 3]) }, {
      format: 17,
      bytes: encodeDibV5(image),
    }],
  });
  assertEquals(await quick("readImage", () => clipboard.readImage()), image);
});
