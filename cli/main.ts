// Copyright 2026 the winipc authors. MIT license.
/**
 * `winipc`, the command-line tool: poke at Windows IPC from a shell. List
 * and serve named pipes, type into one, watch a mailslot, dump and write a
 * mapping, send through a shared channel, set an event, hold a mutex,
 * send `WM_COPYDATA` to a window, and get, set and watch the clipboard, all
 * through winipc itself.
 *
 * ```sh
 * deno run -A jsr:@winipc/winipc/cli --help          # run it from JSR
 * deno install -g -A -n winipc jsr:@winipc/winipc/cli  # or install it as `winipc`
 * deno task cli --help                                 # in a checkout
 * ```
 *
 * | group | commands |
 * | --- | --- |
 * | `named-pipe` (alias `pipe`) | `list [FILTER]`, `serve NAME` (stdio or `--echo`), `connect NAME`, `call NAME MESSAGE`, `server-pid NAME` |
 * | `mailslot` | `create NAME` (prints messages as they come), `send NAME MESSAGE...` |
 * | `shared-memory` (alias `shm`) | `create NAME --size N`, `dump NAME`, `write NAME`, `send NAME`, `receive NAME` (the shared channel) |
 * | `sync` | `event create/set/reset/wait`, `mutex hold`, `semaphore create/release/acquire`, `wait-any` |
 * | `copydata` | `send --class C TEXT`, `listen --class C` |
 * | `clipboard` | `get [--as text/html/rtf/files/image]`, `set VALUE...` (`--secret`, `--clear-after`), `formats`, `watch`, `clear` |
 *
 * The groups are named as the package's modules are
 * (`@winipc/winipc/named-pipe`, `@winipc/winipc/shared-memory`, ...).
 *
 * ```sh
 * winipc named-pipe serve demo --echo --mode message &
 * winipc named-pipe call demo "hello"           # prints: hello
 * winipc --json named-pipe list demo            # {"type":"pipe","name":"demo","path":"\\\\.\\pipe\\demo"}
 * winipc sync event wait ready --timeout 5s     # exit code 124 and one line if it times out
 * ```
 *
 * Every command prints text for people by default; `--json` prints one
 * JSON object a line for scripts (each with a `type`). Exit codes: 0 done,
 * 1 error (one line `winipc: ...`; `--debug` adds the stack), 2 a usage
 * error, 124 a timeout (as `timeout(1)` has it), 130 interrupted by Ctrl+C,
 * which cancels any wait cleanly. `--timeout MS` is the library's
 * `timeout` option. Long transfers show their progress on stderr when it
 * is a terminal. Every group and command has `--help` with examples.
 *
 * `deno task compile` builds `build/winipc.exe` (and the demo) with
 * `deno compile --target x86_64-pc-windows-msvc`: the tool has no dynamic
 * imports. (Those binaries were not built on winipc's Linux machines, which
 * cannot download `deno compile`'s runtime; the same entry point is tested
 * with `deno run` under Wine.)
 *
 * Off Windows, help and usage errors work as on Windows; a command whose
 * arguments are right prints that it needs Windows and exits with 1.
 *
 * @module
 */
import {
  type Command,
  commandHelp,
  Context,
  findChild,
  type Group,
  groupHelp,
  isGroup,
  parseCommand,
  PROCESS_STREAMS,
  type Run,
  type Streams,
  toJson,
  UsageError,
} from "./_command.ts";
import { copydataGroup } from "./copydata.ts";
import { clipboardGroup } from "./clipboard.ts";
import { mailslotGroup } from "./mailslot.ts";
import { namedPipeGroup } from "./named_pipe.ts";
import { sharedMemoryGroup } from "./shared_memory.ts";
import { syncGroup } from "./sync.ts";

/** The package version (`deno.json`'s; a unit test keeps them equal). */
export const VERSION = "0.1.0";

/**
 * The command groups, one file each (`cli/<group>.ts`), named as the
 * package's modules are. A new group is one file and one line here.
 */
const GROUPS: readonly Group[] = [
  namedPipeGroup,
  mailslotGroup,
  sharedMemoryGroup,
  syncGroup,
  copydataGroup,
  clipboardGroup,
];

const ROOT: Group = {
  name: "winipc",
  summary: "Windows IPC from the command line: named pipes, mailslots, shared memory, " +
    "synchronisation objects, WM_COPYDATA and the clipboard",
  commands: GROUPS,
};

/** The exit code of a timeout, as `timeout(1)` has it. */
const TIMED_OUT = 124;

const ROOT_FOOTER =
  `Global options (anywhere): --json (one JSON object a line), --debug (stack traces),
-h/--help, and at the start --version.
Exit codes: 0 done, 1 error, 2 usage error, 124 timed out, 130 interrupted (Ctrl+C).

Examples:
  winipc named-pipe list
  winipc named-pipe serve demo --echo --mode message
  winipc named-pipe call demo "hello"
  winipc mailslot create jobs
  winipc sync event wait ready --timeout 5s
  winipc --json copydata listen --class MyApp.Receiver`;

