// Copyright 2026 the winipc authors. MIT license.
/**
 * Mailslot names: short names, full local paths, and (for writers) the
 * names of another computer, a domain, or every computer of the primary
 * domain (`*`), validated with messages that say what is wrong.
 *
 * @module
 */

const ANY_PREFIX = /^\\\\([^\\]+)\\mailslot\\/i;
/** Windows limits mailslot paths like file paths. */
const MAX_PATH_LENGTH = 256;
const BAD_CHARS = /[<>:"|?*]/;

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

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
 * @throws {TypeError} If the name is not a usable mailslot name.
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
    const match = ANY_PREFIX.exec(name);
    if (!match) {
      fail(
        "a full name must be \\\\.\\mailslot\\NAME, \\\\computer\\mailslot\\NAME, \\\\domain\\mailslot\\NAME or \\\\*\\mailslot\\NAME",
      );
    }
    local = match![1] === ".";
    if (use === "create" && !local) {
      fail("a mailslot can only be created on this computer (\\\\.\\mailslot\\...)");
    }
    path = name;
  } else {
    path = `\\\\.\\mailslot\\${name}`;
    local = true;
  }
  const rest = path.slice(ANY_PREFIX.exec(path)![0].length);
  if (rest.length === 0) fail("the name after \\mailslot\\ is empty");
  if (BAD_CHARS.test(rest) || hasControl(rest)) {
    fail('names cannot contain control characters or any of <>:"|?*');
  }
  if (rest.split("\\").some((part) => part.length === 0)) {
    fail("empty part between backslashes");
  }
  if (path.length > MAX_PATH_LENGTH) {
    fail(
      `the full name is ${path.length} characters, the most Windows allows is ${MAX_PATH_LENGTH}`,
    );
  }
  return { path, local };
}
