// Copyright 2026 the winipc authors. MIT license.
/**
 * Package-private: the kernel object names of mappings (and of a shared
 * channel's mapping and events).
 *
 * @module
 */
import { kernelObjectName } from "../_win32/names.ts";

/**
 * The kernel object name for a mapping name: a short name goes into
 * `Local\` (or `Global\`); `Local\...` and `Global\...` are kept. The name
 * after the namespace may not hold a backslash, may not be `.`, `..`,
 * `Global`, `Local`, `Session` or `AppContainerNamedObjects`, and may not
 * hold control characters; `/` and dots are ordinary characters here (the
 * object manager does not normalise names). See `_win32/names.ts`.
 *
 * @param name A short name or `Local\...`/`Global\...`.
 * @param global Put a short name in `Global\`.
 * @param reserve Characters the caller appends for names of its own (a
 * shared channel's events), counted in Windows' limit of 260.
 * @returns The full name.
 * @throws {TypeError} If the name is not a usable kernel object name.
 */
export function mappingName(name: string, global = false, reserve = 0): string {
  return kernelObjectName(name, global, "shared memory", reserve);
}
