// Copyright 2026 the winipc authors. MIT license.
/**
 * The sending end of a shared channel: `SharedChannelSender`.
 *
 * @module
 */
import type { WaitOptions } from "../_win32/options.ts";
import { checkTimeout } from "../_win32/timeout.ts";
import { checkConstruct, type ConstructKey } from "../_win32/construct.ts";
import { type ChannelCore, deadlineOf, RingSender } from "./_ring.ts";

/**
 * The sending end of a shared channel, from {@linkcode createSharedChannel}
 * or {@linkcode openSharedChannel}; not constructed directly.
 *
 * @example Send, then close: the receiver sees the end of the stream
 * ```ts no-run
 * import { createSharedChannel } from "@winipc/winipc/shared-memory";
 *
 * const tx = createSharedChannel("frames", { role: "sender" });
 * await tx.send(new Uint8Array(4096), { timeout: 1000 });
 * tx.close();
 * ```
 */
export class SharedChannelSender implements Disposable {
  readonly #ring: RingSender;
  #sending = false;
  #writable?: WritableStream<Uint8Array>;

  /** @ignore */
  constructor(key: ConstructKey, core: ChannelCore) {
    checkConstruct(
      key,
      "a SharedChannelSender comes from createSharedChannel() or openSharedChannel()",
    );
    this.#ring = new RingSender(core);
  }

  /** The channel's mapping name. */
  get name(): string {
    return this.#ring.name;
  }

  /** The largest message, in bytes (`capacity - 4`). */
  get maxMessageSize(): number {
    return this.#ring.maxMessageSize;
  }

  /**
   * The raw Win32 handle of the channel's file mapping (its header and
   * ring; see the module documentation for the layout), for calls of your
   * own through FFI (`DuplicateHandle`, `MapViewOfFile`). The channel's two
   * named events are not reachable through it. It stays owned by this end:
   * do not close it.
   *
   * @throws {Deno.errors.BadResource} If this end is closed.
   */
  get unsafeHandle(): Deno.PointerValue {
    return this.#ring.unsafeHandle;
  }

  /**
   * Sends one whole message. Waits (holding no thread) while the ring is
   * full: back-pressure.
   *
   * @example Send, waiting at most a second for room
   * ```ts no-run
   * import { createSharedChannel } from "@winipc/winipc/shared-memory";
   *
   * using tx = createSharedChannel("frames", { role: "sender" });
   * await tx.send(new Uint8Array([1, 2, 3]), { timeout: 1000 });
   * ```
   *
   * @param data The bytes; zero bytes is a valid message.
   * @param options A timeout and a signal for the wait for room: `0` sends
   * only if there is room now.
   * @throws {TypeError} If `data` is not a `Uint8Array`.
   * @throws {RangeError} If the message is larger than
   * {@linkcode maxMessageSize}, or for a bad timeout.
   * @throws {Deno.errors.TimedOut} If no room came in time (nothing was sent).
   * @throws {Deno.errors.BrokenPipe} If the receiver has closed, or its
   * process ended.
   * @throws {Deno.errors.BadResource} If this end is (or gets) closed.
   * @throws {Deno.errors.Busy} If another send is in progress.
   */
  async send(data: Uint8Array, options: WaitOptions = {}): Promise<void> {
    const ring = this.#ring;
    const message = data;
    const ms = checkTimeout(options.timeout, `send on shared channel "${ring.name}"`);
    options.signal?.throwIfAborted();
    ring.check("send on");
    if (!(message instanceof Uint8Array)) {
      throw new TypeError(`Cannot send on shared channel "${ring.name}": send a Uint8Array`);
    }
    if (message.byteLength > ring.maxMessageSize) {
      throw new RangeError(
        `Cannot send a ${message.byteLength}-byte message on shared channel "${ring.name}": the largest is ${ring.maxMessageSize} bytes`,
      );
    }
    if (this.#sending) {
      throw new Deno.errors.Busy(
        `Cannot send on shared channel "${ring.name}": a send is in progress`,
      );
    }
    this.#sending = true;
    try {
      const need = ring.recordSize(message.byteLength);
      const deadline = deadlineOf(ms);
      while (true) {
        if (ring.receiverClosed) {
          throw new Deno.errors.BrokenPipe(
            `Cannot send on shared channel "${ring.name}": the receiver has closed`,
          );
        }
        if (ring.hasRoom(need)) break;
        if (ms !== 0 && ring.lookForRoom(need)) continue;
        // Full: sleep until the receiver makes room.
        const woke = await ring.sleep(
          () => ring.roomNow(need),
          options.signal,
          deadline,
          "send on",
        );
        if (woke === "ready") break;
        if (woke === "peer-gone") {
          throw new Deno.errors.BrokenPipe(
            `Cannot send on shared channel "${ring.name}": the receiver's process ended`,
          );
        }
        if (woke === "timeout") {
          // Room may have come at the last moment: one more look first.
          if (ring.roomNow(need)) break;
          throw new Deno.errors.TimedOut(
            `Cannot send on shared channel "${ring.name}": no room for a ${message.byteLength}-byte message came within ${ms} ms`,
          );
        }
      }
      ring.write(message);
    } finally {
      this.#sending = false;
    }
  }

  /**
   * A stream whose chunks are sent as messages; closing it closes this end.
   *
   * @example Pipe a stream of messages
   * ```ts no-run
   * import { createSharedChannel } from "@winipc/winipc/shared-memory";
   *
   * const tx = createSharedChannel("frames", { role: "sender" });
   * await ReadableStream.from([new Uint8Array([1]), new Uint8Array([2])]).pipeTo(tx.writable);
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= new WritableStream({
      write: (chunk) => this.send(chunk),
      close: () => this[Symbol.dispose](),
      abort: () => this[Symbol.dispose](),
    });
    return this.#writable;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#ring.closed;
  }

  /**
   * Closes this end: the receiver gets the messages already sent, then the
   * end of the stream.
   *
   * @example Send, then end the stream
   * ```ts no-run
   * import { createSharedChannel } from "@winipc/winipc/shared-memory";
   *
   * const tx = createSharedChannel("frames", { role: "sender" });
   * await tx.send(new Uint8Array([1]));
   * tx.close();
   * ```
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    this.#ring.close();
  }

  /** Closes if still open. */
  [Symbol.dispose](): void {
    this.#ring.dispose();
  }
}
