// Copyright 2026 the winipc authors. MIT license.
/**
 * The code examples of the repository: the fenced blocks of JSDoc comments
 * (`.ts` files) and of Markdown files, and what their fences say.
 *
 * A TypeScript example is fenced in one of three ways:
 *
 * - `ts`: type-checked by `deno task check`, and run. A JSDoc example runs
 *   as a documentation test (`deno test --doc`) in the native half of
 *   `deno task test`, so it must need no Windows, and it asserts what it
 *   shows; a Markdown example runs under Windows (or Wine) as a program of
 *   its own (`tests/readme_test.ts`).
 * - `ts no-run`: type-checked, never run (it needs Windows, another process
 *   or a program that is not there). Deno reads only the first word of a
 *   fence and `ignore`, so to Deno this is an ordinary `ts` block; the
 *   runners leave it out.
 * - `ts ignore REASON`: neither, for an example that cannot compile by its
 *   nature; the reason follows on the fence line.
 *
 * Deno runs every block of a file given to `deno test --doc` that is not
 * `ignore`: a file whose examples should run may have no `no-run` one
 * (`tools/check_docs.ts` says so), and `tools/test.ts` gives `--doc` only
 * the files without one.
 *
 * @module
 */

/** How an example is treated. */
export type ExampleKind = "run" | "no-run" | "ignore";

/** One fenced code block. */
export interface CodeBlock {
  /** The line of the opening fence, from 1. */
  line: number;
  /** The fence's info string, trimmed (`ts no-run`). */
  info: string;
  /** The code, without the JSDoc `*` prefixes. */
  code: string;
}

/** A TypeScript example: a block whose language is `ts`. */
export interface Example extends CodeBlock {
  /** What its fence says. */
  kind: ExampleKind;
  /** The reason given after `ignore`, or `""`. */
  reason: string;
  /** A problem with the fence, or `null`. */
  problem: string | null;
}

const JSDOC_LINE = /^\s*\*( ?)(.*)$/;

/**
 * The fenced blocks of a file: of its JSDoc comments for a `.ts` file, of
 * the whole text for a Markdown file. An unclosed block is left out.
 *
 * @example
 * ```ts
 * import { codeBlocks } from "./_examples.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const fence = "`".repeat(3); // three backticks would end this example
 * const md = `# x\n\n${fence}ts no-run\nawait f();\n${fence}\n`;
 * assertEquals(codeBlocks("x.md", md), [{ line: 3, info: "ts no-run", code: "await f();\n" }]);
 * ```
 *
 * @param path The file's name (its extension says which kind it is).
 * @param text The file's text.
 * @returns The blocks, in order.
 */
export function codeBlocks(path: string, text: string): CodeBlock[] {
  const jsdoc = !path.endsWith(".md");
  const blocks: CodeBlock[] = [];
  let open: { line: number; info: string; ticks: string; lines: string[] } | null = null;
  let inComment = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    let line = raw;
    if (jsdoc) {
      if (!inComment) {
        if (!/^\s*\/\*\*/.test(raw)) return;
        inComment = true;
        if (raw.includes("*/")) inComment = false;
        return;
      }
      if (raw.includes("*/")) {
        inComment = false;
        open = null;
        return;
      }
      const match = JSDOC_LINE.exec(raw);
      line = match ? match[2] ?? "" : raw.trim();
    }
    const fence = /^(`{3,})(.*)$/.exec(jsdoc ? line.trimStart() : line);
    if (open === null) {
      if (fence) {
        open = { line: index + 1, info: (fence[2] ?? "").trim(), ticks: fence[1] ?? "", lines: [] };
      }
    } else if (fence && fence[1] === open.ticks && (fence[2] ?? "").trim() === "") {
      const code = open.lines.map((l) => `${l}\n`).join("");
      blocks.push({ line: open.line, info: open.info, code });
      open = null;
    } else {
      open.lines.push(line);
    }
  });
  return blocks;
}

/**
 * The TypeScript examples among a file's blocks, each with its kind and
 * any problem with its fence.
 *
 * @example
 * ```ts
 * import { examples } from "./_examples.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const f = "`".repeat(3);
 * const md = `${f}ts ignore\nx\n${f}\n${f}ts windows\ny\n${f}\n${f}sh\nls\n${f}\n`;
 * const found = examples("x.md", md);
 * assertEquals(found.map((e) => e.kind), ["ignore", "run"]);
 * assertEquals(found.map((e) => e.problem !== null), [true, true]);
 * ```
 *
 * @param path The file's name.
 * @param text The file's text.
 * @returns The examples.
 */
export function examples(path: string, text: string): Example[] {
  return codeBlocks(path, text).flatMap((block): Example[] => {
    const [language = "", ...rest] = block.info.split(/\s+/);
    if (!/^(ts|typescript|tsx|js|javascript|jsx|mts|mjs|cts|cjs)$/.test(language)) return [];
    let problem: string | null = null;
    let kind: ExampleKind = "run";
    let reason = "";
    if (language !== "ts") problem = `an example is fenced \`ts\`, not \`${language}\``;
    if (rest[0] === "ignore") {
      kind = "ignore";
      reason = rest.slice(1).join(" ");
      if (reason === "") {
        problem = "an `ignore` example says why on its fence line (`ts ignore REASON`)";
      }
    } else if (rest.includes("ignore")) {
      kind = "ignore";
      problem = "`ignore` comes right after `ts`, then the reason";
    } else if (rest.length === 1 && rest[0] === "no-run") {
      kind = "no-run";
    } else if (rest.length > 0) {
      problem = `a fence is \`ts\`, \`ts no-run\` or \`ts ignore REASON\`, not \`${block.info}\``;
    }
    return [{ ...block, kind, reason, problem }];
  });
}
