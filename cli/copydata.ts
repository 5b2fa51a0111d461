// Copyright 2026 the winipc authors. MIT license.
/**
 * `winipc copydata`: send `WM_COPYDATA` to a window found by class or
 * title, and listen under a class name. Private to the CLI.
 *
 * @module
 */
import { type CopyDataTarget, listenCopyData, sendCopyData } from "../copydata/mod.ts";
import { type Command, type Group, UsageError } from "./_command.ts";
import { aborted } from "./_stream.ts";
import {
  COUNT_OPTION,
  countOf,
  encodingOf,
  parseHex,
  parseInteger,
  payloadFields,
  TIMEOUT_OPTION,
  timeoutOf,
} from "./_util.ts";

const ENCODING_OPTION = {
  name: "encoding",
  value: "utf-16le|utf-8",
  description: "text encoding (default: utf-16le, as AutoHotkey and wide-character programs use)",
} as const;

/**
 * A tag (or a window handle) from the command line: 0 to 2^64 - 1, decimal
 * or `0x` hex.
 *
 * @param text The value.
 * @param option The option, for the message.
 * @returns The number.
 * @throws {UsageError} If it is not one.
 */
export function parseTag(text: string, option = "--tag"): bigint {
  let value: bigint | null = null;
  if (/^(\d+|0x[0-9a-f]+)$/i.test(text.trim())) value = BigInt(text.trim());
  if (value === null || value > 2n ** 64n - 1n) {
    throw new UsageError(`${option} must be a whole number from 0 to 2^64 - 1, got "${text}"`);
  }
  return value;
}

const send: Command = {
  name: "send",
  summary: "send WM_COPYDATA to a window found by class or title",
  description: [
    "Sends one message (text, --hex bytes or a --file) with a tag and prints the",
    "receiver's reply. Text is UTF-16 with a NUL at the end (as AutoHotkey reads it)",
    "unless --encoding utf-8.",
  ].join("\n"),
  args: [{ name: "TEXT", optional: true, description: "the text to send" }],
  options: [
    { name: "class", value: "CLASS", description: "the window's class name" },
    { name: "title", value: "TITLE", description: "the window's title" },
    { name: "window", value: "HWND", description: "the window handle (decimal or 0x hex)" },
    { name: "tag", value: "N", description: "dwData, 0 to 2^64 - 1 (default: 0)" },
    { name: "hex", value: "HEX", description: "send these bytes instead of TEXT" },
    { name: "file", value: "PATH", description: "send this file's bytes instead of TEXT" },
    ENCODING_OPTION,
    {
      ...TIMEOUT_OPTION,
      description: "give up if the window does not answer within MS (default: 5000)",
    },
  ],
  examples: [
    'winipc copydata send --class AutoHotkey --tag 1 "hello"',
    'winipc copydata send --title "My App" --hex "01 02 03"',
  ],
  prepare(parsed) {
    const { strings } = parsed;
    let target: CopyDataTarget;
    if (strings.window !== undefined) {
      if (strings.class !== undefined || strings.title !== undefined) {
        throw new UsageError("give --window, or --class and/or --title");
      }
      target = { window: parseTag(strings.window, "--window") };
    } else if (strings.class !== undefined || strings.title !== undefined) {
      target = {
        ...(strings.class !== undefined ? { className: strings.class } : {}),
        ...(strings.title !== undefined ? { title: strings.title } : {}),
      };
    } else throw new UsageError("say where to send: --class, --title or --window");
    const sources = [parsed.args[0], strings.hex, strings.file].filter((s) => s !== undefined);
    if (sources.length !== 1) throw new UsageError("give exactly one of TEXT, --hex and --file");
    const encoding = encodingOf(parsed, "utf-16le");
    const given: Uint8Array | string | undefined = strings.hex !== undefined
      ? parseHex(strings.hex)
      : parsed.args[0];
    const file = strings.file;
    const tag = strings.tag === undefined ? 0n : parseTag(strings.tag);
    const timeout = timeoutOf(parsed);
    return async (ctx) => {
      const data = given ?? await Deno.readFile(file!);
      const reply = await sendCopyData(target, data, {
        tag,
        encoding,
        signal: ctx.signal,
        ...(timeout !== undefined ? { timeout } : {}),
      });
      const where = "window" in target ? `window 0x${target.window.toString(16)}` : [
        target.className !== undefined ? `class "${target.className}"` : "",
        target.title !== undefined ? `title "${target.title}"` : "",
      ].filter(Boolean).join(" and ");
      const size = typeof data === "string"
        ? (encoding === "utf-8" ? new TextEncoder().encode(data).length : (data.length + 1) * 2)
        : data.length;
      ctx.print(`sent ${size} bytes with tag ${tag} to ${where}: reply ${reply}`, {
        type: "sent",
        bytes: size,
        tag,
        reply,
      });
      return 0;
    };
  },
};

const listen: Command = {
  name: "listen",
  summary: "open a hidden window under a class name and print each WM_COPYDATA message",
  description: [
    "Senders find the window by --class (AutoHotkey: ahk_class) or --title. Prints one",
    'line a message, "tag N: TEXT", until Ctrl+C or --count messages. Every sender gets',
    "--reply at once.",
  ].join("\n"),
  options: [
    {
      name: "class",
      value: "CLASS",
      description: "the window's class name (default: a unique one)",
    },
    { name: "title", value: "TITLE", description: "the window's title (default: none)" },
    { name: "reply", value: "N", description: "what SendMessage returns to senders (default: 1)" },
    COUNT_OPTION,
    { ...TIMEOUT_OPTION, description: "give up if a message does not come within MS (each wait)" },
    ENCODING_OPTION,
  ],
  examples: [
    "winipc copydata listen --class MyApp.Receiver",
    "winipc --json copydata listen --class MyApp.Receiver --count 1 --timeout 30s",
  ],
  prepare(parsed) {
    const count = countOf(parsed);
    const timeout = timeoutOf(parsed);
    const encoding = encodingOf(parsed, "utf-16le");
    const reply = parsed.strings.reply === undefined
      ? undefined
      : parseInteger(parsed.strings.reply, "--reply", -(2 ** 31), 2 ** 32 - 1);
    return async (ctx) => {
      await using listener = await listenCopyData({
        ...(parsed.strings.class !== undefined ? { className: parsed.strings.class } : {}),
        ...(parsed.strings.title !== undefined ? { title: parsed.strings.title } : {}),
        ...(reply !== undefined ? { reply } : {}),
      });
      ctx.status(
        `listening as class "${listener.className}"${
          listener.title ? ` title "${listener.title}"` : ""
        } (window 0x${listener.window.toString(16)})`,
        {
          type: "listening",
          className: listener.className,
          title: listener.title,
          window: listener.window,
        },
      );
      const stop = aborted(ctx.signal);
      for (let received = 0; received < count; received++) {
        const message = await Promise.race([
          listener.receive({ signal: ctx.signal, ...(timeout !== undefined ? { timeout } : {}) }),
          stop,
        ]);
        const fields = payloadFields(message.bytes, encoding);
        ctx.print(`tag ${message.tag}: ${fields.text}`, {
          type: "message",
          tag: message.tag,
          ...fields,
          senderWindow: message.senderWindow,
        });
      }
      return 0;
    };
  },
};

/** `winipc copydata`. */
export const copydataGroup: Group = {
  name: "copydata",
  summary: "WM_COPYDATA: send to a window, listen under a class name",
  commands: [send, listen],
};
