// Copyright 2026 the winipc authors. MIT license.
// Shared memory across real processes: a raw C program
// (tests/native/shm_peer.c: CreateFileMappingW/OpenFileMappingW/MapViewOfFile)
// on the other side, and winipc on both sides.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { nativePath, Peer, uniqueName, windowsTest } from "./_helpers.ts";
import {
  createSharedMemory,
  openOrCreateSharedMemory,
  openSharedMemory,
  SharedMemory,
} from "../shared_memory/mod.ts";

const decoder = new TextDecoder();

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 255;
  return out;
}

async function peer(args: string[]): Promise<{ code: number; out: string }> {
  const result = await new Deno.Command(nativePath("shm_peer"), { args }).output();
  return { code: result.code, out: decoder.decode(result.stdout) };
}

windowsTest(
  "a mapping made by a C program opens with its exact bytes, and the reverse",
  {},
  async () => {
    const name = `Local\\${uniqueName("raw")}`;
    await using creator = new Peer("shm_peer", ["create", name, "10000", "7"], { native: true });
    assertEquals(await creator.line(), "ready");
    {
      using shm = openSharedMemory(name, { size: 10000 });
      assertEquals(shm.size, 10000);
      assertEquals(shm.created, false);
      assertEquals(shm.pageRounded, false);
      assertEquals(shm.bytes, pattern(10000, 7));
      // winipc writes; the C program checks.
      shm.bytes.set(pattern(10000, 9));
    }
    assertEquals(await peer(["check", name, "10000", "9"]), { code: 0, out: "ok\n" });
    // Without a size: the whole section, rounded up to pages, and said so.
    using whole = openSharedMemory(name, { access: "read" });
    assert(whole.pageRounded);
    assertEquals(whole.size % 4096, 0);
    assert(whole.size >= 10000 && whole.size < 10000 + 65536, `size ${whole.size}`);
    assertEquals(whole.readSync(0, new Uint8Array(10000)), pattern(10000, 9));
    assertEquals((await peer(["size", name])).out, `size ${whole.size}\n`);
    await creator.release();
    assertEquals((await creator.finish()).code, 0);
  },
);

windowsTest("winipc creates, a C program reads and writes it", {}, async () => {
  const name = uniqueName("made");
  using shm = createSharedMemory(name, { size: 5000 });
  assertEquals(shm.name, `Local\\${name}`);
  assert(shm.created);
  shm.writeSync(0, pattern(5000, 3));
  assertEquals(await peer(["check", shm.name, "5000", "3"]), { code: 0, out: "ok\n" });
  assertEquals(await peer(["write", shm.name, "5000", "4"]), { code: 0, out: "written\n" });
  assertEquals(shm.readSync(0, new Uint8Array(5000)), pattern(5000, 4));
});

windowsTest("create-only fails on an existing name; create-or-open reports created", {}, () => {
  const name = uniqueName("once");
  using first = createSharedMemory(name, { size: 100 });
  assertThrows(() => createSharedMemory(name, { size: 100 }), Deno.errors.AlreadyExists, "taken");
  using again = openOrCreateSharedMemory(name, { size: 100 });
  assertEquals(again.created, false);
  first.bytes[5] = 55;
  assertEquals(again.bytes[5], 55);
  // An existing mapping smaller than asked for is detected.
  assertThrows(() => openOrCreateSharedMemory(name, { size: 1 << 20 }), RangeError, "smaller");
  assertThrows(() => openSharedMemory(name, { size: 1 << 20 }), RangeError);
  using fresh = openOrCreateSharedMemory(uniqueName("fresh"), { size: 10 });
  assertEquals(fresh.created, true);
});

windowsTest("read-only access is enforced without ever risking a crash", {}, async () => {
  const name = uniqueName("ro");
  using shm = createSharedMemory(name, { size: 4096 });
  shm.writeSync(0, pattern(4096, 1));
  using ro = openSharedMemory(name, { access: "read" });
  assertThrows(() => ro.bytes, Deno.errors.PermissionDenied, "read-only");
  assertThrows(() => ro.dataView, Deno.errors.PermissionDenied);
  assertThrows(() => ro.writeSync(0, new Uint8Array(1)), Deno.errors.PermissionDenied);
  assertEquals(ro.readSync(0, new Uint8Array(4096)), pattern(4096, 1));
  // The kernel refuses a writable view through a read-only handle too.
  assertEquals((await peer(["try-write-readonly", shm.name])).out.split(" ")[0], "refused");
});

windowsTest("after close, every view handed out is empty and access fails clearly", {}, () => {
  using shm = createSharedMemory(uniqueName("closed"), { size: 64 * 1024 });
  const bytes = shm.bytes;
  const view = shm.dataView;
  bytes[0] = 1;
  shm.close();
  assertEquals(bytes.length, 0);
  assertEquals(bytes[0], undefined); // never a read of unmapped memory
  assertThrows(() => bytes.set([1]), TypeError);
  assertThrows(() => view.getUint8(0), TypeError);
  assertThrows(() => shm.bytes, Deno.errors.BadResource, "closed");
  assertThrows(() => shm.readSync(0, new Uint8Array(1)), Deno.errors.BadResource);
  assertThrows(() => shm.close(), Deno.errors.BadResource);
});

