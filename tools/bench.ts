// Copyright 2026 the winipc authors. MIT license.
/**
 * The benchmark command (`deno task bench`).
 *
 * Runs every benchmark in `bench/*_bench.ts` and, beside each, its native C
 * reference from `bench/native/` (built with mingw-w64), in the same run.
 * On Linux both run under Wine with the wineserver and every process pinned
 * to CPU 0 (`WINIPC_PIN=1`; see the README for why). On Windows they run
 * natively; the native references are built when `gcc` is on the PATH.
 *
 * Output: one JSON object per line. The benchmarks' own lines carry
 * `"impl":"winipc"` or `"impl":"native"`; after them, one line per benchmark
 * measured both ways carries `"impl":"ratio"` with `winipc_vs_native`
 * (winipc's operations per second over the native program's; and over Deno's
 * TCP loopback, `node:net` pipes or `Deno.Command` where measured), and where
 * the native program also measured the polled completion-port strategy
 * winipc uses (`"impl":"native_iocp_poll"`), `winipc_vs_native_iocp_poll`.
 *
 * Arguments: milliseconds per benchmark (default 1000).
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { installArboard } from "../bench/_arboard.ts";
import { buildNative } from "./native.ts";

const root = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(
  /^\/([A-Za-z]:)/,
  "$1",
);
const milliseconds = Deno.args[0] ?? "1000";
const onWindows = Deno.build.os === "windows";

async function lines(command: string, args: string[], env: Record<string, string> = {}) {
  const child = new Deno.Command(command, {
    args,
    cwd: root,
    env,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const out: Record<string, unknown>[] = [];
  const stream = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TextLineStream() as TransformStream<string, string>,
  );
  for await (const line of stream) {
    if (!line.startsWith("{")) {
      console.error(line);
      continue;
    }
    console.log(line);
    out.push(JSON.parse(line));
  }
  const status = await child.status;
  if (!status.success) throw new Error(`${command} ${args.join(" ")} exited with ${status.code}`);
  return out;
}

function runDeno(script: string) {
  return onWindows
    ? lines(Deno.execPath(), ["run", "-A", "--quiet", script, milliseconds])
    : lines("bash", ["tools/wine/run.sh", "run", "-A", "--quiet", script, milliseconds], {
      WINIPC_PIN: "1",
    });
}

function runExe(exe: string) {
  return onWindows
    ? lines(`${root}${exe}`, [milliseconds])
    : lines("bash", ["tools/wine/run.sh", "--exe", exe, milliseconds], { WINIPC_PIN: "1" });
}

const benches = [...Deno.readDirSync(`${root}bench`)]
  .filter((entry) => entry.isFile && entry.name.endsWith("_bench.ts"))
  .map((entry) => entry.name.replace(/_bench\.ts$/, ""))
  .sort();

const references = await buildNative("bench/native");
// Node.js for Windows and @napi-rs/clipboard for the arboard peer (bench/_arboard.ts): npm runs
// on the host, before the Wine half. On Windows, runArboard installs them itself.
if (!onWindows) await installArboard();
for (const name of benches) {
  const ours = await runDeno(`bench/${name}_bench.ts`);
  const exe = references.get(`${name}_ref`);
  const native = exe ? await runExe(exe) : [];
  const key = (r: Record<string, unknown>) => `${r.bench}/${r.mode ?? ""}/${r.size ?? ""}`;
  // A time (ms, lower is better) counts as its inverse, so every ratio reads "higher is faster".
  const figure = (r: Record<string, unknown>) =>
    (r.ops_per_s ?? r.mb_per_s ?? r.msgs_per_s ?? r.gb_per_s ??
      (typeof r.ms === "number" ? 1 / r.ms : undefined)) as number;
  const all = [...ours, ...native];
  const by = (impl: string) =>
    new Map(all.filter((r) => r.impl === impl).map((r) => [key(r), figure(r)]));
  const nativeBy = by("native");
  const tcpBy = by("deno_tcp");
  const nodePipeBy = by("node_pipe");
  const pollBy = by("native_iocp_poll");
  const commandBy = by("deno_command");
  const localBy = by("local_set");
  const arboardBy = by("arboard");
  for (const r of ours.filter((r) => r.impl === "winipc")) {
    const n = nativeBy.get(key(r));
    const t = tcpBy.get(key(r));
    const np = nodePipeBy.get(key(r));
    const p = pollBy.get(key(r));
    const c = commandBy.get(key(r));
    const l = localBy.get(key(r));
    const a = arboardBy.get(key(r));
    if (
      n === undefined && t === undefined && np === undefined && c === undefined &&
      l === undefined && a === undefined
    ) continue;
    const ratio = (other: number | undefined) =>
      other === undefined ? undefined : Number((figure(r) / other).toFixed(3));
    console.log(JSON.stringify({
      bench: r.bench,
      ...(r.mode !== undefined ? { mode: r.mode } : {}),
      ...(r.size !== undefined ? { size: r.size } : {}),
      impl: "ratio",
      ...(n !== undefined ? { winipc_vs_native: ratio(n) } : {}),
      ...(t !== undefined ? { winipc_vs_deno_tcp: ratio(t) } : {}),
      ...(np !== undefined ? { winipc_vs_node_pipe: ratio(np) } : {}),
      ...(c !== undefined ? { winipc_vs_deno_command: ratio(c) } : {}),
      ...(p !== undefined ? { winipc_vs_native_iocp_poll: ratio(p) } : {}),
      ...(l !== undefined ? { winipc_vs_local_set: ratio(l) } : {}),
      ...(a !== undefined ? { winipc_vs_arboard: ratio(a) } : {}),
    }));
  }
}
