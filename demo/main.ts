// Copyright 2026 the winipc authors. MIT license.
/**
 * The winipc demo: what exists today, shown across two real processes.
 *
 * The parent serves a named pipe (message mode) and creates a named event,
 * starts a copy of itself as the child with winipc's `spawn` (its stdout is
 * an anonymous pipe, and it inherits one more pipe end, by handle value),
 * and waits for all of it without blocking its event loop: the child
 * connects, sends a message, gets a reply, sets the event, reports through
 * the inherited end and prints a line. The parent prints what arrived and
 * its thread count. The child also sends the parent's window a WM_COPYDATA
 * message as AutoHotkey would, and puts HTML on the clipboard, which the
 * parent sees through a change watch and reads back; the parent then
 * restores what the clipboard held before (a snapshot).
 *
 * Run it with `deno task demo` (on Linux, under Wine), or compile it:
 * `deno compile -A --output winipc-demo demo/main.ts`.
 *
 * @module
 */
import { IS_WINDOWS, kernel32, wineVersionOrNull } from "../_win32/ffi.ts";
import { completionStats } from "../_win32/completion.ts";
import { connectNamedPipe, listenNamedPipe } from "../named_pipe/mod.ts";
import { createPipe, openPipeHandle, spawn } from "../pipe/mod.ts";
import { createMailslot, openMailslot } from "../mailslot/mod.ts";
import { createSharedChannel, openSharedChannel } from "../shared_memory/mod.ts";
import { createEvent, openEvent } from "../sync/mod.ts";
import { listenCopyData, sendCopyData } from "../copydata/mod.ts";
import * as clipboard from "../clipboard/mod.ts";
import { threadCount } from "../_win32/process_info.ts";

const k = IS_WINDOWS ? kernel32() : undefined;

if (!k) {
  console.error(
    "winipc demo: this program needs Windows. On Linux, run `deno task demo`, which runs it " +
      "under Deno for Windows in Wine.",
  );
  Deno.exit(1);
}

/** The child's command-line argument `index`; a usage error if it is missing. */
function childArgument(index: number, what: string): string {
  const value = Deno.args[index];
  if (value === undefined) {
    throw new Error(`winipc demo --child: missing ${what} (argument ${index})`);
  }
  return value;
}

if (Deno.args[0] === "--child") {
  const pipeName = childArgument(1, "the pipe name");
  const eventName = childArgument(2, "the event name");
  const sideHandle = childArgument(3, "the side pipe's handle");
  const slotName = childArgument(4, "the mailslot name");
  const channelName = childArgument(5, "the shared channel name");
  const windowClass = childArgument(6, "the WM_COPYDATA window class");
  using pipe = await connectNamedPipe(pipeName, { mode: "message", timeout: 10_000 });
  const line = `hello from process ${Deno.pid}, in UTF-8: café, 日本語, 😀`;
  await pipe.send(new TextEncoder().encode(line));
  const reply = await pipe.receive();
  console.log(`child: the server answered "${new TextDecoder().decode(reply!)}"`);
  using event = openEvent(eventName);
  event.set();
  {
    using frames = openSharedChannel(channelName, { role: "sender" });
    for (let i = 0; i < 1000; i++) await frames.send(new Uint8Array(4096).fill(i & 255));
  }
  // WM_COPYDATA the way AutoHotkey sends it: UTF-16 text with its NUL, a tag,
  // to a window found by its class name; the reply comes back.
  const answer = await sendCopyData(
    { className: windowClass },
    `process ${Deno.pid} by WM_COPYDATA`,
    { tag: 42n, timeout: 10_000 },
  );
  console.log(`child: the window replied ${answer} to WM_COPYDATA`);
  // The clipboard: HTML as browsers and Office exchange it, text beside it.
  await clipboard.writeHtml(`<b>process ${Deno.pid}</b> by the clipboard`, {
    sourceUrl: "https://example.com/winipc-demo",
  });
  using slot = openMailslot(slotName);
  await slot.send(`process ${Deno.pid} says goodbye by mailslot\0`); // strlen + 1, as C senders do
  using side = openPipeHandle(Number(sideHandle), { access: "write" });
  await side.write(
    new TextEncoder().encode(`process ${Deno.pid} reporting on handle ${sideHandle}`),
  );
  Deno.exit(0);
}

const wine = wineVersionOrNull();
console.log(`winipc demo, Deno ${Deno.version.deno} on ${wine ? `Wine ${wine}` : "Windows"}`);
console.log(`parent process ${Deno.pid}, ${threadCount()} threads at start\n`);

