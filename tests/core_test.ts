// Copyright 2026 the winipc authors. MIT license.
// The shared core across real processes: waits signalled by another process,
// and reads whose peer process exits.
import { assert, assertEquals } from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";
import { runDeno, spawnDeno, uniqueName, windowsTest } from "./_helpers.ts";
import { kernel32 } from "../_win32/ffi.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { readFile } from "../_win32/io.ts";
import { connectPipe, createPipeServer } from "../_win32/pipes.ts";
import { waitForHandle } from "../_win32/wait.ts";

const PEER = "tests/fixtures/core_peer.ts";
const pipeServer = (name: string) => createPipeServer(`\\\\.\\pipe\\${name}`, { bufferSize: 4096 });

async function connect(pipe: OwnedHandle): Promise<void> {
  const result = await connectPipe(pipe);
  if (result.error !== 0) throw new Error(`connect: os error ${result.error}`);
}

windowsTest("a wait is signalled by another process", {}, async () => {
  const name = uniqueName("event");
  const k = kernel32();
  using event = OwnedHandle.from(
    k.CreateEventW(null, 0, 0, encodeUtf16z(name)),
    k.GetLastError(),
    "event",
    "Cannot create event",
  );
  const waiting = waitForHandle(event, { timeout: 30_000 });
  const child = await runDeno(PEER, ["set-event", name, "50"]);
  assertEquals(child.code, 0, child.stderr);
  assertEquals(await waiting, "signaled");
});

windowsTest("a read pending on a pipe receives data written by another process", {}, async () => {
  const name = uniqueName("pipe");
  using server = pipeServer(name);
  const connecting = connect(server);
  const buffer = new Uint8Array(64);
  const child = runDeno(PEER, ["write-pipe", name, "from the child ✓"]);
  await connecting;
  const result = await readFile(server, buffer);
  assertEquals(result.error, 0);
  assertEquals(new TextDecoder().decode(buffer.subarray(0, result.bytes)), "from the child ✓");
  assertEquals((await child).code, 0);
});

windowsTest("the peer process exiting ends a pending read with an error, no hang", {}, async () => {
  const name = uniqueName("pipe");
  using server = pipeServer(name);
  const connecting = connect(server);
  const child = spawnDeno(PEER, ["hold-pipe", name]);
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TextLineStream() as TransformStream<string, string>,
  );
  const reader = lines.getReader();
  assertEquals((await reader.read()).value, "ready");
  await connecting;
  const reading = readFile(server, new Uint8Array(16));
  // Let the child go: it exits with its pipe end open, so the kernel closes it.
  await child.stdin.close();
  const result = await reading;
  assertEquals(result.error, 109, "ERROR_BROKEN_PIPE");
  const status = await child.status;
  assert(status.success);
  reader.releaseLock();
  await lines.cancel();
  await child.stderr.cancel();
});

windowsTest("200 reads pending in a plain deno process: at most 10 threads", {}, async () => {
  const child = await runDeno(PEER, ["many-reads", "200"]);
  assertEquals(child.code, 0, child.stderr);
  const { idle, pending, correct } = JSON.parse(child.stdout);
  assert(pending <= 10, `${pending} threads with 200 reads pending (idle: ${idle})`);
  assertEquals(correct, 200);
});
