// Copyright 2026 the winipc authors. MIT license.
/**
 * Mailslot benchmark: messages per second from another process. The parent
 * creates a slot and starts a copy of this script that opens it and sends
 * `count` messages of `size` bytes as fast as it can; the parent receives
 * them all, timing from the first message to the last.
 *
 * Prints `{"bench":"mailslot.throughput","impl":"winipc","size":…,"msgs_per_s":…}`,
 * and the same with `"impl":"winipc_reader_c_writer"`: a winipc reader fed
 * by the native reference's C writer (`build/mailslot_ref.exe send`), which
 * shows the reading side alone.
 * `deno task bench` runs it beside `bench/native/mailslot_ref.c` (a C writer
 * and reader doing the same), pinned to one CPU under Wine.
 *
 * @module
 */
import { createMailslot, openMailslot } from "../mailslot/mod.ts";

if (Deno.args[0] === "--send") {
  const [, name, size, count] = Deno.args;
  if (name === undefined) throw new Error("mailslot_bench.ts --send: missing NAME");
  using slot = openMailslot(name);
  const message = new Uint8Array(Number(size)).fill(7);
  for (let i = 0; i < Number(count); i++) await slot.send(message);
  Deno.exit(0);
}

const duration = Number(Deno.args[0] ?? 1000);
const script = new URL(import.meta.url).pathname.replace(/^\/([A-Za-z]:)/, "$1");
let serial = 0;

const nativeWriter = decodeURIComponent(
  new URL("../build/mailslot_ref.exe", import.meta.url).pathname,
)
  .replace(/^\/([A-Za-z]:)/, "$1");

async function round(size: number, count: number, cWriter: boolean): Promise<number> {
  const name = `winipc-bench-${Deno.pid}-${++serial}`;
  using slot = createMailslot(name, { maxMessageSize: 1024 });
  const writer = cWriter
    ? new Deno.Command(nativeWriter, {
      args: ["send", `\\\\.\\mailslot\\${name}`, String(size), String(count)],
    }).spawn()
    : new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", script, "--send", name, String(size), String(count)],
    }).spawn();
  const first = await slot.receive({ timeout: 30_000 });
  if (first.length !== size) throw new Error(`got ${first.length} bytes, sent ${size}`);
  const start = performance.now();
  for (let i = 1; i < count; i++) {
    const message = await slot.receive({ timeout: 30_000 });
    if (message.length !== size) throw new Error(`got ${message.length} bytes, sent ${size}`);
  }
  const elapsed = performance.now() - start;
  const status = await writer.status;
  if (!status.success) throw new Error(`the writer exited with ${status.code}`);
  return (count - 1) / (elapsed / 1000);
}

for (const size of [64, 400]) {
  for (const cWriter of [false, true]) {
    const warm = await round(size, Math.max(100, Math.floor(duration * 5)), cWriter);
    const count = Math.max(1000, Math.floor((warm * duration) / 1000));
    const rate = await round(size, count, cWriter);
    console.log(JSON.stringify({
      bench: "mailslot.throughput",
      impl: cWriter ? "winipc_reader_c_writer" : "winipc",
      size,
      msgs_per_s: Math.round(rate),
    }));
  }
}
