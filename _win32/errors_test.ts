// Copyright 2026 the winipc authors. MIT license.
import { assert, assertEquals, assertInstanceOf, assertMatch } from "@std/assert";
import { ERROR, errorFromCode, Win32Error, win32ErrorCode } from "./errors.ts";

Deno.test("errorFromCode() maps well-known codes to Deno.errors classes", async (t) => {
  const cases: Array<[number, new (...args: never[]) => Error]> = [
    [ERROR.FILE_NOT_FOUND, Deno.errors.NotFound],
    [ERROR.PATH_NOT_FOUND, Deno.errors.NotFound],
    [ERROR.ACCESS_DENIED, Deno.errors.PermissionDenied],
    [ERROR.ALREADY_EXISTS, Deno.errors.AlreadyExists],
    [ERROR.FILE_EXISTS, Deno.errors.AlreadyExists],
    [ERROR.PIPE_BUSY, Deno.errors.Busy],
    [ERROR.SHARING_VIOLATION, Deno.errors.Busy],
    [ERROR.BROKEN_PIPE, Deno.errors.BrokenPipe],
    [ERROR.NO_DATA, Deno.errors.BrokenPipe],
    [ERROR.PIPE_NOT_CONNECTED, Deno.errors.BrokenPipe],
    [ERROR.SEM_TIMEOUT, Deno.errors.TimedOut],
    [ERROR.WAIT_TIMEOUT, Deno.errors.TimedOut],
    [ERROR.OPERATION_ABORTED, Deno.errors.Interrupted],
    [ERROR.INVALID_HANDLE, Deno.errors.BadResource],
    [ERROR.REMOTE_MAILSLOTS_DEPRECATED, Deno.errors.NotSupported],
  ];
  for (const [code, Class] of cases) {
    await t.step(`${code} -> ${Class.name}`, () => {
      const error = errorFromCode(code, "Cannot do it");
      assertInstanceOf(error, Class);
      assertInstanceOf(error.cause, Win32Error);
      assertEquals(win32ErrorCode(error), code);
      assertMatch(error.message, new RegExp(`^Cannot do it: .+ \\(os error ${code}\\)$`));
    });
  }
});

Deno.test("errorFromCode() keeps unmapped codes as Win32Error", () => {
  const error = errorFromCode(ERROR.INVALID_PARAMETER);
  assertInstanceOf(error, Win32Error);
  assertEquals(error.name, "Win32Error");
  assertEquals((error as Win32Error).code, 87);
  assertMatch(error.message, /\(os error 87\)$/);
});

Deno.test("win32ErrorCode() is undefined for foreign errors", () => {
  assertEquals(win32ErrorCode(new Error("x")), undefined);
  assertEquals(win32ErrorCode("x"), undefined);
  assert(win32ErrorCode(new Win32Error(5)) === 5);
});
