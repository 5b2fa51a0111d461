// Copyright 2026 the winipc authors. MIT license.
// Opening a pipe on another computer runs NtCreateFile on Deno's blocking
// pool (named_pipe/_open.ts). No second computer is at hand, so the same
// route is checked on local pipes: data both ways, the error codes the
// connect loop relies on, and the impersonation level the server sees.
import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { uniqueName, windowsTest } from "./_helpers.ts";
import { connectNamedPipe, listenNamedPipe } from "../named_pipe/mod.ts";
import { ntPipePath, type Opened, openPipe, openPipeNonblocking } from "../named_pipe/_open.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { NamedPipeConn } from "../named_pipe/conn.ts";
import { CONSTRUCT } from "../_win32/construct.ts";
import { associate } from "../_win32/completion.ts";
import {
  kernel32,
  PIPE_READMODE_MESSAGE,
  SECURITY_ANONYMOUS,
  SECURITY_IDENTIFICATION,
} from "../_win32/ffi.ts";
import { ERROR } from "../_win32/errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function openNt(path: string, level = SECURITY_IDENTIFICATION) {
  const opened = await openPipeNonblocking(path, level);
  if (!(opened instanceof OwnedHandle)) throw new Error(`NtCreateFile gave error ${opened.code}`);
  // As connectNamedPipe does for a message-mode connection: a message-mode
  // connection reads its handle in message read mode.
  if (
    !kernel32().SetNamedPipeHandleState(
      opened.raw,
      new Uint32Array([PIPE_READMODE_MESSAGE]),
      null,
      null,
    )
  ) {
    throw new Error("SetNamedPipeHandleState failed");
  }
  associate(opened);
  return new NamedPipeConn(CONSTRUCT, opened, path, "message", "client");
}

windowsTest("remote route: NT paths of local and remote pipe names", {}, () => {
  assertEquals(ntPipePath("\\\\.\\pipe\\a\\b"), "\\??\\pipe\\a\\b");
  assertEquals(ntPipePath("\\\\server\\pipe\\x"), "\\??\\UNC\\server\\pipe\\x");
});

windowsTest(
  "remote route: NtCreateFile on the blocking pool opens an overlapped pipe; messages both ways",
  {},
  async () => {
    const name = uniqueName("nt-open");
    using listener = listenNamedPipe(name, { mode: "message" });
    const accepted = listener.accept();
    using client = await openNt(`\\\\.\\pipe\\${name}`);
    using server = await accepted;
    await client.send(encoder.encode("over NtCreateFile"));
    assertEquals(decoder.decode((await server.receive())!), "over NtCreateFile");
    await server.send(encoder.encode("and back"));
    assertEquals(decoder.decode((await client.receive())!), "and back");
    // The identification level lets the server learn the client's account.
    const user = await server.peerUser();
    assertMatch(user.sid, /^S-1-5-/);
  },
);

windowsTest(
  "NtCreateFile opens, on the pool and not: a missing pipe is ERROR_FILE_NOT_FOUND and a busy one ERROR_PIPE_BUSY",
  {},
  async () => {
    const name = uniqueName("nt-codes");
    const path = `\\\\.\\pipe\\${name}`;
    const code = (opened: Opened) => opened instanceof OwnedHandle ? 0 : opened.code;
    assertEquals(code(await openPipeNonblocking(path, SECURITY_ANONYMOUS)), ERROR.FILE_NOT_FOUND);
    assertEquals(code(openPipe(path, SECURITY_ANONYMOUS)), ERROR.FILE_NOT_FOUND);
    using listener = listenNamedPipe(name, { mode: "message", maxInstances: 1 });
    const accepted = listener.accept();
    using first = await openNt(`\\\\.\\pipe\\${name}`);
    using conn = await accepted;
    assertEquals(code(await openPipeNonblocking(path, SECURITY_ANONYMOUS)), ERROR.PIPE_BUSY);
    const busy = openPipe(path, SECURITY_ANONYMOUS);
    assertEquals(code(busy), ERROR.PIPE_BUSY);
    assertEquals((busy as { status: number }).status, 0xc00000ac); // STATUS_PIPE_NOT_AVAILABLE
    assert(first !== conn);
  },
);

windowsTest(
  "remote route: a remote path needs remote: true; with it, an absent computer is NotFound naming the path",
  {},
  async () => {
    const path = "\\\\winipc-no-such-host\\pipe\\x";
    await assertRejects(() => connectNamedPipe(path), TypeError, "remote: true");
    const error = await assertRejects(
      () => connectNamedPipe(path, { remote: true, timeout: 0 }),
      Deno.errors.NotFound,
    );
    assertMatch(error.message, /winipc-no-such-host/);
    // An abort while the open is on the pool ends the call with the reason.
    const controller = new AbortController();
    const pending = connectNamedPipe(path, {
      remote: true,
      timeout: 60_000,
      signal: controller.signal,
    });
    controller.abort(new RangeError("stop"));
    await assertRejects(() => pending, RangeError, "stop");
  },
);
