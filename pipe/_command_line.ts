// Copyright 2026 the winipc authors. MIT license.
/**
 * Command lines and environment blocks for `CreateProcessW`.
 *
 * @module
 */

/**
 * Quotes one argument so that a program parsing its command line by the
 * Microsoft C runtime's rules (as `CommandLineToArgvW` does) gets it back
 * exactly: arguments with spaces, tabs, line breaks or quotes, and empty
 * ones, are wrapped in quotes; a quote is escaped with a backslash, and
 * backslashes are doubled where they precede a quote (inside the argument
 * or at its end, before the closing quote).
 *
 * @param argument The argument.
 * @returns The quoted form.
 */
export function quoteArgument(argument: string): string {
  if (argument.length > 0 && !/[\s"]/.test(argument)) return argument;
  let out = '"';
  let backslashes = 0;
  for (const char of argument) {
    if (char === "\\") {
      backslashes++;
      continue;
    }
    if (char === '"') {
      out += "\\".repeat(backslashes * 2 + 1) + '"';
    } else {
      out += "\\".repeat(backslashes) + char;
    }
    backslashes = 0;
  }
  return out + "\\".repeat(backslashes * 2) + '"';
}

/**
 * Builds the command line for `command` and `args`.
 *
 * @param command The program (a name looked up by `CreateProcessW`, or a path).
 * @param args Its arguments.
 * @returns The command line.
 * @throws {TypeError} For an empty command, a command with a quote, NUL
 * characters, or a batch file (`.bat`/`.cmd`), whose arguments `cmd.exe`
 * parses by other rules that no quoting makes safe.
 */
export function commandLine(command: string, args: readonly string[]): string {
  if (typeof command !== "string" || command.length === 0) {
    throw new TypeError("Cannot spawn: the command must be a non-empty string");
  }
  if (command.includes('"') || command.includes("\0")) {
    throw new TypeError(`Cannot spawn "${command}": a command cannot contain quotes or NUL`);
  }
  if (/\.(bat|cmd)\s*$/i.test(command)) {
    throw new TypeError(
      `Cannot spawn "${command}": batch files parse their arguments by cmd.exe's rules, which no quoting makes safe; run cmd.exe with /c and arguments you have checked`,
    );
  }
  if (!Array.isArray(args)) {
    throw new TypeError(`Cannot spawn "${command}": args must be an array of strings`);
  }
  const parts = [/[\s]/.test(command) ? `"${command}"` : command];
  for (const [i, arg] of args.entries()) {
    if (typeof arg !== "string") {
      throw new TypeError(`Cannot spawn "${command}": args[${i}] is not a string`);
    }
    if (arg.includes("\0")) {
      throw new TypeError(`Cannot spawn "${command}": args[${i}] contains a NUL character`);
    }
    parts.push(quoteArgument(arg));
  }
  const line = parts.join(" ");
  if (line.length >= 32767) {
    throw new TypeError(
      `Cannot spawn "${command}": the command line is ${line.length} characters; Windows allows 32766`,
    );
  }
  return line;
}

/**
 * Builds a Unicode environment block: `NAME=value` strings, each ended by a
 * NUL, sorted by name without regard to case (as Windows expects), then a
 * final NUL.
 *
 * @param env The variables.
 * @returns The block, as UTF-16 code units.
 * @throws {TypeError} For an empty name, a name with `=` (after its first
 * character) or NUL, or a value with NUL.
 */
export function environmentBlock(env: Record<string, string>): Uint16Array {
  const entries = Object.entries(env);
  for (const [name, value] of entries) {
    if (name.length === 0 || name.includes("=", 1) || name.includes("\0")) {
      throw new TypeError(`Cannot spawn: invalid environment variable name "${name}"`);
    }
    if (typeof value !== "string" || value.includes("\0")) {
      throw new TypeError(
        `Cannot spawn: environment variable "${name}" must be a string without NUL`,
      );
    }
  }
  entries.sort(([a], [b]) => {
    const x = a.toUpperCase();
    const y = b.toUpperCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const text = entries.map(([name, value]) => `${name}=${value}\0`).join("") + "\0";
  const units = new Uint16Array(text.length + (entries.length === 0 ? 1 : 0));
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return units;
}
