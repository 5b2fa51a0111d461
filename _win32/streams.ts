// Copyright 2026 the winipc authors. MIT license.
/**
 * Web Streams over `read`/`write` functions: a byte `ReadableStream` (BYOB
 * reads land straight in the reader's buffer) and a `WritableStream`, with
 * the closing rules every winipc byte stream shares.
 *
 * @module
 */

/** What a readable byte stream reads from. */
export interface ByteSource {
  /** Reads into `p`; `null` at the end of the stream. */
  read(p: Uint8Array): Promise<number | null>;
  /** True once the owner was closed (a read error then ends the stream quietly). */
  isClosed(): boolean;
  /** Closes the owner (the stream was cancelled). */
  close(): void;
}

/**
 * A byte `ReadableStream` that pulls from `source`. The stream ends at the
 * end of the source's data, and also when the source is closed while a read
 * is pending; any other read error errors the stream.
 *
 * @param source What to read from.
 * @param chunkSize The chunk size for default (non-BYOB) readers.
 * @returns The stream.
 */
export function byteReadable(source: ByteSource, chunkSize: number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: chunkSize,
    pull: async (controller) => {
      const request = controller.byobRequest!;
      const view = new Uint8Array(
        request.view!.buffer,
        request.view!.byteOffset,
        request.view!.byteLength,
      );
      try {
        const n = await source.read(view);
        if (n === null) {
          controller.close();
          request.respond(0);
        } else {
          request.respond(n);
        }
      } catch (error) {
        if (source.isClosed()) {
          controller.close();
          request.respond(0);
        } else {
          controller.error(error);
        }
      }
    },
    cancel: () => {
      if (!source.isClosed()) source.close();
    },
  });
}

/** What a writable stream writes to. */
export interface ByteSink {
  /** Writes all of `p`. */
  write(p: Uint8Array): Promise<number>;
  /** True once the owner was closed. */
  isClosed(): boolean;
  /** Closes the owner (after pending writes; the stream was closed or aborted). */
  close(): void;
}

/**
 * A `WritableStream` that writes each chunk to `sink`, and closes the sink
 * when the stream is closed or aborted.
 *
 * @param sink What to write to.
 * @returns The stream.
 */
export function byteWritable(sink: ByteSink): WritableStream<Uint8Array> {
  const close = () => {
    if (!sink.isClosed()) sink.close();
  };
  return new WritableStream({
    write: async (chunk) => {
      await sink.write(chunk);
    },
    close,
    abort: close,
  });
}
