// Copyright 2026 the winipc authors. MIT license.
/**
 * The snapshot rule for formats Windows synthesizes from one another. Pure,
 * tested on every OS.
 *
 * @module
 */
import { CF, standardFormatName } from "./_formats.ts";

/** A format a snapshot holds. */
export interface SnapshotFormat {
  /** The format id when the snapshot was taken. */
  readonly id: number;
  /** Its name: the registered name, or `CF_*` for a standard format. */
  readonly name: string;
  /** Whether the name is a registered one (restored by name, not by id). */
  readonly registered: boolean;
  /** The data, as `GlobalLock` showed it (for `CF_ENHMETAFILE`, `GetEnhMetaFileBits`). */
  readonly bytes: Uint8Array;
}

/** A format a snapshot could not copy, and why. */
export interface SkippedFormat {
  /** The format id. */
  readonly id: number;
  /** Its name. */
  readonly name: string;
  /** Why it was not copied. */
  readonly reason: string;
}

const TEXT_FAMILY = [CF.UNICODETEXT, CF.TEXT, CF.OEMTEXT] as const;
const DIB_FAMILY = [CF.DIBV5, CF.DIB] as const;

/**
 * Splits what was read into what to keep and what Windows synthesizes from
 * a kept format: of `CF_UNICODETEXT`, `CF_TEXT` and `CF_OEMTEXT` only the
 * first present in that order is kept; of `CF_DIBV5` and `CF_DIB` likewise.
 *
 * @example
 * ```ts
 * import { dropSynthesized } from "./_snapshot.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const item = (id: number) => ({ id, name: "", registered: false, bytes: new Uint8Array() });
 * const { kept, skipped } = dropSynthesized([item(13), item(16), item(1), item(7)]);
 * assertEquals(kept.map((f) => f.id), [13, 16]);
 * assertEquals(skipped.map((f) => f.id), [1, 7]);
 * ```
 *
 * @param items The formats read, in enumeration order.
 * @returns The formats to keep (in order) and the synthesized ones skipped.
 */
export function dropSynthesized(
  items: SnapshotFormat[],
): { kept: SnapshotFormat[]; skipped: SkippedFormat[] } {
  const present = new Set(items.map((f) => f.id));
  const sourceOf = (id: number): number | undefined => {
    for (const family of [TEXT_FAMILY, DIB_FAMILY] as readonly (readonly number[])[]) {
      if (!family.includes(id)) continue;
      const source = family.find((f) => present.has(f));
      return source === id ? undefined : source;
    }
    return undefined;
  };
  const kept: SnapshotFormat[] = [];
  const skipped: SkippedFormat[] = [];
  for (const item of items) {
    const source = sourceOf(item.id);
    if (source === undefined) kept.push(item);
    else {
      skipped.push({
        id: item.id,
        name: item.name,
        reason: `Windows synthesizes it from ${standardFormatName(source)}, which is kept`,
      });
    }
  }
  return { kept, skipped };
}
