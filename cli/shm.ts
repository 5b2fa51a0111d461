// Copyright 2026 the winipc authors. MIT license.
/**
 * `winipc shm`: shared memory (create, dump, write) and the shared channel
 * (send, receive). Private to the CLI.
 *
 * @module
 */
import {
  createSharedChannel,
  createSharedMemory,
  openSharedChannel,
  openSharedMemory,
  type SharedChannelReceiver,
} from "../shared_memory/mod.ts";
import { type Command, type Group, UsageError } from "./_command.ts";
import { aborted } from "./_stream.ts";
import {
  COUNT_OPTION,
  countOf,
  dumpRows,
  encodingOf,
  formatDump,
  HOLD_OPTION,
  holdOf,
  holdText,
  holdUntilReleased,
  messagesFrom,
  parseHex,
  parseSize,
  payloadFields,
  Progress,
  securityOf,
  TIMEOUT_OPTION,
  timeoutOf,
  writeStdout,
} from "./_util.ts";

const NAME_ARG = {
  name: "NAME",
  description: "a short name (state is Local\\state), or Local\\... or Global\\...",
};

const create: Command = {
  name: "create",
  summary: "create a named mapping and keep it open until Enter",
  description: [
    "A mapping backed by the page file lives while a process has it open: this one keeps",
    "it until Enter (or the end of stdin), Ctrl+C, or --hold. With --file the mapping is",
    "backed by that file and outlives the tool.",
  ].join("\n"),
  args: [NAME_ARG],
  options: [
    { name: "size", value: "BYTES", description: "its size (required; 4096, 0x1000, 64k, 1m)" },
    { name: "file", value: "PATH", description: "back it with this file (created or grown)" },
    {
      name: "security",
      value: "owner|everyone",
      description: "who else may open it (default: owner)",
    },
    HOLD_OPTION,
  ],
  examples: ["winipc shm create state --size 4096", "winipc shm create state --size 64k --hold 30"],
  async run(ctx, parsed) {
    const [name] = parsed.args as [string];
    if (parsed.strings.size === undefined) throw new UsageError("--size is required");
    const size = parseSize(parsed.strings.size, "--size");
    if (size < 1) throw new UsageError("--size must be at least 1 byte");
    const hold = holdOf(parsed);
    using shm = createSharedMemory(name, {
      size,
      security: securityOf(parsed),
      ...(parsed.strings.file !== undefined ? { file: parsed.strings.file } : {}),
    });
    ctx.print(`created ${shm.name}, ${shm.size} bytes; holding it ${holdText(hold)}`, {
      type: "created",
      name: shm.name,
      size: shm.size,
    });
    const how = await holdUntilReleased(ctx, hold);
    if (how === "interrupt") throw ctx.signal.reason;
    ctx.print(`closed ${shm.name}`, { type: "closed", name: shm.name });
    return 0;
  },
};

function rangeOf(
  offsetText: string | undefined,
  lengthText: string | undefined,
  size: number,
  name: string,
): { offset: number; length: number } {
  const offset = offsetText === undefined ? 0 : parseSize(offsetText, "--offset");
  if (offset > size) {
    throw new RangeError(`--offset ${offsetText} is past the end of ${name} (${size} bytes)`);
  }
  const length = lengthText === undefined ? size - offset : parseSize(lengthText, "--length");
  if (offset + length > size) {
    throw new RangeError(
      `${length} bytes at offset ${offset} pass the end of ${name} (${size} bytes)`,
    );
  }
  return { offset, length };
}

