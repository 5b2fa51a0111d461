// Copyright 2026 the winipc authors. MIT license.
/**
 * `winipc named-pipe` (alias `pipe`): named pipes. List, serve (echo or
 * stdin/stdout), connect, call, and ask who serves a name. Private to the
 * CLI.
 *
 * @module
 */
import {
  callNamedPipe,
  connectNamedPipe,
  listenNamedPipe,
  listNamedPipes,
  type NamedPipeConn,
  type NamedPipeMode,
} from "../named_pipe/mod.ts";
import type { Command, Context, Group, Parsed } from "./_command.ts";
import { UsageError } from "./_command.ts";
import { aborted, pump } from "./_stream.ts";
import {
  encodeText,
  encodingOf,
  parseDuration,
  parseInteger,
  payloadFields,
  securityOf,
  TIMEOUT_OPTION,
  timeoutOf,
} from "./_util.ts";

const MODE_OPTION = {
  name: "mode",
  value: "byte|message",
  description: "byte stream or whole messages (default: byte)",
} as const;

function modeOf(parsed: Parsed): NamedPipeMode {
  const mode = parsed.strings.mode ?? "byte";
  if (mode !== "byte" && mode !== "message") {
    throw new UsageError(`--mode must be byte or message, got "${mode}"`);
  }
  return mode;
}

const SECURITY_OPTION = {
  name: "security",
  value: "owner|everyone",
  description: "who may connect (default: owner, this user only)",
} as const;

/**
 * Whether a pipe name matches a filter: a case-insensitive part of the
 * name, or with `*` and `?` a pattern for the whole name.
 *
 * @param name A pipe name.
 * @param filter The filter.
 * @returns Whether it matches.
 */
export function matchesFilter(name: string, filter: string): boolean {
  if (!/[*?]/.test(filter)) return name.toLowerCase().includes(filter.toLowerCase());
  const pattern = filter.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll(
    "?",
    ".",
  );
  return new RegExp(`^${pattern}$`, "is").test(name);
}

const list: Command = {
  name: "list",
  summary: "list the named pipes on this computer",
  description:
    "Prints the names under \\\\.\\pipe\\ (short names), in the order Windows reports them.",
  args: [{
    name: "FILTER",
    optional: true,
    description: "a part of the name, or a pattern with * and ? (case-insensitive)",
  }],
  examples: [
    "winipc named-pipe list",
    "winipc named-pipe list mojo",
    'winipc --json named-pipe list "winipc-*"',
  ],
  prepare({ args }) {
    const filter = args[0];
    return (ctx) => {
      for (const name of listNamedPipes()) {
        if (filter !== undefined && !matchesFilter(name, filter)) continue;
        ctx.print(name, { type: "pipe", name, path: `\\\\.\\pipe\\${name}` });
      }
      return Promise.resolve(0);
    };
  },
};

async function echoConnection(
  ctx: Context,
  conn: NamedPipeConn,
): Promise<{ bytes: number; messages: number }> {
  const { signal } = ctx;
  let bytes = 0;
  let messages = 0;
  if (conn.mode === "message") {
    for (let m = await conn.receive({ signal }); m !== null; m = await conn.receive({ signal })) {
      await conn.send(m, { signal });
      bytes += m.length;
      messages++;
    }
  } else {
    const buffer = new Uint8Array(65536);
    for (
      let n = await conn.read(buffer, { signal });
      n !== null;
      n = await conn.read(buffer, { signal })
    ) {
      let offset = 0;
      while (offset < n) offset += await conn.write(buffer.subarray(offset, n), { signal });
      bytes += n;
    }
  }
  return { bytes, messages };
}

