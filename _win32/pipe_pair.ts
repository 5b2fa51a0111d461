// Copyright 2026 the winipc authors. MIT license.
/**
 * A connected pair of overlapped pipe handles in this process: a uniquely
 * named pipe with exactly one instance, opened from both ends, as libuv does
 * for asynchronous anonymous pipes (`CreatePipe` handles cannot do overlapped
 * I/O). Both ends are associated with the completion core.
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
import { associate } from "./completion.ts";

let serial = 0;

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
  const bufferSize = options.bufferSize ?? 65536;
  const k = kernel32();
  const random = crypto.getRandomValues(new Uint32Array(2));
  const name = encodeUtf16z(
    `\\\\.\\pipe\\winipc-${k.GetCurrentProcessId()}-${++serial}-${random[0].toString(16)}${
      random[1].toString(16)
    }`,
  );
  const server = OwnedHandle.from(
    k.CreateNamedPipeW(
      name,
      PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
      PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS,
      1,
      bufferSize,
      bufferSize,
      0,
      null,
    ),
    "pipe",
    "Cannot create pipe pair",
  );
  try {
    const client = OwnedHandle.from(
      k.CreateFileW(
        name,
        GENERIC_READ_WRITE,
        0,
        null,
        OPEN_EXISTING,
        FILE_FLAG_OVERLAPPED,
        null,
      ),
      "pipe",
      "Cannot open pipe pair",
    );
    try {
      associate(server);
      associate(client);
    } catch (error) {
      client.close();
      throw error;
    }
    return [server, client];
  } catch (error) {
    server.close();
    throw error;
  }
}