windowsTest("a file-backed mapping ends up in its file", {}, () => {
  const dir = Deno.makeTempDirSync();
  const file = `${dir}\\backing.bin`;
  {
    using shm = createSharedMemory(uniqueName("file"), { size: 8192, file });
    shm.writeSync(100, new TextEncoder().encode("in the file"));
    shm.flush();
  }
  const content = Deno.readFileSync(file);
  assertEquals(content.length, 8192);
  assertEquals(decoder.decode(content.subarray(100, 111)), "in the file");
  Deno.removeSync(dir, { recursive: true });
});

windowsTest("bad input: clear errors", {}, () => {
  assertThrows(
    () => openSharedMemory(uniqueName("missing")),
    Deno.errors.NotFound,
    "no such mapping",
  );
  // deno-lint-ignore no-explicit-any
  assertThrows(() => createSharedMemory("x", {} as any), RangeError, "size");
  assertThrows(() => createSharedMemory("x", { size: 0 }), RangeError);
  // deno-lint-ignore no-explicit-any
  assertThrows(() => createSharedMemory("x", { size: 1, access: "rw" as any }), TypeError);
  // deno-lint-ignore no-explicit-any
  assertThrows(() => createSharedMemory("x", { size: 1, security: "all" as any }), TypeError);
  assertThrows(() => createSharedMemory("a\\b", { size: 1 }), TypeError, "backslash");
  using shm = createSharedMemory(uniqueName("range"), { size: 16 });
  assertThrows(() => shm.writeSync(10, new Uint8Array(7)), RangeError, "do not fit");
  assertThrows(() => shm.readSync(-1, new Uint8Array(1)), RangeError);
});

windowsTest(
  "Global\\ names: created with the privilege, a clear PermissionDenied without it",
  {},
  () => {
    // Elevated administrators and services hold SeCreateGlobalPrivilege (and
    // Wine checks no privileges); everyone else must get the clear error.
    try {
      using shm = createSharedMemory(uniqueName("global"), { size: 16, global: true });
      assert(shm.name.startsWith("Global\\"));
    } catch (error) {
      assert(error instanceof Deno.errors.PermissionDenied, String(error));
      assert(String(error).includes("SeCreateGlobalPrivilege"));
    }
  },
);

windowsTest("readSync() and writeSync(): bounds and argument errors, exact edges", {}, () => {
  using shm = createSharedMemory(uniqueName("bounds"), { size: 16 });
  // The last byte and the whole mapping fit; zero bytes fit anywhere up to the end.
  shm.writeSync(15, new Uint8Array([7]));
  assertEquals(shm.readSync(15, new Uint8Array(1)), new Uint8Array([7]));
  shm.writeSync(0, pattern(16, 2));
  assertEquals(shm.readSync(0, new Uint8Array(16)), pattern(16, 2));
  assertEquals(shm.readSync(16, new Uint8Array(0)).length, 0);
  shm.writeSync(16, new Uint8Array(0));
  // One byte past the end, in either direction.
  assertThrows(() => shm.readSync(16, new Uint8Array(1)), RangeError, "1 bytes at offset 16");
  assertThrows(() => shm.writeSync(0, new Uint8Array(17)), RangeError, "its 16 bytes");
  assertThrows(() => shm.readSync(17, new Uint8Array(0)), RangeError, "do not fit");
  for (const offset of [-1, 1.5, NaN, Infinity, "0" as unknown as number, 2 ** 53]) {
    assertThrows(() => shm.readSync(offset, new Uint8Array(1)), RangeError, "offset must be");
    assertThrows(() => shm.writeSync(offset, new Uint8Array(1)), RangeError, "offset must be");
  }
  // deno-lint-ignore no-explicit-any
  assertThrows(() => shm.readSync(0, [0, 0] as any), TypeError, "Uint8Array");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => shm.writeSync(0, "ab" as any), TypeError, "Uint8Array");
  // Nothing was written by the refused calls.
  assertEquals(shm.readSync(0, new Uint8Array(16)), pattern(16, 2));
});

windowsTest("hostile option values are TypeErrors, never a prototype lookup", {}, () => {
  for (const access of ["toString", "__proto__", "valueOf", "rw", 1]) {
    assertThrows(
      // deno-lint-ignore no-explicit-any
      () => createSharedMemory(uniqueName("acc"), { size: 16, access: access as any }),
      TypeError,
      'access must be "read" or "readwrite"',
    );
    // deno-lint-ignore no-explicit-any
    assertThrows(() => openSharedMemory(uniqueName("acc"), { access: access as any }), TypeError);
  }
  for (const security of ["toString", "__proto__", "constructor", "all", null, {}]) {
    assertThrows(
      // deno-lint-ignore no-explicit-any
      () => createSharedMemory(uniqueName("sec"), { size: 16, security: security as any }),
      TypeError,
      'security must be "owner", "everyone" or { sddl }',
    );
  }
  // The three forms of the rule work.
  for (const security of ["owner", "everyone", { sddl: "D:P(A;;GA;;;OW)" }] as const) {
    using shm = createSharedMemory(uniqueName("sec-ok"), { size: 16, security });
    assert(shm.created);
  }
});

windowsTest("unsafeHandle is the mapping's handle while open; no public constructor", {}, () => {
  const shm = createSharedMemory(uniqueName("handle"), { size: 16 });
  assert(shm.unsafeHandle !== null);
  shm.close();
  assertThrows(() => shm.unsafeHandle, Deno.errors.BadResource, "closed");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => new (SharedMemory as any)(), TypeError, "Illegal constructor");
});
