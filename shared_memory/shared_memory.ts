// Copyright 2026 the winipc authors. MIT license.
/**
 * Named file mappings: `createSharedMemory`, `openSharedMemory`,
 * `openOrCreateSharedMemory` and `SharedMemory`.
 *
 * @module
 */
import {
  FILE_SHARE_READ_WRITE,
  GENERIC_READ,
  GENERIC_READ_WRITE,
  kernel32,
} from "../_win32/ffi.ts";
import { ERROR, errorFromCode, globalPrivilegeError } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { accessSddl, SecurityAttributes } from "../_win32/security.ts";
import { type AccessMode, checkChoice, type SecurityRule } from "../_win32/options.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { mappingName } from "./_name.ts";
import { checkConstruct, CONSTRUCT, type ConstructKey } from "../_win32/construct.ts";

/** Options for {@linkcode openSharedMemory}. */
export interface OpenSharedMemoryOptions {
  /**
   * How many bytes to map. Default: the whole mapping, as Windows reports
   * it, which is rounded up to whole pages (see {@linkcode SharedMemory.pageRounded}).
   */
  size?: number;
  /**
   * `"read"` maps the memory read-only: then {@linkcode SharedMemory.bytes}
   * is refused (a write through it would crash the process) and
   * {@linkcode SharedMemory.readSync} copies out.
   * @default {"readwrite"}
   */
  access?: AccessMode;
  /**
   * Use the `Global\` namespace (every session) instead of `Local\` (this
   * session) for a short name. Creating a global mapping needs the
   * `SeCreateGlobalPrivilege` privilege.
   * @default {false}
   */
  global?: boolean;
}

/** Options for {@linkcode createSharedMemory} and {@linkcode openOrCreateSharedMemory}. */
export interface CreateSharedMemoryOptions extends OpenSharedMemoryOptions {
  /** The size in bytes (at least 1); required. */
  size: number;
  /**
   * A file to back the mapping (created if missing, grown to `size`);
   * without one, the page file backs it, so the memory lives only while a
   * process has it open.
   * @default {undefined}
   */
  file?: string;
  /**
   * Who else may open it: `"owner"` (the current user, SYSTEM and
   * Administrators), `"everyone"` (every local user may read and write), or
   * `{ sddl }`.
   * @default {"owner"}
   */
  security?: SecurityRule;
}

const PAGE_READONLY = 0x02;
const PAGE_READWRITE = 0x04;
const FILE_MAP_WRITE = 0x2;
const FILE_MAP_READ = 0x4;
const OPEN_ALWAYS = 4;
const FILE_ATTRIBUTE_NORMAL = 0x80;

/** Unmaps a view whose `ArrayBuffer` was dropped without `close()`. */
const unmapper = new FinalizationRegistry<bigint>((address) => {
  kernel32().UnmapViewOfFile(Deno.UnsafePointer.create(address));
});

function checkSize(size: unknown, what: string, required: boolean): number | undefined {
  if (size === undefined && !required) return undefined;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 1) {
    throw new RangeError(`${what}: size must be a whole number of bytes, at least 1; got ${size}`);
  }
  return size;
}

function checkAccess(access: unknown, what: string): AccessMode {
  return checkChoice(access, ["read", "readwrite"], "readwrite", "access", what);
}

/**
 * A mapped view of a named file mapping: the same bytes in every process
 * that maps the name. From {@linkcode createSharedMemory},
 * {@linkcode openSharedMemory} or {@linkcode openOrCreateSharedMemory}; not
 * constructed directly.
 *
 * @example Write here, read in another process
 * ```ts no-run
 * import { createSharedMemory, openSharedMemory } from "@winipc/winipc/shared-memory";
 *
 * using shm = createSharedMemory("state", { size: 4096 });
 * shm.bytes.set(new TextEncoder().encode("hello"));
 * // in another process:
 * using view = openSharedMemory("state", { size: 4096, access: "read" });
 * const out = new Uint8Array(5);
 * view.readSync(0, out);
 * ```
 */
