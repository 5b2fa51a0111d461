// Copyright 2026 the winipc authors. MIT license.
/**
 * The examples of README.md (and of docs/*.md) run as written.
 *
 * Every block fenced `ts` (not `ts no-run` or `ts ignore`: see
 * tools/_examples.ts) is taken from the file at test time, written to a
 * module of its own and run as a program: `deno run -A` with this
 * checkout's deno.json, so `@winipc/winipc/...` is this checkout, as a user's
 * import map makes it the package. It must exit with 0 within a minute, and
 * print what its comments say: a `console.log(...)` line whose comment starts
 * with a string literal (`// "hello"`) must have printed that string.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { examples } from "../tools/_examples.ts";
import { repoPath, windowsTest } from "./_helpers.ts";

const TIMEOUT_MS = 60_000;

const files = ["README.md"];
for (const entry of Deno.readDirSync(repoPath("docs"))) {
  if (entry.isFile && entry.name.endsWith(".md")) files.push(`docs/${entry.name}`);
}

/**
 * The strings a block says it prints: the leading string literal of the
 * comment of each `console.log(...)` line.
 */
function promised(code: string): string[] {
  const found: string[] = [];
  for (const line of code.split("\n")) {
    const match = /console\.log\(.*\/\/ ("(?:[^"\\]|\\.)*")/.exec(line);
    if (match?.[1] !== undefined) found.push(JSON.parse(match[1]));
  }
  return found;
}

let runnable = 0;
for (const file of files.sort()) {
  for (const example of examples(file, Deno.readTextFileSync(repoPath(file)))) {
    if (example.kind !== "run") continue;
    runnable++;
    const title = example.code.match(/^\/\/ (.*)$/m)?.[1] ?? "";
    windowsTest(`${file}:${example.line} runs as written: ${title}`, {}, async () => {
      const path = await Deno.makeTempFile({ prefix: "winipc-readme-", suffix: ".ts" });
      try {
        await Deno.writeTextFile(path, example.code);
        const output = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--quiet", "--config", repoPath("deno.json"), path],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
          signal: AbortSignal.timeout(TIMEOUT_MS),
        }).output();
        const stdout = new TextDecoder().decode(output.stdout);
        const stderr = new TextDecoder().decode(output.stderr);
        const report = `stdout:\n${stdout}\nstderr:\n${stderr}`;
        assertEquals(output.signal, null, `killed after ${TIMEOUT_MS} ms\n${report}`);
        assertEquals(output.code, 0, report);
        for (const text of promised(example.code)) assertStringIncludes(stdout, text, report);
      } finally {
        await Deno.remove(path);
      }
    });
  }
}

Deno.test("the README has runnable examples, and each says what it prints", () => {
  const readme = examples("README.md", Deno.readTextFileSync(repoPath("README.md")));
  const run = readme.filter((e) => e.kind === "run");
  assert(run.length >= 7, `only ${run.length} runnable examples in README.md`);
  assertEquals(runnable >= run.length, true);
  assertEquals(promised('console.log(x); // "a\\r\\nb", then more'), ["a\r\nb"]);
});
