// Copyright 2026 the winipc authors. MIT license.
// Anonymous pipes and child processes, across real processes: a classic C
// child (tests/native/pipe_child.c: GetStdHandle + blocking ReadFile/
// WriteFile), Deno children, and Windows' (Wine's) own cmd.exe.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { nativePath, payload, repoPath, windowsTest } from "./_helpers.ts";
import {
  createPipe,
  openPipeHandle,
  type PipeReader,
  type PipeWriter,
  spawn,
} from "../pipe/mod.ts";
import { handleCount, nextHandleValue, threadCount } from "../_win32/process_info.ts";
import { kernel32 } from "../_win32/ffi.ts";
import { pointerValue } from "../_win32/handle.ts";

const CHILD = nativePath("pipe_child");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readAll(reader: PipeReader): Promise<Uint8Array> {
  return new Uint8Array(await new Response(reader.readable).arrayBuffer());
}

async function writeAll(writer: PipeWriter, data: Uint8Array, step = 65536): Promise<void> {
  for (let offset = 0; offset < data.length; offset += step) {
    await writer.write(data.subarray(offset, offset + step));
  }
}

const OK = { success: true, code: 0, signal: null };
const KILLED = { success: false, code: 1, signal: null };

/** A pipe end's handle value, as a child gets it on its command line. */
function handleArg(end: PipeReader | PipeWriter): string {
  return String(Deno.UnsafePointer.value(end.unsafeHandle));
}

function denoChild(args: string[]): [string, string[]] {
  return [Deno.execPath(), [
    "run",
    "-A",
    "--quiet",
    repoPath("tests/fixtures/pipe_child.ts"),
    ...args,
  ]];
}

windowsTest("a C child echoes its stdin to its stdout (piped both ways)", {}, async () => {
  await using child = spawn(CHILD, { args: ["cat"], stdin: "piped", stdout: "piped" });
  const data = payload(3_000_000);
  const [, back] = await Promise.all([
    writeAll(child.stdin!, data).then(() => child.stdin!.close()),
    readAll(child.stdout!),
  ]);
  assertEquals(back.length, data.length);
  assertEquals(back, data);
  assertEquals(await child.status, OK);
  assert(child.pid > 0);
});

windowsTest(
  "a Deno child reads its stdin and writes its stdout through winipc pipes",
  {},
  async () => {
    const [exe, args] = denoChild(["upper"]);
    await using child = spawn(exe, { args: args, stdin: "piped", stdout: "piped" });
    await child.stdin!.write(encoder.encode("hello, child\n"));
    child.stdin!.close();
    assertEquals(decoder.decode(await readAll(child.stdout!)), "HELLO, CHILD\n");
    assertEquals(await child.status, OK);
  },
);

windowsTest(
  "stderr, exit codes, arguments, environment and directory reach the child",
  {},
  async () => {
    {
      await using child = spawn(CHILD, {
        args: ["stderr", "oops"],
        stdout: "piped",
        stderr: "piped",
      });
      const [out, err] = await Promise.all([readAll(child.stdout!), readAll(child.stderr!)]);
      assertEquals(decoder.decode(out), "out\n");
      assertEquals(decoder.decode(err), "oops");
      assertEquals(await child.status, { success: false, code: 3, signal: null });
    }
    {
      const tricky = [
        "a b",
        'q"uote',
        "back\\slash",
        "trail\\",
        "",
        "héllo ✓",
        'x\\"y',
        "tab\there",
      ];
      await using child = spawn(CHILD, { args: ["args", ...tricky], stdout: "piped" });
      assertEquals(
        decoder.decode(await readAll(child.stdout!)),
        tricky.map((a) => `${a}\n`).join(""),
      );
    }
    {
      await using child = spawn(CHILD, {
        args: ["env", "WINIPC_SPAWN_TEST"],
        env: { WINIPC_SPAWN_TEST: "é x" },
        stdout: "piped",
      });
      assertEquals(decoder.decode(await readAll(child.stdout!)), "é x\n");
    }
    {
      await using child = spawn(CHILD, {
        args: ["env", "PATH"],
        env: { WINIPC_ONLY: "1" },
        clearEnv: true,
        stdout: "piped",
      });
      assertEquals(decoder.decode(await readAll(child.stdout!)), "<unset>\n");
    }
    {
      const dir = Deno.makeTempDirSync();
      await using child = spawn(CHILD, { args: ["cwd"], cwd: dir, stdout: "piped" });
      const printed = decoder.decode(await readAll(child.stdout!)).trim();
      assertEquals(printed.toLowerCase(), Deno.realPathSync(dir).toLowerCase());
      Deno.removeSync(dir);
    }
  },
);

