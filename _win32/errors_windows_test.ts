// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertInstanceOf, assertMatch, assertThrows } from "@std/assert";
import { windowsTest } from "../tests/_helpers.ts";
import { kernel32 } from "./ffi.ts";
import { errorFromCode, systemMessage, win32ErrorCode } from "./errors.ts";
import { OwnedHandle } from "./handle.ts";
import { encodeUtf16z } from "./utf16.ts";

windowsTest("GetLastError() right after a call gives its own error, not an older one", {}, () => {
  const k = kernel32();
  const name = encodeUtf16z("winipc-test-no-such-event-" + Deno.pid);
  // A stale value that must not be reported.
  k.SetLastError(1234);
  const missing = k.OpenEventW(0x2, 0, name);
  const code = k.GetLastError();
  assertEquals(missing, null);
  assertEquals(code, 2); // ERROR_FILE_NOT_FOUND

  const bad = Deno.UnsafePointer.create(0x7ffff0n);
  k.SetLastError(1234);
  const closed = k.CloseHandle(bad);
  const code2 = k.GetLastError();
  assertEquals(closed, 0);
  assertEquals(code2, 6); // ERROR_INVALID_HANDLE
});

windowsTest("OwnedHandle.from() throws the mapped error of the call it wraps", {}, () => {
  const k = kernel32();
  k.SetLastError(5);
  const error = assertThrows(
    () =>
      OwnedHandle.from(
        k.OpenEventW(0x2, 0, encodeUtf16z("winipc-test-missing-" + Deno.pid)),
        k.GetLastError(),
        "event",
        "Cannot open event",
      ),
    Deno.errors.NotFound,
  );
  assertEquals(win32ErrorCode(error), 2);
  assertMatch(error.message, /^Cannot open event: .+ \(os error 2\)$/);
});

windowsTest("systemMessage() gives the system's text for a code", {}, () => {
  assertMatch(systemMessage(2).toLowerCase(), /file/);
  assertMatch(systemMessage(109).toLowerCase(), /pipe/);
  const error = errorFromCode(231, "Cannot connect");
  assertInstanceOf(error, Deno.errors.Busy);
  assertMatch(error.message, /^Cannot connect: .+ \(os error 231\)$/);
});