const serve: Command = {
  name: "serve",
  summary: "serve a named pipe: stdin/stdout to one client, or --echo for every client",
  description: [
    "Without --echo: waits for one client, then copies stdin to it and what it sends to",
    "stdout (message mode: a line is a message) until the client closes. Status lines go",
    "to stderr.",
    "With --echo: echoes everything every client sends (message mode: each message",
    "whole), clients at the same time, until Ctrl+C or --clients have been served.",
    "The pipe is owner-only unless --security everyone.",
  ].join("\n"),
  args: [{ name: "NAME", description: "a short name (demo is \\\\.\\pipe\\demo) or a full path" }],
  options: [
    MODE_OPTION,
    { name: "echo", description: "echo every client instead of connecting one to stdin/stdout" },
    { name: "clients", value: "N", description: "with --echo: exit after serving N clients" },
    SECURITY_OPTION,
    { ...TIMEOUT_OPTION, description: "give up if no client comes within MS (each wait)" },
  ],
  examples: [
    "# an echo server for two clients, whole messages",
    "winipc named-pipe serve demo --echo --mode message --clients 2",
    "# hand a file to the first client",
    "winipc named-pipe serve demo < report.pdf",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const mode = modeOf(parsed);
    const timeout = timeoutOf(parsed);
    const clients = parsed.strings.clients === undefined
      ? Infinity
      : parseInteger(parsed.strings.clients, "--clients", 1, Number.MAX_SAFE_INTEGER);
    if (!parsed.flags.echo && parsed.strings.clients !== undefined) {
      throw new UsageError("--clients goes with --echo");
    }
    const security = securityOf(parsed);
    return (ctx) =>
      serveNamedPipe(ctx, {
        name,
        mode,
        timeout,
        clients,
        security,
        echo: parsed.flags.echo === true,
      });
  },
};

async function serveNamedPipe(
  ctx: Context,
  { name, mode, timeout, clients, security, echo }: {
    name: string;
    mode: NamedPipeMode;
    timeout: number | undefined;
    clients: number;
    security: "owner" | "everyone";
    echo: boolean;
  },
): Promise<number> {
  const { signal } = ctx;
  using listener = listenNamedPipe(name, { mode, security });
  const wait = { signal, ...(timeout !== undefined ? { timeout } : {}) };
  if (!echo) {
    ctx.status(`listening on ${listener.path} (${mode} mode)`, {
      type: "listening",
      path: listener.path,
      mode,
    });
    using conn = await listener.accept(wait);
    ctx.status(`client process ${conn.peerProcessId} connected`, {
      type: "connected",
      processId: conn.peerProcessId,
    });
    const result = await pump(ctx, conn, null);
    ctx.status(`client process ${conn.peerProcessId} closed the pipe`, {
      type: "closed",
      processId: conn.peerProcessId,
      sent: result.sent,
      received: result.received,
    });
    return 0;
  }
  ctx.status(`listening on ${listener.path} (${mode} mode, echo)`, {
    type: "listening",
    path: listener.path,
    mode,
  });
  const running = new Set<Promise<void>>();
  const stop = aborted(signal);
  for (let accepted = 0; accepted < clients; accepted++) {
    const conn = await listener.accept(wait);
    const pid = conn.peerProcessId;
    ctx.print(`client process ${pid} connected`, { type: "connected", processId: pid });
    const task = echoConnection(ctx, conn).then(
      ({ bytes, messages }) => {
        ctx.print(
          `client process ${pid} closed the pipe: echoed ${
            mode === "message" ? `${messages} message${messages === 1 ? "" : "s"}, ` : ""
          }${bytes} bytes`,
          { type: "closed", processId: pid, bytes, ...(mode === "message" ? { messages } : {}) },
        );
      },
      (error) => {
        if (signal.aborted) return;
        ctx.print(`client process ${pid}: ${error instanceof Error ? error.message : error}`, {
          type: "failed",
          processId: pid,
          message: String(error instanceof Error ? error.message : error),
        });
      },
    ).finally(() => {
      conn[Symbol.dispose]();
      running.delete(task);
    });
    running.add(task);
  }
  await Promise.race([Promise.all(running), stop]);
  return 0;
}

