// Copyright 2026 the winipc authors. MIT license.
/**
 * Clipboard benchmark: Unicode text written and read back per second, at
 * 1 KiB and 1 MiB of UTF-16 text (the terminating NUL not counted).
 *
 * - `"impl":"winipc"`: `writeText` then `readText` (each one request to the
 *   window thread, which opens, empties, sets and closes the clipboard, or
 *   opens, gets, copies and closes it), the text read checked by length and
 *   by its first and last characters.
 *
 * Prints `{"bench":"clipboard.text_write_read","impl":"winipc","size":…,"ops_per_s":…}`.
 * `deno task bench` runs it beside `bench/native/clipboard_ref.c` (the same
 * sequence in plain C, in one process).
 *
 * @module
 */
import { readText, writeText } from "../clipboard/mod.ts";
import { timed } from "./_timing.ts";

const duration = Number(Deno.args[0] ?? 1000);

for (const size of [1024, 1024 * 1024]) {
  const chars = size / 2;
  let text = "";
  for (let i = 0; i < chars; i++) text += String.fromCharCode(97 + (i % 26));
  const ops = await timed(async () => {
    await writeText(text);
    const back = await readText();
    if (
      back === null || back.length !== chars || back[0] !== text[0] || back.at(-1) !== text.at(-1)
    ) {
      throw new Error("read back the wrong text");
    }
  }, { duration, warmup: duration / 4, batch: 1 });
  console.log(JSON.stringify({
    bench: "clipboard.text_write_read",
    impl: "winipc",
    size,
    ops_per_s: Math.round(ops),
  }));
}