windowsTest(
  "an extra inherited end: a C child and a Deno child write to it by its value",
  {},
  async () => {
    for (const [exe, prefix] of [[CHILD, []], denoChild([])] as [string, string[]][]) {
      const { reader, writer } = createPipe();
      await using child = spawn(exe, {
        args: [...prefix, "write-handle", handleArg(writer), "through the side door"],
        inherit: [writer],
        stdout: "piped",
      });
      // The parent's copy is closed once the child has started: the reader
      // sees the end of the stream when the child's copy closes.
      assert(writer.closed);
      assertEquals(decoder.decode(await readAll(reader)), "through the side door");
      assertEquals(decoder.decode(await readAll(child.stdout!)), "wrote 21\n");
      assertEquals(await child.status, OK);
    }
  },
);

windowsTest("a Deno child reads an inherited read end with openPipeHandle", {}, async () => {
  const { reader, writer } = createPipe({ childEnd: "reader" });
  const [exe, args] = denoChild(["read-handle", handleArg(reader)]);
  await using child = spawn(exe, { args, inherit: [reader], stdout: "piped" });
  await writer.write(encoder.encode("sync end"));
  writer.close();
  assertEquals(decoder.decode(await readAll(child.stdout!)), "read 8: sync end\n");
  assertEquals(await child.status, OK);
});

for (const childEnd of ["both", "none"] as const) {
  const size = childEnd === "both" ? 64 * 1024 * 1024 : 8 * 1024 * 1024;
  windowsTest(
    `two children connected directly (a | b, childEnd ${childEnd}): ${
      size >> 20
    } MiB, parent memory flat`,
    {},
    async () => {
      const before = Deno.memoryUsage().rss;
      const { reader, writer } = createPipe({ childEnd });
      await using producer = spawn(CHILD, { args: ["gen", String(size)], stdout: writer });
      await using consumer = spawn(CHILD, { args: ["count"], stdin: reader, stdout: "piped" });
      assert(reader.closed && writer.closed);
      const line = decoder.decode(await readAll(consumer.stdout!));
      let sum = 0;
      for (let i = 0; i < size; i++) sum = (sum + ((i * 7) & 255)) >>> 0;
      assertEquals(line, `count ${size} sum ${sum}\n`);
      assertEquals(await producer.status, OK);
      assertEquals(await consumer.status, OK);
      const grown = Deno.memoryUsage().rss - before;
      assert(grown < 32 * 1024 * 1024, `rss grew by ${grown} bytes`);
    },
  );
}

windowsTest("end of stream when the writer closes, in one process", {}, async () => {
  const { reader, writer } = createPipe();
  const pending = reader.read(new Uint8Array(16));
  await writer.write(encoder.encode("abc"));
  assertEquals(await pending, 3);
  writer.close();
  assertEquals(await reader.read(new Uint8Array(16)), null);
  reader.close();
  assertThrows(() => reader.close(), Deno.errors.BadResource);
});

windowsTest("a child killed mid-stream: its output ends, writing to it fails", {}, async () => {
  await using child = spawn(CHILD, { args: ["cat"], stdin: "piped", stdout: "piped" });
  await child.stdin!.write(encoder.encode("before"));
  const got = new Uint8Array(64);
  assertEquals(decoder.decode(got.subarray(0, (await child.stdout!.read(got))!)), "before");
  const reading = child.stdout!.read(got);
  assert(child.kill());
  assertEquals(await child.status, KILLED);
  assertEquals(await reading, null);
  await assertRejects(async () => {
    for (let i = 0; i < 100; i++) await child.stdin!.write(new Uint8Array(65536));
  }, Deno.errors.BrokenPipe);
  assert(!child.kill());
});

