// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { ADVAPI32, IS_WINDOWS, KERNEL32, kernel32, NTDLL, USER32 } from "./ffi.ts";
import { waitForAny, waitForHandle } from "./wait.ts";
import { OwnedHandle } from "./handle.ts";

Deno.test("importing the package opens no DLL (works without --allow-ffi)", async () => {
  const code = `
    const mod = await import(${JSON.stringify(new URL("../mod.ts", import.meta.url).href)});
    console.log(typeof mod);
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(new TextDecoder().decode(output.stderr), "");
  assertEquals(output.code, 0);
  assertEquals(new TextDecoder().decode(output.stdout).trim(), "object");
});

Deno.test({
  name: "off Windows the accessors throw NotSupported with a clear message",
  ignore: IS_WINDOWS,
  fn() {
    assertThrows(() => kernel32(), Deno.errors.NotSupported, "winipc needs Windows");
  },
});

Deno.test("symbol tables declare W APIs only, and their nonblocking twins name the real symbol", () => {
  for (const table of [KERNEL32, ADVAPI32, NTDLL, USER32]) {
    for (const [key, definition] of Object.entries(table)) {
      const name = "name" in definition ? definition.name : key;
      if (/[a-z]A$/.test(name)) throw new Error(`${key} is an A (ANSI) API`);
      if (key.endsWith("Nb")) {
        assertEquals((definition as { nonblocking?: boolean }).nonblocking, true, key);
        assertEquals(name, key.slice(0, -2));
      }
    }
  }
});

Deno.test("waits validate their options before touching Windows", async () => {
  const fake = new OwnedHandle(Deno.UnsafePointer.create(4n)!, "fake");
  await assertRejects(() => waitForHandle(fake, { timeout: -5 }), RangeError, "timeout must be");
  await assertRejects(() => waitForHandle(fake, { timeout: NaN }), RangeError, "timeout must be");
  await assertRejects(
    // deno-lint-ignore no-explicit-any
    () => waitForHandle(fake, { timeout: "5" as any }),
    RangeError,
    "timeout must be",
  );
  await assertRejects(() => waitForAny([], {}), RangeError, "no objects");
  await assertRejects(
    () => waitForHandle(fake, { timeout: 1, signal: AbortSignal.abort(new Error("early")) }),
    Error,
    "early",
  );
  fake.release();
});