const dump: Command = {
  name: "dump",
  summary: "print a range of a mapping as a hex dump",
  description:
    "Opens the mapping read-only and prints its bytes as hexdump -C does (identical rows\nfolded into *). --json prints one row a line.",
  args: [NAME_ARG],
  options: [
    {
      name: "offset",
      value: "BYTES",
      description: "where to start (default: 0; 0x10 and 4k work)",
    },
    { name: "length", value: "BYTES", description: "how many bytes (default: to the end)" },
  ],
  examples: [
    "winipc shm dump state --length 64",
    "winipc --json shm dump state --offset 0x100 --length 32",
  ],
  run(ctx, parsed) {
    const [name] = parsed.args as [string];
    using shm = openSharedMemory(name, { access: "read" });
    const { offset, length } = rangeOf(
      parsed.strings.offset,
      parsed.strings.length,
      shm.size,
      shm.name,
    );
    const bytes = shm.readSync(offset, new Uint8Array(length));
    const rows = dumpRows(bytes, offset);
    if (ctx.json) { for (const row of rows) ctx.print(null, { type: "row", ...row }); }
    else for (const line of formatDump(rows, offset + length)) ctx.print(line, {});
    return Promise.resolve(0);
  },
};

const write: Command = {
  name: "write",
  summary: "write bytes, text or a file into a mapping at an offset",
  args: [NAME_ARG],
  options: [
    { name: "offset", value: "BYTES", description: "where to write (default: 0)" },
    { name: "hex", value: "HEX", description: 'the bytes, as hex ("de ad be ef")' },
    { name: "text", value: "TEXT", description: "the bytes of this text (UTF-8)" },
    { name: "file", value: "PATH", description: "the bytes of this file" },
  ],
  examples: [
    'winipc shm write state --text "hello"',
    'winipc shm write state --offset 0x10 --hex "de ad be ef"',
    "winipc shm write state --file frame.bin",
  ],
  async run(ctx, parsed) {
    const [name] = parsed.args as [string];
    const given = (["hex", "text", "file"] as const).filter((k) => parsed.strings[k] !== undefined);
    if (given.length !== 1) throw new UsageError("give exactly one of --hex, --text and --file");
    const data = parsed.strings.hex !== undefined
      ? parseHex(parsed.strings.hex)
      : parsed.strings.text !== undefined
      ? new TextEncoder().encode(parsed.strings.text)
      : await Deno.readFile(parsed.strings.file!);
    using shm = openSharedMemory(name);
    const { offset } = rangeOf(parsed.strings.offset, String(data.length), shm.size, shm.name);
    shm.writeSync(offset, data);
    ctx.print(`wrote ${data.length} bytes at offset 0x${offset.toString(16)} of ${shm.name}`, {
      type: "written",
      name: shm.name,
      offset,
      bytes: data.length,
    });
    return 0;
  },
};

const send: Command = {
  name: "send",
  summary: "send messages through a shared channel",
  description: [
    "Opens the channel (made by `winipc shm receive` or a program) as its sender. Each",
    "MESSAGE is one message; with none, each line of stdin is one; --file sends a file",
    "in messages of the channel's largest size (progress on a terminal).",
  ].join("\n"),
  args: [NAME_ARG, {
    name: "MESSAGE",
    optional: true,
    variadic: true,
    description: "messages, as text",
  }],
  options: [
    { name: "file", value: "PATH", description: "send this file, in pieces" },
    { name: "encoding", value: "utf-8|utf-16le", description: "text encoding (default: utf-8)" },
    { ...TIMEOUT_OPTION, description: "give up if the channel stays full for MS" },
  ],
  examples: ['winipc shm send frames "hello" "world"', "winipc shm send frames --file video.raw"],
  async run(ctx, parsed) {
    const [name, ...texts] = parsed.args as [string, ...string[]];
    const timeout = timeoutOf(parsed);
    const options = { signal: ctx.signal, ...(timeout !== undefined ? { timeout } : {}) };
    using tx = openSharedChannel(name, { role: "sender" });
    let messages = 0;
    let bytes = 0;
    if (parsed.strings.file !== undefined) {
      if (texts.length > 0) throw new UsageError("give messages or --file, not both");
      using file = await Deno.open(parsed.strings.file);
      const progress = new Progress(ctx, "sent");
      const buffer = new Uint8Array(Math.min(tx.maxMessageSize, 1 << 20));
      try {
        for (let n = await file.read(buffer); n !== null; n = await file.read(buffer)) {
          await tx.send(buffer.subarray(0, n), options);
          messages++;
          bytes += n;
          progress.add(n);
        }
      } finally {
        progress.done();
      }
    } else {
      for await (const message of messagesFrom(ctx, texts, undefined, encodingOf(parsed))) {
        await tx.send(message, options);
        messages++;
        bytes += message.length;
      }
    }
    ctx.print(
      `sent ${messages} message${messages === 1 ? "" : "s"} (${bytes} bytes) to ${tx.name}`,
      {
        type: "sent",
        name: tx.name,
        messages,
        bytes,
      },
    );
    return 0;
  },
};

