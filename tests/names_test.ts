// Copyright 2026 the winipc authors. MIT license.
// Names never leave their namespace (issue 11, item 4): hostile names are
// refused with a TypeError before Windows sees them, a file they would reach
// is not opened, and legitimate names keep working.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { uniqueName, windowsTest } from "./_helpers.ts";
import { callNamedPipe, connectNamedPipe, listenNamedPipe } from "../named_pipe/mod.ts";
import { createMailslot, openMailslot } from "../mailslot/mod.ts";
import {
  createSharedChannel,
  createSharedMemory,
  openSharedChannel,
  openSharedMemory,
} from "../shared_memory/mod.ts";
import { createEvent, createMutex, createSemaphore, openEvent } from "../sync/mod.ts";
import { FILE_SHARE_READ_WRITE, GENERIC_READ, kernel32, OPEN_EXISTING } from "../_win32/ffi.ts";
import { isInvalidHandle } from "../_win32/handle.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A file on C: with known content, removed afterwards. */
function targetFile(): { base: string; path: string; content: string } & Disposable {
  const base = `${uniqueName("target")}.txt`;
  const path = `C:\\${base}`;
  const content = "do not touch\r\n";
  Deno.writeTextFileSync(path, content);
  return { base, path, content, [Symbol.dispose]: () => Deno.removeSync(path) };
}

windowsTest(
  "a pipe name that Windows would normalise to a file on C: is refused; the file is not opened",
  {},
  async () => {
    using file = targetFile();
    const before = Deno.statSync(file.path);
    // The hazard is real: handed to Windows as it is, the path leaves \\.\pipe\
    // and opens the file (which is what connectNamedPipe used to do).
    const raw = kernel32().CreateFileW(
      encodeUtf16z(`\\\\.\\pipe\\..\\..\\C:\\${file.base}`),
      GENERIC_READ,
      FILE_SHARE_READ_WRITE,
      null,
      OPEN_EXISTING,
      0,
      null,
    );
    assert(!isInvalidHandle(raw), "CreateFileW no longer normalises \\\\.\\pipe\\..\\..");
    kernel32().CloseHandle(raw);

    const hostile = [
      `../../C:/${file.base}`,
      `a/../../../C:/${file.base}`,
      `..\\..\\C:\\${file.base}`,
      `\\\\.\\pipe\\..\\..\\C:\\${file.base}`,
      `\\\\.\\pipe\\x\\..\\..\\..\\C:\\${file.base}`,
      `\\\\.\\pipe\\../../C:/${file.base}`,
      `\\\\?\\pipe\\..\\..\\C:\\${file.base}`,
    ];
    for (const name of hostile) {
      for (const mode of ["byte", "message"] as const) {
        await assertRejects(
          () => connectNamedPipe(name, { mode }),
          TypeError,
          `Cannot connect to named pipe "${name}": `,
        );
        assertThrows(
          () => listenNamedPipe(name, { mode }),
          TypeError,
          `Cannot listen on named pipe "${name}": `,
        );
      }
      await assertRejects(
        () => callNamedPipe(name, encoder.encode("overwrite")),
        TypeError,
        `Cannot connect to named pipe "${name}": `,
      );
    }
    await assertRejects(
      () => connectNamedPipe(`../../C:/${file.base}`),
      TypeError,
      'a name must not contain "/"',
    );
    await assertRejects(
      () => connectNamedPipe(`\\\\.\\pipe\\..\\..\\C:\\${file.base}`),
      TypeError,
      'a name must not contain ".." segments',
    );
    assertEquals(Deno.readTextFileSync(file.path), file.content);
    const after = Deno.statSync(file.path);
    assertEquals(after.size, before.size);
    assertEquals(after.mtime?.getTime(), before.mtime?.getTime());
  },
);

windowsTest("the reported forms and their kin are refused with a TypeError", {}, async () => {
  await assertRejects(
    () => connectNamedPipe("../../C:/windows/win.ini"),
    TypeError,
    'Cannot connect to named pipe "../../C:/windows/win.ini": a name must not contain "/"',
  );
  assertThrows(
    () => listenNamedPipe("a/../../x"),
    TypeError,
    'Cannot listen on named pipe "a/../../x": a name must not contain "/"',
  );
  assertThrows(
    () => listenNamedPipe("\\\\.\\pipe\\a\\..\\..\\x"),
    TypeError,
    'a name must not contain ".." segments',
  );
  assertThrows(
    () => openMailslot("a/../../x"),
    TypeError,
    'Cannot open mailslot "a/../../x": a name must not contain "/"',
  );
  for (const name of ["a\\..\\..\\x", "\\\\.\\mailslot\\..\\x", "x.", "a\\\\b"]) {
    assertThrows(() => createMailslot(name), TypeError, `Cannot create mailslot "${name}": a `);
    assertThrows(() => openMailslot(name), TypeError, `Cannot open mailslot "${name}": a `);
  }
  assertThrows(() => openMailslot("\\\\?\\mailslot\\x"), TypeError, "not a computer");
  // Kernel objects: a backslash would reach another directory, and these
  // names are links to other namespaces.
  assertThrows(() => createEvent("Local\\Global"), TypeError, "other namespaces");
  assertThrows(() => createMutex("Local\\..\\Global\\x"), TypeError, "backslash");
  assertThrows(() => createSemaphore("..", { maximum: 1 }), TypeError, 'must not be ".."');
  assertThrows(
    () => createSharedMemory("Session\\1\\x", { size: 4096 }),
    TypeError,
    "backslash",
  );
  assertThrows(() => createSharedMemory("Session", { size: 4096 }), TypeError, "other namespaces");
  assertThrows(() => createSharedChannel("a\nb", { role: "sender" }), TypeError, "control");
});

windowsTest("legitimate names still work: dots inside, spaces, non-ASCII", {}, async () => {
  const name = `${uniqueName("legit")} my.app.v2 caf\u00e9 \u{1f600}`;

  // A pipe, both ends.
  using listener = listenNamedPipe(name, { mode: "message" });
  const served = (async () => {
    using conn = await listener.accept();
    const request = await conn.receive();
    await conn.send(request!);
  })();
  const reply = await callNamedPipe(name, encoder.encode("ping"), { timeout: 2000 });
  assertEquals(decoder.decode(reply), "ping");
  await served;

  // A mailslot, in a pseudo-directory.
  using slot = createMailslot(`app\\${name}`);
  using writer = openMailslot(`\\\\.\\mailslot\\app\\${name}`);
  await writer.send("hello");
  assertEquals(await slot.receiveText({ timeout: 2000 }), "hello");

  // Kernel objects read "/" and ".." literally: "Local\../x" is its own name,
  // not "Local\x" or anything above it.
  const literal = `../${name}/x.`;
  using event = createEvent(literal);
  assertEquals(event.name, `Local\\${literal}`);
  using again = openEvent(literal);
  assertEquals(again.created, false);
  assertThrows(() => openEvent(`${name}/x.`), Deno.errors.NotFound);
  // (Mappings and events share one namespace, so the mapping gets a name of its own.)
  using shm = createSharedMemory(`${literal}/shm`, { size: 4096 });
  assertEquals(shm.created, true);
  assertEquals(openSharedMemory(`${literal}/shm`).close(), undefined);
  assertThrows(() => openSharedMemory(`${name}/x./shm`), Deno.errors.NotFound);
  using tx = createSharedChannel(`${name}-channel`, { role: "sender" });
  using rx = openSharedChannel(`${name}-channel`, { role: "receiver" });
  await tx.send(encoder.encode("frame"));
  assertEquals(decoder.decode((await rx.receive())!), "frame");
});
