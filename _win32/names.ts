// Copyright 2026 the winipc authors. MIT license.
/**
 * The name rule every winipc name follows, so that a name, even one from an
 * untrusted source, never reaches anything outside its namespace; and the
 * names of kernel objects (mappings, events, semaphores, mutexes, timers):
 * a short name goes into `Local\` (this session) or `Global\` (every
 * session); `Local\...` and `Global\...` are kept as they are.
 *
 * Two kinds of namespace, read differently by Windows:
 *
 * - `"path"`: named pipes (`\\.\pipe\`) and mailslots (`\\.\mailslot\`).
 *   `CreateFileW` and `CreateNamedPipeW` normalise these like file paths,
 *   `\\.\` device paths included: `/` becomes `\`, runs of separators
 *   collapse, `.` and `..` segments are resolved (so
 *   `\\.\pipe\..\C:\windows\win.ini` is the file `C:\windows\win.ini`), and
 *   trailing dots and spaces are stripped. A name is therefore refused if it
 *   has a `/`, an empty segment, a `.` or `..` segment, or a segment that
 *   ends with a dot or a space. Dots inside a segment (`my.app.v2`), spaces
 *   inside a name and any non-ASCII text are fine.
 * - `"object"`: kernel objects under `Local\` or `Global\`. The object
 *   manager does not normalise: only `\` separates, `/`, trailing dots and
 *   spaces are ordinary characters, and `.` and `..` are ordinary names. The
 *   name after the namespace may hold no `\` (checked by
 *   {@linkcode kernelObjectName}), and may not be `Global`, `Local`,
 *   `Session` or `AppContainerNamedObjects`, which are symbolic links to
 *   other namespaces. `.` and `..` are refused too: harmless here, but
 *   refusing them keeps one rule for every name.
 *
 * In both, NUL and the other control characters (U+0000 to U+001F) are
 * refused.
 *
 * @module
 */

import { describeValue } from "./options.ts";

/** How a namespace's names are read: see the module documentation. */
export type NameSyntax = "path" | "object";

/** Names in every `BaseNamedObjects` directory that link to another namespace. */
const NAMESPACE_LINKS = ["global", "local", "session", "appcontainernamedobjects"];

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

/**
 * Checks a name, the part after its namespace (`x\y` of `\\.\pipe\x\y`,
 * `x` of `Local\x`), against the name rule, and calls `fail` with the rule
 * it breaks.
 *
 * @example A name that would leave `\\.\pipe\`
 * ```ts
 * import { checkName } from "./names.ts";
 * import { assertThrows } from "@std/assert";
 *
 * const fail = (why: string): never => {
 *   throw new TypeError(why);
 * };
 * checkName("my.app.v2", "path", fail);
 * assertThrows(() => checkName("a/../../x", "path", fail), TypeError, "/");
 * assertThrows(() => checkName("a\\..\\x", "path", fail), TypeError, '".." segments');
 * checkName("a/b", "object", fail); // "/" is an ordinary character in object names
 * ```
 *
 * @param name The name within its namespace.
 * @param syntax `"path"` for pipes and mailslots, `"object"` for kernel objects.
 * @param fail Throws a `TypeError` that says which object could not be
 * made or opened, with the rule as its reason.
 * @throws {TypeError} Through `fail`, if the name breaks the rule.
 */
export function checkName(name: string, syntax: NameSyntax, fail: (why: string) => never): void {
  if (hasControl(name)) fail("a name must not contain NUL or other control characters");
  if (syntax === "object") {
    if (name === "..") fail('a name must not be ".."');
    if (name === ".") fail('a name must not be "."');
    if (NAMESPACE_LINKS.includes(name.toLowerCase())) {
      fail(
        "a name must not be Global, Local, Session or AppContainerNamedObjects: Windows links these names to other namespaces",
      );
    }
    return;
  }
  if (name.includes("/")) {
    fail('a name must not contain "/": Windows reads it as a backslash');
  }
  const segments = name.split("\\");
  if (segments.includes("..")) fail('a name must not contain ".." segments');
  if (segments.includes(".")) fail('a name must not contain "." segments');
  if (segments.includes("")) {
    fail("a name must not contain empty segments (a leading, trailing or doubled backslash)");
  }
  if (segments.some((segment) => segment.endsWith(".") || segment.endsWith(" "))) {
    fail("a name segment must not end with a dot or a space: Windows strips them");
  }
}

/** A DNS or NetBIOS computer or domain name: letters, digits, `-` and `_`, in dotted labels. */
const HOST_NAME = /^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*$/u;

