// Copyright 2026 the winipc authors. MIT license.
// The layout rule, as in the standard library: what is not public lives in
// `_` files. A file without the prefix that a `mod.ts` reaches exports only
// what some `mod.ts` exports too.
import { assertEquals } from "@std/assert";

const root = new URL("./", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const entries = (Object.values(config.exports) as string[]).filter((path) =>
  path.endsWith("mod.ts")
)
  .map((path) => new URL(path, root).href);

interface DocNode {
  symbols: { name: string; declarations: { declarationKind?: string; kind: string }[] }[];
}

async function deno(args: string[]): Promise<unknown> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** The names each file exports: `deno doc --json` of all of them at once. */
async function exportsOf(files: string[]): Promise<Map<string, string[]>> {
  const doc = await deno(["doc", "--json", ...files]) as { nodes: Record<string, DocNode> };
  const found = new Map<string, string[]>();
  for (const [file, node] of Object.entries(doc.nodes)) {
    found.set(
      file,
      node.symbols.filter((symbol) =>
        symbol.declarations.some((d) => d.declarationKind === "export" && d.kind !== "import")
      ).map((symbol) => symbol.name),
    );
  }
  return found;
}

Deno.test({
  name: "files without a _ prefix export only public names; internals live in _ files",
  // It runs `deno info` and `deno doc`: skipped without --allow-run.
  ignore: (await Deno.permissions.query({ name: "run" })).state !== "granted",
}, async () => {
  const graph = await deno(["info", "--json", new URL("mod.ts", root).href]) as {
    modules: { specifier: string }[];
  };
  const files = graph.modules.map((m) => m.specifier).filter((specifier) =>
    specifier.startsWith(root.href) && !/\/_[^/]*$|\/_win32\//.test(specifier) &&
    !entries.includes(specifier) && specifier !== new URL("mod.ts", root).href
  );
  // Public: what the entry points' documentation shows, wherever it is declared.
  const publicNames = new Set<string>();
  const entryDoc = await deno(["doc", "--json", ...entries]) as { nodes: Record<string, DocNode> };
  for (const node of Object.values(entryDoc.nodes)) {
    for (const symbol of node.symbols) publicNames.add(symbol.name);
  }
  const internal: string[] = [];
  for (const [file, names] of await exportsOf(files)) {
    for (const name of names) {
      if (!publicNames.has(name)) internal.push(`${file.replace(root.href, "")}: ${name}`);
    }
  }
  assertEquals(internal, []);
});
