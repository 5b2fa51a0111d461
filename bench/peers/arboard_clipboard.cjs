// Copyright 2026 the winipc authors. MIT license.
// Benchmark peer: arboard (through npm @napi-rs/clipboard) in Node.js for Windows.
// Started by bench/_arboard.ts, one fresh process a measurement:
//
//   node.exe arboard_clipboard.cjs OUT.json PREFIX FORMAT BYTES ITERATIONS
//
//   OUT.json    where the result goes. Not stdout: Node.js for Windows under Wine cannot
//               write to a pipe as its stdout (console.log throws in net.Socket).
//   PREFIX      the npm prefix holding node_modules/@napi-rs/clipboard (tools/wine/node_win.sh)
//   FORMAT      "text": setText(string) then getText(); BYTES of UTF-16 (BYTES / 2 characters)
//               "image": setImage(w, h, rgba) then getImage(); BYTES of opaque RGBA pixels
//               (w = h = sqrt(BYTES / 4))
//   ITERATIONS  round trips measured after the first one; each compares all it read back
//
// Writes one JSON object: require_ms (require("@napi-rs/clipboard")), first_set_ms and
// first_get_ms (the first round trip, which also opens arboard's clipboard), round_trips_per_s,
// startup_ms (process start to this script's first line) and, on failure, error.
"use strict";
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");

const startupMs = performance.now();
const [out, prefix, format, bytesArg, iterationsArg] = process.argv.slice(2);
const bytes = Number(bytesArg);
const iterations = Number(iterationsArg);
const result = {
  node: process.version,
  format,
  size: bytes,
  iterations,
  startup_ms: round(startupMs),
};

function round(ms) {
  return Math.round(ms * 1000) / 1000;
}

function payload() {
  if (format === "text") {
    let text = "";
    for (let i = 0; i < bytes / 2; i++) text += String.fromCharCode(97 + (i % 26));
    return text;
  }
  if (format === "image") {
    const side = Math.round(Math.sqrt(bytes / 4));
    if (side * side * 4 !== bytes) {
      throw new RangeError(`${bytes} bytes is not a square RGBA image`);
    }
    const rgba = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i += 4) {
      rgba[i] = i & 0xff;
      rgba[i + 1] = (i >> 8) & 0xff;
      rgba[i + 2] = (i >> 16) & 0xff;
      rgba[i + 3] = 255;
    }
    return { width: side, height: side, rgba };
  }
  throw new TypeError(`unknown format "${format}"`);
}

function main() {
  const data = payload();
  let t = performance.now();
  const { Clipboard } = require(join(prefix, "node_modules", "@napi-rs", "clipboard"));
  result.require_ms = round(performance.now() - t);
  const clipboard = new Clipboard();

  const set = format === "text"
    ? () => clipboard.setText(data)
    : () => clipboard.setImage(data.width, data.height, data.rgba);
  const get = format === "text" ? () => clipboard.getText() : () => clipboard.getImage();
  const same = format === "text"
    ? (back) => back === data
    : (back) => Buffer.compare(back, data.rgba) === 0;

  t = performance.now();
  set();
  result.first_set_ms = round(performance.now() - t);
  t = performance.now();
  const first = get();
  result.first_get_ms = round(performance.now() - t);
  if (!same(first)) throw new Error(`the first ${format} read back differs from what was set`);

  t = performance.now();
  for (let i = 0; i < iterations; i++) {
    set();
    if (!same(get())) throw new Error(`round trip ${i}: the ${format} read back differs`);
  }
  const seconds = (performance.now() - t) / 1000;
  result.round_trips_per_s = Math.round(iterations / seconds);
  result.measured_s = round(seconds);
}

try {
  main();
} catch (error) {
  result.error = String(error && error.stack || error);
  process.exitCode = 1;
}
writeFileSync(out, JSON.stringify(result));
