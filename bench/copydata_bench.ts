// Copyright 2026 the winipc authors. MIT license.
/**
 * WM_COPYDATA benchmark: round trips per second between two processes, at
 * 64 B and 4 KiB.
 *
 * - `"impl":"winipc"`: a winipc listener in this process, fed by the native
 *   reference's C sender (`build/copydata_ref.exe send CLASS SIZE COUNT`,
 *   each `SendMessageTimeoutW` waiting for the reply); timed from the first
 *   message received to the last, like the reference.
 * - `"impl":"winipc_reply_function"`: the same, with the reply decided per
 *   message by a JavaScript function (the window thread waits for the main
 *   thread: one more thread hop per message).
 * - `"impl":"winipc_sender_c_receiver"`: `sendCopyData` from this process,
 *   one at a time, to the reference's C window (`copydata_ref.exe recv`).
 * - `"impl":"winipc_to_winipc"`: `sendCopyData` from this process to a
 *   winipc listener in another process (`bench/peers/copydata_listener.ts`).
 *
 * Prints `{"bench":"copydata.roundtrip","impl":…,"size":…,"msgs_per_s":…}`.
 * `deno task bench` runs it beside `bench/native/copydata_ref.c` (a C sender
 * and a C window doing the same).
 *
 * @module
 */
import { findWindow, listenCopyData, sendCopyData } from "../copydata/mod.ts";
import { timed } from "./_timing.ts";

const duration = Number(Deno.args[0] ?? 1000);
const reference = decodeURIComponent(new URL("../build/copydata_ref.exe", import.meta.url).pathname)
  .replace(/^\/([A-Za-z]:)/, "$1");
let serial = 0;

async function receiving(size: number, count: number, replyFunction = false): Promise<number> {
  const className = `winipc-bench-${Deno.pid}-${++serial}`;
  await using listener = await listenCopyData(
    replyFunction ? { className, reply: (m) => m.bytes.length > 0 ? 1 : 0 } : { className },
  );
  const sender = new Deno.Command(reference, {
    args: ["send", className, String(size), String(count)],
  }).spawn();
  const first = await listener.receive({ timeout: 30_000 });
  if (first.bytes.length !== size) throw new Error(`got ${first.bytes.length} bytes, sent ${size}`);
  const start = performance.now();
  for (let i = 1; i < count; i++) {
    const message = await listener.receive({ timeout: 30_000 });
    if (message.bytes.length !== size) {
      throw new Error(`got ${message.bytes.length} bytes, sent ${size}`);
    }
  }
  const elapsed = performance.now() - start;
  const status = await sender.status;
  if (!status.success) throw new Error(`the C sender exited with ${status.code}`);
  return (count - 1) / (elapsed / 1000);
}

async function sending(size: number, toWinipc = false): Promise<number> {
  const className = `winipc-bench-${Deno.pid}-${++serial}`;
  const receiver = toWinipc
    ? new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        new URL("./peers/copydata_listener.ts", import.meta.url).href,
        className,
      ],
      stdin: "piped",
      stdout: "piped",
    }).spawn()
    : new Deno.Command(reference, { args: ["recv", className], stdout: "piped" }).spawn();
  try {
    const reader = receiver.stdout.getReader();
    const { value } = await reader.read();
    if (!new TextDecoder().decode(value).startsWith("ready")) throw new Error("no C receiver");
    reader.releaseLock();
    const data = new Uint8Array(size).fill(7);
    const window = findWindow({ className });
    if (window === null) throw new Error("the C receiver's window is missing");
    return await timed(async () => {
      if (await sendCopyData({ window }, data) !== 1) throw new Error("reply is not 1");
    }, { duration, warmup: duration / 4 });
  } finally {
    if (toWinipc) await receiver.stdin.close();
    else receiver.kill();
    await receiver.stdout.cancel().catch(() => {});
    await receiver.status;
  }
}

for (const size of [64, 4096]) {
  const warm = await receiving(size, Math.max(100, Math.floor(duration * 2.5)));
  const count = Math.max(1000, Math.floor((warm * duration) / 1000));
  console.log(JSON.stringify({
    bench: "copydata.roundtrip",
    impl: "winipc",
    size,
    msgs_per_s: Math.round(await receiving(size, count)),
  }));
  console.log(JSON.stringify({
    bench: "copydata.roundtrip",
    impl: "winipc_reply_function",
    size,
    msgs_per_s: Math.round(await receiving(size, count, true)),
  }));
  console.log(JSON.stringify({
    bench: "copydata.roundtrip",
    impl: "winipc_sender_c_receiver",
    size,
    msgs_per_s: Math.round(await sending(size)),
  }));
  console.log(JSON.stringify({
    bench: "copydata.roundtrip",
    impl: "winipc_to_winipc",
    size,
    msgs_per_s: Math.round(await sending(size, true)),
  }));
}
