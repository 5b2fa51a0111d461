// Copyright 2026 the winipc authors. MIT license.
/**
 * A fresh process's first clipboard calls, for `bench/clipboard_bench.ts`:
 * the import of the module, the first `writeText` and the `readText` after
 * it, each timed on its own. Prints one JSON object.
 *
 * @module
 */
const started = performance.now();
const clipboard = await import("../../clipboard/mod.ts");
const imported = performance.now();
await clipboard.writeText(Deno.args[0] ?? "first");
const written = performance.now();
const back = await clipboard.readText();
const read = performance.now();
if (back !== (Deno.args[0] ?? "first")) throw new Error("read back the wrong text");
console.log(JSON.stringify({
  import_ms: imported - started,
  first_write_ms: written - imported,
  first_read_ms: read - written,
}));
