// Copyright 2026 the winipc authors. MIT license.
/**
 * `winipc shared-memory` (alias `shm`): shared memory (create, dump, write)
 * and the shared channel (send, receive). Private to the CLI.
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
import { type Command, type Group, type Parsed, UsageError } from "./_command.ts";
import { aborted } from "./_stream.ts";
import {
  checkOneSource,
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
  examples: [
    "winipc shared-memory create state --size 4096",
    "winipc shared-memory create state --size 64k --hold 30",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    if (parsed.strings.size === undefined) throw new UsageError("--size is required");
    const size = parseSize(parsed.strings.size, "--size");
    if (size < 1) throw new UsageError("--size must be at least 1 byte");
    const hold = holdOf(parsed);
    const security = securityOf(parsed);
    const file = parsed.strings.file;
    return async (ctx) => {
      using shm = createSharedMemory(name, {
        size,
        security,
        ...(file !== undefined ? { file } : {}),
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
    };
  },
};

/** The `--offset` of a parsed command line (default 0). */
function offsetOf(parsed: Parsed): number {
  const text = parsed.strings.offset;
  return text === undefined ? 0 : parseSize(text, "--offset");
}

/**
 * A range of a mapping of `size` bytes: from `offset`, `length` bytes or
 * to the end.
 *
 * @throws {RangeError} If it does not fit.
 */
function rangeOf(
  offset: number,
  length: number | undefined,
  size: number,
  name: string,
): { offset: number; length: number } {
  if (offset > size) {
    throw new RangeError(
      `--offset 0x${offset.toString(16)} is past the end of ${name} (${size} bytes)`,
    );
  }
  length ??= size - offset;
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
    "winipc shared-memory dump state --length 64",
    "winipc --json shared-memory dump state --offset 0x100 --length 32",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const start = offsetOf(parsed);
    const lengthText = parsed.strings.length;
    const wanted = lengthText === undefined ? undefined : parseSize(lengthText, "--length");
    return (ctx) => {
      using shm = openSharedMemory(name, { access: "read" });
      const { offset, length } = rangeOf(start, wanted, shm.size, shm.name);
      const bytes = shm.readSync(offset, new Uint8Array(length));
      const rows = dumpRows(bytes, offset);
      if (ctx.json) { for (const row of rows) ctx.print(null, { type: "row", ...row }); }
      else for (const line of formatDump(rows, offset + length)) ctx.print(line, {});
      return Promise.resolve(0);
    };
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
    'winipc shared-memory write state --text "hello"',
    'winipc shared-memory write state --offset 0x10 --hex "de ad be ef"',
    "winipc shared-memory write state --file frame.bin",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const given = (["hex", "text", "file"] as const).filter((k) => parsed.strings[k] !== undefined);
    if (given.length !== 1) throw new UsageError("give exactly one of --hex, --text and --file");
    const bytes = parsed.strings.hex !== undefined
      ? parseHex(parsed.strings.hex)
      : parsed.strings.text !== undefined
      ? new TextEncoder().encode(parsed.strings.text)
      : undefined;
    const file = parsed.strings.file;
    const start = offsetOf(parsed);
    return async (ctx) => {
      const data = bytes ?? await Deno.readFile(file!);
      using shm = openSharedMemory(name);
      const { offset } = rangeOf(start, data.length, shm.size, shm.name);
      shm.writeSync(offset, data);
      ctx.print(`wrote ${data.length} bytes at offset 0x${offset.toString(16)} of ${shm.name}`, {
        type: "written",
        name: shm.name,
        offset,
        bytes: data.length,
      });
      return 0;
    };
  },
};

const send: Command = {
  name: "send",
  summary: "send messages through a shared channel",
  description: [
    "Opens the channel (made by `winipc shared-memory receive` or a program) as its sender. Each",
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
  examples: [
    'winipc shared-memory send frames "hello" "world"',
    "winipc shared-memory send frames --file video.raw",
  ],
  prepare(parsed) {
    const [name, ...texts] = parsed.args as [string, ...string[]];
    const timeout = timeoutOf(parsed);
    const path = parsed.strings.file;
    checkOneSource(texts, path);
    const encoding = encodingOf(parsed);
    return async (ctx) => {
      const options = { signal: ctx.signal, ...(timeout !== undefined ? { timeout } : {}) };
      using tx = openSharedChannel(name, { role: "sender" });
      let messages = 0;
      let bytes = 0;
      if (path !== undefined) {
        using file = await Deno.open(path);
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
        for await (const message of messagesFrom(ctx, texts, undefined, encoding)) {
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
    };
  },
};

const receive: Command = {
  name: "receive",
  summary: "create a shared channel and print the messages sent through it",
  description: [
    "Creates the channel (or with --open, opens one a program made) as its receiver and",
    "prints each message as a line, until the sender closes (the end of the stream),",
    "--count messages, or Ctrl+C. --raw writes the messages' bytes to stdout instead",
    "(progress on a terminal): a file sent with `shared-memory send --file` arrives whole.",
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
    "winipc shared-memory receive frames",
    "winipc shared-memory receive frames --raw > copy.raw",
    "winipc --json shared-memory receive frames --count 1 --timeout 10s",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const count = countOf(parsed);
    const timeout = timeoutOf(parsed);
    const encoding = encodingOf(parsed);
    if (parsed.flags.open && parsed.strings.capacity !== undefined) {
      throw new UsageError("--capacity is for a channel this command creates, not with --open");
    }
    const capacity = parsed.strings.capacity === undefined
      ? undefined
      : parseSize(parsed.strings.capacity, "--capacity");
    return async (ctx) => {
      using rx: SharedChannelReceiver = parsed.flags.open
        ? openSharedChannel(name, { role: "receiver" })
        : createSharedChannel(name, {
          role: "receiver",
          ...(capacity !== undefined ? { capacity } : {}),
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
    };
  },
};

/** `winipc shared-memory`, also `winipc shm`. */
export const sharedMemoryGroup: Group = {
  name: "shared-memory",
  aliases: ["shm"],
  summary: "shared memory: create, dump, write; the shared channel: send, receive",
  commands: [create, dump, write, send, receive],
};
