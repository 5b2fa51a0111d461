// Copyright 2026 the winipc authors. MIT license.
// The command line itself on every OS: help, usage errors and their exit
// code, option parsing, and the NotSupported error off Windows. (The
// commands run under Wine in tests/cli_test.ts.)
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { main, VERSION } from "./main.ts";
import { matchesFilter } from "./pipe.ts";
import { parseTag } from "./copydata.ts";

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    streams: { stdout: (text) => stdout += text, stderr: (text) => stderr += text },
  });
  return { code, stdout, stderr };
}

Deno.test("winipc --help lists every group, global options and exit codes", async () => {
  const { code, stdout, stderr } = await run(["--help"]);
  assertEquals([code, stderr], [0, ""]);
  for (const group of ["pipe", "mailslot", "shm", "sync", "copydata"]) {
    assertMatch(stdout, new RegExp(`^  ${group} <command> `, "m"));
  }
  assertStringIncludes(stdout, "Exit codes: 0 done, 1 error, 2 usage error");
  assertEquals((await run(["-h"])).stdout, stdout);
});

Deno.test("every group and command has --help with a usage line and examples", async (t) => {
  const commands = [
    ["pipe", "list"],
    ["pipe", "serve"],
    ["pipe", "connect"],
    ["pipe", "call"],
    ["pipe", "server-pid"],
    ["mailslot", "create"],
    ["mailslot", "send"],
    ["shm", "create"],
    ["shm", "dump"],
    ["shm", "write"],
    ["shm", "send"],
    ["shm", "receive"],
    ["sync", "event", "create"],
    ["sync", "event", "set"],
    ["sync", "event", "reset"],
    ["sync", "event", "wait"],
    ["sync", "mutex", "hold"],
    ["sync", "semaphore", "create"],
    ["sync", "semaphore", "release"],
    ["sync", "semaphore", "acquire"],
    ["sync", "wait-any"],
    ["copydata", "send"],
    ["copydata", "listen"],
  ];
  for (const path of commands) {
    await t.step(path.join(" "), async () => {
      const { code, stdout } = await run([...path, "--help"]);
      assertEquals(code, 0);
      assertMatch(
        stdout,
        new RegExp(`^Usage: winipc ${path.join(" ")}[ A-Z.\\[\\]]* \\[options\\]$`, "m"),
      );
      assertMatch(
        stdout,
        new RegExp(`^Examples:\\n(  .*\\n)*  winipc ${path.slice(0, 2).join(" ")}`, "m"),
      );
      assertStringIncludes(stdout, "--json");
    });
  }
  for (const group of [["pipe"], ["mailslot"], ["shm"], ["sync"], ["sync", "event"]]) {
    const { code, stdout } = await run([...group, "--help"]);
    assertEquals(code, 0);
    assertStringIncludes(stdout, `Usage: winipc ${group.join(" ")} <command> [options]`);
  }
});

Deno.test("usage errors exit 2 with one line and a hint, in text and --json", async (t) => {
  const cases: Array<[string[], string]> = [
    [[], "missing command"],
    [
      ["pipes"],
      'unknown command "pipes"; winipc has: pipe, mailslot, shm, sync, copydata, clipboard',
    ],
    [["pipe"], 'missing command after "winipc pipe"'],
    [["--bogus", "pipe", "list"], "unknown option --bogus"],
    [["pipe", "connect"], "missing NAME"],
    [["pipe", "connect", "a", "b"], 'unexpected argument "b"'],
    [["pipe", "connect", "a", "--tiemout", "5"], "unknown option --tiemout"],
    [["pipe", "connect", "a", "--timeout"], "--timeout needs a value"],
    [["sync", "wait-any"], "missing OBJECT"],
    [["shm", "dump", "x", "--offset", "--length", "4"], "--offset needs a value"],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" ") || "(nothing)", async () => {
      const { code, stdout, stderr } = await run(args);
      assertEquals(code, 2);
      assertEquals(stdout, "");
      const lines = stderr.split("\n");
      assertEquals(lines[0], `winipc: ${message}`);
      assertMatch(lines[1]!, /^Run "winipc( [a-z-]+)*( --help)?" for usage\.$/);
      assertEquals(lines.length, 3, stderr);
    });
  }
  await t.step("--json adds the error as a record", async () => {
    const { code, stdout } = await run(["--json", "pipe", "connect"]);
    assertEquals(code, 2);
    assertEquals(JSON.parse(stdout), {
      type: "error",
      error: "UsageError",
      message: "missing NAME",
    });
  });
});

Deno.test("copydata listen --count=many: a count is checked after parsing", async () => {
  // `--count=many` parses (count takes a value); the value is checked when the
  // command runs, which off Windows stops at NotSupported first.
  const { code } = await run(["copydata", "listen", "--count", "many"]);
  assertEquals(code, Deno.build.os === "windows" ? 2 : 1);
});

Deno.test({
  name: "off Windows a command fails with one NotSupported line and exit code 1",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { code, stdout, stderr } = await run(["--json", "sync", "event", "set", "ready"]);
    assertEquals(code, 1);
    assertEquals(
      stderr,
      `winipc: winipc sync event set needs Windows (this is ${Deno.build.os}); winipc uses the Win32 API through Deno.dlopen\n`,
    );
    assertEquals(JSON.parse(stdout).error, "NotSupported");
    // After "--", --json is a message, not the flag.
    const literal = await run(["mailslot", "send", "jobs", "--", "--json"]);
    assertEquals([literal.code, literal.stdout], [1, ""]);
    assertMatch(literal.stderr, /^winipc: winipc mailslot send needs Windows/);
    const debug = await run(["--debug", "pipe", "list"]);
    assertEquals(debug.code, 1);
    assertMatch(debug.stderr, /^NotSupported: .*\n\s+at /);
  },
});

Deno.test("--version prints the package version", async () => {
  const { code, stdout } = await run(["--version"]);
  assertEquals(code, 0);
  assertEquals(stdout, `winipc ${VERSION}\n`);
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assertEquals(VERSION, config.version, "cli/main.ts VERSION follows deno.json");
});

Deno.test("pipe list FILTER: a part of the name, or a pattern with * and ?", () => {
  assert(matchesFilter("winipc-test-1", "TEST"));
  assert(!matchesFilter("winipc-test-1", "prod"));
  assert(matchesFilter("winipc-test-1", "winipc-*"));
  assert(!matchesFilter("x-winipc-test-1", "winipc-*"));
  assert(matchesFilter("a.b", "?.?"));
  assert(!matchesFilter("axb", "a.b*"), "a dot is a dot");
  assert(matchesFilter("mojo.1234.5678", "mojo.*.5678"));
});

Deno.test("copydata --tag: 0 to 2^64 - 1, decimal or hex", () => {
  assertEquals(parseTag("0"), 0n);
  assertEquals(parseTag("0xffffffffffffffff"), 2n ** 64n - 1n);
  assertEquals(parseTag("18446744073709551615"), 2n ** 64n - 1n);
  for (const bad of ["-1", "18446744073709551616", "1.5", "x"]) {
    let threw = false;
    try {
      parseTag(bad);
    } catch (error) {
      threw = error instanceof Error && error.name === "UsageError";
    }
    assert(threw, bad);
  }
});
