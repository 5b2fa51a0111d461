// Copyright 2026 the winipc authors. MIT license.
// The rule of errors.ts, checked over the sources: a last error is read
// right after the call that set it, with no JavaScript call between.
import { assertEquals } from "@std/assert";

const ROOT = new URL("../", import.meta.url);
const SKIP = new Set(["scratch", "build", "node_modules", ".git"]);

/** The package's TypeScript files, as paths from its root. */
async function sources(dir = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir || ".", ROOT))) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory && !SKIP.has(entry.name)) found.push(...await sources(`${path}/`));
    else if (entry.isFile && entry.name.endsWith(".ts")) found.push(path);
  }
  return found;
}

/**
 * A native call through a symbols object: `k.CreateFileW(`,
 * `u.OpenClipboard(`, `advapi32().OpenProcessToken(`.
 */
const SYMBOL_CALL = /(?:\b[a-z]\w*|\(\))\.[A-Z]\w*\(/g;
/** Words after which a parenthesis groups rather than calls. */
const KEYWORDS = /\b(?:if|while|for|switch|catch|return|typeof|await|in|of|case|throw|void)$/;
const READ = /\.GetLastError\(\)/g;

/** `text` with its comments and string and template literals blanked out (same length). */
function blankStrings(text: string): string {
  return text.replace(
    /\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`|\/\/[^\n]*/g,
    (literal) => literal.replace(/[^\n]/g, " "),
  );
}

/** Where the call opened at `open` (an index of its "(") closes. */
function closing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === "(") depth++;
    else if (code[i] === ")" && --depth === 0) return i;
  }
  return code.length;
}

/** Where the group closed at `close` (an index of its ")") opens. */
function opening(code: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (code[i] === ")") depth++;
    else if (code[i] === "(" && --depth === 0) return i;
  }
  return 0;
}

/** Whether a "(" after `head` calls something (rather than grouping). */
function isCall(head: string): boolean {
  const trimmed = head.trimEnd();
  return /[\w$)\]]$/.test(trimmed) && !KEYWORDS.test(trimmed);
}

/**
 * The problems of each `GetLastError()` read in `text`: what runs between
 * the native call before it and the read. A call opened there and not yet
 * closed (`throw errorFromCode(k.GetLastError(), ...)`) runs after the read,
 * so only calls closed in between count.
 */
export function lastErrorProblems(text: string): string[] {
  const code = blankStrings(text);
  const problems: string[] = [];
  for (const read of code.matchAll(READ)) {
    const at = read.index;
    const line = code.slice(0, at).split("\n").length;
    const before = code.slice(Math.max(0, at - 40), at);
    if (/kernel32\(\)$/.test(before)) {
      problems.push(`line ${line}: reads through kernel32(), a JavaScript call`);
      continue;
    }
    let call = -1;
    for (const found of code.slice(0, at).matchAll(SYMBOL_CALL)) {
      const open = found.index + found[0].length - 1;
      const end = closing(code, open);
      if (end < at && end > call) call = end;
    }
    if (call < 0) {
      problems.push(`line ${line}: no native call before it`);
      continue;
    }
    const between = code.slice(call + 1, at);
    // The groups opened in between: whether each is a call. A group closed
    // in between but opened before the native call wraps it
    // (`BigInt(u.SendMessageW(...))`): if it is a call, it runs in between too.
    const opened: boolean[] = [];
    for (let i = 0; i < between.length; i++) {
      if (between[i] === "(") {
        opened.push(isCall(between.slice(0, i)));
      } else if (
        between[i] === ")" &&
        (opened.length > 0 ? opened.pop() : isCall(code.slice(0, opening(code, call + 1 + i))))
      ) {
        problems.push(
          `line ${line}: a JavaScript call runs between the native call and the read: ${
            between.trim().replace(/\s+/g, " ").slice(0, 80)
          }`,
        );
        break;
      }
    }
  }
  return problems;
}

Deno.test("the checker accepts the patterns of errors.ts and refuses a call between", () => {
  assertEquals(
    lastErrorProblems(`if (!k.SetEvent(h)) throw errorFromCode(k.GetLastError(), "x");`),
    [],
  );
  assertEquals(
    lastErrorProblems(`const raw = k.CreateFileW(a, "b");\nconst code = k.GetLastError();`),
    [],
  );
  assertEquals(lastErrorProblems(`(o) => k.ReadFile(h, o) ? 0 : k.GetLastError()`), []);
  assertEquals(lastErrorProblems(`[k.CreateMutexW(a, 0, w), k.GetLastError()]`), []);
  assertEquals(
    lastErrorProblems(`const raw = k.CreateFileW(a);\nif (isInvalid(raw)) x = k.GetLastError();`)
      .length,
    1,
  );
  assertEquals(lastErrorProblems(`if (!k.SetEvent(h)) f(kernel32().GetLastError());`).length, 1);
  assertEquals(
    lastErrorProblems(`const r = BigInt(u.SendMessageW(h));\nconst e = k.GetLastError();`).length,
    1,
  );
});

Deno.test("every last error in the package is read right after its call", async () => {
  const problems: string[] = [];
  for (const path of await sources()) {
    if (path === "_win32/last_error_test.ts") continue;
    const found = lastErrorProblems(await Deno.readTextFile(new URL(path, ROOT)));
    for (const problem of found) problems.push(`${path}: ${problem}`);
  }
  assertEquals(problems, []);
});
