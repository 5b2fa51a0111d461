// Copyright 2026 the winipc authors. MIT license.
/**
 * The command-line tool's framework: how a command is declared, how its
 * arguments are parsed (`@std/cli`'s `parseArgs`), how help is printed, and
 * what a running command is given (output in human or JSON form, stdin,
 * cancellation). Private to the CLI.
 *
 * A group (`named-pipe`, `sync`, ...) is one file exporting one {@linkcode Group};
 * `main.ts` lists the groups in one table.
 *
 * @module
 */
import { parseArgs as stdParseArgs } from "@std/cli/parse-args";

/** An argument error: the tool prints it with a hint and exits with 2. */
export class UsageError extends Error {
  /**
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** One option of a command. */
export interface OptionSpec {
  /** The long name, without `--`. */
  name: string;
  /** A one-letter alias, without `-`. */
  short?: string;
  /** The placeholder of the option's value (`MS`, `BYTES`); a flag has none. */
  value?: string;
  /** What it does, one line. */
  description: string;
}

/** One positional argument of a command. */
export interface ArgSpec {
  /** The placeholder (`NAME`). */
  name: string;
  /** What it is, one line. */
  description: string;
  /** May be left out. */
  optional?: boolean;
  /** Takes every remaining argument (zero or more unless `optional` is false). */
  variadic?: boolean;
}

/** The parsed command line of one command. */
export interface Parsed {
  /** Positional arguments, as given. */
  args: string[];
  /** Options given with a value. */
  strings: Record<string, string | undefined>;
  /** Flags given. */
  flags: Record<string, boolean>;
}

/**
 * What runs a command once its arguments are checked; resolves to the exit
 * code (0 when nothing is returned).
 */
export type Run = (ctx: Context) => Promise<number | void>;

/** A command: the leaf of the command tree. */
export interface Command {
  /** Its name within its group. */
  name: string;
  /** What it does, one line (for the group's help). */
  summary: string;
  /** More text for its own help. */
  description?: string;
  /** Positional arguments. */
  args?: ArgSpec[];
  /** Its options (the global ones are added). */
  options?: OptionSpec[];
  /** Example command lines, each with a `# comment` line before it if wanted. */
  examples: string[];
  /**
   * Checks its arguments and returns what runs it. Every mistake in the
   * arguments is a {@linkcode UsageError} thrown here, on every OS, before
   * anything is opened or read; the returned function does the work.
   */
  prepare(parsed: Parsed): Run;
}

/** A group of commands (or of smaller groups). */
export interface Group {
  /** Its name (`named-pipe`). */
  name: string;
  /** Other names that lead to it (`pipe`). */
  aliases?: readonly string[];
  /** What it is about, one line. */
  summary: string;
  /** Its commands and sub-groups. */
  commands: ReadonlyArray<Command | Group>;
}

/** The options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: "json", description: "print one JSON object a line instead of text" },
  { name: "debug", description: "print the stack trace of an error" },
  { name: "help", short: "h", description: "show this help" },
];

/** Whether a tree node is a group. */
export function isGroup(node: Command | Group): node is Group {
  return "commands" in node;
}

/**
 * The command or group of a group that a word names: its name, or for a
 * group one of its aliases.
 *
 * @param group The group.
 * @param word The word on the command line.
 * @returns The node, or `undefined`.
 */
export function findChild(group: Group, word: string): Command | Group | undefined {
  return group.commands.find((node) =>
    node.name === word || (isGroup(node) && (node.aliases ?? []).includes(word))
  );
}

/** Where text goes; replaceable for tests. */
export interface Streams {
  /** Writes text to standard output. */
  stdout(text: string): void;
  /** Writes text to standard error. */
  stderr(text: string): void;
}

/** The standard streams of the process. */
export const PROCESS_STREAMS: Streams = {
  stdout: (text) => writeAll(Deno.stdout, new TextEncoder().encode(text)),
  stderr: (text) => writeAll(Deno.stderr, new TextEncoder().encode(text)),
};

function writeAll(file: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += file.writeSync(data.subarray(offset));
}

/** JSON with bigints as decimal strings. */
export function toJson(record: Record<string, unknown>): string {
  return JSON.stringify(record, (_key, value) => typeof value === "bigint" ? String(value) : value);
}

/** What a running command is given. */
export class Context {
  /** `--json` was given: print records, one JSON object a line. */
  readonly json: boolean;
  /** `--debug` was given. */
  readonly debug: boolean;
  /** Aborted on Ctrl+C (SIGINT) with an `Interrupted` error. */
  readonly signal: AbortSignal;
  /** The command line so far (`winipc named-pipe connect`), for messages. */
  readonly command: string;
  readonly #streams: Streams;
  #stdin: StdinReader | null = null;

