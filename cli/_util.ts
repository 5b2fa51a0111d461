// Copyright 2026 the winipc authors. MIT license.
/**
 * Helpers the CLI's groups share: numbers, durations and sizes from the
 * command line, payloads from arguments, files or stdin, hex dumps,
 * progress on a terminal, and holding an object until Enter. Private to
 * the CLI.
 *
 * @module
 */
import { concat, type Context, type Parsed, UsageError } from "./_command.ts";
import { startTimer } from "../_win32/timeout.ts";

const encoder = new TextEncoder();

/** The `--timeout MS` option, as every waiting command declares it. */
export const TIMEOUT_OPTION = {
  name: "timeout",
  value: "MS",
  description: "give up after this long (ms; or 2s, 1m; default: for ever)",
} as const;

/** The `--hold SECONDS` option of commands that keep an object until Enter. */
export const HOLD_OPTION = {
  name: "hold",
  value: "SECONDS",
  description: "keep it this long instead of until Enter (or 500ms, 2m)",
} as const;

/**
 * The `--security owner|everyone` option of a command that creates an object.
 *
 * @param parsed The parsed command line.
 * @returns The library's `security` value (default `"owner"`).
 * @throws {UsageError} For another word.
 */
export function securityOf(parsed: Parsed): "owner" | "everyone" {
  const value = parsed.strings.security ?? "owner";
  if (value !== "owner" && value !== "everyone") {
    throw new UsageError(`--security must be owner or everyone, got "${value}"`);
  }
  return value;
}

/** The `--count N` option of commands that receive. */
export const COUNT_OPTION = {
  name: "count",
  value: "N",
  description: "stop after N messages (default: until Ctrl+C)",
} as const;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in milliseconds: a number in `unit`, or with a unit suffix
 * (`500ms`, `2s`, `1m`, `1h`), or `Infinity`.
 *
 * @param text The option's value.
 * @param option The option's name, for the message.
 * @param unit The unit of a bare number.
 * @returns Milliseconds.
 * @throws {UsageError} If it is not a duration.
 */
export function parseDuration(text: string, option: string, unit: "ms" | "s" = "ms"): number {
  if (/^(inf|infinity)$/i.test(text)) return Infinity;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `--${option} must be a duration of 0 or more, such as 500, 500ms, 2s or Infinity, got "${text}"`,
    );
  }
  return Number(match[1]) * UNITS[match[2] ?? unit]!;
}

/**
 * A non-negative whole number of bytes: decimal, `0x` hex, or with a
 * binary suffix (`64k`, `64KiB`, `1m`, `1MiB`, `1g`).
 *
 * @param text The value.
 * @param what What it is, for the message (`--size`).
 * @returns The number.
 * @throws {UsageError} If it is not one.
 */
export function parseSize(text: string, what: string): number {
  const match = /^(0x[0-9a-f]+|\d+)\s*(k|kib|m|mib|g|gib)?$/i.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `${what} must be a number of bytes such as 4096, 0x1000 or 64k, got "${text}"`,
    );
  }
  const base = Number(match[1]);
  const suffix = (match[2] ?? "").toLowerCase()[0];
  const value = base *
    (suffix === "k" ? 1024 : suffix === "m" ? 1 << 20 : suffix === "g" ? 1 << 30 : 1);
  if (!Number.isSafeInteger(value)) throw new UsageError(`${what} is too large: ${text}`);
  return value;
}

/**
 * A whole number in a range.
 *
 * @param text The value.
 * @param what What it is, for the message.
 * @param min The least allowed.
 * @param max The most allowed.
 * @returns The number.
 * @throws {UsageError} If it is not one, or out of range.
 */
