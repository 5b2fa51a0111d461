// Copyright 2026 the winipc authors. MIT license.
// The Node.js reference for bench/named_pipe_memory_bench.ts: a named-pipe
// server in Node.js for Windows (libuv) holding many connections, each
// echoing what it reads (libuv keeps one read pending on each).
//
//   node --expose-gc node_pipe_server.cjs BASE NAMES
//
// Listens on \\.\pipe\BASE-0 ... BASE-(NAMES-1), then prints
// {"ready":true,"rss":RSS}; on each stdin line "measure" prints
// {"accepted":N,"rss":RSS} (after a full garbage collection); exits when stdin ends.
"use strict";
const net = require("node:net");
const readline = require("node:readline");

const [base, names] = process.argv.slice(2);
let accepted = 0;

function gc() {
  for (let i = 0; i < 3; i++) global.gc();
}

async function warmUp() {
  // One connection and one echo first, so that the code paths are loaded.
  const path = `\\\\.\\pipe\\${base}-warm`;
  const server = net.createServer((socket) => socket.on("data", (d) => socket.write(d)));
  await new Promise((resolve) => server.listen(path, resolve));
  const client = net.connect(path);
  await new Promise((resolve) => client.once("connect", resolve));
  client.write(Buffer.alloc(64));
  await new Promise((resolve) => client.once("data", resolve));
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
}

async function main() {
  await warmUp();
  gc();
  const { rss, heapUsed: heap, heapTotal, external } = process.memoryUsage();
  for (let i = 0; i < Number(names); i++) {
    const server = net.createServer((socket) => {
      accepted++;
      socket.on("data", (d) => socket.write(d));
      socket.on("error", () => {});
    });
    await new Promise((resolve) => server.listen(`\\\\.\\pipe\\${base}-${i}`, resolve));
  }
  process.stdout.write(JSON.stringify({ ready: true, rss, heap, heapTotal, external }) + "\n");
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (line !== "measure") return;
    gc();
    const { rss, heapUsed: heap, heapTotal, external } = process.memoryUsage();
    process.stdout.write(JSON.stringify({ accepted, rss, heap, heapTotal, external }) + "\n");
  });
  lines.on("close", () => process.exit(0));
}
main();
