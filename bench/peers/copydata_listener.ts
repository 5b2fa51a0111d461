// Copyright 2026 the winipc authors. MIT license.
/**
 * A winipc `WM_COPYDATA` listener in a process of its own, for
 * `bench/copydata_bench.ts`'s winipc-to-winipc case: listens as the class
 * named by its first argument (constant reply 1), prints `ready`, takes
 * every message, and exits when its standard input closes.
 *
 * @module
 */
import { listenCopyData } from "../../copydata/mod.ts";

const listener = await listenCopyData({ className: Deno.args[0] ?? "winipc-bench" });
console.log("ready");
(async () => {
  for await (const _ of listener);
})();
await Deno.stdin.readable.pipeTo(new WritableStream());
listener.close();