  /**
   * @param options What the context holds.
   */
  constructor(options: {
    json: boolean;
    debug: boolean;
    signal: AbortSignal;
    command: string;
    streams: Streams;
  }) {
    this.json = options.json;
    this.debug = options.debug;
    this.signal = options.signal;
    this.command = options.command;
    this.#streams = options.streams;
  }

  /**
   * Prints a result: `human` as a line of text on stdout, or with `--json`
   * the record as one JSON object a line.
   */
  print(human: string | null, record: Record<string, unknown>): void {
    if (this.json) this.#streams.stdout(toJson(record) + "\n");
    else if (human !== null) this.#streams.stdout(human + "\n");
  }

  /**
   * Prints a status line where it does not mix with data on stdout: as text
   * on stderr, or with `--json` as a record on stdout.
   */
  status(human: string, record: Record<string, unknown>): void {
    if (this.json) this.#streams.stdout(toJson(record) + "\n");
    else this.#streams.stderr(human + "\n");
  }

  /** Writes raw text to stderr (progress lines). */
  stderr(text: string): void {
    this.#streams.stderr(text);
  }

  /** Standard input, read once by whoever asks first. */
  get stdin(): StdinReader {
    return this.#stdin ??= new StdinReader();
  }
}

/** Reads the process's stdin as chunks or lines, through one reader. */
export class StdinReader {
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #pending: Uint8Array = new Uint8Array(0);
  #ended = false;

  #get(): ReadableStreamDefaultReader<Uint8Array> {
    return this.#reader ??= Deno.stdin.readable.getReader();
  }

