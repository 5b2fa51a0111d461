// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { checkHost, checkName, kernelObjectName, type NameSyntax } from "./names.ts";

const fail = (why: string): never => {
  throw new TypeError(why);
};

function accepts(name: string, syntax: NameSyntax): boolean {
  try {
    checkName(name, syntax, fail);
    return true;
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
}

Deno.test("checkName() passes ordinary names in both syntaxes", () => {
  for (
    const name of ["jobs", "my.app.v2", "my app", "caf\u00e9 \u{1f600}", ".x", "a..b", "x\u007f"]
  ) {
    assertEquals(accepts(name, "path"), true, name);
    assertEquals(accepts(name, "object"), true, name);
  }
  assertEquals(accepts("app\\v1.2\\jobs", "path"), true);
});

Deno.test("checkName() refuses in path syntax what Windows path normalisation rewrites", () => {
  const cases: Array<[string, string]> = [
    ["a/b", 'must not contain "/"'],
    ["..", 'must not contain ".." segments'],
    ["a\\..\\b", 'must not contain ".." segments'],
    [".", 'must not contain "." segments'],
    ["a\\.", 'must not contain "." segments'],
    ["\\a", "empty segments"],
    ["a\\", "empty segments"],
    ["a\\\\b", "empty segments"],
    ["a.", "must not end with a dot or a space"],
    ["a ", "must not end with a dot or a space"],
    ["a. \\b", "must not end with a dot or a space"],
    ["....", "must not end with a dot or a space"],
    ["a\0", "NUL or other control characters"],
    ["a\r", "NUL or other control characters"],
  ];
  for (const [name, message] of cases) {
    assertThrows(() => checkName(name, "path", fail), TypeError, message);
  }
});

Deno.test("checkName() in object syntax refuses only what is not literal or links elsewhere", () => {
  // The object manager does not normalise: these are ordinary names.
  for (const name of ["a/b", "../x", "a.", "a ", "...", " "]) {
    assertEquals(accepts(name, "object"), true, name);
  }
  assertThrows(() => checkName("..", "object", fail), TypeError, 'must not be ".."');
  assertThrows(() => checkName(".", "object", fail), TypeError, 'must not be "."');
  for (const name of ["Global", "LOCAL", "session", "AppContainerNamedObjects"]) {
    assertThrows(() => checkName(name, "object", fail), TypeError, "other namespaces");
  }
  assertThrows(() => checkName("a\x1b", "object", fail), TypeError, "control characters");
});

Deno.test("checkHost() accepts this computer, computer and domain names, and * where asked", () => {
  for (
    const host of [".", "pc7", "PC-7", "my_box", "fs.corp.example.com", "10.0.0.5", "\u00e9cole"]
  ) {
    checkHost(host, false, fail);
  }
  checkHost("*", true, fail);
  for (const host of ["*", "?", "??", "..", ".x", "x.", "a..b", "a/b", "a b", "a:1", "a\tb"]) {
    assertThrows(() => checkHost(host, false, fail), TypeError, "not a computer or domain name");
  }
  assertThrows(() => checkHost("?", true, fail), TypeError, '"*"');
});

Deno.test("kernelObjectName() applies the rule after the namespace", () => {
  assertEquals(kernelObjectName("a/b", false, "event"), "Local\\a/b");
  assertEquals(kernelObjectName("Global\\..x", false, "event"), "Global\\..x");
  assertThrows(
    () => kernelObjectName("Local\\..", false, "event"),
    TypeError,
    'event name "Local\\..": a name must not be ".."',
  );
  assertThrows(
    () => kernelObjectName("Local\\Global", false, "mutex"),
    TypeError,
    "other namespaces",
  );
  assertThrows(
    () => kernelObjectName("Local\\..\\Global\\x", false, "mutex"),
    TypeError,
    "backslash",
  );
});
