// Copyright 2026 the winipc authors. MIT license.
/**
 * `winipc mailslot`: create a mailslot and print what arrives; send to one.
 * Private to the CLI.
 *
 * @module
 */
import { createMailslot, openMailslot } from "../mailslot/mod.ts";
import type { Command, Group } from "./_command.ts";
import {
  checkOneSource,
  COUNT_OPTION,
  countOf,
  encodingOf,
  messagesFrom,
  parseSize,
  payloadFields,
  securityOf,
  TIMEOUT_OPTION,
  timeoutOf,
} from "./_util.ts";

const ENCODING_OPTION = {
  name: "encoding",
  value: "utf-8|utf-16le",
  description: "text encoding (default: utf-8)",
} as const;

const create: Command = {
  name: "create",
  summary: "create a mailslot and print each message as it comes",
  description: [
    "Prints one line a message (its text; a trailing NUL, as C senders add, is dropped).",
    "Runs until Ctrl+C or --count messages. Only this user may write unless --security",
    "everyone.",
  ].join("\n"),
  args: [{
    name: "NAME",
    description: "a short name (jobs is \\\\.\\mailslot\\jobs) or a full path",
  }],
  options: [
    COUNT_OPTION,
    { ...TIMEOUT_OPTION, description: "give up if a message does not come within MS (each wait)" },
    { name: "max-size", value: "BYTES", description: "the largest message (default: 64k; 0: any)" },
    ENCODING_OPTION,
    { name: "security", value: "owner|everyone", description: "who may write (default: owner)" },
  ],
  examples: [
    "winipc mailslot create jobs",
    "winipc --json mailslot create jobs --count 1 --timeout 30s",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const count = countOf(parsed);
    const timeout = timeoutOf(parsed);
    const encoding = encodingOf(parsed);
    const security = securityOf(parsed);
    const maxMessageSize = parsed.strings["max-size"] === undefined
      ? undefined
      : parseSize(parsed.strings["max-size"], "--max-size");
    return async (ctx) => {
      using slot = createMailslot(name, {
        security,
        ...(maxMessageSize !== undefined ? { maxMessageSize } : {}),
      });
      const path = slot.path;
      ctx.status(`listening on ${path}`, { type: "listening", path });
      for (let received = 0; received < count; received++) {
        const message = await slot.receive({
          signal: ctx.signal,
          ...(timeout !== undefined ? { timeout } : {}),
        });
        const fields = payloadFields(message, encoding);
        ctx.print(fields.text, { type: "message", ...fields });
      }
      return 0;
    };
  },
};

const send: Command = {
  name: "send",
  summary: "send messages to a mailslot",
  description:
    "Each MESSAGE is one message; with none, each line of stdin is one (or --file, one\nmessage of the file's bytes).",
  args: [
    {
      name: "NAME",
      description: "a short name, a full path, or \\\\*\\mailslot\\NAME (broadcast)",
    },
    { name: "MESSAGE", optional: true, variadic: true, description: "messages, as text" },
  ],
  options: [
    { name: "file", value: "PATH", description: "send this file as one message" },
    ENCODING_OPTION,
    { name: "nul", description: "end each text message with a NUL, as C readers expect" },
  ],
  examples: [
    'winipc mailslot send jobs "build #42"',
    "winipc mailslot send jobs --nul --encoding utf-16le hello",
    "dir /b | winipc mailslot send jobs",
  ],
  prepare(parsed) {
    const [name, ...texts] = parsed.args as [string, ...string[]];
    const encoding = encodingOf(parsed);
    const file = parsed.strings.file;
    checkOneSource(texts, file);
    return async (ctx) => {
      // The name is typed by the user, who may mean another computer or \\*\.
      using writer = openMailslot(name, { remote: true });
      let messages = 0;
      let bytes = 0;
      for await (const message of messagesFrom(ctx, texts, file, encoding, parsed.flags.nul)) {
        await writer.send(message);
        messages++;
        bytes += message.length;
      }
      ctx.print(
        `sent ${messages} message${messages === 1 ? "" : "s"} (${bytes} bytes) to ${name}`,
        {
          type: "sent",
          name,
          messages,
          bytes,
        },
      );
      return 0;
    };
  },
};

/** `winipc mailslot`. */
export const mailslotGroup: Group = {
  name: "mailslot",
  summary: "mailslots: create one and print what arrives, send to one",
  commands: [create, send],
};
