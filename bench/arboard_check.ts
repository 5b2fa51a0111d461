// Copyright 2026 the winipc authors. MIT license.
/**
 * Checks the arboard peer ({@linkcode runArboard}) and prints its figures:
 * one fresh Node.js for Windows process for each format `@napi-rs/clipboard`
 * has (text, image) at 1 KiB and 1 MiB, one JSON object a line:
 *
 * `{"bench":"clipboard.text_write_read","impl":"arboard","size":1024,"ops_per_s":…,
 * "require_ms":…,"first_set_ms":…,"first_get_ms":…,"startup_ms":…,"process_ms":…,…}`
 *
 * On Linux it installs Node.js for Windows and the packages
 * (`tools/wine/node_win.sh`), then runs itself under Wine
 * (`tools/wine/run.sh`); on Windows, or under Wine, it measures. Pin the run to
 * one CPU with `WINIPC_PIN=1`, as `deno task bench` does.
 *
 * Arguments: round trips at 1 KiB (default 500); at 1 MiB a tenth of them, at
 * least 10.
 *
 * @module
 */
import { ARBOARD_FORMATS, installArboard, runArboard } from "./_arboard.ts";

const iterations = Number(Deno.args[0] ?? 500);

if (Deno.build.os !== "windows") {
  await installArboard();
  const checkout = decodeURIComponent(new URL("../", import.meta.url).pathname);
  const { code } = await new Deno.Command("bash", {
    args: ["tools/wine/run.sh", "run", "-A", "--quiet", "bench/arboard_check.ts", ...Deno.args],
    cwd: checkout,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(code);
}

for (const format of ARBOARD_FORMATS) {
  for (const size of [1024, 1024 * 1024]) {
    const count = size === 1024 ? iterations : Math.max(10, Math.round(iterations / 10));
    const r = await runArboard({ format, bytes: size, iterations: count });
    console.log(JSON.stringify({
      bench: `clipboard.${format}_write_read`,
      impl: "arboard",
      size,
      ops_per_s: r.roundTripsPerSecond,
      iterations: r.iterations,
      require_ms: r.requireMs,
      first_set_ms: r.firstSetMs,
      first_get_ms: r.firstGetMs,
      startup_ms: r.startupMs,
      process_ms: r.processMs,
      node: r.node,
    }));
  }
}
