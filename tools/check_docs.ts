// Copyright 2026 the winipc authors. MIT license.
/**
 * The documentation rule, after the standard library's `_tools/check_docs.ts`
 * (`deno task check` runs it):
 *
 * - every public entry point has a module doc;
 * - every exported function and class, and every public method of an
 *   exported class, has a description and at least one `@example` with a
 *   title;
 * - every exported interface, type and constant, and every public property
 *   or getter, has a description;
 * - an example is a `ts` code block, fenced `ts`, `ts no-run` or
 *   `ts ignore REASON` (see `tools/_examples.ts`), and imports only what a
 *   user can: `@winipc/winipc...` or `@std/...`, never a private path;
 * - in every file of the repository (JSDoc of `.ts` files, `README.md`,
 *   `docs/*.md`), every example's fence is one of those three, and no `.ts`
 *   file mixes examples that run with `no-run` ones (`deno test --doc`
 *   runs a whole file or none of it);
 * - nothing public is marked `@internal`, and no public signature takes a
 *   type the package does not export.
 *
 * Usage: `deno run -A tools/check_docs.ts [entry points...]` (defaults to
 * the package's exports). Exits 1 and lists every problem if any.
 *
 * @module
 */
import { examples as codeExamples } from "./_examples.ts";

interface JsDoc {
  doc?: string;
  tags?: { kind: string; doc?: string }[];
}

interface Declaration {
  kind: string;
  jsDoc?: JsDoc;
  location: { filename: string; line: number };
  def?: {
    methods?: Member[];
    properties?: Member[];
    constructors?: Member[];
  };
  declarationKind?: string;
}

interface Member {
  name: string;
  kind?: string;
  jsDoc?: JsDoc;
  accessibility?: string;
  isStatic?: boolean;
  location: { filename: string; line: number };
}

interface DocSymbol {
  name: string;
  declarations: Declaration[];
}

