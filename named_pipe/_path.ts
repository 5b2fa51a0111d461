// Copyright 2026 the winipc authors. MIT license.
/**
 * Named pipe names: short names, full local paths, and (for clients) remote
 * paths, validated with messages that say what is wrong. Every name follows
 * winipc's name rule (see `_win32/names.ts`), so that no name reaches
 * anything outside `\\.\pipe\` (or `\\server\pipe\`): Windows
 * normalises pipe paths like file paths, and `\\.\pipe\..\C:\x` would
 * otherwise be the file `C:\x`.
 *
 * @module
 */
import { checkHost, checkName } from "../_win32/names.ts";

const LOCAL_PREFIX = /^\\\\\.\\pipe\\/i;
const ANY_PREFIX = /^\\\\([^\\]+)\\pipe\\/i;
/** Windows limits the whole path, `\\.\pipe\` included, to 256 characters. */
const MAX_PATH_LENGTH = 256;

/**
 * Turns a pipe name into its full path: `"my-app"` becomes
 * `\\.\pipe\my-app`; a full `\\.\pipe\...` path is kept as it is.
 *
 * @example Short and full names
 * ```ts
 * import { pipePath } from "./_path.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(pipePath("my-app", "listen"), "\\\\.\\pipe\\my-app");
 * assertEquals(pipePath("\\\\.\\pipe\\a\\b", "listen"), "\\\\.\\pipe\\a\\b");
 * ```
 *
 * @param name A short name or a full path.
 * @param use `"listen"` accepts only local paths; `"connect"` also accepts
 * `\\server\pipe\name`.
 * @returns The full path.
 * @throws {TypeError} If the name is empty, not a string, is too long, is a
 * short name with a backslash, a path outside `\pipe\`, a path whose server
 * is not a computer name (`\\?\pipe\x`), or breaks the name rule: `/`,
 * `.` or `..` segments, empty segments, segments that end with a dot or a
 * space, control characters.
 */
export function pipePath(name: string, use: "listen" | "connect"): string {
  const verb = use === "listen" ? "listen on" : "connect to";
  if (typeof name !== "string") {
    throw new TypeError(`Cannot ${verb} named pipe: name must be a string, got ${typeof name}`);
  }
  const fail = (why: string): never => {
    throw new TypeError(`Cannot ${verb} named pipe "${name}": ${why}`);
  };
  if (name.length === 0) fail("name is empty");
  let path: string;
  if (name.startsWith("\\\\")) {
    const match = ANY_PREFIX.exec(name) ??
      fail("a full path must start with \\\\.\\pipe\\ (or \\\\server\\pipe\\ to connect)");
    if (use === "listen" && !LOCAL_PREFIX.test(name)) {
      fail("a server can only create local pipes (\\\\.\\pipe\\...)");
    }
    // The prefix's one group, the server, is not optional: a match always has it.
    checkHost(match[1]!, false, fail);
    if (name.length === match[0].length) fail("the pipe name after \\pipe\\ is empty");
    path = name;
    checkName(name.slice(match[0].length), "path", fail);
  } else {
    checkName(name, "path", fail);
    if (name.includes("\\")) {
      fail("a short name cannot contain a backslash; pass the full path \\\\.\\pipe\\... instead");
    }
    path = `\\\\.\\pipe\\${name}`;
  }
  if (path.length > MAX_PATH_LENGTH) {
    fail(
      `the full path is ${path.length} characters, the most Windows allows is ${MAX_PATH_LENGTH}`,
    );
  }
  return path;
}