export function parseInteger(text: string, what: string, min: number, max: number): number {
  const value = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** The `--timeout` of a parsed command line, or `undefined` if not given. */
export function timeoutOf(parsed: Parsed): number | undefined {
  const text = parsed.strings.timeout;
  return text === undefined ? undefined : parseDuration(text, "timeout");
}

/** The `--count` of a parsed command line, or `Infinity`. */
export function countOf(parsed: Parsed): number {
  const text = parsed.strings.count;
  return text === undefined ? Infinity : parseInteger(text, "--count", 1, Number.MAX_SAFE_INTEGER);
}

/**
 * Bytes from hex digits; spaces, `:` and `-` between bytes are allowed
 * (`"de ad be ef"`, `"de:ad"`, `"deadbeef"`).
 *
 * @param text The hex text.
 * @returns The bytes.
 * @throws {UsageError} For anything else.
 */
export function parseHex(text: string): Uint8Array {
  const digits = text.replace(/^0x/i, "").replace(/[\s:-]/g, "");
  if (!/^([0-9a-f]{2})*$/i.test(digits)) {
    throw new UsageError(`--hex must be pairs of hex digits such as "de ad be ef", got "${text}"`);
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** UTF-16LE bytes of a string, without a terminator. */
export function encodeUtf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
  return out;
}

/** The text encodings the message commands take. */
export type Encoding = "utf-8" | "utf-16le";

/** The `--encoding` option's value. */
export function encodingOf(parsed: Parsed, fallback: Encoding = "utf-8"): Encoding {
  const value = parsed.strings.encoding ?? fallback;
  if (value === "utf-8" || value === "utf-16le") return value;
  if (value === "utf8") return "utf-8";
  if (value === "utf16le" || value === "utf-16") return "utf-16le";
  throw new UsageError(`--encoding must be utf-8 or utf-16le, got "${value}"`);
}

/**
 * UTF-8 bytes as text, refusing anything that is not UTF-8 (instead of
 * replacing it with U+FFFD, which would pass on other text than was
 * given). A byte order mark at the start is dropped.
 *
 * @param bytes The bytes.
 * @param what Where they came from, for the message (`stdin`).
 * @returns The text.
 * @throws {Deno.errors.InvalidData} If they are not UTF-8, naming the
 *   first byte that is not and its offset.
 */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw new Deno.errors.InvalidData(
      `Cannot read ${what} as text: it is not UTF-8 (byte 0x${
        bytes[offset]!.toString(16).padStart(2, "0")
      } at offset ${offset})`,
    );
  }
}

/**
 * The offset of the first byte that is not part of valid UTF-8: where the
 * decoder puts its first U+FFFD that the bytes did not spell themselves
 * (the text before it encodes back to the same bytes).
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  for (let i = text.indexOf("\ufffd"); i >= 0; i = text.indexOf("\ufffd", i + 1)) {
    const offset = encoder.encode(text.slice(0, i)).length;
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) {
      return offset;
    }
  }
  return -1;
}

/** Text as bytes in an encoding. */
export function encodeText(text: string, encoding: Encoding): Uint8Array {
  return encoding === "utf-8" ? encoder.encode(text) : encodeUtf16le(text);
}

/**
 * Bytes as text: one trailing NUL character dropped (C senders send
 * `strlen + 1` bytes), invalid sequences as U+FFFD.
 */
export function decodeText(bytes: Uint8Array, encoding: Encoding = "utf-8"): string {
  const text = new TextDecoder(encoding).decode(bytes);
  return text.endsWith("\0") ? text.slice(0, -1) : text;
}

/** Bytes as base64. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The fields every JSON record of a message has: its size, text and bytes. */
export function payloadFields(
  bytes: Uint8Array,
  encoding: Encoding = "utf-8",
): { size: number; text: string; base64: string } {
  return { size: bytes.length, text: decodeText(bytes, encoding), base64: toBase64(bytes) };
}

/** One row of a hex dump. */
export interface DumpRow {
  /** The offset of its first byte. */
  offset: number;
  /** Its bytes as hex, two digits a byte, separated by spaces. */
  hex: string;
  /** Its bytes as text, `.` for anything but printable ASCII. */
  text: string;
  /** How many identical rows follow it (shown as `*`). */
  repeat: number;
}

/**
 * The rows of a hex dump, 16 bytes each, runs of identical rows folded
 * into one (as `hexdump -C` does).
 *
 * @param bytes The bytes.
 * @param base The offset of the first byte.
 * @returns The rows.
 */
export function dumpRows(bytes: Uint8Array, base = 0): DumpRow[] {
  const rows: DumpRow[] = [];
  let previous: Uint8Array | null = null;
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const last = rows.at(-1);
    if (last && previous && row.length === 16 && sameBytes(previous, row)) {
      last.repeat++;
      continue;
    }
    previous = row;
    rows.push({
      offset: base + i,
      hex: Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" "),
      text: Array.from(row, (b) => b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".").join(""),
      repeat: 0,
    });
  }
  return rows;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A hex dump's rows as `hexdump -C` prints them.
 *
 * @param rows From {@linkcode dumpRows}.
 * @param end The offset after the last byte (printed last).
 * @returns The lines.
 */
export function formatDump(rows: DumpRow[], end: number): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    const hex = row.hex.length > 23 ? `${row.hex.slice(0, 23)} ${row.hex.slice(23)}` : row.hex;
    lines.push(`${row.offset.toString(16).padStart(8, "0")}  ${hex.padEnd(49)} |${row.text}|`);
    if (row.repeat > 0) lines.push("*");
  }
  lines.push(end.toString(16).padStart(8, "0"));
  return lines;
}

/** A byte count for people: `512 B`, `1.5 KiB`, `12.0 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

/**
 * Progress of a long transfer, on stderr and only when stderr is a
 * terminal: bytes so far and the rate, redrawn at most 5 times a second,
 * and erased at the end.
 */
export class Progress {
  readonly #ctx: Context;
  readonly #label: string;
  readonly #enabled: boolean;
  readonly #start = performance.now();
  #bytes = 0;
  #drawn = 0;
  #shown = false;

