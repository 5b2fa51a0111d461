// Copyright 2026 the winipc authors. MIT license.
/**
 * Clipboard benchmark: every plain call, beside arboard (npm
 * `@napi-rs/clipboard` in Node.js for Windows, `bench/_arboard.ts`) where it
 * has the same call, and beside native C (`bench/native/clipboard_ref.c`,
 * run by `deno task bench`).
 *
 * - `clipboard.text_write_read` (1 KiB and 1 MiB of UTF-16): `writeText`
 *   then `readText`, checked; arboard `setText` then `getText`.
 * - `clipboard.image_write_read` (16x16 and 512x512 RGBA): `writeImage`
 *   (DIBV5, DIB and PNG) then `readImage`; arboard `setImage`/`getImage`
 *   (DIBV5 and DIB, no PNG).
 * - `clipboard.<format>_write_read` for HTML, RTF, files and a custom
 *   format (1 KiB), and `clipboard.formats`, `clipboard.sequence_number`,
 *   `clipboard.clear`: winipc alone (arboard has no such call).
 * - `clipboard.first_write` and `clipboard.first_read`: a fresh process's
 *   first `writeText` and the `readText` after it (median of 5 processes),
 *   with the module's import time, beside arboard's first `setText` and
 *   `getText` (after its `require`).
 *
 * Each line is one JSON object: `{"bench", "impl", "size"?, "ops_per_s" | "ms"}`.
 *
 * @module
 */
import * as clipboard from "../clipboard/mod.ts";
import { timed } from "./_timing.ts";
import { runArboard } from "./_arboard.ts";

const duration = Number(Deno.args[0] ?? 1000);
const options = { duration, warmup: duration / 4, batch: 1 };

function text(bytes: number): string {
  let s = "";
  for (let i = 0; i < bytes / 2; i++) s += String.fromCharCode(97 + (i % 26));
  return s;
}

function emit(line: Record<string, unknown>): void {
  console.log(JSON.stringify(line));
}

async function ops(bench: string, size: number | undefined, run: () => Promise<void>) {
  const rate = await timed(run, options);
  emit({
    bench,
    impl: "winipc",
    ...(size === undefined ? {} : { size }),
    ops_per_s: Math.round(rate),
  });
}

for (const size of [1024, 1024 * 1024]) {
  const t = text(size);
  await ops("clipboard.text_write_read", size, async () => {
    await clipboard.writeText(t);
    const back = await clipboard.readText();
    if (back === null || back.length !== t.length || back.at(-1) !== t.at(-1)) {
      throw new Error("read back the wrong text");
    }
  });
  const iterations = size > 65536 ? 30 : 1000;
  const a = await runArboard({ iterations, bytes: size, format: "text" });
  emit({
    bench: "clipboard.text_write_read",
    impl: "arboard",
    size,
    ops_per_s: Math.round(a.roundTripsPerSecond),
  });
}

for (const side of [16, 512]) {
  const size = side * side * 4;
  const data = new Uint8Array(size).map((_, i) => (i % 4 === 3 ? 255 : (i * 7) & 255));
  await ops("clipboard.image_write_read", size, async () => {
    await clipboard.writeImage({ width: side, height: side, data });
    const back = await clipboard.readImage();
    if (back === null || back.width !== side || back.data[size - 2] !== data[size - 2]) {
      throw new Error("read back the wrong image");
    }
  });
  const a = await runArboard({
    iterations: side > 64 ? 30 : 500,
    bytes: size,
    format: "image",
  });
  emit({
    bench: "clipboard.image_write_read",
    impl: "arboard",
    size,
    ops_per_s: Math.round(a.roundTripsPerSecond),
  });
}

const kib = text(1024);
await ops("clipboard.html_write_read", 1024, async () => {
  await clipboard.writeHtml(`<b>${kib.slice(0, 500)}</b>`);
  if ((await clipboard.readHtml()) === null) throw new Error("no HTML");
});
await ops("clipboard.rtf_write_read", 1024, async () => {
  await clipboard.writeRtf(`{\\rtf1 ${kib.slice(0, 1000)}}`);
  if ((await clipboard.readRtf()) === null) throw new Error("no RTF");
});
const files = Array.from(
  { length: 8 },
  (_, i) => `C:\\winipc\\bench\\file-${i}-${"x".repeat(40)}.txt`,
);
await ops("clipboard.files_write_read", undefined, async () => {
  await clipboard.writeFiles(files);
  if ((await clipboard.readFiles())?.length !== files.length) throw new Error("no files");
});
const custom = new Uint8Array(1024).fill(7);
await ops("clipboard.custom_write_read", 1024, async () => {
  await clipboard.writeFormat("winipc.bench", custom);
  if ((await clipboard.readFormat("winipc.bench"))?.length !== 1024) throw new Error("no data");
});
await ops("clipboard.formats", undefined, async () => {
  await clipboard.formats();
});
await ops("clipboard.sequence_number", undefined, () => {
  clipboard.sequenceNumber();
  return Promise.resolve();
});
await ops("clipboard.clear", undefined, async () => {
  await clipboard.clear();
});

// A fresh process's first calls: median of 5 processes each.
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const firsts: { import_ms: number; first_write_ms: number; first_read_ms: number }[] = [];
for (let i = 0; i < 5; i++) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", new URL("./peers/clipboard_first.ts", import.meta.url).href],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("the first-call process failed");
  firsts.push(JSON.parse(new TextDecoder().decode(out.stdout)));
}
const arboardFirsts = [];
for (let i = 0; i < 5; i++) {
  arboardFirsts.push(await runArboard({ iterations: 1, bytes: 64, format: "text" }));
}
emit({
  bench: "clipboard.first_write",
  impl: "winipc",
  ms: median(firsts.map((f) => f.first_write_ms)),
  import_ms: median(firsts.map((f) => f.import_ms)),
});
emit({
  bench: "clipboard.first_write",
  impl: "arboard",
  ms: median(arboardFirsts.map((a) => a.firstSetMs)),
  require_ms: median(arboardFirsts.map((a) => a.requireMs)),
});
emit({
  bench: "clipboard.first_read",
  impl: "winipc",
  ms: median(firsts.map((f) => f.first_read_ms)),
});
emit({
  bench: "clipboard.first_read",
  impl: "arboard",
  ms: median(arboardFirsts.map((a) => a.firstGetMs)),
});
