// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { commandLine, environmentBlock, quoteArgument } from "./_command_line.ts";

Deno.test("quoteArgument() leaves plain arguments alone", () => {
  assertEquals(quoteArgument("abc"), "abc");
  assertEquals(quoteArgument("C:\\dir\\file.txt"), "C:\\dir\\file.txt");
  assertEquals(quoteArgument("/c"), "/c");
});

Deno.test("quoteArgument() quotes by the Microsoft C runtime's rules", () => {
  assertEquals(quoteArgument(""), '""');
  assertEquals(quoteArgument("a b"), '"a b"');
  assertEquals(quoteArgument('q"uote'), '"q\\"uote"');
  assertEquals(quoteArgument("tr\\ail\\ "), '"tr\\ail\\ "');
  assertEquals(quoteArgument("end\\ with\\"), '"end\\ with\\\\"');
  assertEquals(quoteArgument('x\\"y'), '"x\\\\\\"y"');
  assertEquals(quoteArgument("tab\there"), '"tab\there"');
});

Deno.test("commandLine() joins and validates", () => {
  assertEquals(commandLine("prog", ["a", "b c"]), 'prog a "b c"');
  assertEquals(commandLine("C:\\Program Files\\x.exe", []), '"C:\\Program Files\\x.exe"');
  assertThrows(() => commandLine("", []), TypeError, "non-empty");
  assertThrows(() => commandLine('a"b', []), TypeError, "quotes");
  assertThrows(() => commandLine("run.bat", []), TypeError, "batch files");
  assertThrows(() => commandLine("x", ["a\0b"]), TypeError, "NUL");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => commandLine("x", [1 as any]), TypeError, "args[0]");
  assertThrows(() => commandLine("x", ["a".repeat(40000)]), TypeError, "32766");
});

Deno.test("environmentBlock() sorts names without case and ends with two NULs", () => {
  const block = environmentBlock({ b: "2", A: "1", "=C:": "C:\\" });
  assertEquals(String.fromCharCode(...block), "=C:=C:\\\0A=1\0b=2\0\0");
  assertEquals(String.fromCharCode(...environmentBlock({})), "\0\0");
  assertThrows(() => environmentBlock({ "": "x" }), TypeError);
  assertThrows(() => environmentBlock({ "A=B": "x" }), TypeError);
  assertThrows(() => environmentBlock({ A: "x\0" }), TypeError);
});
