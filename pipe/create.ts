// Copyright 2026 the winipc authors. MIT license.
/**
 * `createPipe` and `openPipeHandle`.
 *
 * @module
 */
import {
  FILE_FLAG_FIRST_PIPE_INSTANCE,
  FILE_FLAG_OVERLAPPED,
  FILE_TYPE_PIPE,
  GENERIC_WRITE,
  kernel32,
  ntdll,
  OPEN_EXISTING,
  outValue,
  PIPE_ACCESS_INBOUND,
  PIPE_REJECT_REMOTE_CLIENTS,
  PIPE_TYPE_BYTE,
} from "../_win32/ffi.ts";
import { errorFromCode } from "../_win32/errors.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { OWNER_ONLY_SDDL, SecurityAttributes } from "../_win32/security.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { uniquePipePath } from "../_win32/pipes.ts";
import { checkChoice } from "../_win32/options.ts";
import type { PipeReader, PipeWriter } from "./end.ts";
import { newPipeReader, newPipeWriter } from "./_end.ts";

/** Options for {@linkcode createPipe}. */
export interface CreatePipeOptions {
  /**
   * Kernel buffer size in bytes (a hint to Windows).
   * @default {65536}
   */
  bufferSize?: number;
  /**
   * Which ends are meant for child processes. Those are made synchronous
   * (no `FILE_FLAG_OVERLAPPED`), the kind of handle every Win32 program
   * expects on its standard input and output. This process can still read
   * or write a synchronous end, but each pending call then holds one thread
   * of Deno's blocking pool. `"both"` makes a classic `CreatePipe` pair, for
   * connecting two children (`a | b`).
   *
   * Ends not named here are asynchronous (overlapped, completed through
   * winipc's one completion port). Such an end can still be given to a
   * child as long as this process has not read or written on it; the child
   * then gets an overlapped handle, which programs doing one read or write
   * at a time on it handle fine.
   * @default {"none"}
   */
  childEnd?: "none" | "reader" | "writer" | "both";
}

/** The two ends of a new pipe, from {@linkcode createPipe}. */
export interface PipeEnds {
  /** The read end. */
  readonly reader: PipeReader;
  /** The write end. */
  readonly writer: PipeWriter;
}

/** Which end of a pipe a handle is: `"read"` (a reader) or `"write"` (a writer). */
export type PipeAccess = "read" | "write";

/** Options for {@linkcode openPipeHandle}. */
export interface OpenPipeHandleOptions<A extends PipeAccess = PipeAccess> {
  /**
   * Which end the handle is: `"read"` makes a {@linkcode PipeReader},
   * `"write"` a {@linkcode PipeWriter}. Required: a pipe end carries bytes
   * one way, and the handle does not say which.
   */
  access: A;
}

function checkBufferSize(size: unknown): number {
  if (size === undefined) return 65536;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || size > 0x7fff_ffff) {
    throw new RangeError(
      `Cannot create a pipe: bufferSize must be an integer from 0 to 2147483647, got ${size}`,
    );
  }
  return size;
}

/**
 * Creates an anonymous pipe: bytes written to `writer` are read from
 * `reader`; `reader` sees the end of the stream once every copy of the
 * write end (this process's and any child's) is closed.
 *
 * Both ends are asynchronous by default: a pending read holds no thread.
 * Windows' own anonymous pipes (`CreatePipe`) cannot do overlapped I/O, so,
 * as libuv does, the pair is a named pipe with a unique random name,
 * exactly one instance, an owner-only access rule and remote clients
 * refused, connected at once from both ends. Neither end is inheritable:
 * only {@linkcode spawn} hands an end to a child, and only to that child.
 *
 * @example In one process
 * ```ts no-run
 * import { createPipe } from "@winipc/winipc/pipe";
 *
 * const { reader, writer } = createPipe();
 * await writer.write(new TextEncoder().encode("hi"));
 * writer.close();
 * const buffer = new Uint8Array(16);
 * const n = await reader.read(buffer); // 2; then null
 * ```
 *
 * @param options Buffer size, and which ends are meant for children.
 * @returns The two ends.
 * @throws {RangeError} For a bad buffer size.
 * @throws {TypeError} For a bad `childEnd`.
 */
