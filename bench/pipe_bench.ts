// Copyright 2026 the winipc authors. MIT license.
/**
 * Anonymous pipe benchmark: throughput parent → child → parent. The child
 * is `build/pipe_ref.exe cat` (a plain C program copying its stdin to its
 * stdout in reads of 1 MiB); the parent writes `total` bytes in writes of
 * `size` while it reads everything back, and the time runs from the first
 * write to the last byte read.
 *
 * `impl` is `"winipc"` (`spawn` with `stdin`/`stdout: "piped"`) or
 * `"deno_command"` (`Deno.Command` with `stdin`/`stdout: "piped"`, the same
 * child, in the same run). `deno task bench` runs this beside
 * `bench/native/pipe_ref.c`, whose parent is C too.
 *
 * @module
 */
import { spawn } from "../pipe/mod.ts";

const duration = Number(Deno.args[0] ?? 1000);
const child = decodeURIComponent(new URL("../build/pipe_ref.exe", import.meta.url).pathname)
  .replace(/^\/([A-Za-z]:)/, "$1");

interface Ends {
  write(chunk: Uint8Array): Promise<void>;
  closeInput(): Promise<void>;
  read(into: Uint8Array): Promise<number | null>;
  done(): Promise<void>;
}

function winipcEnds(): Ends {
  const c = spawn(child, { args: ["cat"], stdin: "piped", stdout: "piped" });
  return {
    write: async (chunk) => {
      await c.stdin!.write(chunk);
    },
    closeInput: () => Promise.resolve(c.stdin!.close()),
    read: (into) => c.stdout!.read(into),
    done: async () => {
      await c.status;
      c.stdout!.close();
    },
  };
}

function denoEnds(): Ends {
  const c = new Deno.Command(child, { args: ["cat"], stdin: "piped", stdout: "piped" }).spawn();
  const writer = c.stdin.getWriter();
  const reader = c.stdout.getReader({ mode: "byob" });
  let spare: Uint8Array | undefined;
  return {
    write: (chunk) => writer.write(chunk),
    closeInput: () => writer.close(),
    // A BYOB read transfers the buffer: each read reuses the last one's.
    read: async (into) => {
      const { value, done } = await reader.read(spare ?? into);
      if (done) return null;
      spare = new Uint8Array(value!.buffer);
      return value!.byteLength;
    },
    done: async () => {
      await c.status;
    },
  };
}

/** Sends `total` bytes through a new child; returns MB/s. */
async function run(make: () => Ends, size: number, total: number): Promise<number> {
  const ends = make();
  const chunk = new Uint8Array(size).fill(1);
  const buffer = new Uint8Array(1 << 20);
  const start = performance.now();
  const writing = (async () => {
    for (let sent = 0; sent < total; sent += size) await ends.write(chunk);
    await ends.closeInput();
  })();
  let got = 0;
  while (got < total) {
    const n = await ends.read(buffer);
    if (n === null) throw new Error(`child output ended after ${got} of ${total} bytes`);
    got += n;
  }
  const elapsed = performance.now() - start;
  await writing;
  await ends.done();
  return total / (elapsed / 1000) / 1e6;
}

for (const size of [65536, 1 << 20]) {
  for (const [impl, make] of [["winipc", winipcEnds], ["deno_command", denoEnds]] as const) {
    // Warm-up, which also calibrates the measured total to take about `duration`.
    const warm = size * Math.max(4, Math.floor((duration * 50_000) / size));
    const rate = await run(make, size, warm); // MB/s
    const total = size * Math.max(16, Math.floor((rate * 1e6 * duration) / 1000 / size));
    const mb = await run(make, size, total);
    console.log(JSON.stringify({
      bench: "pipe.throughput",
      impl,
      size,
      mb_per_s: Number(mb.toFixed(1)),
    }));
  }
}
