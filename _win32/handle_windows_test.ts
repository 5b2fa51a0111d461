// Copyright 2026 the winipc authors. MIT license.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { windowsTest } from "../tests/_helpers.ts";
import { kernel32 } from "./ffi.ts";
import { finalizedHandles, OwnedHandle } from "./handle.ts";
import { handleCount, nextHandleValue } from "./process_info.ts";

function newEvent(): OwnedHandle {
  const k = kernel32();
  return OwnedHandle.from(
    k.CreateEventW(null, 1, 0, null),
    k.GetLastError(),
    "event",
    "Cannot create event",
  );
}

windowsTest("OwnedHandle.close() closes once; a second close() throws BadResource", {}, () => {
  const event = newEvent();
  const raw = event.raw;
  assertEquals(event.closed, false);
  event.close();
  assertEquals(event.closed, true);
  assertThrows(
    () => event.close(),
    Deno.errors.BadResource,
    "Cannot close event: it is already closed",
  );
  assertThrows(() => event.raw, Deno.errors.BadResource, "Cannot use event: it is closed");
  // The kernel handle is really gone.
  const k = kernel32();
  assertEquals([k.SetEvent(raw), k.GetLastError()], [0, 6]);
});

windowsTest("OwnedHandle [Symbol.dispose] closes, and is idempotent", {}, () => {
  let raw: Deno.PointerObject;
  {
    using event = newEvent();
    raw = event.raw;
    assertEquals(kernel32().SetEvent(raw), 1);
  }
  assertEquals(kernel32().SetEvent(raw), 0);
  const event = newEvent();
  event[Symbol.dispose]();
  event[Symbol.dispose]();
  assert(event.closed);
});

windowsTest("OwnedHandle.release() hands the raw handle over without closing it", {}, () => {
  const event = newEvent();
  const raw = event.release();
  assert(event.closed);
  assertEquals(kernel32().SetEvent(raw), 1);
  assertEquals(kernel32().CloseHandle(raw), 1);
});

windowsTest("handle count is stable over 10,000 create/close cycles", {}, () => {
  const countBefore = handleCount();
  const slotBefore = nextHandleValue();
  for (let i = 0; i < 10_000; i++) {
    using _event = newEvent();
  }
  // Handles are 4 apart: a leak of even a few would move the next free slot.
  const slotAfter = nextHandleValue();
  assert(slotAfter <= slotBefore + 8n, `next handle moved from ${slotBefore} to ${slotAfter}`);
  // GetProcessHandleCount is a stub returning 0 under Wine; on Windows it is exact.
  const countAfter = handleCount();
  assert(countAfter - countBefore <= 2, `handle count grew from ${countBefore} to ${countAfter}`);
});

windowsTest("nextHandleValue() detects leaked handles", {}, () => {
  const before = nextHandleValue();
  const leaked = Array.from({ length: 100 }, () => newEvent());
  const during = nextHandleValue();
  for (const event of leaked) event.close();
  assert(during >= before + 400n, `next handle ${before} -> ${during} with 100 handles open`);
  assert(nextHandleValue() <= before + 8n);
});

windowsTest("a dropped OwnedHandle is closed by the finalization safety net", {}, async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --v8-flags=--expose-gc (deno task test does)");
  const before = nextHandleValue();
  const finalizedBefore = finalizedHandles.count;
  (() => {
    for (let i = 0; i < 200; i++) newEvent();
  })();
  assert(nextHandleValue() >= before + 800n);
  for (let i = 0; i < 50 && finalizedHandles.count - finalizedBefore < 200; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assertEquals(finalizedHandles.count - finalizedBefore, 200);
  const after = nextHandleValue();
  assert(after <= before + 8n, `leaked handles were not closed: next handle ${before} -> ${after}`);
});