const tag = `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
const pipeName = `\\\\.\\pipe\\winipc-demo-${tag}`;
const eventName = `Local\\winipc-demo-${tag}`;
const slotName = `winipc-demo-${tag}`;
using mailslot = createMailslot(slotName, { maxMessageSize: 424 });
const channelName = `winipc-demo-frames-${tag}`;
using frames = createSharedChannel(channelName, { role: "receiver", capacity: 64 * 1024 });
using listener = listenNamedPipe(pipeName, { mode: "message" });
using event = createEvent(eventName);
const windowClass = `winipc.demo.${tag}`;
await using copyWindow = await listenCopyData({ className: windowClass, title: "winipc demo" });
// The user's clipboard is put back at the end: everything that can be copied.
const savedClipboard = await clipboard.snapshot();
await using clipboardWatch = clipboard.watch();
await clipboardWatch.ready;

// Both waits are pending at once; neither blocks the event loop. If the child
// dies before it connects, they are cancelled rather than left hanging.
const childGone = new AbortController();
const signal = childGone.signal;
const connected = listener.accept({ signal });
const signalled = event.wait({ timeout: 30_000, signal }).then(() => "signaled");
const mail = mailslot.receiveText({ timeout: 30_000, signal });
const copied = copyWindow.receive({ timeout: 30_000, signal });
const clipboardChange = (async () => {
  for await (const change of clipboardWatch) {
    if (change.formats.some((format) => format.name === "HTML Format")) return change;
  }
  throw new Error("the clipboard watch ended");
})();
const framesIn = (async () => {
  let count = 0;
  let bytes = 0;
  // Ends when the sender closes; cancelled if the child dies first.
  for (
    let frame = await frames.receive({ signal });
    frame;
    frame = await frames.receive({ signal })
  ) {
    count++;
    bytes += frame.length;
  }
  return { count, bytes };
})();
let ticks = 0;
const ticker = setInterval(() => ticks++, 10);

const side = createPipe(); // one more pipe end for the child, by handle value
const self = Deno.execPath();
const childArgs = [
  ...(Deno.build.standalone
    ? []
    : ["run", "-A", "--quiet", new URL(import.meta.url).pathname.replace(/^\/([A-Za-z]:)/, "$1")]),
  "--child",
  pipeName,
  eventName,
  String(Deno.UnsafePointer.value(side.writer.unsafeHandle)),
  slotName,
  channelName,
  windowClass,
];
const started = performance.now();
await using child = spawn(self, {
  args: childArgs,
  stdout: "piped",
  stderr: "inherit",
  inherit: [side.writer],
});
const childOutput = new Response(child.stdout!.readable).text();
const sideReport = new Response(side.reader.readable).text();
child.status.then(({ success, code }) => {
  if (!success) childGone.abort(new Error(`the child exited with code ${code}`));
});

using conn = await connected;
const message = await conn.receive({ signal });
const text = new TextDecoder().decode(message!);
await conn.send(new TextEncoder().encode(`got ${message!.length} bytes, thanks`));
const how = await signalled;
clearInterval(ticker);
const { code } = await child.status;
const elapsed = performance.now() - started;

console.log(`child process ${child.pid} exited with code ${code}`);
console.log(`  its stdout, through an anonymous pipe: ${(await childOutput).trim()}`);
console.log(`  through the inherited pipe end: "${await sideReport}"`);
console.log(`named pipe ${pipeName} (message mode, owner-only security)`);
console.log(`  client process ${conn.peerProcessId} sent ${message!.length} bytes: "${text}"`);
console.log(`event ${eventName}: ${how}`);
console.log(`mailslot ${mailslot.path}: "${await mail}"`);
const copy = await copied;
console.log(
  `window class ${windowClass}: WM_COPYDATA tag ${copy.tag}, "${copy.text()}" (UTF-16, as AutoHotkey sends)`,
);
const change = await clipboardChange;
const html = await clipboard.readHtml();
console.log(
  `clipboard change #${change.sequenceNumber} (${change.formats.length} formats, seen by watch): ` +
    `HTML "${html?.html}" from ${html?.sourceUrl}`,
);
await clipboard.restore(savedClipboard);
const received = await framesIn;
console.log(
  `shared channel ${frames.name}: ${received.count} frames, ${received.bytes} bytes through a 64 KiB ring`,
);
console.log(
  `the event loop kept running meanwhile: ${ticks} timer ticks in ${elapsed.toFixed(0)} ms`,
);
console.log(
  `completion core: ${completionStats.synchronous} synchronous, ${completionStats.queued} queued, ` +
    `${completionStats.batches} batches; ${threadCount()} threads now\n`,
);

console.log("What exists today: named pipes (server, client, byte and message mode), anonymous");
console.log("pipes and child processes, mailslots, shared memory and its channel, synchronisation");
console.log("objects, WM_COPYDATA windows and the clipboard, on the shared Win32 core (one I/O");
console.log(
  "completion port, exact cancellable waits, a window thread per user32 mechanism), the winipc command-line",
);
console.log("tool (deno task cli), and the Wine harness.");