/**
 * Checks the host of a full path `\\HOST\pipe\...` or
 * `\\HOST\mailslot\...`: `.` (this computer), a computer or domain name,
 * and, where `broadcast` allows it, `*` (every computer of the primary
 * domain). Anything else (`\\?\`, `\\..\`, a host with `/`) names another
 * namespace, or one Windows would reinterpret, and is refused.
 *
 * @param host The text between `\\` and the next backslash.
 * @param broadcast Whether `*` is allowed (mailslot writers).
 * @param fail Throws a `TypeError` with the rule as its reason.
 * @throws {TypeError} Through `fail`, if the host is not one of those.
 */
export function checkHost(host: string, broadcast: boolean, fail: (why: string) => never): void {
  if (host === "." || (broadcast && host === "*") || HOST_NAME.test(host)) return;
  fail(
    `"${host}" is not a computer or domain name (letters, digits, "-" and "_", in dotted labels)${
      broadcast ? ', "*"' : ""
    } or "." for this computer`,
  );
}

/**
 * Refuses a full path to another computer (a named pipe's
 * `\\server\pipe\...`, a mailslot's `\\computer\mailslot\...` or
 * `\\*\mailslot\...`) unless the caller opted in with `remote: true`: a
 * name from an untrusted source then reaches this computer only. One rule
 * for named-pipe clients and mailslot writers.
 *
 * @example
 * ```ts
 * import { checkRemote } from "./names.ts";
 * import { assertThrows } from "@std/assert";
 *
 * checkRemote(true, undefined, "Cannot open x", "it is elsewhere"); // local: fine
 * checkRemote(false, true, "Cannot open x", "it is elsewhere"); // remote, allowed
 * assertThrows(
 *   () => checkRemote(false, undefined, "Cannot open x", "it is elsewhere"),
 *   TypeError,
 *   "Cannot open x: it is elsewhere; pass { remote: true } to allow it",
 * );
 * ```
 *
 * @param local Whether the path is on this computer (`\\.\...`).
 * @param remote The `remote` option's value.
 * @param what The operation, for messages (`Cannot open mailslot "x"`).
 * @param why Where the path leads and what going there risks.
 * @throws {TypeError} For a remote path without `remote: true`, or a
 * `remote` that is not a boolean.
 */
export function checkRemote(local: boolean, remote: unknown, what: string, why: string): void {
  if (remote !== undefined && remote !== true && remote !== false) {
    throw new TypeError(`${what}: remote must be true or false, got ${describeValue(remote)}`);
  }
  if (remote !== true && !local) {
    throw new TypeError(`${what}: ${why}; pass { remote: true } to allow it`);
  }
}

const NAME_PREFIX = /^(Local|Global)\\/i;
/** MAX_PATH, the longest kernel object name Windows documents. */
const MAX_OBJECT_NAME = 260;

/**
 * The kernel object name for `name`, checked against the name rule
 * (`"object"` syntax; see the module documentation).
 *
 * @example
 * ```ts
 * import { kernelObjectName } from "./names.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * assertEquals(kernelObjectName("jobs", false, "event"), "Local\\jobs");
 * assertEquals(kernelObjectName("Global\\jobs", false, "event"), "Global\\jobs");
 * assertThrows(() => kernelObjectName("Local\\..\\x", false, "event"), TypeError, "backslash");
 * ```
 *
 * @param name A short name, or `Local\...`/`Global\...`.
 * @param global Put a short name in `Global\`.
 * @param kind What the object is, for messages (`shared memory`, `event`).
 * @param reserve How many characters the caller appends to the full name
 * for objects of its own (a shared channel's events), counted in the limit.
 * @returns The full name.
 * @throws {TypeError} For an empty name, a backslash anywhere but after
 * the namespace, a name that breaks the name rule, or a full name (with
 * `reserve`) of more than 260 characters.
 */
export function kernelObjectName(
  name: string,
  global: boolean,
  kind: string,
  reserve = 0,
): string {
  if (typeof name !== "string") {
    throw new TypeError(`Invalid ${kind} name: must be a string, got ${typeof name}`);
  }
  const fail = (why: string): never => {
    throw new TypeError(`Invalid ${kind} name "${name}": ${why}`);
  };
  if (name.length === 0) fail("it is empty");
  const prefix = NAME_PREFIX.exec(name);
  const rest = prefix ? name.slice(prefix[0].length) : name;
  if (rest.length === 0) fail("nothing follows the namespace");
  if (rest.includes("\\")) {
    fail("a backslash may only follow Local or Global (Local\\name, Global\\name)");
  }
  checkName(rest, "object", fail);
  const full = prefix ? name : `${global ? "Global" : "Local"}\\${name}`;
  const limit = MAX_OBJECT_NAME - reserve;
  if (full.length > limit) {
    fail(
      `it is ${full.length} characters, Windows allows ${MAX_OBJECT_NAME}${
        reserve
          ? ` (${limit} here, leaving room for the ${reserve} characters of derived names)`
          : ""
      }`,
    );
  }
  return full;
}