export class SharedMemory implements Disposable {
  readonly #mapping: OwnedHandle;
  readonly #file: OwnedHandle | null;
  #address: Deno.PointerObject | null;
  #buffer: ArrayBuffer | null = null;
  #bytes: Uint8Array | null = null;
  /** The kernel object's name, `Local\...` or `Global\...`. */
  readonly name: string;
  /** How many bytes are mapped. */
  readonly size: number;
  /** False when the name already existed (this process opened it). */
  readonly created: boolean;
  /** How this process may use the memory. */
  readonly access: AccessMode;
  /**
   * True when `size` is what Windows reports for a mapping opened without
   * a size: a whole number of pages, which may be more than its creator
   * asked for (Windows does not record the requested size). Pass `size` to
   * `openSharedMemory` to map exactly the bytes you expect.
   */
  readonly pageRounded: boolean;

  /** @ignore */
  constructor(key: ConstructKey, init: {
    mapping: OwnedHandle;
    file: OwnedHandle | null;
    address: Deno.PointerObject;
    name: string;
    size: number;
    created: boolean;
    access: AccessMode;
    pageRounded: boolean;
  }) {
    checkConstruct(key, "use createSharedMemory() or openSharedMemory()");
    this.#mapping = init.mapping;
    this.#file = init.file;
    this.#address = init.address;
    this.name = init.name;
    this.size = init.size;
    this.created = init.created;
    this.access = init.access;
    this.pageRounded = init.pageRounded;
  }

  /**
   * The raw Win32 handle of the file mapping, for calls of your own
   * through FFI (`DuplicateHandle`, `MapViewOfFile`). It stays owned by
   * this object: do not close it.
   *
   * @throws {Deno.errors.BadResource} If closed.
   */
  get unsafeHandle(): Deno.PointerValue {
    this.#view("use the handle of");
    return this.#mapping.raw;
  }

