// Copyright 2026 the winipc authors. MIT license.
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { pipePath } from "./_path.ts";

Deno.test("pipePath() expands short names and keeps full local paths", () => {
  assertEquals(pipePath("my-app", "listen"), "\\\\.\\pipe\\my-app");
  assertEquals(pipePath("caf\u00e9 \u{1f600}", "connect"), "\\\\.\\pipe\\caf\u00e9 \u{1f600}");
  assertEquals(pipePath("\\\\.\\pipe\\x\\y", "listen"), "\\\\.\\pipe\\x\\y");
  assertEquals(pipePath("\\\\.\\PIPE\\x", "listen"), "\\\\.\\PIPE\\x");
  assertEquals(pipePath("\\\\server\\pipe\\x", "connect"), "\\\\server\\pipe\\x");
  assertEquals(pipePath("x".repeat(247), "listen").length, 256);
});

Deno.test("pipePath() keeps legitimate names that look a little like paths", () => {
  for (const name of ["my.app.v2", "my app", ".hidden", "..a", "a..b", "a .b", " x", "C:x"]) {
    assertEquals(pipePath(name, "listen"), `\\\\.\\pipe\\${name}`);
  }
  assertEquals(pipePath("\\\\.\\pipe\\app\\v1.2\\jobs", "listen"), "\\\\.\\pipe\\app\\v1.2\\jobs");
  for (const server of ["pc7", "fs-01.corp.example.com", "10.0.0.5", "s\u00e9rveur", "my_box"]) {
    assertEquals(pipePath(`\\\\${server}\\pipe\\x`, "connect"), `\\\\${server}\\pipe\\x`);
  }
});

Deno.test("pipePath() rejects bad names with a message that says what is wrong", async (t) => {
  const cases: Array<[string, "listen" | "connect", string]> = [
    ["", "listen", "name is empty"],
    ["a\0b", "connect", "NUL"],
    ["a\\b", "listen", "cannot contain a backslash"],
    ["\\\\.\\mailslot\\x", "connect", "must start with \\\\.\\pipe\\"],
    ["\\\\.\\pipe\\", "listen", "empty"],
    ["\\\\server\\pipe\\x", "listen", "only create local pipes"],
    ["x".repeat(300), "listen", "most Windows allows is 256"],
    ["x".repeat(248), "listen", "257 characters"],
  ];
  for (const [name, use, message] of cases) {
    await t.step(JSON.stringify(name.slice(0, 20)), () => {
      assertThrows(() => pipePath(name, use), TypeError, message);
    });
  }
  assertThrows(() => pipePath(42 as unknown as string, "listen"), TypeError, "must be a string");
});

Deno.test("pipePath() refuses every name that could leave \\\\.\\pipe\\", async (t) => {
  const SLASH = 'must not contain "/"';
  const DOTDOT = 'must not contain ".." segments';
  const DOT = 'must not contain "." segments';
  const EMPTY = "empty segments";
  const TRAILING = "must not end with a dot or a space";
  const CONTROL = "control characters";
  const HOST = "is not a computer or domain name";
  const cases: Array<[string, string]> = [
    // The reported forms: "/" becomes "\" and ".." climbs out of \\.\pipe\.
    ["../../C:/windows/win.ini", SLASH],
    ["a/../../x", SLASH],
    ["a/b", SLASH],
    ["/x", SLASH],
    ["//./pipe/x", SLASH],
    ["..", DOTDOT],
    [".", DOT],
    ["..\\..\\C:\\windows\\win.ini", DOTDOT],
    ["\\\\.\\pipe\\..\\..\\C:\\windows\\win.ini", DOTDOT],
    ["\\\\.\\pipe\\a\\..\\b", DOTDOT],
    ["\\\\.\\pipe\\a\\.\\b", DOT],
    ["\\\\.\\pipe\\..", DOTDOT],
    ["\\\\.\\pipe\\a/../../x", SLASH],
    ["\\\\server\\pipe\\..\\..\\c$\\x", DOTDOT],
    // Separators Windows collapses.
    ["\\\\.\\pipe\\a\\\\b", EMPTY],
    ["\\\\.\\pipe\\a\\", EMPTY],
    ["\\\\.\\pipe\\\\x", EMPTY],
    ["\\x", EMPTY],
    ["\\??\\C:\\x", EMPTY],
    // Trailing dots and spaces Windows strips ("..." and ". ." are ".." and "." in disguise).
    ["x.", TRAILING],
    ["x ", TRAILING],
    ["...", TRAILING],
    [". .", TRAILING],
    [".. ", TRAILING],
    [" ", TRAILING],
    ["\\\\.\\pipe\\a.\\b", TRAILING],
    ["\\\\.\\pipe\\a \\b", TRAILING],
    // Control characters.
    ["a\0b", CONTROL],
    ["a\nb", CONTROL],
    ["a\x1fb", CONTROL],
    ["\\\\.\\pipe\\a\tb", CONTROL],
    // Full paths into other namespaces or hosts that are not computer names.
    ["\\\\?\\pipe\\x", HOST],
    ["\\\\?\\C:\\x", "must start with"],
    ["\\\\.\\C:\\windows\\win.ini", "must start with"],
    ["\\\\.\\GLOBALROOT\\Device\\NamedPipe\\x", "must start with"],
    ["\\\\.\\UNC\\server\\pipe\\x", "must start with"],
    ["\\\\./pipe\\pipe\\x", HOST],
    ["\\\\..\\pipe\\x", HOST],
    ["\\\\*\\pipe\\x", HOST],
    ["\\\\a b\\pipe\\x", HOST],
    ["\\\\server.\\pipe\\x", HOST],
    ["\\\\server:445\\pipe\\x", HOST],
  ];
  for (const [name, message] of cases) {
    await t.step(JSON.stringify(name), () => {
      const error = assertThrows(() => pipePath(name, "connect"), TypeError, message);
      assertEquals(error.message.startsWith(`Cannot connect to named pipe "${name}": `), true);
      if (!name.startsWith("\\\\") || name.startsWith("\\\\.\\pipe\\")) {
        assertThrows(() => pipePath(name, "listen"), TypeError, message);
      }
    });
  }
});

Deno.test("listenNamedPipe(), connectNamedPipe() and callNamedPipe() check the name first", async (t) => {
  // The check comes before any call into Windows, so this runs on every OS:
  // a name that got past it would fail with NotSupported off Windows.
  const { listenNamedPipe, connectNamedPipe, callNamedPipe } = await import("./mod.ts");
  const hostile = [
    "../../C:/windows/win.ini",
    "a/../../x",
    "..\\..\\C:\\windows\\win.ini",
    "\\\\.\\pipe\\..\\..\\C:\\windows\\win.ini",
    "\\\\?\\pipe\\x",
    "x.",
    "a\0b",
  ];
  for (const name of hostile) {
    await t.step(JSON.stringify(name), async () => {
      assertThrows(
        () => listenNamedPipe(name),
        TypeError,
        `Cannot listen on named pipe "${name}": `,
      );
      assertThrows(
        () => listenNamedPipe(name, { mode: "message" }),
        TypeError,
        `Cannot listen on named pipe "${name}": `,
      );
      for (const mode of ["byte", "message"] as const) {
        await assertRejects(
          () => connectNamedPipe(name, { mode }),
          TypeError,
          `Cannot connect to named pipe "${name}": `,
        );
      }
      await assertRejects(
        () => callNamedPipe(name, new Uint8Array(1)),
        TypeError,
        `Cannot connect to named pipe "${name}": `,
      );
    });
  }
});
