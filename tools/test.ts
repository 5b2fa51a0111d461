// Copyright 2026 the winipc authors. MIT license.
/**
 * The test command (`deno task test`).
 *
 * - On Windows: the whole suite, natively.
 * - Elsewhere: the OS-independent unit tests (and the documentation
 *   examples that need no Windows) natively, then the Windows suite under
 *   Deno for Windows in Wine 10 (`tools/wine/run.sh`, which builds or
 *   reuses the Wine environment).
 *
 * The Windows suite is every `*_windows_test.ts` file and everything under
 * `tests/`; the unit tests are the other `*_test.ts` files. The last line is
 * `N passed, N failed, N skipped`, summed over both halves; tests that cannot
 * pass under Wine are reported as ignored, with their reason, and counted as
 * skipped. The exit code is non-zero if anything failed or a half could not
 * run.
 *
 * Arguments after `--` go to `deno test` in both halves (for example
 * `deno task test -- --filter wait`).
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { buildNative } from "./native.ts";
import { examples } from "./_examples.ts";

const root = new URL("../", import.meta.url);
const rootPath = decodeURIComponent(root.pathname).replace(/^\/([A-Za-z]:)/, "$1");
const extra = Deno.args[0] === "--" ? Deno.args.slice(1) : [...Deno.args];
const timeoutMinutes = Number(Deno.env.get("WINIPC_TEST_TIMEOUT_MINUTES") ?? 30);

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  ran: boolean;
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      if (/^(\.|node_modules$|scratch|build$)/.test(entry.name)) continue;
      found.push(...await listFiles(dir, path));
    } else if (entry.name.endsWith(".ts")) {
      found.push(path);
    }
  }
  return found.sort();
}

const isWindowsSuite = (path: string) =>
  path.endsWith("_windows_test.ts") || path.startsWith("tests/");

// deno test's summary: "ok | 14 passed (20 steps) | 0 failed | 2 ignored (202ms)"
const SUMMARY = /^(ok|FAILED) \| (\d+) passed.*?\| (\d+) failed(?:.*?\| (\d+) ignored)?/;
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

async function run(label: string, command: string, args: string[]): Promise<Counts> {
  console.log(`\nwinipc: ${label}`);
  const counts: Counts = { passed: 0, failed: 0, skipped: 0, ran: false };
  const child = new Deno.Command(command, {
    args,
    cwd: rootPath,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const watchdog = setTimeout(() => {
    console.error(`winipc: ${label} took over ${timeoutMinutes} minutes; stopping it`);
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMinutes * 60_000);
  // npm:deno-std carries no type declarations, hence the cast.
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TextLineStream() as TransformStream<string, string>,
  );
  for await (const line of lines) {
    console.log(line);
    const match = SUMMARY.exec(line.replace(ANSI, ""));
    if (match) {
      counts.passed += Number(match[2]);
      counts.failed += Number(match[3]);
      counts.skipped += Number(match[4] ?? 0);
      counts.ran = true;
    }
  }
  const status = await child.status;
  clearTimeout(watchdog);
  if (!status.success && counts.failed === 0) {
    // The runner failed without a failing test: a type error, a crash, a
    // missing harness. That is a failure of the whole half.
    console.error(`winipc: ${label} exited with code ${status.code}`);
    counts.ran = false;
  }
  return counts;
}

const files = await listFiles(rootPath);
const all = files.filter((path) => path.endsWith("_test.ts"));
const unit = all.filter((path) => !isWindowsSuite(path));
const windows = all.filter(isWindowsSuite);
// The modules whose documentation examples run (`--doc`): those with an
// example fenced `ts` and none fenced `ts no-run` (which needs Windows or a
// peer: type-checked by `deno task check`, never run; see tools/_examples.ts).
const doctested: string[] = [];
for (const path of files.filter((path) => !path.endsWith("_test.ts"))) {
  const found = examples(path, await Deno.readTextFile(`${rootPath}${path}`));
  if (found.some((e) => e.kind === "run") && !found.some((e) => e.kind === "no-run")) {
    doctested.push(path);
  }
}
const denoTest = ["test", "-A", "--v8-flags=--expose-gc"];
// Native peers for the interop tests; on Linux the compiler comes with the
// Wine harness, so make sure it is there first.
if (Deno.build.os !== "windows") {
  const setup = await new Deno.Command("bash", { args: [`${rootPath}tools/wine/setup.sh`] }).spawn()
    .status;
  if (!setup.success) console.error("winipc: the Wine harness could not be set up");
}
await buildNative("tests/native");
const halves: Array<[string, Counts]> = [];

if (Deno.build.os === "windows") {
  halves.push([
    "all tests (Windows, native)",
    await run("all tests, natively on Windows", Deno.execPath(), [
      ...denoTest,
      "--doc",
      ...extra,
      ...all,
      ...doctested,
    ]),
  ]);
} else {
  halves.push([
    `unit tests (${Deno.build.os}, native)`,
    await run(`unit tests and doc examples, natively on ${Deno.build.os}`, Deno.execPath(), [
      ...denoTest,
      "--doc",
      ...extra,
      ...unit,
      ...doctested,
    ]),
  ]);
  halves.push([
    "Windows suite (Deno for Windows under Wine)",
    await run("Windows suite, Deno for Windows under Wine 10", "bash", [
      `${rootPath}tools/wine/run.sh`,
      ...denoTest,
      ...extra,
      ...windows,
    ]),
  ]);
}

let passed = 0, failed = 0, skipped = 0, broken = false;
console.log("\nwinipc: summary");
for (const [label, counts] of halves) {
  console.log(
    `  ${label}: ${
      counts.ran
        ? `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`
        : "DID NOT RUN"
    }`,
  );
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
  if (!counts.ran) broken = true;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
Deno.exit(failed > 0 || broken ? 1 : 0);