const connect: Command = {
  name: "connect",
  summary: "connect to a named pipe: stdin to the pipe, the pipe to stdout",
  description: [
    "Copies stdin to the pipe and what the server sends to stdout: type lines on a",
    "terminal, or pipe a file through. In message mode each line is one message and",
    "each message received is printed as a line. The tool ends when the server closes,",
    "or once stdin has ended and the server has been silent for --linger.",
  ].join("\n"),
  args: [{ name: "NAME", description: "a short name or a full \\\\.\\pipe\\ path" }],
  options: [
    MODE_OPTION,
    {
      ...TIMEOUT_OPTION,
      description: "wait this long for the pipe to exist or be free (default: 0)",
    },
    {
      name: "linger",
      value: "MS",
      description: "after stdin ends, wait for this much silence (default: 1000)",
    },
  ],
  examples: [
    "# type lines to a message-mode server, see its replies",
    "winipc named-pipe connect demo --mode message",
    "# send a file and save the answer",
    "winipc named-pipe connect demo --timeout 5s < request.bin > reply.bin",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const mode = modeOf(parsed);
    const timeout = timeoutOf(parsed);
    const linger = parsed.strings.linger === undefined
      ? 1000
      : parseDuration(parsed.strings.linger, "linger");
    return async (ctx) => {
      using conn = await connectNamedPipe(name, {
        mode,
        signal: ctx.signal,
        ...(timeout !== undefined ? { timeout } : {}),
      });
      ctx.status(`connected to ${conn.path} (server process ${conn.peerProcessId})`, {
        type: "connected",
        path: conn.path,
        processId: conn.peerProcessId,
      });
      const result = await pump(ctx, conn, linger === Infinity ? null : linger);
      if (result.end === "peer") {
        ctx.status("the server closed the pipe", {
          type: "closed",
          sent: result.sent,
          received: result.received,
        });
      }
      return 0;
    };
  },
};

const call: Command = {
  name: "call",
  summary: "send one message to a message-mode pipe and print the reply",
  description:
    "Connects, sends one message, reads one whole reply and closes (CallNamedPipe).\nWithout MESSAGE and --file, the message is all of stdin.",
  args: [{ name: "NAME", description: "a short name or a full path" }, {
    name: "MESSAGE",
    optional: true,
    description: "the message, as text",
  }],
  options: [
    { name: "file", value: "PATH", description: "send this file's content instead" },
    {
      name: "encoding",
      value: "utf-8|utf-16le",
      description: "how MESSAGE is encoded (default: utf-8)",
    },
    {
      ...TIMEOUT_OPTION,
      description: "wait this long for the pipe to exist or be free (default: 0)",
    },
  ],
  examples: [
    'winipc named-pipe call demo "status"',
    "winipc --json named-pipe call demo --file request.json",
  ],
  prepare(parsed) {
    const [name, message] = parsed.args as [string, string | undefined];
    const encoding = encodingOf(parsed);
    const file = parsed.strings.file;
    if (file !== undefined && message !== undefined) {
      throw new UsageError("give MESSAGE or --file, not both");
    }
    const timeout = timeoutOf(parsed);
    return async (ctx) => {
      let request: Uint8Array;
      if (file !== undefined) request = await Deno.readFile(file);
      else if (message !== undefined) request = encodeText(message, encoding);
      else request = new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
      const reply = await callNamedPipe(name, request, {
        signal: ctx.signal,
        ...(timeout !== undefined ? { timeout } : {}),
      });
      const fields = payloadFields(reply, encoding);
      ctx.print(fields.text, { type: "reply", ...fields });
      return 0;
    };
  },
};

const serverPid: Command = {
  name: "server-pid",
  summary: "print the process id of the server of a pipe",
  description:
    "Connects (taking one instance for a moment), asks Windows for the server's process\nid (GetNamedPipeServerProcessId) and session, and closes.",
  args: [{ name: "NAME", description: "a short name or a full path" }],
  options: [{
    ...TIMEOUT_OPTION,
    description: "wait this long for the pipe to exist or be free (default: 0)",
  }],
  examples: ["winipc named-pipe server-pid demo", "winipc --json named-pipe server-pid demo"],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const timeout = timeoutOf(parsed);
    return async (ctx) => {
      const connecting = connectNamedPipe(name, {
        signal: ctx.signal,
        ...(timeout !== undefined ? { timeout } : {}),
      });
      using conn = await Promise.race([connecting, aborted(ctx.signal)]);
      ctx.print(
        `${conn.path}: server process ${conn.peerProcessId} (session ${conn.peerSessionId})`,
        {
          type: "server",
          path: conn.path,
          processId: conn.peerProcessId,
          sessionId: conn.peerSessionId,
        },
      );
      return 0;
    };
  },
};

/** `winipc named-pipe`, also `winipc pipe`. */
export const namedPipeGroup: Group = {
  name: "named-pipe",
  aliases: ["pipe"],
  summary: "named pipes: list, serve, connect, call, server-pid",
  commands: [list, serve, connect, call, serverPid],
};
