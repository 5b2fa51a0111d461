// Copyright 2026 the winipc authors. MIT license.
/**
 * Names of kernel objects (mappings, events, semaphores, mutexes, timers):
 * a short name goes into `Local\` (this session) or `Global\` (every
 * session); `Local\...` and `Global\...` are kept as they are.
 *
 * @module
 */

const NAME_PREFIX = /^(Local|Global)\\/i;

/**
 * The kernel object name for `name`.
 *
 * @param name A short name, or `Local\...`/`Global\...`.
 * @param global Put a short name in `Global\`.
 * @param kind What the object is, for messages (`shared memory`, `event`).
 * @returns The full name.
 * @throws {TypeError} For an empty name, a NUL, a backslash anywhere but
 * after the namespace, or more than 260 characters.
 */
export function kernelObjectName(name: string, global: boolean, kind: string): string {
  if (typeof name !== "string") {
    throw new TypeError(`Invalid ${kind} name: must be a string, got ${typeof name}`);
  }
  const fail = (why: string): never => {
    throw new TypeError(`Invalid ${kind} name "${name}": ${why}`);
  };
  if (name.length === 0) fail("it is empty");
  if (name.includes("\0")) fail("it contains a NUL character");
  const prefix = NAME_PREFIX.exec(name);
  const rest = prefix ? name.slice(prefix[0].length) : name;
  if (rest.length === 0) fail("nothing follows the namespace");
  if (rest.includes("\\")) {
    fail("a backslash may only follow Local or Global (Local\\name, Global\\name)");
  }
  const full = prefix ? name : `${global ? "Global" : "Local"}\\${name}`;
  if (full.length > 260) fail(`it is ${full.length} characters, Windows allows 260`);
  return full;
}
