// Copyright 2026 the winipc authors. MIT license.
// The command line itself on every OS: help, usage errors and their exit
// code, option parsing, and the NotSupported error off Windows. (The
// commands run under Wine in tests/cli_test.ts.)
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { main, VERSION } from "./main.ts";
import { matchesFilter } from "./named_pipe.ts";
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
  // The groups are named as the modules are (@winipc/winipc/named-pipe, ...).
  for (
    const group of ["named-pipe", "mailslot", "shared-memory", "sync", "copydata", "clipboard"]
  ) {
    assertMatch(stdout, new RegExp(`^  ${group} <command> `, "m"));
  }
  assertMatch(stdout, /^ {2}named-pipe <command> .*\(alias: pipe\)$/m);
  assertMatch(stdout, /^ {2}shared-memory <command> .*\(alias: shm\)$/m);
  assertStringIncludes(
    stdout,
    "Exit codes: 0 done, 1 error, 2 usage error, 124 timed out, 130 interrupted",
  );
  assertEquals((await run(["-h"])).stdout, stdout);
});

Deno.test("every group and command has --help with a usage line and examples", async (t) => {
  const commands = [
    ["named-pipe", "list"],
    ["named-pipe", "serve"],
    ["named-pipe", "connect"],
    ["named-pipe", "call"],
    ["named-pipe", "server-pid"],
    ["mailslot", "create"],
    ["mailslot", "send"],
    ["shared-memory", "create"],
    ["shared-memory", "dump"],
    ["shared-memory", "write"],
    ["shared-memory", "send"],
    ["shared-memory", "receive"],
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
    ["clipboard", "get"],
    ["clipboard", "set"],
    ["clipboard", "formats"],
    ["clipboard", "watch"],
    ["clipboard", "clear"],
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
  for (
    const group of [
      ["named-pipe"],
      ["mailslot"],
      ["shared-memory"],
      ["sync"],
      ["sync", "event"],
      ["copydata"],
      ["clipboard"],
    ]
  ) {
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
      'unknown command "pipes"; winipc has: named-pipe, mailslot, shared-memory, sync, copydata, clipboard',
    ],
    [["named-pipe"], 'missing command after "winipc named-pipe"'],
    [["--bogus", "pipe", "list"], "unknown option --bogus"],
    [["named-pipe", "connect"], "missing NAME"],
    [["named-pipe", "connect", "a", "b"], 'unexpected argument "b"'],
    [["named-pipe", "connect", "a", "--tiemout", "5"], "unknown option --tiemout"],
    [["named-pipe", "connect", "a", "--timeout"], "--timeout needs a value"],
    [["sync", "wait-any"], "missing OBJECT"],
    [["shared-memory", "dump", "x", "--offset", "--length", "4"], "--offset needs a value"],
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
    const { code, stdout } = await run(["--json", "named-pipe", "connect"]);
    assertEquals(code, 2);
    assertEquals(JSON.parse(stdout), {
      type: "error",
      error: "UsageError",
      message: "missing NAME",
    });
  });
});

Deno.test("the short group names pipe and shm are aliases of named-pipe and shared-memory", async () => {
  assertEquals(
    (await run(["pipe", "--help"])).stdout,
    (await run(["named-pipe", "--help"])).stdout,
  );
  assertEquals(
    (await run(["shm", "dump", "--help"])).stdout,
    (await run(["shared-memory", "dump", "--help"])).stdout,
  );
  // Messages and hints name the group by its own name.
  assertEquals(
    (await run(["pipe", "connect"])).stderr,
    [
      "winipc: missing NAME",
      'Run "winipc named-pipe connect --help" for usage.',
      "",
    ].join("\n"),
  );
  assertEquals(
    (await run(["shm"])).stderr,
    [
      'winipc: missing command after "winipc shared-memory"',
      'Run "winipc shared-memory --help" for usage.',
      "",
    ].join("\n"),
  );
});

const DURATION = "a duration of 0 or more, such as 500, 500ms, 2s or Infinity";
const BYTES = "a number of bytes such as 4096, 0x1000 or 64k";
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