windowsTest("an AbortSignal kills the child", {}, async () => {
  const controller = new AbortController();
  await using child = spawn(CHILD, { args: ["sleep", "20000"], signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  assertEquals(await child.status, KILLED);
});

windowsTest("1,000 pipes created and closed: no handle leaks", {}, async () => {
  for (let i = 0; i < 50; i++) createPipe().reader.close();
  // Let Deno's own threads finish closing what earlier tests' children left
  // (they free handles in the background, which moves the next value down).
  await new Promise((r) => setTimeout(r, 300));
  const cycle = () => {
    const { reader, writer } = createPipe();
    reader.close();
    writer.close();
  };
  cycle();
  const first = nextHandleValue();
  const count = handleCount();
  for (let i = 0; i < 1000; i++) cycle();
  // Closing releases both ends' handles: the next handle value does not
  // move up (a leak would push it up by 1,000 or 2,000; another thread may
  // free a lower one meanwhile, so it may move down), and on Windows the
  // count is back where it was (Wine's GetProcessHandleCount reports 0, so
  // there only the handle value proves it).
  const grown = handleCount() - count;
  assert(grown < 20, `${grown} more handles after 1,000 pipes`);
  const next = nextHandleValue();
  assert(next <= first, `next handle value ${next}, was ${first}`);
});

windowsTest("cmd.exe as a child: cmd /c sort", {}, async () => {
  await using child = spawn("cmd", { args: ["/c", "sort"], stdin: "piped", stdout: "piped" });
  await child.stdin!.write(encoder.encode("banana\r\napple\r\ncherry\r\n"));
  child.stdin!.close();
  const lines = decoder.decode(await readAll(child.stdout!)).split(/\r?\n/).filter((l) => l);
  assertEquals(lines, ["apple", "banana", "cherry"]);
  assertEquals(await child.status, OK);
});

windowsTest("pipe ends leak into no unrelated child", {}, async () => {
  const { reader, writer } = createPipe();
  // A winipc child not given the end cannot use its value.
  await using child = spawn(CHILD, {
    args: ["write-handle", handleArg(writer), "leak"],
    stdout: "null",
    stderr: "piped",
  });
  assertEquals(await child.status, { success: false, code: 1, signal: null });
  assertEquals(
    decoder.decode(await readAll(child.stderr!)).trim(),
    "pipe_child: WriteFile failed (error 6)",
  );
  // Nor can a child that Deno starts (which inherits every inheritable handle).
  const out = await new Deno.Command(CHILD, {
    args: ["write-handle", handleArg(writer), "leak"],
    stdout: "null",
    stderr: "null",
  }).output();
  assertEquals(out.code, 1);
  // The end still works here.
  await writer.write(encoder.encode("ok"));
  writer.close();
  assertEquals(decoder.decode(await readAll(reader)), "ok");
});

windowsTest("bad input: clear errors, nothing hangs, nothing is lost", {}, async () => {
  assertThrows(() => spawn("winipc-no-such-program"), Deno.errors.NotFound, "no such program");
  assertThrows(
    () => spawn(CHILD, { args: ["cwd"], cwd: "C:\\winipc\\no\\such\\dir" }),
    Deno.errors.NotFound,
    "does not exist",
  );
  const { reader, writer } = createPipe();
  // deno-lint-ignore no-explicit-any
  assertThrows(() => spawn(CHILD, { stdin: writer as any }), TypeError, "must be a PipeReader");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => spawn(CHILD, { stdout: "pipe" as any }), TypeError, '"piped"');
  assertThrows(() => spawn(CHILD, { inherit: [writer, writer] }), TypeError, "twice");
  // A failed spawn leaves the caller's ends open and usable.
  assertThrows(() => spawn("winipc-no-such-program", { stdout: writer }), Deno.errors.NotFound);
  assert(!writer.closed);
  // An end this process has used is bound to its completion port.
  await writer.write(encoder.encode("x"));
  assertThrows(
    () => spawn(CHILD, { args: ["cat"], stdout: writer }),
    TypeError,
    "already read or written",
  );
  // An end given to a child once cannot be given again, or used here.
  await using child = spawn(CHILD, { args: ["count"], stdin: reader, stdout: "null" });
  assertThrows(() => spawn(CHILD, { stdin: reader }), Deno.errors.BadResource, "given to a child");
  await assertRejects(() => reader.read(new Uint8Array(1)), Deno.errors.BadResource);
  writer.close();
  assertEquals(await child.status, OK);
  assertThrows(() => openPipeHandle(0, { access: "read" }), TypeError, "positive integer");
  assertThrows(
    () => openPipeHandle(0x7ff0, { access: "read" }),
    Deno.errors.BadResource,
    "not open",
  );
  const event = kernel32().CreateEventW(null, 1, 0, null)!;
  try {
    assertThrows(
      () => openPipeHandle(pointerValue(event), { access: "read" }),
      TypeError,
      "not a pipe",
    );
  } finally {
    kernel32().CloseHandle(event);
  }
  // deno-lint-ignore no-explicit-any
  assertThrows(() => openPipeHandle(4, { access: "both" as any }), TypeError, "access");
  assertThrows(() => createPipe({ bufferSize: -1 }), RangeError);
  // deno-lint-ignore no-explicit-any
  assertThrows(() => createPipe({ childEnd: "left" as any }), TypeError);
});

windowsTest("200 pipes with a read pending on each add no threads", {}, async () => {
  const before = threadCount();
  const pipes = Array.from({ length: 200 }, () => createPipe());
  const reads = pipes.map(({ reader }) => reader.read(new Uint8Array(8)));
  await new Promise((r) => setTimeout(r, 200));
  const during = threadCount();
  assert(during - before <= 2, `threads went from ${before} to ${during}`);
  for (const { writer } of pipes) await writer.write(encoder.encode("x"));
  assertEquals(await Promise.all(reads), pipes.map(() => 1));
  for (const { reader, writer } of pipes) {
    reader.close();
    writer.close();
  }
});

/** Whether a process this test started (and no longer holds a handle to) still runs; ends it if so. */
function endIfRunning(pid: number): boolean {
  const k = kernel32();
  // PROCESS_TERMINATE | SYNCHRONIZE
  const raw = k.OpenProcess(0x0010_0001, 0, pid);
  assert(raw !== null, `process ${pid} cannot be opened`);
  try {
    const running = k.WaitForSingleObject(raw, 0) === 258; // WAIT_TIMEOUT
    if (running) k.TerminateProcess(raw, 1);
    return running;
  } finally {
    k.CloseHandle(raw);
  }
}

windowsTest(
  "ChildProcess.close() releases the process handle and leaves the process running",
  {},
  async () => {
    const child = spawn(CHILD, { args: ["sleep", "20000"], stdout: "piped" });
    assertEquals(child.closed, false);
    child.close();
    assertEquals(child.closed, true);
    assertEquals(child.unsafeHandle, null);
    await assertRejects(() => child.status, Deno.errors.BadResource, "closed");
    assertThrows(() => child.close(), Deno.errors.BadResource, "already closed");
    assertThrows(() => child.kill(), Deno.errors.BadResource, "closed");
    await assertRejects(() => child.output(), Deno.errors.BadResource, "closed");
    // Dispose is idempotent, and the piped end is this process's own until then.
    child[Symbol.dispose]();
    assertEquals(child.stdout!.closed, false);
    assert(endIfRunning(child.pid), "close() ended the process");
    assertEquals(await child.stdout!.read(new Uint8Array(16), { timeout: 5000 }), null);
    await child[Symbol.asyncDispose]();
    assertEquals(child.stdout!.closed, true);
    // `using` releases the handle the same way; a status nobody awaits rejects unseen.
    let pid: number;
    {
      using scoped = spawn(CHILD, { args: ["sleep", "20000"] });
      pid = scoped.pid;
    }
    assert(endIfRunning(pid), "using ended the process");
    // A child that had ended keeps its status after close().
    const done = spawn(CHILD, { args: ["sleep", "0"] });
    assertEquals(await done.status, OK);
    done.close();
    assertEquals(await done.status, OK);
  },
);

windowsTest(
  "ChildProcess.status is { success, code, signal }, as Deno.ChildProcess.status",
  {},
  async () => {
    // "sleep 0" exits 0; "stderr TEXT" exits 3.
    for (const [args, code] of [[["sleep", "0"], 0], [["stderr", "x"], 3]] as const) {
      await using child = spawn(CHILD, { args: [...args], stdout: "null", stderr: "null" });
      const status = await child.status;
      assertEquals(status, { success: code === 0, code, signal: null });
      // The same program under Deno.Command: the same shape, the same values.
      const deno = await new Deno.Command(CHILD, {
        args: [...args],
        stdout: "null",
        stderr: "null",
      }).spawn().status;
      assertEquals(status, deno);
    }
    await using killed = spawn(CHILD, { args: ["sleep", "20000"] });
    assert(killed.kill());
    assertEquals(await killed.status, { success: false, code: 1, signal: null });
    // The process handle stays open, and valid, until the child is disposed.
    assert(killed.unsafeHandle !== null);
    assert(!killed.kill(), "kill() after the end");
    await killed[Symbol.asyncDispose]();
    assertEquals(killed.unsafeHandle, null);
    assertThrows(() => killed.kill(), Deno.errors.BadResource, "closed");
  },
);

windowsTest(
  "ChildProcess.output() collects piped stdout and stderr with the status",
  {},
  async () => {
    await using child = spawn(CHILD, {
      args: ["stderr", "oops"],
      stdout: "piped",
      stderr: "piped",
    });
    const output = await child.output();
    assertEquals(output.success, false);
    assertEquals(output.code, 3);
    assertEquals(output.signal, null);
    assertEquals(decoder.decode(output.stdout), "out\n");
    assertEquals(decoder.decode(output.stderr), "oops");
    await using quiet = spawn(CHILD, { args: ["stderr", "x"], stdout: "piped", stderr: "null" });
    const partial = await quiet.output();
    assertEquals(decoder.decode(partial.stdout), "out\n");
    assertThrows(() => partial.stderr, TypeError, 'not "piped"');
  },
);

for (const childEnd of ["none", "both"] as const) {
  const kind = childEnd === "none" ? "an asynchronous" : "a synchronous";
  windowsTest(
    `PipeReader.read() timeout on ${kind} end: never early; 0 tries once`,
    {},
    async () => {
      const { reader, writer } = createPipe({ childEnd });
      const buffer = new Uint8Array(16);
      // Nothing in the pipe: TimedOut, not before its time.
      for (const timeout of [150, 1]) {
        const start = performance.now();
        await assertRejects(() => reader.read(buffer, { timeout }), Deno.errors.TimedOut);
        const took = performance.now() - start;
        assert(took >= timeout, `timed out after ${took} ms of ${timeout}`);
      }
      // 0 tries once: TimedOut at once when empty, the data when there is some.
      const start = performance.now();
      await assertRejects(() => reader.read(buffer, { timeout: 0 }), Deno.errors.TimedOut);
      assert(performance.now() - start < 100);
      await writer.write(encoder.encode("abc"));
      assertEquals(await reader.read(buffer, { timeout: 0 }), 3);
      assertEquals(decoder.decode(buffer.subarray(0, 3)), "abc");
      // A timed-out read loses nothing, and the end is usable afterwards.
      const late = reader.read(buffer, { timeout: 5000 });
      await writer.write(encoder.encode("de"));
      assertEquals(await late, 2);
      // The end of the stream is not a timeout.
      writer.close();
      assertEquals(await reader.read(buffer, { timeout: 0 }), null);
      await assertRejects(() => reader.read(buffer, { timeout: -1 }), RangeError, "timeout");
      await assertRejects(() => reader.read(buffer, { timeout: NaN }), RangeError, "timeout");
      reader.close();
    },
  );
}

for (const childEnd of ["none", "both"] as const) {
  const kind = childEnd === "none" ? "an asynchronous" : "a synchronous";
  windowsTest(
    `PipeWriter.write() timeout on ${kind} end: never early; 0 tries once`,
    {},
    async () => {
      const { reader, writer } = createPipe({ childEnd, bufferSize: 4096 });
      // A write larger than the buffer waits for a reader: TimedOut, not before its time.
      const start = performance.now();
      await assertRejects(
        () => writer.write(new Uint8Array(1 << 20), { timeout: 150 }),
        Deno.errors.TimedOut,
        "timed out after 150 ms",
      );
      const took = performance.now() - start;
      assert(took >= 150, `timed out after ${took} ms of 150`);
      // The buffer is full now: 0 tries once and fails at once.
      const zero = performance.now();
      await assertRejects(
        () => writer.write(new Uint8Array(8192), { timeout: 0 }),
        Deno.errors.TimedOut,
        "timeout 0",
      );
      assert(performance.now() - zero < 1000, `timeout 0 took ${performance.now() - zero} ms`);
      // Drain what the given-up writes left, then 0 writes when there is room.
      const buffer = new Uint8Array(1 << 16);
      while (true) {
        try {
          await reader.read(buffer, { timeout: 0 });
        } catch (error) {
          if (error instanceof Deno.errors.TimedOut) break;
          throw error;
        }
      }
      assertEquals(await writer.write(encoder.encode("room"), { timeout: 0 }), 4);
      assertEquals(await reader.read(buffer, { timeout: 1000 }), 4);
      assertEquals(decoder.decode(buffer.subarray(0, 4)), "room");
      // A write that finishes in time is not a timeout; the caller's signal keeps its reason.
      assertEquals(await writer.write(encoder.encode("ok"), { timeout: 5000 }), 2);
      const reason = new Error("stop");
      await assertRejects(
        () =>
          writer.write(encoder.encode("x"), { timeout: 5000, signal: AbortSignal.abort(reason) }),
        Error,
        "stop",
      );
      for (const timeout of [-1, NaN, "5" as unknown as number]) {
        await assertRejects(
          () => writer.write(encoder.encode("x"), { timeout }),
          RangeError,
          "timeout",
        );
      }
      reader.close();
      writer.close();
      await assertRejects(
        () => writer.write(encoder.encode("x"), { timeout: 0 }),
        Deno.errors.BadResource,
      );
    },
  );
}

windowsTest("a signal cancels a read and a write waiting for room", {}, async () => {
  const { reader, writer } = createPipe({ bufferSize: 4096 });
  const reason = new Error("stop");
  const controller = new AbortController();
  const reading = reader.read(new Uint8Array(16), { signal: controller.signal });
  controller.abort(reason);
  assertEquals(await reading.catch((e) => e), reason);
  // A write larger than the buffer waits until someone reads.
  const writeController = new AbortController();
  const writing = writer.write(new Uint8Array(1 << 20), { signal: writeController.signal });
  setTimeout(() => writeController.abort(reason), 100);
  assertEquals(await writing.catch((e) => e), reason);
  reader.close();
  writer.close();
});

windowsTest(
  "unsafeHandle is the raw handle while open, null once closed or given",
  {},
  async () => {
    const { reader, writer } = createPipe();
    assert(reader.unsafeHandle !== null && writer.unsafeHandle !== null);
    assert(
      Deno.UnsafePointer.value(reader.unsafeHandle) !==
        Deno.UnsafePointer.value(writer.unsafeHandle),
    );
    assertEquals(kernel32().GetFileType(reader.unsafeHandle), 3); // FILE_TYPE_PIPE
    await using child = spawn(CHILD, { args: ["count"], stdin: reader, stdout: "null" });
    assertEquals(reader.unsafeHandle, null);
    writer.close();
    assertEquals(writer.unsafeHandle, null);
    assertEquals(await child.status, OK);
  },
);
