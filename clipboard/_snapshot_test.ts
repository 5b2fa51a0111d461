// Copyright 2026 the winipc authors. MIT license.
import { assertEquals } from "@std/assert";
import { dropSynthesized, type SnapshotFormat } from "./_snapshot.ts";

const item = (id: number): SnapshotFormat => ({
  id,
  name: `#${id}`,
  registered: false,
  bytes: new Uint8Array([id]),
});

Deno.test("clipboard: dropSynthesized() keeps the richest text and bitmap forms, in order", () => {
  const { kept, skipped } = dropSynthesized([0xc001, 17, 13, 16, 8, 1, 7].map(item));
  assertEquals(kept.map((f) => f.id), [0xc001, 17, 13, 16]);
  assertEquals(skipped.map((f) => f.id), [8, 1, 7]);
  assertEquals(skipped[0]!.reason, "Windows synthesizes it from CF_DIBV5, which is kept");
});

Deno.test("clipboard: dropSynthesized() keeps CF_TEXT when there is no Unicode text, and CF_DIB alone", () => {
  const { kept, skipped } = dropSynthesized([1, 7, 8].map(item));
  assertEquals(kept.map((f) => f.id), [1, 8]);
  assertEquals(skipped.map((f) => [f.id, f.reason]), [
    [7, "Windows synthesizes it from CF_TEXT, which is kept"],
  ]);
});