Deno.test("every command checks its arguments before the platform: exit 2 and the option's own message on every OS", async (t) => {
  const cases: Array<[string[], string]> = [
    // What Linux used to answer with "needs Windows".
    [["copydata", "send", "hi"], "say where to send: --class, --title or --window"],
    [
      ["copydata", "send", "--class", "C", "--tag", "18446744073709551616", "hi"],
      '--tag must be a whole number from 0 to 2^64 - 1, got "18446744073709551616"',
    ],
    [
      ["copydata", "send", "--class", "C", "--timeout", "abc", "hi"],
      `--timeout must be ${DURATION}, got "abc"`,
    ],
    [
      ["copydata", "send", "--class", "C", "--encoding", "latin1", "hi"],
      '--encoding must be utf-8 or utf-16le, got "latin1"',
    ],
    [
      ["copydata", "send", "--class", "C", "--hex", "zz"],
      '--hex must be pairs of hex digits such as "de ad be ef", got "zz"',
    ],
    [
      ["clipboard", "set", "--as", "bogus", "x"],
      '--as must be one of text, html, rtf, files, image, got "bogus"',
    ],
    [
      ["copydata", "listen", "--count", "1.5"],
      `--count must be a whole number from 1 to ${MAX_SAFE}, got "1.5"`,
    ],
    // Negative numbers reach the option's own check (they used to be "unknown option -1").
    [
      ["copydata", "send", "--class", "C", "--tag", "-1", "hi"],
      '--tag must be a whole number from 0 to 2^64 - 1, got "-1"',
    ],
    [
      ["sync", "event", "wait", "ready", "--timeout", "-1"],
      `--timeout must be ${DURATION}, got "-1"`,
    ],
    [
      ["mailslot", "create", "jobs", "--count", "-3"],
      `--count must be a whole number from 1 to ${MAX_SAFE}, got "-3"`,
    ],
    [
      ["clipboard", "set", "--clear-after", "-5", "x"],
      `--clear-after must be ${DURATION}, got "-5"`,
    ],
    [["shared-memory", "dump", "state", "--offset", "-1"], `--offset must be ${BYTES}, got "-1"`],
    [
      ["copydata", "listen", "--reply", "-2147483649"],
      '--reply must be a whole number from -2147483648 to 4294967295, got "-2147483649"',
    ],
    // Every other check of every command.
    [
      ["named-pipe", "serve", "p", "--mode", "bytes"],
      '--mode must be byte or message, got "bytes"',
    ],
    [
      ["named-pipe", "serve", "p", "--echo", "--clients", "0"],
      `--clients must be a whole number from 1 to ${MAX_SAFE}, got "0"`,
    ],
    [["named-pipe", "serve", "p", "--clients", "2"], "--clients goes with --echo"],
    [
      ["named-pipe", "serve", "p", "--security", "all"],
      '--security must be owner or everyone, got "all"',
    ],
    [
      ["named-pipe", "serve", "p", "--timeout", "soon"],
      `--timeout must be ${DURATION}, got "soon"`,
    ],
    [["named-pipe", "connect", "p", "--linger", "-1"], `--linger must be ${DURATION}, got "-1"`],
    [["named-pipe", "connect", "p", "--mode", "x"], '--mode must be byte or message, got "x"'],
    [["named-pipe", "call", "p", "hi", "--file", "f"], "give MESSAGE or --file, not both"],
    [
      ["named-pipe", "call", "p", "hi", "--encoding", "ascii"],
      '--encoding must be utf-8 or utf-16le, got "ascii"',
    ],
    [
      ["named-pipe", "server-pid", "p", "--timeout", "1e3"],
      `--timeout must be ${DURATION}, got "1e3"`,
    ],
    [
      ["mailslot", "create", "jobs", "--max-size", "1.5k"],
      `--max-size must be ${BYTES}, got "1.5k"`,
    ],
    [
      ["mailslot", "create", "jobs", "--security", "x"],
      '--security must be owner or everyone, got "x"',
    ],
    [
      ["mailslot", "create", "jobs", "--encoding", "x"],
      '--encoding must be utf-8 or utf-16le, got "x"',
    ],
    [["mailslot", "create", "jobs", "--timeout", "-1"], `--timeout must be ${DURATION}, got "-1"`],
    [["mailslot", "send", "jobs", "hi", "--file", "f"], "give messages or --file, not both"],
    [
      ["mailslot", "send", "jobs", "--encoding", "x"],
      '--encoding must be utf-8 or utf-16le, got "x"',
    ],
    [["shared-memory", "create", "state"], "--size is required"],
    [["shared-memory", "create", "state", "--size", "0"], "--size must be at least 1 byte"],
    [
      ["shared-memory", "create", "state", "--size", "99999999999G"],
      "--size is too large: 99999999999G",
    ],
    [
      ["shared-memory", "create", "state", "--size", "1", "--hold", "-1"],
      `--hold must be ${DURATION}, got "-1"`,
    ],
    [
      ["shared-memory", "create", "state", "--size", "1", "--security", "x"],
      '--security must be owner or everyone, got "x"',
    ],
    [["shared-memory", "dump", "state", "--length", "x"], `--length must be ${BYTES}, got "x"`],
    [["shared-memory", "write", "state"], "give exactly one of --hex, --text and --file"],
    [
      ["shared-memory", "write", "state", "--hex", "abc"],
      '--hex must be pairs of hex digits such as "de ad be ef", got "abc"',
    ],
    [
      ["shared-memory", "write", "state", "--text", "a", "--offset", "-1"],
      `--offset must be ${BYTES}, got "-1"`,
    ],
    [["shared-memory", "send", "ch", "hi", "--file", "f"], "give messages or --file, not both"],
    [["shared-memory", "send", "ch", "--timeout", "x"], `--timeout must be ${DURATION}, got "x"`],
    [
      ["shared-memory", "send", "ch", "--encoding", "x"],
      '--encoding must be utf-8 or utf-16le, got "x"',
    ],
    [
      ["shared-memory", "receive", "ch", "--open", "--capacity", "64k"],
      "--capacity is for a channel this command creates, not with --open",
    ],
    [["shared-memory", "receive", "ch", "--capacity", "x"], `--capacity must be ${BYTES}, got "x"`],
    [
      ["shared-memory", "receive", "ch", "--count", "0"],
      `--count must be a whole number from 1 to ${MAX_SAFE}, got "0"`,
    ],
    [
      ["shared-memory", "receive", "ch", "--encoding", "x"],
      '--encoding must be utf-8 or utf-16le, got "x"',
    ],
    [["sync", "event", "create", "e", "--hold", "soon"], `--hold must be ${DURATION}, got "soon"`],
    [["sync", "mutex", "hold", "m", "--hold", "-1"], `--hold must be ${DURATION}, got "-1"`],
    [["sync", "mutex", "hold", "m", "--timeout", "-1"], `--timeout must be ${DURATION}, got "-1"`],
    [
      ["sync", "semaphore", "create", "s", "--initial", "2147483648"],
      '--initial must be a whole number from 0 to 2147483647, got "2147483648"',
    ],
    [
      ["sync", "semaphore", "create", "s", "--maximum", "0"],
      '--maximum must be a whole number from 1 to 2147483647, got "0"',
    ],
    [
      ["sync", "semaphore", "create", "s", "--maximum", "2", "--initial", "3"],
      '--initial must be a whole number from 0 to 2, got "3"',
    ],
    [
      ["sync", "semaphore", "create", "s", "--maximum", "2", "--hold", "x"],
      `--hold must be ${DURATION}, got "x"`,
    ],
    [
      ["sync", "semaphore", "release", "s", "--count", "-1"],
      '--count must be a whole number from 1 to 2147483647, got "-1"',
    ],
    [
      ["sync", "semaphore", "acquire", "s", "--timeout", "-5"],
      `--timeout must be ${DURATION}, got "-5"`,
    ],
    [["sync", "wait-any", "mutex:m"], '"mutex:m": the kind must be event, semaphore or timer'],
    [["sync", "wait-any", "e", "event:"], '"event:" has no name'],
    [["sync", "wait-any", "e", "--timeout", "x"], `--timeout must be ${DURATION}, got "x"`],
    [
      ["copydata", "send", "--window", "1", "--class", "C", "hi"],
      "give --window, or --class and/or --title",
    ],
    [
      ["copydata", "send", "--window", "-1", "hi"],
      '--window must be a whole number from 0 to 2^64 - 1, got "-1"',
    ],
    [
      ["copydata", "send", "--class", "C", "hi", "--hex", "00"],
      "give exactly one of TEXT, --hex and --file",
    ],
    [["copydata", "send", "--class", "C"], "give exactly one of TEXT, --hex and --file"],
    [
      ["copydata", "listen", "--reply", "4294967296"],
      '--reply must be a whole number from -2147483648 to 4294967295, got "4294967296"',
    ],
    [["copydata", "listen", "--encoding", "x"], '--encoding must be utf-8 or utf-16le, got "x"'],
    [["copydata", "listen", "--timeout", "x"], `--timeout must be ${DURATION}, got "x"`],
    [["clipboard", "get", "--format", "X"], "--format needs --out FILE"],
    [
      ["clipboard", "get", "--as", "gif"],
      '--as must be one of text, html, rtf, files, image, got "gif"',
    ],
    [["clipboard", "set", "a", "b"], "--as text takes one VALUE (quote it), got 2"],
    [
      ["clipboard", "set", "--as", "image", "a.png", "b.png"],
      "--as image takes one VALUE (quote it), got 2",
    ],
    [["clipboard", "set", "--as", "files"], "--as files needs at least one path"],
    [
      ["clipboard", "watch", "--count", "0"],
      `--count must be a whole number from 1 to ${MAX_SAFE}, got "0"`,
    ],
    [["clipboard", "watch", "--timeout", "x"], `--timeout must be ${DURATION}, got "x"`],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const { code, stdout, stderr } = await run(args);
      assertEquals(stderr.split("\n")[0], `winipc: ${message}`);
      assertEquals([code, stdout], [2, ""]);
    });
  }
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
    const debug = await run(["--debug", "named-pipe", "list"]);
    assertEquals(debug.code, 1);
    assertMatch(debug.stderr, /^NotSupported: .*\n\s+at /);
    // Values that start with "-" are values: a negative number in range gets as far as the
    // platform, and so does text after an option that takes it.
    for (
      const args of [
        ["copydata", "listen", "--reply", "-5"],
        ["copydata", "listen", "--reply=-2147483648"],
        ["shared-memory", "write", "state", "--text", "-h"],
        ["copydata", "send", "--title", "-x", "hi"],
      ]
    ) {
      const { code, stderr } = await run(args);
      assertEquals(code, 1, stderr);
      assertMatch(stderr, /needs Windows/);
    }
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