  /**
   * @param ctx The command's context (its stderr).
   * @param label What is moving (`sent`, `received`).
   * @param enabled Whether to draw (default: stderr is a terminal).
   */
  constructor(ctx: Context, label: string, enabled = Deno.stderr.isTerminal()) {
    this.#ctx = ctx;
    this.#label = label;
    this.#enabled = enabled;
  }

  /** The bytes counted so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Counts `n` more bytes. */
  add(n: number): void {
    this.#bytes += n;
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#drawn < 200) return;
    this.#drawn = now;
    this.#shown = true;
    this.#ctx.stderr(`\r${progressLine(this.#label, this.#bytes, now - this.#start)}\x1b[K`);
  }

  /** Erases the progress line. */
  done(): void {
    if (this.#shown) this.#ctx.stderr("\r\x1b[K");
    this.#shown = false;
  }
}

/** The text of a progress line. */
export function progressLine(label: string, bytes: number, ms: number): string {
  const rate = ms > 0 ? bytes / (ms / 1000) : 0;
  return `${label} ${formatBytes(bytes)} (${formatBytes(Math.round(rate))}/s)`;
}

/**
 * Waits until the user presses Enter (or stdin ends), `hold` ms pass, or
 * the signal aborts (Ctrl+C), whichever comes first.
 *
 * @param ctx The command's context.
 * @param hold Milliseconds, or `undefined` to wait for Enter.
 * @returns What ended the wait.
 */
export async function holdUntilReleased(
  ctx: Context,
  hold: number | undefined,
): Promise<"enter" | "time" | "interrupt"> {
  const { signal } = ctx;
  if (signal.aborted) return "interrupt";
  let cancelTimer: (() => void) | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const waits: Promise<"enter" | "time" | "interrupt">[] = [
      new Promise((resolve) => {
        onAbort = () => resolve("interrupt");
        signal.addEventListener("abort", onAbort, { once: true });
      }),
    ];
    if (hold === undefined) waits.push(ctx.stdin.lineBytes().then(() => "enter"));
    else if (hold !== Infinity) {
      // Chained past setTimeout's 2^31 - 1 ms, which would fire at once.
      waits.push(new Promise((resolve) => cancelTimer = startTimer(hold, () => resolve("time"))));
    }
    return await Promise.race(waits);
  } finally {
    cancelTimer?.();
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

/** The `--hold` option in ms, or `undefined` (until Enter). */
export function holdOf(parsed: Parsed): number | undefined {
  const text = parsed.strings.hold;
  return text === undefined ? undefined : parseDuration(text, "hold", "s");
}

/** "until Enter (or Ctrl+C)" or "for 5 s", for status lines. */
export function holdText(hold: number | undefined): string {
  if (hold === undefined) return "until Enter (or Ctrl+C)";
  if (hold === Infinity) return "until Ctrl+C";
  return `for ${hold / 1000} s (or until Ctrl+C)`;
}

/**
 * The messages a sending command sends: each argument, or the content of
 * `file`, or else each line of stdin (read lazily; text that is not UTF-8
 * is refused when it must be re-encoded, and sent as it is otherwise).
 *
 * @param ctx The command's context.
 * @param messages Messages given as arguments.
 * @param file A file to send as one message (`--file`), if no messages are given.
 * @param encoding How text becomes bytes.
 * @param nul Whether each text message ends with a NUL.
 * @returns The messages, one at a time.
 */
export async function* messagesFrom(
  ctx: Context,
  messages: string[],
  file: string | undefined,
  encoding: Encoding,
  nul = false,
): AsyncGenerator<Uint8Array> {
  const withNul = (bytes: Uint8Array) =>
    nul ? concat(bytes, new Uint8Array(encoding === "utf-8" ? 1 : 2)) : bytes;
  if (file !== undefined) {
    yield await Deno.readFile(file);
    return;
  }
  if (messages.length > 0) {
    for (const text of messages) yield withNul(encodeText(text, encoding));
    return;
  }
  let number = 0;
  for (let line = await ctx.stdin.lineBytes(); line !== null; line = await ctx.stdin.lineBytes()) {
    number++;
    yield withNul(
      encoding === "utf-8"
        ? line
        : encodeText(decodeUtf8(line, `line ${number} of stdin`), encoding),
    );
  }
}

/**
 * Checks that messages come from one place: arguments or `--file`.
 *
 * @param messages Messages given as arguments.
 * @param file The `--file` option.
 * @throws {UsageError} If both are given.
 */
export function checkOneSource(messages: string[], file: string | undefined): void {
  if (file !== undefined && messages.length > 0) {
    throw new UsageError("give messages or --file, not both");
  }
}

/** Writes all of `data` to stdout. */
export async function writeStdout(data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) offset += await Deno.stdout.write(data.subarray(offset));
}