  /** The next chunk of bytes, or `null` at the end. */
  async chunk(): Promise<Uint8Array | null> {
    if (this.#pending.length > 0) {
      const out = this.#pending;
      this.#pending = new Uint8Array(0);
      return out;
    }
    if (this.#ended) return null;
    const { value, done } = await this.#get().read();
    if (done) {
      this.#ended = true;
      return null;
    }
    return value;
  }

  /** The next line as bytes (without `\n` or `\r\n`), or `null` at the end. */
  async lineBytes(): Promise<Uint8Array | null> {
    while (true) {
      const newline = this.#pending.indexOf(10);
      if (newline >= 0) {
        const line = this.#pending.subarray(0, newline);
        this.#pending = this.#pending.slice(newline + 1);
        return line.at(-1) === 13 ? line.subarray(0, -1) : line;
      }
      if (this.#ended) {
        if (this.#pending.length === 0) return null;
        const rest = this.#pending;
        this.#pending = new Uint8Array(0);
        return rest.at(-1) === 13 ? rest.subarray(0, -1) : rest;
      }
      const { value, done } = await this.#get().read();
      if (done) this.#ended = true;
      else this.#pending = concat(this.#pending, value);
    }
  }
}

/** Two byte arrays as one. */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The options of a command with the global ones. */
export function allOptions(command: Command): OptionSpec[] {
  return [...(command.options ?? []), ...GLOBAL_OPTIONS];
}

/**
 * Parses a command's arguments with `@std/cli`'s `parseArgs`: unknown
 * options, missing values and the wrong number of arguments are usage
 * errors.
 *
 * @param command The command.
 * @param args Its arguments (after its name).
 * @returns The parsed arguments.
 * @throws {UsageError} For any mistake.
 */
export function parseCommand(command: Command, args: string[]): Parsed {
  const options = allOptions(command);
  const string = options.filter((o) => o.value !== undefined).map((o) => o.name);
  const boolean = options.filter((o) => o.value === undefined).map((o) => o.name);
  const alias: Record<string, string> = {};
  for (const option of options) if (option.short) alias[option.short] = option.name;
  const known = new Set([...options.map((o) => o.name), ...Object.keys(alias)]);
  const found: { unknown: string | null } = { unknown: null };
  // npm:deno-std carries no type declarations, hence the cast.
  const result = (stdParseArgs as (args: string[], options: unknown) => Record<string, unknown>)(
    joinValues(args, options),
    {
      string: [...string, "_"],
      boolean,
      alias,
      "--": true,
      unknown: (arg: string, key?: string) => {
        if (key === undefined) return true; // a positional argument
        if (!known.has(key)) found.unknown ??= arg;
        return false;
      },
    },
  );
  if (found.unknown !== null) {
    throw new UsageError(`unknown option ${found.unknown.replace(/=.*/s, "")}`);
  }
  const positional = [
    ...(result._ as unknown[]).map(String),
    ...((result["--"] as unknown[] | undefined) ?? []).map(String),
  ];
  const strings: Record<string, string | undefined> = {};
  const flags: Record<string, boolean> = {};
  for (const name of string) {
    const value = result[name];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") {
      throw new UsageError(`--${name} needs a value`);
    }
    strings[name] = value;
  }
  for (const name of boolean) {
    const value = result[name];
    if (typeof value !== "boolean" && value !== undefined) {
      throw new UsageError(`--${name} takes no value`);
    }
    flags[name] = value === true;
  }
  if (!flags.help) checkArgCount(command, positional);
  return { args: positional, strings, flags };
}

/**
 * The arguments with each value option joined to the word after it
 * (`--tag -1` as `--tag=-1`), as getopt takes it: a value may start with
 * `-` (a negative number, a dash in a text), which `parseArgs` would
 * otherwise read as options. A word starting with `--` is not taken as a
 * value, so that `--offset --length 4` says `--offset` needs one.
 */
function joinValues(args: string[], options: OptionSpec[]): string[] {
  const takesValue = new Set<string>();
  for (const option of options) {
    if (option.value === undefined) continue;
    takesValue.add(`--${option.name}`);
    if (option.short) takesValue.add(`-${option.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (
      takesValue.has(arg) && next !== undefined && next.startsWith("-") && !next.startsWith("--")
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function checkArgCount(command: Command, args: string[]): void {
  const specs = command.args ?? [];
  const variadic = specs.at(-1)?.variadic === true;
  const required = specs.filter((s) => !s.optional).length;
  if (args.length < required) {
    const missing = specs[args.length]!;
    throw new UsageError(`missing ${missing.name}`);
  }
  if (!variadic && args.length > specs.length) {
    throw new UsageError(`unexpected argument "${args[specs.length]}"`);
  }
}

function optionLabel(option: OptionSpec): string {
  const long = `--${option.name}${option.value ? ` ${option.value}` : ""}`;
  return option.short ? `-${option.short}, ${long}` : `    ${long}`;
}

function table(rows: Array<[string, string]>, indent = "  "): string {
  const width = Math.min(30, Math.max(...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) =>
    left.length > width
      ? `${indent}${left}\n${indent}${" ".repeat(width + 2)}${right}`
      : `${indent}${left.padEnd(width + 2)}${right}`
  ).join("\n");
}

function argUsage(spec: ArgSpec): string {
  const name = spec.variadic ? `${spec.name}...` : spec.name;
  return spec.optional ? `[${name}]` : name;
}

/**
 * The help text of a command.
 *
 * @param command The command.
 * @param path Its full name (`winipc named-pipe connect`).
 * @returns The text.
 */
export function commandHelp(command: Command, path: string): string {
  const args = (command.args ?? []).map(argUsage).join(" ");
  const parts = [
    `${path}: ${command.summary}`,
    "",
    `Usage: ${path}${args ? ` ${args}` : ""} [options]`,
  ];
  if (command.description) parts.push("", command.description);
  if (command.args?.length) {
    parts.push("", "Arguments:", table(command.args.map((a) => [a.name, a.description])));
  }
  parts.push(
    "",
    "Options:",
    table(allOptions(command).map((o) => [optionLabel(o), o.description])),
  );
  parts.push("", "Examples:", ...command.examples.map((line) => `  ${line}`));
  return parts.join("\n") + "\n";
}

/**
 * The help text of a group.
 *
 * @param group The group.
 * @param path Its full name (`winipc named-pipe`).
 * @param footer Text after the list of commands.
 * @returns The text.
 */
export function groupHelp(group: Group, path: string, footer = ""): string {
  const rows: Array<[string, string]> = group.commands.map((node) => [
    isGroup(node) ? `${node.name} <command>` : node.name,
    isGroup(node) && node.aliases?.length
      ? `${node.summary} (alias: ${node.aliases.join(", ")})`
      : node.summary,
  ]);
  return [
    `${path}: ${group.summary}`,
    "",
    `Usage: ${path} <command> [options]`,
    "",
    "Commands:",
    table(rows),
    "",
    `Run "${path} <command> --help" for a command's options and examples.`,
    ...(footer ? ["", footer] : []),
  ].join("\n") + "\n";
}
