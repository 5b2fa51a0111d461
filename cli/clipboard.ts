// Copyright 2026 the winipc authors. MIT license.
/**
 * `winipc clipboard`: get and set text, HTML, RTF, files and images; list
 * the formats; watch changes; clear. Private to the CLI.
 *
 * @module
 */
import * as clipboard from "../clipboard/mod.ts";
import { decodeImagePng, encodeImagePng } from "../clipboard/_png.ts";
import { type Command, type Context, type Group, type Parsed, UsageError } from "./_command.ts";
import {
  COUNT_OPTION,
  countOf,
  decodeUtf8,
  parseDuration,
  TIMEOUT_OPTION,
  timeoutOf,
} from "./_util.ts";

const KINDS = ["text", "html", "rtf", "files", "image"] as const;
type Kind = typeof KINDS[number];

function kindOf(parsed: Parsed, fallback: Kind): Kind {
  const given = parsed.strings.as ?? fallback;
  const kind = KINDS.find((k) => k === given);
  if (kind === undefined) {
    throw new UsageError(`--as must be one of ${KINDS.join(", ")}, got "${given}"`);
  }
  return kind;
}

/**
 * The whole of stdin as text (the text to set when no argument is given).
 *
 * @throws {Deno.errors.InvalidData} If it is not UTF-8.
 */
