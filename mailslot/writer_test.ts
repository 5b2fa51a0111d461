// Copyright 2026 the winipc authors. MIT license.
import { assertThrows } from "@std/assert";
import { openMailslot, type OpenMailslotOptions } from "./writer.ts";

Deno.test("openMailslot() refuses another computer's or the domain's slot unless remote is true", () => {
  for (
    const name of [
      "\\\\*\\mailslot\\jobs",
      "\\\\PC7\\mailslot\\jobs",
      "\\\\corp.example.com\\mailslot\\a\\b",
    ]
  ) {
    assertThrows(
      () => openMailslot(name),
      TypeError,
      `Cannot open mailslot "${name}": it is on another computer or a domain`,
    );
    assertThrows(() => openMailslot(name, { remote: false }), TypeError, "pass { remote: true }");
  }
  for (const remote of ["yes", 1, null, "true"]) {
    assertThrows(
      () => openMailslot("\\\\*\\mailslot\\x", { remote } as unknown as OpenMailslotOptions),
      TypeError,
      "remote must be true or false",
    );
  }
  assertThrows(
    () => openMailslot("jobs", null as unknown as OpenMailslotOptions),
    TypeError,
    "options must be an object",
  );
  // With remote: true (and for local names) the check passes and the call
  // gets as far as Windows: on Linux, the library's NotSupported; not tried
  // on Windows, where it would reach for the domain.
  if (Deno.build.os !== "windows") {
    for (
      const [name, options] of [["\\\\*\\mailslot\\x", { remote: true }], ["jobs", {}]] as const
    ) {
      assertThrows(() => openMailslot(name, options), Deno.errors.NotSupported);
    }
  }
});
