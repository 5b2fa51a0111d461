// Copyright 2026 the winipc authors. MIT license.
// What can be checked of the pipe module on any OS: its public surface, and
// that bad options fail before anything touches Windows.
import { assert, assertEquals, assertThrows } from "@std/assert";
import * as pipe from "./mod.ts";
import { ChildProcess, createPipe, openPipeHandle, PipeReader, PipeWriter, spawn } from "./mod.ts";

Deno.test("pipe/mod.ts exports only the public API", () => {
  assertEquals(Object.keys(pipe).sort(), [
    "ChildProcess",
    "PipeReader",
    "PipeWriter",
    "createPipe",
    "openPipeHandle",
    "spawn",
  ]);
});

Deno.test("pipe ends and children cannot be constructed from outside", () => {
  for (const cls of [PipeReader, PipeWriter, ChildProcess]) {
    // deno-lint-ignore no-explicit-any
    assertThrows(() => new (cls as any)(), TypeError, "Illegal constructor");
    // deno-lint-ignore no-explicit-any
    assertThrows(() => new (cls as any)({ raw: null }, true), TypeError, "Illegal constructor");
  }
  for (const cls of [PipeReader, PipeWriter, ChildProcess]) {
    const names = Object.getOwnPropertyNames(cls.prototype);
    for (const hidden of ["io", "handle", "handleValue"]) {
      assert(!names.includes(hidden), `${cls.name}.prototype has ${hidden}`);
    }
  }
});

Deno.test({
  name: "deno doc of pipe/mod.ts names no internal type",
  // It runs `deno doc`: skipped without --allow-run.
  ignore: (await Deno.permissions.query({ name: "run" })).state !== "granted",
}, async () => {
  const { success, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", new URL("./mod.ts", import.meta.url).href],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert(success);
  const doc = new TextDecoder().decode(stdout);
  for (const internal of ["OwnedHandle", "HandleIo", "@internal", "handleValue", "ChildInit"]) {
    assert(!doc.includes(internal), `deno doc mentions ${internal}`);
  }
  assert(doc.includes("unsafeHandle"));
});

Deno.test("hostile option values are TypeErrors, checked by value", () => {
  // deno-lint-ignore no-explicit-any
  const hostile = "toString" as any;
  assertThrows(() => createPipe({ childEnd: hostile }), TypeError, "childEnd must be");
  assertThrows(() => createPipe({ childEnd: "__proto__" as never }), TypeError, "childEnd");
  for (const stream of ["stdin", "stdout", "stderr"]) {
    assertThrows(
      () => spawn("prog", { [stream]: hostile }),
      TypeError,
      `${stream} must be "inherit", "null" or "piped"`,
    );
  }
  assertThrows(() => openPipeHandle(4, { access: hostile }), TypeError, "access must be");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => openPipeHandle(4, {} as any), TypeError, "access");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => openPipeHandle(4, "read" as any), TypeError, "access");
  assertThrows(() => openPipeHandle(-1, { access: "read" }), TypeError, "positive integer");
  assertThrows(() => openPipeHandle(1.5, { access: "read" }), TypeError, "positive integer");
  assertThrows(() => createPipe({ bufferSize: Number.NaN }), RangeError, "bufferSize");
});
