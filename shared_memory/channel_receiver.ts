// Copyright 2026 the winipc authors. MIT license.
/**
 * The receiving end of a shared channel: `SharedChannelReceiver`.
 *
 * @module
 */
import type { WaitOptions } from "../_win32/options.ts";
import { checkTimeout } from "../_win32/timeout.ts";
import { checkConstruct, type ConstructKey } from "../_win32/construct.ts";
import { type ChannelCore, deadlineOf, RingReceiver } from "./_ring.ts";

/**
 * The receiving end of a shared channel, from
 * {@linkcode createSharedChannel} or {@linkcode openSharedChannel}; not
 * constructed directly. An async iterable of messages that ends at the end
 * of the stream (the sender closed, or its process ended).
 *
 * @example Receive with a deadline
 * ```ts no-run
 * import { createSharedChannel } from "@winipc/winipc/shared-memory";
 *
 * using rx = createSharedChannel("frames", { role: "receiver" });
 * const frame = await rx.receive({ timeout: 5000 }); // null at the end of the stream
 * ```
 */
export class SharedChannelReceiver implements Disposable, AsyncIterable<Uint8Array> {
  readonly #ring: RingReceiver;
  #receiving = false;
  #readable?: ReadableStream<Uint8Array>;

  /** @ignore */
  constructor(key: ConstructKey, core: ChannelCore) {
    checkConstruct(
      key,
      "a SharedChannelReceiver comes from createSharedChannel() or openSharedChannel()",
    );
    this.#ring = new RingReceiver(core);
  }

  /** The channel's mapping name. */
  get name(): string {
    return this.#ring.name;
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
   * Receives the next whole message, waiting (holding no thread) while the
   * ring is empty.
   *
   * @example Receive, waiting at most a second
   * ```ts no-run
   * import { openSharedChannel } from "@winipc/winipc/shared-memory";
   *
   * using rx = openSharedChannel("frames", { role: "receiver" });
   * const message = await rx.receive({ timeout: 1000 });
   * if (message === null) console.log("the sender has closed");
   * ```
   *
   * @param options A timeout and a signal: `0` takes a message only if one
   * is there now.
   * @returns The message, or `null` once the sender has closed (or its
   * process ended) and every message it sent has been received.
   * @throws {RangeError} For a bad timeout.
   * @throws {Deno.errors.TimedOut} If no message came in time.
   * @throws {Deno.errors.UnexpectedEof} If the sender's process ended in
   * the middle of writing a message.
   * @throws {Deno.errors.InvalidData} If the ring holds a record that cannot
   * be (a length larger than the ring or than what was written): messages
   * are untrusted, and nothing is read out of bounds.
   * @throws {Deno.errors.BadResource} If this end is closed.
   * @throws {Deno.errors.Busy} If another receive is in progress.
   */
  async receive(options: WaitOptions = {}): Promise<Uint8Array | null> {
    const ring = this.#ring;
    const ms = checkTimeout(options.timeout, `receive from shared channel "${ring.name}"`);
    options.signal?.throwIfAborted();
    ring.check("receive from");
    if (this.#receiving) {
      throw new Deno.errors.Busy(
        `Cannot receive from shared channel "${ring.name}": a receive is in progress`,
      );
    }
    this.#receiving = true;
    try {
      let available: number;
      const deadline = deadlineOf(ms);
      while (true) {
        available = ring.available();
        if (available > 0) break;
        if (ring.senderClosed) {
          // Closed, and (looking again after the flag) nothing left.
          if (ring.available() === 0) return null;
          continue;
        }
        if (ms !== 0 && ring.lookForData()) continue;
        // Empty: sleep until the sender writes.
        const woke = await ring.sleep(
          () => ring.available() > 0 || ring.senderClosed,
          options.signal,
          deadline,
          "receive from",
        );
        if (woke === "peer-gone") {
          // The sender's process ended: what it sent first, then the end.
          if (ring.available() > 0) continue;
          if (ring.senderWriting) {
            throw new Deno.errors.UnexpectedEof(
              `Shared channel "${ring.name}": the sender's process ended while writing a message`,
            );
          }
          return null;
        }
        if (woke === "timeout") {
          // A message (or the end) may have come at the last moment.
          if (ring.available() > 0 || ring.senderClosed) continue;
          throw new Deno.errors.TimedOut(
            `Cannot receive from shared channel "${ring.name}": no message came within ${ms} ms`,
          );
        }
      }
      return ring.read(available);
    } finally {
      this.#receiving = false;
    }
  }

  /**
   * Messages until the end of the stream: the sender closed (or its process
   * ended) and every message it sent was received.
   *
   * @example Every message
   * ```ts no-run
   * import { openSharedChannel } from "@winipc/winipc/shared-memory";
   *
   * using rx = openSharedChannel("frames", { role: "receiver" });
   * for await (const message of rx) console.log(message.length);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      const message = await this.receive();
      if (message === null) return;
      yield message;
    }
  }

  /**
   * The messages as a stream (created once), ending at the end of the
   * stream; cancelling it closes this end.
   *
   * @example Read through a stream reader
   * ```ts no-run
   * import { openSharedChannel } from "@winipc/winipc/shared-memory";
   *
   * using rx = openSharedChannel("frames", { role: "receiver" });
   * const { value } = await rx.readable.getReader().read();
   * ```
   */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= new ReadableStream({
      pull: async (controller) => {
        const message = await this.receive();
        if (message === null) controller.close();
        else controller.enqueue(message);
      },
      cancel: () => this[Symbol.dispose](),
    });
    return this.#readable;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#ring.closed;
  }

  /**
   * Closes this end; the sender's next send fails with `BrokenPipe`.
   *
   * @example Stop receiving
   * ```ts no-run
   * import { openSharedChannel } from "@winipc/winipc/shared-memory";
   *
   * const rx = openSharedChannel("frames", { role: "receiver" });
   * rx.close();
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