async function stdinText(ctx: Context): Promise<string> {
  const parts: Uint8Array[] = [];
  for (let chunk = await ctx.stdin.chunk(); chunk !== null; chunk = await ctx.stdin.chunk()) {
    parts.push(chunk);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return decodeUtf8(all, "stdin");
}

const AS_OPTION = {
  name: "as",
  value: KINDS.join("|"),
  description: "the kind of data (default: text)",
} as const;

const get: Command = {
  name: "get",
  summary: "print what the clipboard holds, as text, HTML, RTF, files or an image",
  description: [
    "Text, HTML (the fragment; --json adds the source URL), RTF and file lists (one path a",
    "line) go to stdout. An image is saved as PNG with --out (its size is printed); a",
    "registered format's bytes with --format and --out. Exits 1 if the clipboard holds",
    "no such data.",
  ].join("\n"),
  options: [
    AS_OPTION,
    { name: "format", value: "NAME", description: "a registered format's bytes (with --out)" },
    { name: "out", value: "FILE", description: "write an image (PNG) or a format's bytes here" },
  ],
  examples: [
    "winipc clipboard get",
    "winipc --json clipboard get --as html",
    "winipc clipboard get --as image --out shot.png",
  ],
  prepare(parsed) {
    const out = parsed.strings.out;
    const format = parsed.strings.format;
    if (format !== undefined) {
      if (out === undefined) throw new UsageError("--format needs --out FILE");
      return async (ctx) => {
        const bytes = await clipboard.readFormat(format);
        if (bytes === null) throw new Deno.errors.NotFound(`The clipboard holds no "${format}"`);
        await Deno.writeFile(out, bytes);
        ctx.print(`wrote ${bytes.length} bytes of "${format}" to ${out}`, {
          type: "format",
          format,
          bytes: bytes.length,
          file: out,
        });
        return 0;
      };
    }
    const kind = kindOf(parsed, "text");
    return async (ctx) => {
      const missing = () => new Deno.errors.NotFound(`The clipboard holds no ${kind}`);
      switch (kind) {
        case "text": {
          const text = await clipboard.readText();
          if (text === null) throw missing();
          ctx.print(text, { type: "text", text });
          break;
        }
        case "html": {
          const html = await clipboard.readHtml();
          if (html === null) throw missing();
          ctx.print(html.html, { type: "html", ...html });
          break;
        }
        case "rtf": {
          const rtf = await clipboard.readRtf();
          if (rtf === null) throw missing();
          ctx.print(rtf, { type: "rtf", rtf });
          break;
        }
        case "files": {
          const files = await clipboard.readFiles();
          if (files === null) throw missing();
          ctx.print(files.join("\n"), { type: "files", files });
          break;
        }
        case "image": {
          const image = await clipboard.readImage();
          if (image === null) throw missing();
          if (out !== undefined) await Deno.writeFile(out, encodeImagePng(image));
          ctx.print(
            `${image.width}×${image.height} image${image.hasAlpha ? " with alpha" : ""}${
              out !== undefined ? `, saved to ${out}` : ""
            }`,
            {
              type: "image",
              width: image.width,
              height: image.height,
              hasAlpha: image.hasAlpha,
              ...(out !== undefined ? { file: out } : {}),
            },
          );
          break;
        }
      }
      return 0;
    };
  },
};

const set: Command = {
  name: "set",
  summary: "put text, HTML, RTF, files or an image on the clipboard",
  description: [
    "With --as text (the default), html or rtf, VALUE is the data (all of stdin, which",
    "must be UTF-8, when left out); with --as files, each VALUE is a path (made absolute);",
    "with --as image, VALUE is a PNG file. --secret keeps it out of clipboard history, the",
    "cloud clipboard and monitors; --clear-after empties the clipboard later if it still",
    "holds this.",
  ].join("\n"),
  args: [{ name: "VALUE", optional: true, variadic: true, description: "the data, or paths" }],
  options: [
    AS_OPTION,
    { name: "text", value: "TEXT", description: "with --as html or rtf: the plain text beside it" },
    { name: "source-url", value: "URL", description: "with --as html: the page it came from" },
    { name: "secret", description: "exclude from history, cloud clipboard and monitors" },
    {
      name: "clear-after",
      value: "MS",
      description: "then clear it after MS (only if it is still this); waits until then",
    },
  ],
  examples: [
    'winipc clipboard set "hello"',
    "type notes.txt | winipc clipboard set",
    'winipc clipboard set --as html "<b>bold</b>" --source-url https://example.com/',
    "winipc clipboard set --as files report.pdf data.csv",
    "winipc clipboard set --as image picture.png",
    'winipc clipboard set --secret --clear-after 30s "hunter2"',
  ],
  prepare(parsed) {
    const kind = kindOf(parsed, "text");
    const values = parsed.args;
    const clearAfter = parsed.strings["clear-after"] === undefined
      ? undefined
      : parseDuration(parsed.strings["clear-after"], "clear-after");
    if (kind !== "files" && values.length > 1) {
      throw new UsageError(`--as ${kind} takes one VALUE (quote it), got ${values.length}`);
    }
    if (kind === "files" && values.length === 0) {
      throw new UsageError("--as files needs at least one path");
    }
    return async (ctx) => {
      const options = {
        ...(parsed.flags.secret ? { secret: true } : {}),
        ...(clearAfter !== undefined ? { clearAfter } : {}),
        signal: ctx.signal,
      };
      const one = async () => values[0] ?? await stdinText(ctx);
      let result: clipboard.WriteResult;
      let what: string;
      switch (kind) {
        case "text": {
          const text = await one();
          result = await clipboard.writeText(text, options);
          what = `${text.length} characters of text`;
          break;
        }
        case "html": {
          const html = await one();
          result = await clipboard.writeHtml(html, {
            ...options,
            ...(parsed.strings.text !== undefined ? { text: parsed.strings.text } : {}),
            ...(parsed.strings["source-url"] !== undefined
              ? { sourceUrl: parsed.strings["source-url"] }
              : {}),
          });
          what = `${html.length} characters of HTML`;
          break;
        }
        case "rtf": {
          const rtf = await one();
          result = await clipboard.writeRtf(rtf, {
            ...options,
            ...(parsed.strings.text !== undefined ? { text: parsed.strings.text } : {}),
          });
          what = `${rtf.length} characters of RTF`;
          break;
        }
        case "files": {
          const cwd = Deno.cwd();
          const paths = values.map((p) =>
            /^([A-Za-z]:[\\/]|\\\\)/.test(p) ? p : `${cwd.replace(/[\\/]$/, "")}\\${p}`
          );
          result = await clipboard.writeFiles(paths, options);
          what = `${paths.length} file${paths.length === 1 ? "" : "s"}`;
          break;
        }
        case "image": {
          const file = await one();
          const image = decodeImagePng(await Deno.readFile(file), `"${file}" as a PNG image`);
          result = await clipboard.writeImage(image, options);
          what = `a ${image.width}×${image.height} image`;
          break;
        }
      }
      ctx.print(`set ${what}${parsed.flags.secret ? " (secret)" : ""}`, {
        type: "set",
        kind,
        sequenceNumber: result.sequenceNumber,
        secret: parsed.flags.secret === true,
      });
      if (result.cleared !== undefined) {
        const outcome = await result.cleared;
        ctx.print(
          outcome === "cleared"
            ? "cleared"
            : outcome === "replaced"
            ? "not cleared: something else was copied since"
            : "could not clear: the clipboard stayed busy",
          { type: "cleared", outcome },
        );
      }
      return 0;
    };
  },
};

const formats: Command = {
  name: "formats",
  summary: "list the formats the clipboard holds",
  examples: ["winipc clipboard formats", "winipc --json clipboard formats"],
  prepare: () => async (ctx) => {
    const list = await clipboard.formats();
    if (ctx.json) {
      for (const f of list) ctx.print(null, { type: "format", ...f });
    } else {
      ctx.print(
        list.length === 0
          ? "(empty)"
          : list.map((f) => `${String(f.id).padStart(6)}  ${f.name}`).join("\n"),
        {},
      );
    }
    return 0;
  },
};

const watch: Command = {
  name: "watch",
  summary: "print each change of the clipboard as it happens",
  description: [
    "One line a change: its sequence number, the formats, and changes missed. Runs until",
    "--count changes, Ctrl+C, or --timeout, which ends it with exit code 124 (as timeout(1)",
    "ends a command).",
  ].join("\n"),
  options: [
    COUNT_OPTION,
    { ...TIMEOUT_OPTION, description: "stop after MS in all, with exit code 124" },
  ],
  examples: [
    "winipc clipboard watch",
    "winipc --json clipboard watch --count 5",
    "# did anything copy within 10 s? (0 yes, 124 no)",
    "winipc clipboard watch --count 1 --timeout 10s",
  ],
  prepare(parsed) {
    const count = countOf(parsed);
    const timeout = timeoutOf(parsed);
    return async (ctx) => {
      const signal = timeout === undefined
        ? ctx.signal
        : AbortSignal.any([ctx.signal, AbortSignal.timeout(timeout)]);
      await using watcher = clipboard.watch({ signal });
      await watcher.ready;
      ctx.status("watching the clipboard", { type: "watching" });
      let seen = 0;
      try {
        for await (const change of watcher) {
          const names = change.formats.map((f) => f.name);
          ctx.print(
            `#${change.sequenceNumber}: ${names.join(", ") || "(empty)"}${
              change.missed > 0 ? ` (${change.missed} missed before)` : ""
            }`,
            {
              type: "change",
              sequenceNumber: change.sequenceNumber,
              formats: change.formats,
              missed: change.missed,
            },
          );
          if (++seen >= count) break;
        }
      } catch (error) {
        if (
          timeout !== undefined && error instanceof DOMException && error.name === "TimeoutError"
        ) {
          throw new Deno.errors.TimedOut(
            `Stopped watching the clipboard: --timeout ${timeout} ms passed after ${seen} change${
              seen === 1 ? "" : "s"
            }`,
            { cause: error },
          );
        }
        throw error;
      }
      return 0;
    };
  },
};

const clear: Command = {
  name: "clear",
  summary: "empty the clipboard",
  examples: ["winipc clipboard clear"],
  prepare: () => async (ctx) => {
    const sequenceNumber = await clipboard.clear({ signal: ctx.signal });
    ctx.print("cleared", { type: "cleared", sequenceNumber });
    return 0;
  },
};

/** `winipc clipboard`. */
export const clipboardGroup: Group = {
  name: "clipboard",
  summary: "the clipboard: get and set text, HTML, RTF, files, images; formats; watch; clear",
  commands: [get, set, formats, watch, clear],
};