const receive: Command = {
  name: "receive",
  summary: "create a shared channel and print the messages sent through it",
  description: [
    "Creates the channel (or with --open, opens one a program made) as its receiver and",
    "prints each message as a line, until the sender closes (the end of the stream),",
    "--count messages, or Ctrl+C. --raw writes the messages' bytes to stdout instead",
    "(progress on a terminal): a file sent with `shm send --file` arrives whole.",
  ].join("\n"),
  args: [NAME_ARG],
  options: [
    COUNT_OPTION,
    { ...TIMEOUT_OPTION, description: "give up if a message does not come within MS (each wait)" },
    { name: "open", description: "open an existing channel instead of creating it" },
    {
      name: "capacity",
      value: "BYTES",
      description: "the ring's size, a power of two (default: 1m)",
    },
    { name: "raw", description: "write the bytes to stdout, not lines" },
    { name: "encoding", value: "utf-8|utf-16le", description: "text encoding (default: utf-8)" },
  ],
  examples: [
    "winipc shm receive frames",
    "winipc shm receive frames --raw > copy.raw",
    "winipc --json shm receive frames --count 1 --timeout 10s",
  ],
  async run(ctx, parsed) {
    const [name] = parsed.args as [string];
    const count = countOf(parsed);
    const timeout = timeoutOf(parsed);
    const encoding = encodingOf(parsed);
    if (parsed.flags.open && parsed.strings.capacity !== undefined) {
      throw new UsageError("--capacity is for a channel this command creates, not with --open");
    }
    using rx: SharedChannelReceiver = parsed.flags.open
      ? openSharedChannel(name, { role: "receiver" })
      : createSharedChannel(name, {
        role: "receiver",
        ...(parsed.strings.capacity !== undefined
          ? { capacity: parseSize(parsed.strings.capacity, "--capacity") }
          : {}),
      });
    ctx.status(`receiving on ${rx.name}`, { type: "listening", name: rx.name });
    const options = { signal: ctx.signal, ...(timeout !== undefined ? { timeout } : {}) };
    const progress = new Progress(ctx, "received", parsed.flags.raw && Deno.stderr.isTerminal());
    let messages = 0;
    let bytes = 0;
    const stop = aborted(ctx.signal);
    try {
      while (messages < count) {
        const message = await Promise.race([rx.receive(options), stop]);
        if (message === null) break;
        messages++;
        bytes += message.length;
        if (parsed.flags.raw && !ctx.json) {
          await writeStdout(message);
          progress.add(message.length);
        } else {
          const fields = payloadFields(message, encoding);
          ctx.print(fields.text, { type: "message", ...fields });
        }
      }
    } finally {
      progress.done();
    }
    ctx.status(
      messages < count
        ? `the sender closed: ${messages} messages, ${bytes} bytes`
        : `${messages} messages, ${bytes} bytes`,
      { type: "end", messages, bytes, closed: messages < count },
    );
    return 0;
  },
};

/** `winipc shm`. */
export const shmGroup: Group = {
  name: "shm",
  summary: "shared memory: create, dump, write; the shared channel: send, receive",
  commands: [create, dump, write, send, receive],
};
