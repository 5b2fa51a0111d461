// Copyright 2026 the winipc authors. MIT license.
/**
 * Overlapped pipe handles on the completion core: a pipe server instance,
 * a client end, the server's connect, and a connected pair in one process.
 *
 * The pair is a uniquely named pipe with exactly one instance, opened from
 * both ends, as libuv does for asynchronous anonymous pipes (`CreatePipe`
 * handles cannot do overlapped I/O). Every handle made here is associated
 * with the completion port.
 *
 * @module
 */
import {
  FILE_FLAG_FIRST_PIPE_INSTANCE,
  FILE_FLAG_OVERLAPPED,
  GENERIC_READ_WRITE,
  kernel32,
  OPEN_EXISTING,
  PIPE_ACCESS_DUPLEX,
  PIPE_REJECT_REMOTE_CLIENTS,
  PIPE_TYPE_BYTE,
} from "./ffi.ts";
import { OwnedHandle } from "./handle.ts";
import { encodeUtf16z } from "./utf16.ts";
import { associateOrClose, type IoResult, startIo } from "./completion.ts";
import { ERROR } from "./errors.ts";

/** Options for {@linkcode createPipeServer}. */
export interface PipeServerOptions {
  /**
   * Kernel buffer size of each direction, in bytes.
   * @default {65536}
   */
  bufferSize?: number | undefined;
  /**
   * Most instances of the name (1 to 255, where 255 means unlimited).
   * @default {1}
   */
  maxInstances?: number;
  /**
   * Fail if the name already exists (`FILE_FLAG_FIRST_PIPE_INSTANCE`).
   * @default {true}
   */
  firstInstance?: boolean;
}

/**
 * Creates one overlapped, duplex, byte-mode instance of a named pipe that
 * rejects remote clients.
 *
 * @param path The full path, `\\.\pipe\NAME`.
 * @param options Buffer size, instances, first-instance flag.
 * @returns The server end, associated with the completion port.
 * @throws The mapped Win32 error if the pipe cannot be created.
 */
export function createPipeServer(path: string, options: PipeServerOptions = {}): OwnedHandle {
  const { bufferSize = 65536, maxInstances = 1, firstInstance = true } = options;
  const mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED |
    (firstInstance ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
  const k = kernel32();
  return associateOrClose(OwnedHandle.from(
    k.CreateNamedPipeW(
      encodeUtf16z(path),
      mode,
      PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS,
      maxInstances,
      bufferSize,
      bufferSize,
      0,
      null,
    ),
    k.GetLastError(),
    "named pipe",
    `Cannot create pipe "${path}"`,
  ));
}

/**
 * Opens the client end of a named pipe for overlapped reading and writing.
 *
 * @param path The full path, `\\.\pipe\NAME`.
 * @returns The client end, associated with the completion port.
 * @throws The mapped Win32 error (NotFound, Busy, ...) if it cannot be opened.
 */
export function openPipeClient(path: string): OwnedHandle {
  const k = kernel32();
  return associateOrClose(OwnedHandle.from(
    k.CreateFileW(
      encodeUtf16z(path),
      GENERIC_READ_WRITE,
      0,
      null,
      OPEN_EXISTING,
      FILE_FLAG_OVERLAPPED,
      null,
    ),
    k.GetLastError(),
    "pipe",
    `Cannot open pipe "${path}"`,
  ));
}

/**
 * Waits for a client on a server instance (`ConnectNamedPipe`). A client
 * that connected before the call (`ERROR_PIPE_CONNECTED`) is success.
 *
 * @param server A server instance from {@linkcode createPipeServer}.
 * @param signal Cancels the wait.
 * @returns How it ended; `error` is 0 once a client is connected.
 */
export async function connectPipe(server: OwnedHandle, signal?: AbortSignal): Promise<IoResult> {
  const k = kernel32();
  const result = await startIo(
    server,
    (overlapped) => k.ConnectNamedPipe(server.raw, overlapped) ? 0 : k.GetLastError(),
    { signal },
  );
  return result.error === ERROR.PIPE_CONNECTED ? { ...result, error: 0 } : result;
}

let serial = 0;

/**
 * A pipe path no other pipe has: `\\.\pipe\<prefix>-<pid>-<serial>-<64
 * random bits>`, for pairs whose name nobody needs to know.
 *
 * @param prefix The start of the name.
 * @returns The full path.
 */
export function uniquePipePath(prefix: string): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `\\\\.\\pipe\\${prefix}-${kernel32().GetCurrentProcessId()}-${++serial}-${
    Array.from(random, (part) => part.toString(16)).join("")
  }`;
}

/** Options for {@linkcode createPipePair}. */
export interface PipePairOptions {
  /**
   * Kernel buffer size of each direction, in bytes.
   * @default {65536}
   */
  bufferSize?: number;
}

/**
 * Creates a connected, duplex, overlapped pipe pair in this process.
 *
 * @param options Buffer sizes.
 * @returns Both ends, associated with the completion port.
 * @throws The mapped Win32 error if the pipe cannot be made.
 */
export function createPipePair(options: PipePairOptions = {}): [OwnedHandle, OwnedHandle] {
  const path = uniquePipePath("winipc");
  const server = createPipeServer(path, { bufferSize: options.bufferSize });
  try {
    return [server, openPipeClient(path)];
  } catch (error) {
    server.close();
    throw error;
  }
}