export function createPipe(options: CreatePipeOptions = {}): PipeEnds {
  const bufferSize = checkBufferSize(options.bufferSize);
  const childEnd = checkChoice(
    options.childEnd,
    ["none", "reader", "writer", "both"],
    "none",
    "childEnd",
    "Cannot create a pipe",
  );
  const k = kernel32();
  if (childEnd === "both") {
    const read = new BigUint64Array(1);
    const write = new BigUint64Array(1);
    if (
      !k.CreatePipe(new Uint8Array(read.buffer), new Uint8Array(write.buffer), null, bufferSize)
    ) {
      throw errorFromCode(k.GetLastError(), "Cannot create a pipe");
    }
    return {
      reader: newPipeReader(
        new OwnedHandle(Deno.UnsafePointer.create(outValue(read))!, "pipe"),
        false,
      ),
      writer: newPipeWriter(
        new OwnedHandle(Deno.UnsafePointer.create(outValue(write))!, "pipe"),
        false,
      ),
    };
  }
  const path = uniquePipePath("winipc-anon");
  const wide = encodeUtf16z(path);
  const readerOverlapped = childEnd !== "reader";
  const writerOverlapped = childEnd !== "writer";
  using security = new SecurityAttributes(OWNER_ONLY_SDDL);
  const server = OwnedHandle.from(
    k.CreateNamedPipeW(
      wide,
      PIPE_ACCESS_INBOUND | FILE_FLAG_FIRST_PIPE_INSTANCE |
        (readerOverlapped ? FILE_FLAG_OVERLAPPED : 0),
      PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS,
      1,
      bufferSize,
      bufferSize,
      0,
      Deno.UnsafePointer.of(security.attributes),
    ),
    k.GetLastError(),
    "pipe",
    "Cannot create a pipe",
  );
  let client: OwnedHandle;
  try {
    client = OwnedHandle.from(
      k.CreateFileW(
        wide,
        GENERIC_WRITE,
        0,
        null,
        OPEN_EXISTING,
        writerOverlapped ? FILE_FLAG_OVERLAPPED : 0,
        null,
      ),
      k.GetLastError(),
      "pipe",
      "Cannot open the write end of a new pipe",
    );
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    reader: newPipeReader(server, readerOverlapped),
    writer: newPipeWriter(client, writerOverlapped),
  };
}

const FILE_MODE_INFORMATION = 16;
const FILE_SYNCHRONOUS_IO_ALERT = 0x10;
const FILE_SYNCHRONOUS_IO_NONALERT = 0x20;

/**
 * Opens a pipe end this process inherited, by its handle value, which the
 * parent passed on (for example on the command line:
 * `String(Deno.UnsafePointer.value(end.unsafeHandle))`; see
 * {@linkcode PipeReader.unsafeHandle}). The returned end owns the handle
 * and closes it.
 *
 * An overlapped handle (what winipc hands out by default) is read and
 * written through the completion port, holding no thread; a synchronous one
 * (from `CreatePipe`, or a `childEnd` of {@linkcode createPipe}) through
 * Deno's blocking pool, one pool thread per pending call.
 *
 * @example In a child started with `spawn(..., { inherit: [writer], args: [String(Deno.UnsafePointer.value(writer.unsafeHandle))] })`
 * ```ts no-run
 * import { openPipeHandle } from "@winipc/winipc/pipe";
 *
 * using out = openPipeHandle(Number(Deno.args[0]), { access: "write" });
 * await out.write(new TextEncoder().encode("hello, parent"));
 * ```
 *
 * @param value The handle value (a number, or the `bigint` that
 * `Deno.UnsafePointer.value` may give).
 * @param options Which end it is.
 * @returns The end.
 * @throws {TypeError} For a bad value or `access`, or a handle that is not a pipe.
 * @throws {Deno.errors.BadResource} If no such handle is open in this process.
 */
export function openPipeHandle<A extends PipeAccess>(
  value: number | bigint,
  options: OpenPipeHandleOptions<A>,
): A extends "read" ? PipeReader : PipeWriter {
  const valid = typeof value === "bigint"
    ? value > 0n && value < 2n ** 63n
    : Number.isSafeInteger(value) && value > 0;
  if (!valid) {
    throw new TypeError(`Cannot open pipe handle ${value}: a handle value is a positive integer`);
  }
  if (options === null || typeof options !== "object" || options.access === undefined) {
    throw new TypeError(
      `Cannot open pipe handle ${value}: options.access must be "read" or "write"`,
    );
  }
  // The fallback is never used: access is required (checked above).
  const access = checkChoice(
    options.access,
    ["read", "write"],
    "read",
    "access",
    `Cannot open pipe handle ${value}`,
  );
  const raw = Deno.UnsafePointer.create(BigInt(value))!;
  const k = kernel32();
  if (!k.GetHandleInformation(raw, new Uint32Array(1))) {
    throw errorFromCode(
      k.GetLastError(),
      `Cannot open pipe handle ${value}: it is not open in this process (was it inherited?)`,
    );
  }
  const type = k.GetFileType(raw);
  if (type !== FILE_TYPE_PIPE) {
    throw new TypeError(`Cannot open pipe handle ${value}: it is not a pipe (file type ${type})`);
  }
  const status = new Uint8Array(16);
  const mode = new Uint32Array(1);
  const nt = ntdll().NtQueryInformationFile(
    raw,
    status,
    new Uint8Array(mode.buffer),
    4,
    FILE_MODE_INFORMATION,
  );
  if (nt !== 0) {
    throw errorFromCode(
      ntdll().RtlNtStatusToDosError(nt),
      `Cannot open pipe handle ${value}: its mode cannot be read`,
    );
  }
  const overlapped =
    (outValue(mode) & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) === 0;
  const handle = new OwnedHandle(raw, "pipe");
  return (access === "read"
    ? newPipeReader(handle, overlapped)
    : newPipeWriter(handle, overlapped)) as A extends "read" ? PipeReader : PipeWriter;
}