  #view(what: string): Deno.PointerObject {
    if (this.#address === null) {
      throw new Deno.errors.BadResource(
        `Cannot ${what} shared memory "${this.name}": it is closed`,
      );
    }
    return this.#address;
  }

  #arrayBuffer(): ArrayBuffer {
    if (this.#buffer === null) {
      this.#buffer = Deno.UnsafePointerView.getArrayBuffer(this.#view("view"), this.size);
      unmapper.register(this.#buffer, Deno.UnsafePointer.value(this.#address!) as bigint, this);
    }
    return this.#buffer;
  }

  #writable(what: string): void {
    this.#view(what);
    if (this.access === "read") {
      throw new Deno.errors.PermissionDenied(
        `Cannot ${what} shared memory "${this.name}": it is mapped read-only`,
      );
    }
  }

  /**
   * The mapped bytes, from offset 0 (read-write mappings only). Every view
   * handed out becomes empty (its `ArrayBuffer` is detached) on `close()`,
   * so it never reaches unmapped memory.
   *
   * @throws {Deno.errors.PermissionDenied} On a read-only mapping: a write
   * through a `Uint8Array` over read-only pages would crash the process; use
   * {@linkcode readSync}.
   * @throws {Deno.errors.BadResource} After `close()`.
   *
   * @example Write through the view
   * ```ts no-run
   * import { createSharedMemory } from "@winipc/winipc/shared-memory";
   *
   * using shm = createSharedMemory("my-app-state", { size: 4096 });
   * shm.bytes.set([1, 2, 3], 10);
   * ```
   */
  get bytes(): Uint8Array {
    this.#writable("view the bytes of");
    this.#bytes ??= new Uint8Array(this.#arrayBuffer());
    return this.#bytes;
  }

  /**
   * A `DataView` over the mapped bytes (read-write mappings only; detached
   * on close).
   *
   * @example Numbers at offsets
   * ```ts no-run
   * import { createSharedMemory } from "@winipc/winipc/shared-memory";
   *
   * using shm = createSharedMemory("my-app-state", { size: 4096 });
   * shm.dataView.setUint32(200, 42, true);
   * ```
   *
   * @throws {Deno.errors.PermissionDenied} On a read-only mapping.
   * @throws {Deno.errors.BadResource} After `close()`.
   */
  get dataView(): DataView {
    this.#writable("view the bytes of");
    return new DataView(this.#arrayBuffer());
  }

  #range(offset: unknown, p: unknown, what: string): number {
    if (!(p instanceof Uint8Array)) {
      throw new TypeError(`Cannot ${what} shared memory "${this.name}": pass a Uint8Array`);
    }
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(
        `Cannot ${what} shared memory "${this.name}": offset must be a whole number from 0, got ${
          String(offset)
        }`,
      );
    }
    if (offset + p.byteLength > this.size) {
      throw new RangeError(
        `Cannot ${what} shared memory "${this.name}": ${p.byteLength} bytes at offset ${offset} do not fit its ${this.size} bytes`,
      );
    }
    return offset;
  }

  /**
   * Copies bytes out of the mapping into `p`, synchronously (works on
   * read-only mappings too).
   *
   * @example Read five bytes at offset 0
   * ```ts no-run
   * import { openSharedMemory } from "@winipc/winipc/shared-memory";
   *
   * using shm = openSharedMemory("my-app-state", { access: "read" });
   * const head = shm.readSync(0, new Uint8Array(5));
   * ```
   *
   * @param offset Where to start in the mapping.
   * @param p Where the bytes go; its length says how many.
   * @returns `p`, filled.
   * @throws {TypeError} If `p` is not a `Uint8Array`.
   * @throws {RangeError} If `offset` is not a whole number from 0, or the
   * range does not fit the mapping.
   * @throws {Deno.errors.BadResource} After `close()`.
   */
  readSync(offset: number, p: Uint8Array): Uint8Array {
    const address = this.#view("read");
    this.#range(offset, p, "read");
    if (p.byteLength > 0) new Deno.UnsafePointerView(address).copyInto(p, offset);
    return p;
  }

  /**
   * Copies `data` into the mapping, synchronously.
   *
   * @example Write five bytes at offset 100
   * ```ts no-run
   * import { createSharedMemory } from "@winipc/winipc/shared-memory";
   *
   * using shm = createSharedMemory("my-app-state", { size: 4096 });
   * shm.writeSync(100, new TextEncoder().encode("hello"));
   * ```
   *
   * @param offset Where to start in the mapping.
   * @param data The bytes.
   * @throws {TypeError} If `data` is not a `Uint8Array`.
   * @throws {RangeError} If `offset` is not a whole number from 0, or the
   * range does not fit the mapping.
   * @throws {Deno.errors.PermissionDenied} On a read-only mapping.
   * @throws {Deno.errors.BadResource} After `close()`.
   */
  writeSync(offset: number, data: Uint8Array): void {
    this.#writable("write");
    this.#range(offset, data, "write");
    new Uint8Array(this.#arrayBuffer(), offset, data.byteLength).set(data);
  }

  /**
   * Writes changed pages of a file-backed mapping to the file
   * (`FlushViewOfFile`); nothing to do for page-file memory.
   *
   * @example Make a file-backed mapping durable
   * ```ts no-run
   * import { createSharedMemory } from "@winipc/winipc/shared-memory";
   *
   * using shm = createSharedMemory("log", { size: 4096, file: "log.bin" });
   * shm.writeSync(0, new Uint8Array([1]));
   * shm.flush();
   * ```
   *
   * @throws {Deno.errors.BadResource} After `close()`.
   */
  flush(): void {
    const address = this.#view("flush");
    const k = kernel32();
    if (!k.FlushViewOfFile(address, BigInt(this.size))) {
      throw errorFromCode(k.GetLastError(), `Cannot flush shared memory "${this.name}"`);
    }
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#address === null;
  }

  /**
   * Unmaps the view and closes the mapping. Views handed out before become
   * empty (their `ArrayBuffer` is detached); the memory itself lives on
   * while another process has it open (or in its file).
   *
   * @example Close early
   * ```ts no-run
   * import { openSharedMemory } from "@winipc/winipc/shared-memory";
   *
   * const shm = openSharedMemory("my-app-state");
   * shm.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    const address = this.#view("close");
    if (this.#buffer !== null) {
      unmapper.unregister(this);
      this.#buffer.transfer(0); // detaches every view over it
      this.#buffer = null;
      this.#bytes = null;
    }
    this.#address = null;
    kernel32().UnmapViewOfFile(address);
    this.#mapping.close();
    this.#file?.close();
  }

  /** Closes if still open. */
  [Symbol.dispose](): void {
    if (this.#address !== null) this.close();
  }
}

function mapView(
  mapping: OwnedHandle,
  access: AccessMode,
  size: number | undefined,
  name: string,
  existed: boolean,
): { address: Deno.PointerObject; size: number; pageRounded: boolean } {
  const k = kernel32();
  const desired = access === "read" ? FILE_MAP_READ : FILE_MAP_READ | FILE_MAP_WRITE;
  const address = k.MapViewOfFile(mapping.raw, desired, 0, 0, BigInt(size ?? 0));
  if (address === null) {
    const code = k.GetLastError();
    if (size !== undefined && existed) {
      throw new RangeError(
        `Cannot map ${size} bytes of shared memory "${name}": the existing mapping is smaller (os error ${code})`,
      );
    }
    throw errorFromCode(code, `Cannot map shared memory "${name}"`);
  }
  // What was really mapped: the section rounded up to whole pages.
  const info = new Uint8Array(48); // MEMORY_BASIC_INFORMATION
  k.VirtualQuery(address, info, 48n);
  const region = Number(new DataView(info.buffer).getBigUint64(24, true));
  if (size !== undefined && region < size) {
    k.UnmapViewOfFile(address);
    throw new RangeError(
      `Cannot map ${size} bytes of shared memory "${name}": the existing mapping has only ${region}`,
    );
  }
  return { address, size: size ?? region, pageRounded: size === undefined };
}

function create(
  name: string,
  options: CreateSharedMemoryOptions,
  mode: "create" | "open-or-create",
): SharedMemory {
  const what = `Cannot create shared memory "${name}"`;
  const full = mappingName(name, options?.global);
  const size = checkSize(options?.size, what, true)!;
  const access = checkAccess(options.access, what);
  const sddl = accessSddl(options.security, "GRGW", `${what}: security`);
  const k = kernel32();
  let file: OwnedHandle | null = null;
  if (options.file !== undefined) {
    if (typeof options.file !== "string" || options.file === "") {
      throw new TypeError(`${what}: file must be a path`);
    }
    file = OwnedHandle.from(
      k.CreateFileW(
        encodeUtf16z(options.file),
        access === "read" ? GENERIC_READ : GENERIC_READ_WRITE,
        FILE_SHARE_READ_WRITE,
        null,
        OPEN_ALWAYS,
        FILE_ATTRIBUTE_NORMAL,
        null,
      ),
      k.GetLastError(),
      "file",
      `${what}: cannot open its file "${options.file}"`,
    );
  }
  try {
    using attributes = new SecurityAttributes(sddl);
    const raw = k.CreateFileMappingW(
      file?.raw ?? Deno.UnsafePointer.create(0xffff_ffff_ffff_ffffn),
      Deno.UnsafePointer.of(attributes.attributes),
      access === "read" && file !== null ? PAGE_READONLY : PAGE_READWRITE,
      Math.floor(size / 0x1_0000_0000),
      size % 0x1_0000_0000,
      encodeUtf16z(full),
    );
    const code = k.GetLastError();
    if (isInvalidHandle(raw)) {
      if (code === ERROR.ACCESS_DENIED && /^Global\\/i.test(full)) {
        throw globalPrivilegeError(what, errorFromCode(code));
      }
      throw errorFromCode(code, what);
    }
    const mapping = new OwnedHandle(raw, "file mapping");
    const existed = code === ERROR.ALREADY_EXISTS;
    if (existed && mode === "create") {
      mapping.close();
      throw new Deno.errors.AlreadyExists(`${what}: the name is taken`);
    }
    try {
      const view = mapView(mapping, access, size, full, existed);
      return new SharedMemory(CONSTRUCT, {
        mapping,
        file,
        address: view.address,
        name: full,
        size,
        created: !existed,
        access,
        pageRounded: false,
      });
    } catch (error) {
      mapping.close();
      throw error;
    }
  } catch (error) {
    file?.close();
    throw error;
  }
}

/**
 * Creates a named mapping and maps it. Fails if the name exists.
 *
 * @example Share bytes with another process
 * ```ts no-run
 * import { createSharedMemory } from "@winipc/winipc/shared-memory";
 *
 * using shm = createSharedMemory("my-app-state", { size: 4096 });
 * shm.bytes.set(new TextEncoder().encode("hello"));
 * ```
 *
 * @param name A short name (`Local\` is added), or `Local\...`/`Global\...`.
 * @param options Size, access, backing file, security, namespace.
 * @returns The mapping (`created` is true).
 * @throws {TypeError} For a bad name or option.
 * @throws {RangeError} For a bad size.
 * @throws {Deno.errors.AlreadyExists} If the name exists.
 * @throws {Deno.errors.PermissionDenied} For `Global\` without the privilege.
 */
export function createSharedMemory(
  name: string,
  options: CreateSharedMemoryOptions,
): SharedMemory {
  return create(name, options, "create");
}

/**
 * Opens the named mapping if it exists (then `created` is false, and it
 * must be at least `size` bytes), or creates it.
 *
 * @example Whoever comes first creates it
 * ```ts no-run
 * import { openOrCreateSharedMemory } from "@winipc/winipc/shared-memory";
 *
 * using shm = openOrCreateSharedMemory("my-app-state", { size: 4096 });
 * if (shm.created) shm.writeSync(0, new Uint8Array([1]));
 * ```
 *
 * @param name A short name, or `Local\...`/`Global\...`.
 * @param options Size, access, backing file, security, namespace.
 * @returns The mapping; `created` says whether this call made it.
 * @throws {TypeError} For a bad name or option.
 * @throws {RangeError} If an existing mapping is smaller than `size`.
 * @throws {Deno.errors.PermissionDenied} For `Global\` without the privilege.
 */
export function openOrCreateSharedMemory(
  name: string,
  options: CreateSharedMemoryOptions,
): SharedMemory {
  return create(name, options, "open-or-create");
}

/**
 * Opens an existing named mapping, made by winipc or by any program
 * (`CreateFileMappingW`).
 *
 * @example Read what another process wrote
 * ```ts no-run
 * import { openSharedMemory } from "@winipc/winipc/shared-memory";
 *
 * using shm = openSharedMemory("my-app-state", { size: 4096, access: "read" });
 * const head = shm.readSync(0, new Uint8Array(5));
 * ```
 *
 * @param name A short name, or `Local\...`/`Global\...`.
 * @param options Size (default: the whole mapping, page-rounded), access, namespace.
 * @returns The mapping (`created` is false).
 * @throws {Deno.errors.NotFound} If no such mapping exists.
 * @throws {Deno.errors.PermissionDenied} If its security excludes this access.
 * @throws {RangeError} If it is smaller than `size`.
 */
export function openSharedMemory(
  name: string,
  options: OpenSharedMemoryOptions = {},
): SharedMemory {
  const full = mappingName(name, options.global);
  const what = `Cannot open shared memory "${full}"`;
  const size = checkSize(options.size, what, false);
  const access = checkAccess(options.access, what);
  const k = kernel32();
  const raw = k.OpenFileMappingW(
    access === "read" ? FILE_MAP_READ : FILE_MAP_READ | FILE_MAP_WRITE,
    0,
    encodeUtf16z(full),
  );
  const code = k.GetLastError();
  if (isInvalidHandle(raw)) {
    if (code === ERROR.FILE_NOT_FOUND) {
      throw new Deno.errors.NotFound(`${what}: no such mapping`, { cause: errorFromCode(code) });
    }
    throw errorFromCode(code, what);
  }
  const mapping = new OwnedHandle(raw, "file mapping");
  try {
    const view = mapView(mapping, access, size, full, true);
    return new SharedMemory(CONSTRUCT, {
      mapping,
      file: null,
      address: view.address,
      name: full,
      size: view.size,
      created: false,
      access,
      pageRounded: view.pageRounded,
    });
  } catch (error) {
    mapping.close();
    throw error;
  }
}
