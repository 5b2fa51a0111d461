// Copyright 2026 the winipc authors. MIT license.
/**
 * The demo command (`deno task demo`): runs `demo/main.ts` natively on
 * Windows, and elsewhere under Deno for Windows in Wine
 * (`tools/wine/run.sh`, which builds or reuses the Wine environment).
 *
 * @module
 */
const root = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(
  /^\/([A-Za-z]:)/,
  "$1",
);
const args = ["run", "-A", "--quiet", "demo/main.ts", ...Deno.args];
const command = Deno.build.os === "windows"
  ? new Deno.Command(Deno.execPath(), { args, cwd: root })
  : new Deno.Command("bash", { args: [`${root}tools/wine/run.sh`, ...args], cwd: root });
const status = await command.spawn().status;
Deno.exit(status.code);