const root = new URL("../", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const entries: string[] = Deno.args.length > 0
  ? Deno.args
  : Object.values(config.exports as Record<string, string>);

const problems = new Set<string>();

function where(location: { filename: string; line: number }): string {
  return `${location.filename.replace(root.href, "")}:${location.line}`;
}

function examples(doc: JsDoc | undefined): string[] {
  return (doc?.tags ?? []).filter((t) => t.kind === "example").map((t) => t.doc ?? "");
}

const ALLOWED_IMPORT = /^(@winipc\/winipc(\/[a-z-]+)?|@std\/[a-z-]+(\/[a-z-_]+)?)$/;

function checkExample(text: string, what: string): void {
  const [first = ""] = text.split("\n"); // `split` always returns at least one string
  const firstLine = first.trim();
  if (firstLine === "" || firstLine.startsWith("```")) {
    problems.add(`${what}: an @example needs a title on its first line`);
  }
  // The tag's text is Markdown: its blocks are found as in a .md file.
  const found = codeExamples("example.md", text);
  if (found.length === 0) problems.add(`${what}: an @example needs a \`ts\` code block`);
  for (const example of found) {
    if (example.problem !== null) problems.add(`${what}: ${example.problem}`);
  }
  for (const [, specifier = ""] of text.matchAll(/from\s+["']([^"']+)["']/g)) {
    if (!ALLOWED_IMPORT.test(specifier)) {
      problems.add(`${what}: an example imports "${specifier}", which users cannot import`);
    }
  }
}

function checkDoc(doc: JsDoc | undefined, what: string, needExample: boolean): void {
  if (!doc?.doc?.trim()) problems.add(`${what}: no description`);
  if ((doc?.tags ?? []).some((t) => t.kind === "internal")) {
    problems.add(`${what}: marked @internal, but public`);
  }
  const found = examples(doc);
  if (needExample && found.length === 0) problems.add(`${what}: no @example`);
  for (const text of found) checkExample(text, what);
}

for (const entry of entries) {
  const url = new URL(entry, root).href;
  const command = new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", url],
    stdout: "piped",
    stderr: "piped",
  });
  const out = await command.output();
  if (!out.success) {
    problems.add(`${entry}: deno doc failed: ${new TextDecoder().decode(out.stderr)}`);
    continue;
  }
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  const node = json.nodes[url] as { module_doc?: JsDoc; symbols: DocSymbol[] };
  if (!node.module_doc?.doc?.trim()) problems.add(`${entry}: no module doc`);
  for (const symbol of node.symbols) {
    // Overloads are several declarations of one function: the description
    // and example may sit on any of them (deno doc shows them together).
    const overloads = symbol.declarations.filter((d) => d.kind === "function");
    const documented = overloads.find((d) => d.jsDoc?.doc?.trim());
    for (const declaration of symbol.declarations) {
      if (declaration.kind === "import" || declaration.kind === "moduleDoc") continue;
      const what = `${symbol.name} (${where(declaration.location)})`;
      const needExample = declaration.kind === "function" || declaration.kind === "class";
      if (declaration.kind === "function" && overloads.length > 1) {
        if (declaration !== (documented ?? overloads[0])) continue;
        const anyExample = overloads.some((d) => examples(d.jsDoc).length > 0);
        checkDoc(declaration.jsDoc, what, !anyExample && needExample);
        if (!anyExample) problems.add(`${what}: no @example`);
        continue;
      }
      checkDoc(declaration.jsDoc, what, needExample);
      if (declaration.kind !== "class") continue;
      for (const member of declaration.def?.constructors ?? []) {
        if (member.accessibility === "private" || member.accessibility === "protected") continue;
        if ((member.jsDoc?.tags ?? []).some((t) => t.kind === "internal")) {
          problems.add(`${symbol.name}.constructor (${where(member.location)}): marked @internal`);
        }
      }
      for (
        const member of [...declaration.def?.methods ?? [], ...declaration.def?.properties ?? []]
      ) {
        if (member.accessibility === "private" || member.name.startsWith("#")) continue;
        const memberWhat = `${symbol.name}.${member.name} (${where(member.location)})`;
        const isMethod = (declaration.def?.methods ?? []).includes(member) &&
          member.kind !== "getter" && member.kind !== "setter";
        // Symbol.dispose and friends are documented by their protocol.
        if (member.name.startsWith("[Symbol.")) {
          if (!member.jsDoc?.doc?.trim()) problems.add(`${memberWhat}: no description`);
          continue;
        }
        checkDoc(member.jsDoc, memberWhat, isMethod);
      }
    }
  }
}

// Every example of the repository, not only those of exported symbols.
async function listFiles(dir: URL): Promise<URL[]> {
  const found: URL[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (/^(\.|node_modules$|scratch|build$)/.test(entry.name)) continue;
    const url = new URL(entry.isDirectory ? `${entry.name}/` : entry.name, dir);
    if (entry.isDirectory) found.push(...await listFiles(url));
    else if (/\.(ts|md)$/.test(entry.name)) found.push(url);
  }
  return found;
}

for (const url of await listFiles(root)) {
  const path = url.href.replace(root.href, "");
  if (path.endsWith(".md") && path !== "README.md" && !path.startsWith("docs/")) continue;
  const found = codeExamples(path, await Deno.readTextFile(url));
  for (const example of found) {
    if (example.problem !== null) problems.add(`${path}:${example.line}: ${example.problem}`);
  }
  if (
    path.endsWith(".ts") && found.some((e) => e.kind === "run") &&
    found.some((e) => e.kind === "no-run")
  ) {
    problems.add(
      `${path}: mixes examples that run (\`ts\`) with \`ts no-run\` ones: \`deno test --doc\` ` +
        "runs all of a file's examples or none, so split the module or mark them all no-run",
    );
  }
}

if (problems.size > 0) {
  console.error([...problems].join("\n"));
  console.error(`\n${problems.size} documentation problem(s)`);
  Deno.exit(1);
}
console.log(`documentation: ${entries.length} entry points checked, no problems`);