/** Options of {@linkcode main}. */
export interface MainOptions {
  /**
   * Where text output goes, instead of the process's stdout and stderr
   * (raw bytes that commands copy to stdout still go to the process's).
   *
   * @default {the process's stdout and stderr}
   */
  streams?: {
    /** Writes text to standard output. */
    stdout(text: string): void;
    /** Writes text to standard error. */
    stderr(text: string): void;
  };
  /**
   * Cancels the running command as Ctrl+C does: its waits end, what it
   * holds is released, and `main` returns 130.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * Runs the `winipc` command line and returns its exit code: 0 done, 1 an
 * error (printed as one line), 2 a usage error, 124 a timeout, 130
 * interrupted.
 *
 * Printing help and reporting usage errors work on every OS (the arguments
 * are checked before the platform); running a command needs Windows.
 *
 * @example Print the help of a command
 * ```ts
 * import { main } from "@winipc/winipc/cli";
 * import { assertEquals, assertStringIncludes } from "@std/assert";
 *
 * let out = "";
 * const code = await main(["named-pipe", "connect", "--help"], {
 *   streams: { stdout: (text) => out += text, stderr: () => {} },
 * });
 * assertEquals(code, 0);
 * assertStringIncludes(out, "Usage: winipc named-pipe connect NAME");
 * ```
 *
 * @param args The arguments (`Deno.args`).
 * @param options Where output goes.
 * @returns The exit code.
 */
export async function main(args: string[], options: MainOptions = {}): Promise<number> {
  const streams = options.streams ?? PROCESS_STREAMS;
  // Global flags count anywhere before a "--" (after it, they are arguments).
  const end = args.indexOf("--");
  const head = end < 0 ? args : args.slice(0, end);
  const globals = { json: head.includes("--json"), debug: head.includes("--debug") };
  let path = "winipc";
  try {
    let node: Command | Group = ROOT;
    let i = 0;
    let help = false;
    while (isGroup(node)) {
      const token: string | undefined = args[i];
      if (token === undefined) {
        if (help) {
          streams.stdout(groupHelp(node, path, node === ROOT ? ROOT_FOOTER : ""));
          return 0;
        }
        throw new UsageError(node === ROOT ? "missing command" : `missing command after "${path}"`);
      }
      i++;
      if (token === "--help" || token === "-h") help = true;
      else if (token === "--json" || token === "--debug") continue;
      else if ((token === "--version" || token === "-V") && node === ROOT) {
        streams.stdout(`winipc ${VERSION}\n`);
        return 0;
      } else if (token.startsWith("-")) throw new UsageError(`unknown option ${token}`);
      else {
        const child: Command | Group | undefined = findChild(node, token);
        if (!child) {
          throw new UsageError(
            `unknown command "${token}"; ${path} has: ${
              node.commands.map((c) => c.name).join(", ")
            }`,
          );
        }
        node = child;
        // Its own name, also when an alias led to it: messages and hints name it so.
        path += ` ${child.name}`;
      }
    }
    const parsed = parseCommand(node, args.slice(i));
    if (help || parsed.flags.help) {
      streams.stdout(commandHelp(node, path));
      return 0;
    }
    // The arguments are checked on every OS; only then is the platform.
    const command = node.prepare(parsed);
    if (Deno.build.os !== "windows") {
      throw new Deno.errors.NotSupported(
        `${path} needs Windows (this is ${Deno.build.os}); winipc uses the Win32 API through Deno.dlopen`,
      );
    }
    return await run(command, path, streams, globals, options.signal);
  } catch (error) {
    return report(error, path, streams, globals);
  }
}

async function run(
  command: Run,
  path: string,
  streams: Streams,
  globals: { json: boolean; debug: boolean },
  signal: AbortSignal | undefined,
): Promise<number> {
  const interrupt = new AbortController();
  const onInterrupt = () => {
    interrupt.abort(new Deno.errors.Interrupted("interrupted"));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  if (signal?.aborted) onInterrupt();
  signal?.addEventListener("abort", onInterrupt, { once: true });
  try {
    const ctx = new Context({
      json: globals.json,
      debug: globals.debug,
      signal: interrupt.signal,
      command: path,
      streams,
    });
    try {
      return (await command(ctx)) ?? 0;
    } catch (error) {
      if (interrupt.signal.aborted) {
        if (globals.debug && error !== interrupt.signal.reason) {
          streams.stderr(`${error instanceof Error ? error.stack : error}\n`);
        }
        streams.stderr("winipc: interrupted\n");
        return 130;
      }
      throw error;
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    signal?.removeEventListener("abort", onInterrupt);
  }
}

function report(
  error: unknown,
  path: string,
  streams: Streams,
  globals: { json: boolean; debug: boolean },
): number {
  const usage = error instanceof UsageError;
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  if (globals.json) {
    const code = (error as { code?: unknown })?.code;
    streams.stdout(
      toJson({
        type: "error",
        error: name,
        message,
        ...(typeof code === "number" ? { code } : {}),
      }) +
        "\n",
    );
  }
  if (globals.debug && error instanceof Error && !usage) {
    streams.stderr(`${error.stack}\n`);
    for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
      streams.stderr(`caused by: ${cause.stack}\n`);
    }
  }
  streams.stderr(`winipc: ${message}\n`);
  if (usage) {
    streams.stderr(`Run "${path} --help" for usage.\n`);
    return 2;
  }
  return isTimeout(error) ? TIMED_OUT : 1;
}

/** A wait that ran out of time: the library's `TimedOut`, or `AbortSignal.timeout()`'s reason. */
function isTimeout(error: unknown): boolean {
  return error instanceof Deno.errors.TimedOut ||
    (error instanceof DOMException && error.name === "TimeoutError");
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
