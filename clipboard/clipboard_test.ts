// Copyright 2026 the winipc authors. MIT license.
// Argument checks, which happen before anything touches Windows (so they run
// on every OS). The behaviour itself is tested across processes in
// tests/clipboard_test.ts.
import { assertRejects, assertThrows } from "@std/assert";
import * as clipboard from "./mod.ts";

Deno.test("clipboard: bad arguments are refused with the value described", async () => {
  await assertRejects(() => clipboard.writeText(1 as unknown as string), TypeError, "got 1");
  await assertRejects(() => clipboard.writeText("a\0"), TypeError, "NUL");
  await assertRejects(() => clipboard.writeText("a", { retries: 1.5 }), RangeError, "got 1.5");
  await assertRejects(() => clipboard.writeText("a", { retryDelay: -1 }), RangeError, "retryDelay");
  await assertRejects(
    () => clipboard.writeText("a", { signal: "x" as unknown as AbortSignal }),
    TypeError,
    "signal must be an AbortSignal",
  );
  await assertRejects(
    () => clipboard.writeText("a", { secret: "yes" as unknown as boolean }),
    TypeError,
    'secret must be true or false, got "yes"',
  );
  await assertRejects(() => clipboard.writeText("a", { clearAfter: -5 }), RangeError, "clearAfter");
  await assertRejects(
    () => clipboard.readText(null as unknown as undefined),
    TypeError,
    "got null",
  );
  await assertRejects(() => clipboard.writeFormat("", new Uint8Array(1)), TypeError, "format name");
  await assertRejects(() => clipboard.writeFormat(70000, new Uint8Array(1)), RangeError, "70000");
  await assertRejects(() => clipboard.writeFormat(2, new Uint8Array(1)), RangeError, "CF_BITMAP");
  await assertRejects(() => clipboard.readFormat(0x205), RangeError, "holds a handle");
  await assertRejects(() => clipboard.writeFormat("x", new Uint8Array()), RangeError, "empty");
  await assertRejects(() => clipboard.readFormat({} as unknown as string), TypeError, "an object");
  await assertRejects(() => clipboard.write(null as unknown as clipboard.ClipboardData), TypeError);
  await assertRejects(
    () => clipboard.write({ custom: [{ format: "x", bytes: [1] as unknown as Uint8Array }] }),
    TypeError,
    "Uint8Array",
  );
  await assertRejects(
    () => clipboard.restore({} as clipboard.ClipboardSnapshot),
    TypeError,
    "not a snapshot",
  );
  await assertRejects(() => clipboard.registerFormat("a\0b"), TypeError, "format name");
  await assertRejects(
    () => clipboard.registerFormat(49000 as unknown as string),
    TypeError,
    "name must be a string, got 49000",
  );
  assertThrows(() => clipboard.watch({ signal: 1 as unknown as AbortSignal }), TypeError, "signal");
});
