// Copyright 2026 the winipc authors. MIT license.
/**
 * Mailslot names: short names, full local paths, and (for writers) the
 * names of another computer, a domain, or every computer of the primary
 * domain (`*`), validated with messages that say what is wrong. Every name
 * follows winipc's name rule (see `_win32/names.ts`), so that no name
 * reaches anything outside `\\HOST\mailslot\`: Windows normalises
 * mailslot paths like file paths, `/` and `..` included. On top of it,
 * mailslot names may not hold any of `<>:"|?*`.
 *
 * @module
 */
import { checkHost, checkName } from "../_win32/names.ts";

const ANY_PREFIX = /^\\\\([^\\]+)\\mailslot\\/i;
/** Windows limits mailslot paths like file paths. */
const MAX_PATH_LENGTH = 256;
const BAD_CHARS = /[<>:"|?*]/;

/** A checked mailslot path. */
export interface MailslotPath {
  /** The full path, `\\.\mailslot\...`, `\\computer\mailslot\...` or `\\*\mailslot\...`. */
  path: string;
  /** True for `\\.\mailslot\...`: this computer, no size limit but the slot's own. */
  local: boolean;
}

/**
 * Turns a mailslot name into its full path: `"jobs"` becomes
 * `\\.\mailslot\jobs`; a full path is kept as it is.
 *
 * @example Short and full names
 * ```ts
 * import { mailslotPath } from "./_name.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(mailslotPath("jobs", "create").path, "\\\\.\\mailslot\\jobs");
 * assertEquals(mailslotPath("\\\\*\\mailslot\\jobs", "open").local, false);
 * ```
 *
 * @param name A short name (pseudo-directories allowed: `app\jobs`) or a full path.
 * @param use `"create"` accepts only local names; `"open"` also accepts
 * `\\computer\mailslot\...`, `\\domain\mailslot\...` and `\\*\mailslot\...`.
 * @returns The path, and whether it is local.
 * @throws {TypeError} If the name is not a usable mailslot name: empty, too
 * long, a full name whose host is not `.`, `*` or a computer or domain name,
 * a remote name to create, any of `<>:"|?*`, or a name that breaks the name
 * rule (`/`, `.` or `..` segments, empty segments, segments that end with a
 * dot or a space, control characters).
 */
export function mailslotPath(name: string, use: "create" | "open"): MailslotPath {
  const verb = use === "create" ? "create" : "open";
  if (typeof name !== "string") {
    throw new TypeError(`Cannot ${verb} mailslot: name must be a string, got ${typeof name}`);
  }
  const fail = (why: string): never => {
    throw new TypeError(`Cannot ${verb} mailslot "${name}": ${why}`);
  };
  if (name.length === 0) fail("name is empty");
  let path: string;
  let local: boolean;
  if (name.startsWith("\\\\")) {
    // The prefix's one group, the host, is not optional: a match always has it.
    const host = ANY_PREFIX.exec(name)?.[1] ?? fail(
      "a full name must be \\\\.\\mailslot\\NAME, \\\\computer\\mailslot\\NAME, \\\\domain\\mailslot\\NAME or \\\\*\\mailslot\\NAME",
    );
    local = host === ".";
    if (use === "create" && !local) {
      fail("a mailslot can only be created on this computer (\\\\.\\mailslot\\...)");
    }
    checkHost(host, true, fail);
    path = name;
  } else {
    path = `\\\\.\\mailslot\\${name}`;
    local = true;
  }
  const rest = path.slice(ANY_PREFIX.exec(path)![0].length);
  if (rest.length === 0) fail("the name after \\mailslot\\ is empty");
  checkName(rest, "path", fail);
  if (BAD_CHARS.test(rest)) fail('a name must not contain any of <>:"|?*');
  if (path.length > MAX_PATH_LENGTH) {
    fail(
      `the full name is ${path.length} characters, the most Windows allows is ${MAX_PATH_LENGTH}`,
    );
  }
  return { path, local };
}
