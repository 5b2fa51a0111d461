// Copyright 2026 the winipc authors. MIT license.
/**
 * Builds the native C peers and references (`tests/native/*.c`,
 * `bench/native/*.c`) into `build/*.exe` with mingw-w64 on Linux (installed
 * by `tools/wine/setup.sh`) or `gcc` on Windows, when the source is newer
 * than the executable. A source needing more libraries than the default
 * ones names them on a line of its own: `// link: -lshell32`.
 *
 * @module
 */
const root = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(
  /^\/([A-Za-z]:)/,
  "$1",
);

/**
 * Builds every `.c` file of a folder.
 *
 * @param folder `tests/native` or `bench/native`.
 * @returns The built executables, relative to the repository root, by name
 * (without `.c`); a source that failed to build is missing, and the reason
 * was printed.
 */
export async function buildNative(folder: string): Promise<Map<string, string>> {
  const compiler = Deno.build.os === "windows" ? "gcc" : "x86_64-w64-mingw32-gcc";
  const built = new Map<string, string>();
  await Deno.mkdir(`${root}build`, { recursive: true });
  for (const entry of Deno.readDirSync(`${root}${folder}`)) {
    if (!entry.isFile || !entry.name.endsWith(".c")) continue;
    const name = entry.name.slice(0, -2);
    const source = `${root}${folder}/${entry.name}`;
    const exe = `build/${name}.exe`;
    const [src, bin] = [Deno.statSync(source), await Deno.stat(`${root}${exe}`).catch(() => null)];
    if (!bin || bin.mtime! < src.mtime!) {
      // Extra libraries a source names on a line of its own: `// link: -lshell32 -lgdi32`.
      const libraries = [...Deno.readTextFileSync(source).matchAll(/^\/\/ link:(.*)$/gm)]
        .flatMap((m) => m[1]!.trim().split(/\s+/))
        .filter((flag) => /^-l[\w.]+$/.test(flag));
      try {
        const result = await new Deno.Command(compiler, {
          args: ["-O2", "-Wall", "-o", `${root}${exe}`, source, ...libraries],
          stderr: "piped",
        }).output();
        if (!result.success) {
          console.error(`winipc: cannot build ${folder}/${entry.name}:`);
          console.error(new TextDecoder().decode(result.stderr));
          continue;
        }
      } catch (error) {
        console.error(`winipc: cannot build ${folder}/${entry.name} with ${compiler}: ${error}`);
        continue;
      }
    }
    built.set(name, exe);
  }
  return built;
}
