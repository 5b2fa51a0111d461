// Copyright 2026 the winipc authors. MIT license.
// The winipc command-line tool (cli/main.ts) as real processes, against real
// peers: other CLI processes, the library in this process, and the C peers
// of tests/native. Output is checked in both forms (text and --json), and
// exit codes for usage errors (2), missing objects (1) and timeouts (124).
// Processes start in parallel where the exchange allows (each Deno start
// under Wine costs about a second).
import { assert, assertEquals, assertMatch, assertNotMatch, assertRejects } from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";
import {
  nativePath,
  payload,
  Peer,
  spawnDeno,
  UNDER_WINE,
  uniqueName,
  windowsTest,
} from "./_helpers.ts";
import { listenNamedPipe } from "../named_pipe/mod.ts";
import { createMailslot, openMailslot } from "../mailslot/mod.ts";
import { createSharedChannel, openSharedChannel, openSharedMemory } from "../shared_memory/mod.ts";
import {
  createEvent,
  createSemaphore,
  openEvent,
  openMutex,
  openOrCreateEvent,
  openOrCreateMutex,
  openSemaphore,
} from "../sync/mod.ts";
import { sendCopyData } from "../copydata/mod.ts";
import { main } from "../cli/main.ts";

const CLI = "cli/main.ts";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function lines(stream: ReadableStream<Uint8Array>): ReadableStreamDefaultReader<string> {
  return stream.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TextLineStream() as TransformStream<string, string>,
  ).getReader();
}

/** A running `winipc` process: stdout and stderr read line by line. */
class Cli implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly #out: ReadableStreamDefaultReader<string>;
  readonly #err: ReadableStreamDefaultReader<string>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(args: string[]) {
    this.child = spawnDeno(CLI, args);
    this.#out = lines(this.child.stdout);
    this.#err = lines(this.child.stderr);
    this.#stdin = this.child.stdin.getWriter();
  }

  async #next(reader: ReadableStreamDefaultReader<string>, what: string): Promise<string> {
    const { value, done } = await reader.read();
    if (done) throw new Error(`winipc ended without a line on ${what}`);
    return value;
  }

  /** The next line on stdout. */
  line(): Promise<string> {
    return this.#next(this.#out, "stdout");
  }

  /** The next line on stderr. */
  errorLine(): Promise<string> {
    return this.#next(this.#err, "stderr");
  }

  /** The next stdout line, parsed as JSON. */
  async record(): Promise<Record<string, unknown>> {
    return JSON.parse(await this.line());
  }

  async write(text: string): Promise<void> {
    await this.#stdin.write(encoder.encode(text));
  }

  /** Closes stdin (Enter for the commands that hold something). */
  async release(): Promise<void> {
    await this.#stdin.close().catch(() => {});
  }

  /** Waits for the exit; the rest of stdout and stderr as lines. */
  async finish(): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
    await this.release();
    const rest = async (reader: ReadableStreamDefaultReader<string>) => {
      const out: string[] = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value);
      return out;
    };
    const [stdout, stderr] = await Promise.all([rest(this.#out), rest(this.#err)]);
    return { code: (await this.child.status).code, stdout, stderr };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill();
    } catch { /* exited */ }
    await this.finish().catch(() => {});
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `winipc ARGS` to the end with `stdin` as its input; stdout as bytes. */
async function winipcBytes(
  args: string[],
  stdin: string | Uint8Array = "",
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const child = spawnDeno(CLI, args);
  const writer = child.stdin.getWriter();
  const writing = writer.write(typeof stdin === "string" ? encoder.encode(stdin) : stdin)
    .then(() => writer.close()).catch(() => {});
  const out = await child.output();
  await writing;
  return { code: out.code, stdout: out.stdout, stderr: decoder.decode(out.stderr) };
}

/** Runs `winipc ARGS` to the end with `stdin` (bytes or text) as its input. */
async function winipc(args: string[], stdin: string | Uint8Array = ""): Promise<Run> {
  const out = await winipcBytes(args, stdin);
  return { ...out, stdout: decoder.decode(out.stdout) };
}

/** A JSON-lines stdout as records. */
function records(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

/**
 * Checks an error exit: the code, one `winipc:` line (after any status
 * lines) that matches `message`, no stack trace, and for a usage error the
 * hint after it.
 */
function assertFailure(run: Run, code: number, message: RegExp): void {
  assertEquals(run.code, code, `exit code; stderr: ${run.stderr}`);
  const errors = run.stderr.trim().split("\n");
  const at = errors.findIndex((line) => line.startsWith("winipc: "));
  assert(at >= 0, `no "winipc:" line in ${run.stderr}`);
  assertMatch(errors[at]!, message);
  assertNotMatch(run.stderr, /^\s+at /m, "no stack trace without --debug");
  if (code === 2) {
    assertEquals(at, 0);
    assertMatch(errors[1] ?? "", /^Run "winipc .* --help" for usage\.$/);
    assertEquals(errors.length, 2);
  } else assertEquals(at, errors.length - 1, `one error line, last: ${run.stderr}`);
}

async function peer(name: string, args: string[]): Promise<Run> {
  const out = await new Deno.Command(nativePath(name), { args, stdout: "piped", stderr: "piped" })
    .output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

windowsTest(
  "cli named-pipe: serve --echo (message mode) for call, connect --json, server-pid and the C client",
  {},
  async () => {
    const name = uniqueName("cli-echo");
    await using server = new Cli([
      "named-pipe",
      "serve",
      name,
      "--echo",
      "--mode",
      "message",
      "--clients",
      "4",
    ]);
    assertEquals(
      await server.errorLine(),
      `listening on \\\\.\\pipe\\${name} (message mode, echo)`,
    );
    const [call, connect, pid, native] = await Promise.all([
      winipc(["pipe", "call", name, "héllo wörld ✓"]), // "pipe": the alias of "named-pipe"
      winipc(
        ["--json", "named-pipe", "connect", name, "--mode", "message", "--linger", "1000"],
        "one\ntwo\r\n",
      ),
      winipc(["--json", "named-pipe", "server-pid", name, "--timeout", "10000"]),
      peer("pipe_peer", ["client", name, "message", "0,100,70000"]),
    ]);
    assertEquals(call, { code: 0, stdout: "héllo wörld ✓\n", stderr: "" });
    assertEquals(connect.code, 0, connect.stderr);
    const got = records(connect.stdout);
    assertEquals(got[0], {
      type: "connected",
      path: `\\\\.\\pipe\\${name}`,
      processId: server.child.pid,
    });
    assertEquals(got.slice(1), [
      { type: "message", size: 3, text: "one", base64: btoa("one") },
      { type: "message", size: 3, text: "two", base64: btoa("two") },
    ]);
    assertEquals(pid.code, 0, pid.stderr);
    const [record] = records(pid.stdout);
    assertEquals(record?.type, "server");
    assertEquals(record?.processId, server.child.pid);
    assertEquals(native.stdout, "ok 0\nok 100\nok 70000\n", native.stderr);
    const { code, stdout } = await server.finish();
    assertEquals(code, 0);
    assertEquals(stdout.filter((l) => / connected$/.test(l)).length, 4, stdout.join("\n"));
    const closed = stdout.filter((l) => / closed the pipe: /.test(l)).map((l) =>
      l.replace(/\d+ closed/, "N closed")
    )
      .sort();
    assertEquals(closed, [
      "client process N closed the pipe: echoed 0 messages, 0 bytes",
      "client process N closed the pipe: echoed 1 message, 17 bytes",
      "client process N closed the pipe: echoed 2 messages, 6 bytes",
      "client process N closed the pipe: echoed 3 messages, 70100 bytes",
    ]);
  },
);

windowsTest(
  "cli named-pipe: serve (stdin/stdout, byte mode) <-> connect: 300 KB of binary one way, a line back",
  {},
  async () => {
    const name = uniqueName("cli-stdio");
    const big = payload(300_000);
    // Both start at once: the client waits for the pipe (--timeout).
    const [server, client] = await Promise.all([
      winipcBytes(["named-pipe", "serve", name, "--timeout", "20000"], "from the server\n"),
      winipc(["named-pipe", "connect", name, "--timeout", "20000"], big),
    ]);
    assertEquals(client.code, 0, client.stderr);
    assertEquals(client.stdout, "from the server\n");
    assertMatch(client.stderr, /^connected to \\\\\.\\pipe\\.+ \(server process \d+\)\n$/);
    assertEquals(server.code, 0, server.stderr);
    assertEquals(server.stdout, big);
    const status = server.stderr.split("\n");
    assertEquals(status[0], `listening on \\\\.\\pipe\\${name} (byte mode)`);
    assertMatch(status[1]!, /^client process \d+ connected$/);
    assertNotMatch(server.stderr, /\r/, "no progress line when stderr is not a terminal");
  },
);

windowsTest(
  "cli: usage errors exit 2, a missing pipe 1 (NotFound), a pipe that never comes 124 (TimedOut), --debug",
  {},
  async () => {
    const missing = uniqueName("cli-missing");
    using listener = listenNamedPipe(uniqueName("cli-listed"));
    const [noName, badMode, noCommand, unknownOption, notFound, timedOut, debug, list] =
      await Promise.all([
        winipc(["named-pipe", "connect"]),
        winipc(["named-pipe", "connect", missing, "--mode", "bytes"]),
        winipc(["named-pipe"]),
        winipc(["named-pipe", "call", missing, "x", "--tiemout", "5"]),
        winipc(["--json", "named-pipe", "connect", missing]),
        winipc(["named-pipe", "call", missing, "x", "--timeout", "300"]),
        winipc(["--debug", "named-pipe", "server-pid", missing]),
        winipc(["named-pipe", "list", "cli-listed"]),
      ]);
    assertFailure(noName, 2, /^winipc: missing NAME$/);
    assertFailure(badMode, 2, /--mode must be byte or message, got "bytes"/);
    assertFailure(noCommand, 2, /missing command after "winipc named-pipe"/);
    assertFailure(unknownOption, 2, /unknown option --tiemout/);
    assertFailure(notFound, 1, /Cannot connect to named pipe .*cli-missing/);
    assertEquals(records(notFound.stdout)[0]?.error, "NotFound");
    assertFailure(timedOut, 124, /it did not appear for 300 ms$/);
    assertEquals(debug.code, 1);
    assertMatch(debug.stderr, /^NotFound: Cannot connect/m);
    assertMatch(debug.stderr, /^\s+at /m, "--debug prints the stack");
    if (UNDER_WINE) {
      // Wine cannot enumerate \\.\pipe\ (FindFirstFileW: ERROR_BAD_DEV_TYPE).
      assertFailure(list, 1, /^winipc: Cannot list the named pipes/);
    } else {
      assertEquals(list.code, 0, list.stderr);
      assertEquals(list.stdout, `${listener.path.slice("\\\\.\\pipe\\".length)}\n`);
    }
  },
);

windowsTest(
  "cli mailslot: create prints what CLI, C and library writers send (text and --json); send --nul to a C reader; a timeout",
  {},
  async () => {
    const jsonName = uniqueName("cli-slot-json");
    const textName = uniqueName("cli-slot-text");
    const cName = uniqueName("cli-slot-c");
    await using json = new Cli(["--json", "mailslot", "create", jsonName, "--count", "4"]);
    await using text = new Cli(["mailslot", "create", textName, "--count", "1"]);
    const cReader = new Deno.Command(nativePath("mailslot_peer"), {
      args: ["read", `\\\\.\\mailslot\\${cName}`, "1"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const cLines = lines(cReader.stdout);
    const timeout = winipc([
      "mailslot",
      "create",
      uniqueName("cli-slot-quiet"),
      "--timeout",
      "300",
    ]);
    assertEquals(await json.record(), { type: "listening", path: `\\\\.\\mailslot\\${jsonName}` });
    assertEquals(await text.errorLine(), `listening on \\\\.\\mailslot\\${textName}`);
    assertEquals((await cLines.read()).value, "ready");
    const [sent, native, toC] = await Promise.all([
      winipc(["mailslot", "send", jsonName, "build #42", "dé"]),
      peer("mailslot_peer", ["write", `\\\\.\\mailslot\\${jsonName}`, "2", "hello"]),
      winipc(["--json", "mailslot", "send", cName, "--nul", "to C"]),
      (async () => {
        using writer = openMailslot(textName);
        await writer.send("from the library");
      })(),
    ]);
    assertEquals(sent, {
      code: 0,
      stdout: `sent 2 messages (12 bytes) to ${jsonName}\n`,
      stderr: "",
    });
    assertEquals(native.stdout, "sent 2\n");
    assertEquals(records(toC.stdout), [{ type: "sent", name: cName, messages: 1, bytes: 5 }]);
    assertEquals((await cLines.read()).value, "got 5: to C");
    assertEquals((await cReader.status).code, 0);
    const got = [
      await json.record(),
      await json.record(),
      await json.record(),
      await json.record(),
    ];
    const texts = got.map((r) => `${r.text}/${r.size}`).sort();
    assertEquals(texts, ["build #42/9", "dé/3", "hello 0/8", "hello 1/8"]);
    assertEquals(got.find((r) => r.text === "dé")?.base64, btoa("d\xc3\xa9"));
    assertEquals((await json.finish()).code, 0);
    assertEquals(await text.finish(), { code: 0, stdout: ["from the library"], stderr: [] });
    assertFailure(
      await timeout,
      124,
      /^winipc: Cannot receive from mailslot .*: no message came within 300 ms$/,
    );
    // Lines re-encoded as UTF-16 must be UTF-8: the first goes, the second is refused.
    using slot = createMailslot(uniqueName("cli-slot-utf8"));
    const refused = await winipc(
      ["mailslot", "send", slot.path, "--encoding", "utf-16le"],
      new Uint8Array([0x6f, 0x6b, 0x0a, 0x6e, 0x6f, 0xe9, 0x0a]),
    );
    assertFailure(
      refused,
      1,
      /^winipc: Cannot read line 2 of stdin as text: it is not UTF-8 \(byte 0xe9 at offset 2\)$/,
    );
    assertEquals(await slot.receive({ timeout: 0 }), new Uint8Array([0x6f, 0, 0x6b, 0]));
    await assertRejects(() => slot.receive({ timeout: 0 }), Deno.errors.TimedOut);
  },
);

windowsTest(
  "cli shared-memory: create holds a mapping; write text, hex and a file; dump as text and --json; a missing mapping",
  {},
  async () => {
    const name = uniqueName("cli-shm");
    await using holder = new Cli(["shared-memory", "create", name, "--size", "4096"]);
    assertEquals(
      await holder.line(),
      `created Local\\${name}, 4096 bytes; holding it until Enter (or Ctrl+C)`,
    );
    const file = await Deno.makeTempFile();
    try {
      await Deno.writeFile(file, new Uint8Array([0xca, 0xfe, 0xba, 0xbe]));
      const [text, hex, fromFile, missing, badHex, past] = await Promise.all([
        winipc(["shared-memory", "write", name, "--text", "hello"]),
        winipc(["shared-memory", "write", name, "--offset", "0x10", "--hex", "de ad be ef"]),
        winipc(["--json", "shared-memory", "write", name, "--offset", "32", "--file", file]),
        winipc(["shared-memory", "dump", uniqueName("cli-shm-missing")]),
        winipc(["shared-memory", "write", name, "--hex", "abc"]),
        winipc(["shared-memory", "write", name, "--offset", "4095", "--text", "xy"]),
      ]);
      assertEquals(text.stdout, `wrote 5 bytes at offset 0x0 of Local\\${name}\n`);
      assertEquals(hex.stdout, `wrote 4 bytes at offset 0x10 of Local\\${name}\n`);
      assertEquals(records(fromFile.stdout), [
        { type: "written", name: `Local\\${name}`, offset: 32, bytes: 4 },
      ]);
      assertFailure(missing, 1, /Cannot open .*cli-shm-missing/);
      assertFailure(badHex, 2, /--hex must be pairs of hex digits/);
      assertFailure(past, 1, /pass the end of/);
      // What the library sees in this process.
      using view = openSharedMemory(name, { access: "read" });
      assertEquals(
        view.readSync(0, new Uint8Array(36)),
        new Uint8Array([
          ...encoder.encode("hello"),
          ...new Uint8Array(11),
          0xde,
          0xad,
          0xbe,
          0xef,
          ...new Uint8Array(12),
          0xca,
          0xfe,
          0xba,
          0xbe,
        ]),
      );
      const [dump, jsonDump] = await Promise.all([
        winipc(["shared-memory", "dump", name, "--length", "80"]),
        winipc(["--json", "shared-memory", "dump", name, "--offset", "0x10", "--length", "16"]),
      ]);
      assertEquals(
        dump.stdout,
        [
          "00000000  68 65 6c 6c 6f 00 00 00  00 00 00 00 00 00 00 00  |hello...........|",
          "00000010  de ad be ef 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
          "00000020  ca fe ba be 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
          "00000030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
          "*",
          "00000050",
          "",
        ].join("\n"),
      );
      assertEquals(records(jsonDump.stdout), [{
        type: "row",
        offset: 16,
        hex: "de ad be ef 00 00 00 00 00 00 00 00 00 00 00 00",
        text: "................",
        repeat: 0,
      }]);
    } finally {
      await Deno.remove(file);
    }
    const end = await holder.finish();
    assertEquals(end, { code: 0, stdout: [`closed Local\\${name}`], stderr: [] });
  },
);

windowsTest(
  "cli shared-memory channel: receive prints what send sends (arguments, stdin lines), --raw takes a 1 MiB file whole, --json from the library, a timeout",
  {},
  async () => {
    const lineName = uniqueName("cli-ch-lines");
    const rawName = uniqueName("cli-ch-raw");
    const jsonName = uniqueName("cli-ch-json");
    await using lineRx = new Cli(["shared-memory", "receive", lineName]);
    const rawRx = spawnDeno(CLI, [
      "shared-memory",
      "receive",
      rawName,
      "--raw",
      "--capacity",
      "64k",
    ]);
    const rawErr = lines(rawRx.stderr);
    const rawOut = new Response(rawRx.stdout).arrayBuffer();
    await using jsonRx = new Cli(["--json", "shared-memory", "receive", jsonName, "--count", "1"]);
    const timeout = winipc([
      "shared-memory",
      "receive",
      uniqueName("cli-ch-quiet"),
      "--timeout",
      "300",
    ]);
    assertEquals(await lineRx.errorLine(), `receiving on Local\\${lineName}`);
    assertEquals((await rawErr.read()).value, `receiving on Local\\${rawName}`);
    assertEquals(await jsonRx.record(), { type: "listening", name: `Local\\${jsonName}` });
    const file = await Deno.makeTempFile();
    const big = payload(1 << 20);
    await Deno.writeFile(file, big);
    try {
      const [args, fromStdin] = await Promise.all([
        winipc(["shm", "send", lineName, "a", "bb"]), // "shm": the alias of "shared-memory"
        winipc(["--json", "shared-memory", "send", rawName, "--file", file]),
        (async () => {
          using tx = openSharedChannel(jsonName, { role: "sender" });
          await tx.send(encoder.encode("from the library"), { timeout: 5000 });
        })(),
      ]);
      assertEquals(args.stdout, `sent 2 messages (3 bytes) to Local\\${lineName}\n`);
      assertEquals(fromStdin.code, 0, fromStdin.stderr);
      const [sent] = records(fromStdin.stdout);
      assertEquals(sent?.bytes, 1 << 20);
      assertEquals(sent?.messages, 17, "1 MiB in messages of at most 64 KiB - 4 bytes");
    } finally {
      await Deno.remove(file);
    }
    assertEquals(await lineRx.line(), "a");
    assertEquals(await lineRx.line(), "bb");
    assertEquals(await lineRx.finish(), {
      code: 0,
      stdout: [],
      stderr: ["the sender closed: 2 messages, 3 bytes"],
    });
    assertEquals((await rawRx.status).code, 0);
    assertEquals(new Uint8Array(await rawOut), big);
    assertEquals((await rawErr.read()).value, "the sender closed: 17 messages, 1048576 bytes");
    const message = await jsonRx.record();
    assertEquals(message, {
      type: "message",
      size: 16,
      text: "from the library",
      base64: btoa("from the library"),
    });
    assertEquals((await jsonRx.finish()).code, 0);
    // Lines from stdin, through a second sender.
    const stdinName = uniqueName("cli-ch-stdin");
    await using stdinRx = new Cli([
      "--json",
      "shared-memory",
      "receive",
      stdinName,
      "--count",
      "2",
    ]);
    await stdinRx.record();
    const fromLines = await winipc(["shared-memory", "send", stdinName], "first line\r\nsecond\n");
    assertEquals(fromLines.stdout, `sent 2 messages (16 bytes) to Local\\${stdinName}\n`);
    assertEquals([(await stdinRx.record()).text, (await stdinRx.record()).text], [
      "first line",
      "second",
    ]);
    assertEquals((await stdinRx.finish()).code, 0);
    assertFailure(
      await timeout,
      124,
      /^winipc: Cannot receive from shared channel .*: no message came within 300 ms$/,
    );
  },
);

windowsTest(
  "cli sync: event create/set/reset/wait, semaphore create/release/acquire, wait-any, mutex hold against the library; missing and timeouts",
  {},
  async () => {
    const gate = uniqueName("cli-gate");
    const waited = uniqueName("cli-waited");
    const slots = uniqueName("cli-slots");
    const anyEvent = uniqueName("cli-any-ev");
    const anySemaphore = uniqueName("cli-any-sem");
    const mutexName = uniqueName("cli-mutex");
    await using gateHolder = new Cli(["sync", "event", "create", gate, "--manual-reset"]);
    await using slotHolder = new Cli([
      "--json",
      "sync",
      "semaphore",
      "create",
      slots,
      "--maximum",
      "3",
    ]);
    await using mutexHolder = new Cli(["sync", "mutex", "hold", mutexName]);
    // wait --create: the event is made by whichever side comes first; an
    // auto-reset event keeps the signal until a wait takes it.
    using waitedEvent = openOrCreateEvent(waited);
    waitedEvent.set();
    using anyEv = createEvent(anyEvent);
    using anySem = createSemaphore(anySemaphore, { maximum: 1, initial: 1 });
    const background = Promise.all([
      winipc(["sync", "event", "wait", waited, "--create", "--timeout", "20000"]),
      winipc([
        "--json",
        "sync",
        "wait-any",
        `event:${anyEvent}`,
        `semaphore:${anySemaphore}`,
        "--timeout",
        "20000",
      ]),
      winipc(["sync", "event", "set", uniqueName("cli-missing")]),
      winipc(["sync", "wait-any", `mutex:${anyEvent}`]),
    ]);
    assertEquals(
      await gateHolder.line(),
      `created event Local\\${gate} (manual-reset); holding it until Enter (or Ctrl+C)`,
    );
    assertEquals(await slotHolder.record(), {
      type: "created",
      kind: "semaphore",
      name: `Local\\${slots}`,
      initial: 0,
      maximum: 3,
    });
    assertEquals(
      await mutexHolder.line(),
      `acquired mutex Local\\${mutexName}; holding it until Enter (or Ctrl+C)`,
    );
    using gateEvent = openEvent(gate);
    using slotSemaphore = openSemaphore(slots);
    using mutex = openMutex(mutexName);
    const [set, release, busy] = await Promise.all([
      winipc(["sync", "event", "set", gate]),
      winipc(["sync", "semaphore", "release", slots, "--count", "2"]),
      winipc(["sync", "mutex", "hold", mutexName, "--timeout", "300"]),
    ]);
    assertEquals(set.stdout, `set event Local\\${gate}\n`);
    await gateEvent.wait({ timeout: 0 }); // manual reset: still set
    assertEquals(release.stdout, `released semaphore Local\\${slots}: count 0 -> 2\n`);
    assertFailure(busy, 124, /within 300 ms/);
    await assertRejects(() => mutex.acquire({ timeout: 0 }), Deno.errors.TimedOut);
    const [waitGate, acquire, timedOut] = await Promise.all([
      winipc(["sync", "event", "wait", gate, "--timeout", "5000"]),
      winipc(["sync", "semaphore", "acquire", slots, "--timeout", "5000"]),
      winipc(["--json", "sync", "event", "wait", anyEvent, "--timeout", "200"]),
    ]);
    assertMatch(waitGate.stdout, /^event Local\\.* is signalled \(waited \d+ ms\)\n$/);
    assertEquals(acquire.stdout, `acquired one unit of semaphore Local\\${slots}\n`);
    assertEquals(slotSemaphore.release(1), 1, "one of the two units is still taken by the CLI");
    assertEquals(timedOut.code, 124);
    assertEquals(records(timedOut.stdout)[0]?.error, "TimedOut");
    assertMatch(
      timedOut.stderr,
      /^winipc: Cannot wait for event .*: not signalled within 200 ms\n$/,
    );
    // Reset, while Enter (the end of stdin) releases the mutex and closes the holders.
    const [reset, held, gateEnd, slotEnd] = await Promise.all([
      winipc(["--json", "sync", "event", "reset", gate]),
      mutexHolder.finish(),
      gateHolder.finish(),
      slotHolder.finish(),
    ]);
    assertEquals(records(reset.stdout), [{ type: "reset", name: `Local\\${gate}` }]);
    await assertRejects(() => gateEvent.wait({ timeout: 0 }), Deno.errors.TimedOut);
    assertEquals(held, { code: 0, stdout: [`released mutex Local\\${mutexName}`], stderr: [] });
    (await mutex.acquire({ timeout: 5000 })).release();
    assertEquals(gateEnd, { code: 0, stdout: [`closed Local\\${gate}`], stderr: [] });
    assertEquals(slotEnd.code, 0);
    assertEquals(records(slotEnd.stdout.join("\n")), [{ type: "closed", name: `Local\\${slots}` }]);
    const [waitedRun, any, missing, badKind] = await background;
    assertMatch(
      waitedRun.stdout,
      new RegExp(`^event Local\\\\${waited} is signalled \\(waited \\d+ ms\\)\\n$`),
    );
    assertEquals(records(any.stdout), [{
      type: "signalled",
      index: 1,
      kind: "semaphore",
      name: `Local\\${anySemaphore}`,
    }]);
    assert(anySem.tryAcquire() === null, "wait-any took the semaphore's unit");
    void anyEv;
    assertFailure(missing, 1, /no such event/);
    assertFailure(badKind, 2, /the kind must be event, semaphore or timer/);
  },
);

windowsTest(
  "cli copydata: listen prints what CLI, C and library senders send (text and --json); send reaches a C window; a missing window",
  {},
  async () => {
    const className = uniqueName("cli-cd");
    const jsonClass = uniqueName("cli-cd-json");
    const cClass = uniqueName("cli-cd-c");
    await using listener = new Cli([
      "copydata",
      "listen",
      "--class",
      className,
      "--title",
      `${className} title`,
      "--count",
      "3",
      "--reply",
      "7",
    ]);
    await using jsonListener = new Cli([
      "--json",
      "copydata",
      "listen",
      "--class",
      jsonClass,
      "--count",
      "1",
    ]);
    const cReceiver = new Deno.Command(nativePath("copydata_peer"), {
      args: ["recv", cClass, "c title", "0"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const cLines = lines(cReceiver.stdout);
    const missing = winipc(["copydata", "send", "--class", uniqueName("cli-cd-missing"), "hi"]);
    assertMatch(
      await listener.errorLine(),
      new RegExp(`^listening as class "${className}" title ".*" \\(window 0x[0-9a-f]+\\)$`),
    );
    const ready = await jsonListener.record();
    assertEquals([ready.type, ready.className], ["listening", jsonClass]);
    assertEquals((await cLines.read()).value, "ready");
    const utf8 = encoder.encode("from C");
    const hex = Array.from(utf8, (b) => b.toString(16).padStart(2, "0")).join("");
    const [text, bytes, native, toC] = await Promise.all([
      winipc(["copydata", "send", "--class", className, "--tag", "5", "héllo"]),
      winipc([
        "--json",
        "copydata",
        "send",
        "--title",
        `${className} title`,
        "--hex",
        "01 02 ff",
        "--tag",
        "0xffffffffffffffff",
      ]),
      peer("copydata_peer", ["send", className, "9", "text", hex]),
      winipc(["copydata", "send", "--class", cClass, "--encoding", "utf-8", "--tag", "2", "abc"]),
      sendCopyData({ className: jsonClass }, "from the library", { tag: 3n }),
    ]);
    assertEquals(text.stdout, `sent 12 bytes with tag 5 to class "${className}": reply 7\n`);
    assertEquals(records(bytes.stdout), [{
      type: "sent",
      bytes: 3,
      tag: "18446744073709551615",
      reply: 7,
    }]);
    assertEquals(native.stdout, "reply 7\n");
    assertEquals(toC.stdout, `sent 3 bytes with tag 2 to class "${cClass}": reply 42\n`);
    assertMatch((await cLines.read()).value ?? "", /^msg 2 3 616263 \d+$/);
    const got = [await listener.line(), await listener.line(), await listener.line()].sort();
    assertEquals(got, ["tag 18446744073709551615: \u0201\ufffd", "tag 5: héllo", "tag 9: from C"]);
    assertEquals((await listener.finish()).code, 0);
    const message = await jsonListener.record();
    assertEquals([message.type, message.tag, message.text], ["message", "3", "from the library"]);
    assertEquals((await jsonListener.finish()).code, 0);
    await cReceiver.stdin.close();
    assertEquals((await cReceiver.status).code, 0);
    assertFailure(await missing, 1, /there is no such window/);
  },
);

windowsTest(
  "cli: every command that can time out exits 124 (as timeout(1) does) with one line, in text and --json",
  {},
  async () => {
    const missingPipe = uniqueName("cli-to-pipe");
    const full = uniqueName("cli-to-full");
    const semaphore = uniqueName("cli-to-sem");
    const event = uniqueName("cli-to-ev");
    const slowClass = uniqueName("cli-to-slow");
    // A channel nobody reads: its ring (4 KiB) fills with the first message of a 64 KiB file.
    using _rx = createSharedChannel(full, { role: "receiver", capacity: 4096 });
    using _semaphore = createSemaphore(semaphore, { maximum: 1 });
    using _event = createEvent(event);
    // A window that answers WM_COPYDATA after 5 s.
    await using slow = new Peer("copydata_peer", ["recv", slowClass, "-", "5000"], {
      native: true,
    });
    assertEquals(await slow.line(), "ready");
    const file = await Deno.makeTempFile();
    await Deno.writeFile(file, payload(65536));
    try {
      const runs = await Promise.all([
        winipc(["named-pipe", "serve", uniqueName("cli-to-serve"), "--timeout", "300"]),
        winipc(["named-pipe", "connect", missingPipe, "--timeout", "300"]),
        winipc(["named-pipe", "server-pid", missingPipe, "--timeout", "300"]),
        winipc(["shared-memory", "send", full, "--file", file, "--timeout", "300"]),
        winipc(["sync", "semaphore", "acquire", semaphore, "--timeout", "300"]),
        winipc(["sync", "wait-any", event, `semaphore:${semaphore}`, "--timeout", "300"]),
        winipc(["copydata", "send", "--class", slowClass, "--timeout", "300", "hi"]),
        winipc(["copydata", "listen", "--timeout", "300"]),
        winipc(["clipboard", "watch", "--count", "1", "--timeout", "300"]),
        winipc(["--json", "sync", "event", "wait", event, "--timeout", "300"]),
      ]);
      const messages = [
        /^winipc: Cannot accept on named pipe .*: no client came within 300 ms$/,
        /^winipc: Cannot connect to named pipe .*: it did not appear for 300 ms$/,
        /^winipc: Cannot connect to named pipe .*: it did not appear for 300 ms$/,
        /^winipc: Cannot send on shared channel .*: no room .* came within 300 ms$/,
        /^winipc: Cannot acquire semaphore .*: not signalled within 300 ms$/,
        /^winipc: None of 2 objects was signalled within 300 ms$/,
        /: no answer within 300 ms \(the receiver is busy or hung\)$/,
        /^winipc: Cannot receive WM_COPYDATA: no message within 300 ms$/,
        /^winipc: Stopped watching the clipboard: --timeout 300 ms passed after 0 changes$/,
        /^winipc: Cannot wait for event .*: not signalled within 300 ms$/,
      ];
      runs.forEach((run, i) => assertFailure(run, 124, messages[i]!));
      assertEquals(records(runs.at(-1)!.stdout)[0]?.error, "TimedOut");
    } finally {
      await Deno.remove(file);
    }
  },
);

windowsTest(
  "cli: cancelling (what Ctrl+C does) ends a wait and a held mutex with 130, closing and releasing what they held",
  {},
  async () => {
    const eventName = uniqueName("cli-cancel-ev");
    const mutexName = uniqueName("cli-cancel-mx");
    using mutex = openOrCreateMutex(mutexName); // keeps the mutex alive after the CLI closes it
    const controller = new AbortController();
    let acquired: () => void = () => {};
    const isAcquired = new Promise<void>((resolve) => acquired = resolve);
    const run = async (args: string[]) => {
      let stdout = "";
      let stderr = "";
      const code = await main(args, {
        signal: controller.signal,
        streams: {
          stdout: (text) => {
            stdout += text;
            if (text.startsWith("acquired")) acquired();
          },
          stderr: (text) => stderr += text,
        },
      });
      return { code, stdout, stderr };
    };
    const waiting = run(["sync", "event", "wait", eventName, "--create"]);
    const holding = run(["sync", "mutex", "hold", mutexName, "--hold", "60"]);
    await isAcquired;
    await assertRejects(() => mutex.acquire({ timeout: 0 }), Deno.errors.TimedOut);
    using _event = openEvent(eventName); // the waiting command made it
    controller.abort();
    const [waited, held] = await Promise.all([waiting, holding]);
    assertEquals(waited, { code: 130, stdout: "", stderr: "winipc: interrupted\n" });
    assertEquals(held, {
      code: 130,
      stdout: `acquired mutex Local\\${mutexName}; holding it for 60 s (or until Ctrl+C)\n` +
        `released mutex Local\\${mutexName}\n`,
      stderr: "winipc: interrupted\n",
    });
    const lock = await mutex.acquire({ timeout: 0 });
    assertEquals(lock.abandoned, false);
    lock.release();
  },
);

windowsTest(
  "cli clipboard: get/set text, HTML, files, images and secrets against the C peer; formats, watch, clear",
  {},
  async () => {
    const hex = (bytes: Uint8Array) =>
      bytes.length === 0 ? "-" : Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const hexText = (text: string) => hex(encoder.encode(text));
    const clip = async (...args: string[]) => {
      const run = await peer("clipboard_peer", args);
      assertEquals(run.code, 0, run.stdout + run.stderr);
      return run.stdout.trim();
    };
    // Text both ways, human and --json, non-ASCII included.
    await clip("set-text", hexText("héllo 𝄞 from C"));
    let run = await winipc(["clipboard", "get"]);
    assertEquals([run.code, run.stdout], [0, "héllo 𝄞 from C\n"], run.stderr);
    run = await winipc(["--json", "clipboard", "get"]);
    assertEquals(records(run.stdout), [{ type: "text", text: "héllo 𝄞 from C" }]);
    run = await winipc(["clipboard", "set", "grüße\r\nzwei"]);
    assertEquals([run.code, run.stdout], [0, "set 11 characters of text\n"], run.stderr);
    assertEquals(await clip("get-text"), `text ${hexText("grüße\r\nzwei")}`);
    // From stdin when no value is given.
    run = await winipc(["clipboard", "set"], "from stdin ✓");
    assertEquals(run.code, 0, run.stderr);
    assertEquals(await clip("get-text"), `text ${hexText("from stdin ✓")}`);
    // HTML: the C peer checks the header's UTF-8 offsets.
    run = await winipc([
      "clipboard",
      "set",
      "--as",
      "html",
      "<b>Grüße</b>",
      "--source-url",
      "https://example.com/ü",
    ]);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(
      await clip("get-html"),
      `html ${hexText("<b>Grüße</b>")} ${hexText("https://example.com/ü")}`,
    );
    run = await winipc(["--json", "clipboard", "get", "--as", "html"]);
    const html = records(run.stdout)[0]!;
    assertEquals([html.html, html.sourceUrl], ["<b>Grüße</b>", "https://example.com/ü"]);
    // Files: non-ASCII, relative paths made absolute.
    run = await winipc(["clipboard", "set", "--as", "files", "C:\\données\\é.txt", "rel.txt"]);
    assertEquals(run.code, 0, run.stderr);
    const files = decoder.decode(
      Uint8Array.from((await clip("get-files")).slice(6).match(/../g)!, (h) => parseInt(h, 16)),
    ).split("\n");
    assertEquals(files[0], "C:\\données\\é.txt");
    assertMatch(files[1]!, /^Z:\\.*\\rel\.txt$/);
    run = await winipc(["clipboard", "get", "--as", "files"]);
    assertEquals(run.stdout.split("\n")[0], "C:\\données\\é.txt");
    // An image with alpha from C, saved as PNG, put back, read by C unchanged.
    await clip("set-image", "3", "2");
    const fromC = await clip("get-image");
    const png = `tests/fixtures/.cli-clip-${Deno.pid}.png`;
    try {
      run = await winipc(["clipboard", "get", "--as", "image", "--out", png]);
      assertEquals(
        [run.code, run.stdout],
        [0, `3×2 image with alpha, saved to ${png}\n`],
        run.stderr,
      );
      await winipc(["clipboard", "clear"]);
      run = await winipc(["clipboard", "set", "--as", "image", png]);
      assertEquals([run.code, run.stdout], [0, "set a 3×2 image\n"], run.stderr);
      assertEquals(await clip("get-image"), fromC);
    } finally {
      await Deno.remove(png).catch(() => {});
    }
    // Secret mode: the exclusion formats are there, with 0 where documented.
    run = await winipc(["clipboard", "set", "--secret", "hunter2"]);
    assertEquals([run.code, run.stdout], [0, "set 7 characters of text (secret)\n"], run.stderr);
    assertEquals(await clip("get-dword", "CanIncludeInClipboardHistory"), "dword 4 0");
    assertEquals(await clip("get-dword", "CanUploadToCloudClipboard"), "dword 4 0");
    run = await winipc(["--json", "clipboard", "formats"]);
    const names = records(run.stdout).map((r) => r.name);
    assert(names.includes("CF_UNICODETEXT"), String(names));
    assert(names.includes("ExcludeClipboardContentFromMonitorProcessing"), String(names));
    // Bad input is refused, and named: stdin that is not UTF-8 (not set with U+FFFD in
    // it), a file that is not a PNG (not "the clipboard's PNG").
    await clip("set-text", hexText("before"));
    run = await winipc(["clipboard", "set"], new Uint8Array([0x61, 0x62, 0xff, 0x63]));
    assertFailure(
      run,
      1,
      /^winipc: Cannot read stdin as text: it is not UTF-8 \(byte 0xff at offset 2\)$/,
    );
    run = await winipc(["clipboard", "set", "--as", "html"], new Uint8Array([0xc3, 0x28]));
    assertFailure(
      run,
      1,
      /^winipc: Cannot read stdin as text: it is not UTF-8 \(byte 0xc3 at offset 0\)$/,
    );
    assertEquals(await clip("get-text"), `text ${hexText("before")}`);
    const notPng = `tests/fixtures/.cli-not-png-${Deno.pid}.png`;
    try {
      await Deno.writeTextFile(notPng, "GIF89a, not a PNG");
      run = await winipc(["clipboard", "set", "--as", "image", notPng]);
      assertFailure(run, 1, new RegExp(`^winipc: Cannot decode "${notPng}" as a PNG image: `));
      assertNotMatch(run.stderr, /clipboard/);
    } finally {
      await Deno.remove(notPng).catch(() => {});
    }
    assertEquals(await clip("get-text"), `text ${hexText("before")}`);
    // Missing data: exit 1, one line; usage errors: 2.
    await winipc(["clipboard", "clear"]);
    assertEquals(await clip("get-text"), "none");
    assertFailure(await winipc(["clipboard", "get", "--as", "rtf"]), 1, /holds no rtf/);
    assertFailure(await winipc(["clipboard", "get", "--as", "gif"]), 2, /--as must be one of/);
    assertFailure(await winipc(["clipboard", "get", "--format", "X"]), 2, /--format needs --out/);
    // Watch: changes made by the C peer arrive in order.
    const watcher = new Cli(["--json", "clipboard", "watch", "--count", "3", "--timeout", "20s"]);
    try {
      assertEquals((await watcher.record()).type, "watching");
      assertMatch(await clip("changes", "3", "100"), /^done \d+ \d+$/);
      const seen = [await watcher.record(), await watcher.record(), await watcher.record()];
      const numbers = seen.map((r) => r.sequenceNumber as number);
      assert(numbers[0]! < numbers[1]! && numbers[1]! < numbers[2]!, JSON.stringify(numbers));
      assertEquals(seen.map((r) => r.type), ["change", "change", "change"]);
      assertEquals((await watcher.child.status).code, 0);
    } finally {
      await watcher[Symbol.asyncDispose]();
    }
  },
);

windowsTest(
  "cli sync: --hold longer than setTimeout's 2^31 - 1 ms keeps the mutex (no overflow to 1 ms)",
  {},
  async () => {
    const name = uniqueName("cli-hold-long");
    // 600 h = 2,160,000,000 ms: more than a 32-bit signed timer delay.
    await using holder = new Cli(["sync", "mutex", "hold", name, "--hold", "600h"]);
    assertEquals(
      await holder.line(),
      `acquired mutex Local\\${name}; holding it for 2160000 s (or until Ctrl+C)`,
    );
    using mutex = openMutex(name);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await assertRejects(() => mutex.acquire({ timeout: 0 }), Deno.errors.TimedOut);
  },
);
