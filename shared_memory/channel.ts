// Copyright 2026 the winipc authors. MIT license.
/**
 * A single-producer, single-consumer channel of whole messages over a named
 * mapping: `createSharedChannel`, `openSharedChannel`, `SharedChannelSender`
 * and `SharedChannelReceiver`.
 *
 * The mapping holds a 256-byte header and a ring:
 *
 * | offset | field |
 * | --- | --- |
 * | 0 | magic `0x4E484357` ("WCHN") |
 * | 4 | version (1) |
 * | 8 | ring capacity in bytes (a power of two) |
 * | 64 | tail: bytes ever written (u32, wraps) |
 * | 128 | head: bytes ever read (u32, wraps) |
 * | 192, 196 | receiver waiting, sender waiting (0/1) |
 * | 200, 204 | sender closed, receiver closed (0/1) |
 * | 208, 212 | sender attached, receiver attached (0/1) |
 * | 216, 220 | sender's, receiver's process id (0 until attached) |
 * | 224, 232 | sender's, receiver's process creation time (`FILETIME`, low then high) |
 * | 240 | the sender is writing a record (0/1) |
 * | 256 | the ring: records of a 4-byte length, the message, padding to 4 |
 *
 * Indices are read and written with `Atomics`; a side that is about to
 * sleep says so in the header and checks again, and the other side sets
 * the named auto-reset event (`NAME.winipc-data`, `NAME.winipc-space`) only
 * then: no lost wake-up, and no event traffic while both sides keep up.
 *
 * **A peer that dies.** Each end records its process (id and creation
 * time, so a reused id is not mistaken for it). A side that sleeps waits on
 * its event and on the other side's process at once, so the kernel wakes it
 * when that process ends, with no polling: a receiver then gets the
 * messages already sent and the end of the stream (or `UnexpectedEof` if
 * the sender died in the middle of writing one), and a sender waiting for
 * room gets `BrokenPipe`. An end whose process died (or that was closed) can
 * be taken by a new process, which continues the same ring.
 *
 * @module
 */
import { kernel32 } from "../_win32/ffi.ts";
import { ERROR, errorFromCode, lastError } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { accessSddl, SecurityAttributes } from "../_win32/security.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { waitForAny, waitForHandle } from "../_win32/wait.ts";
import { checkChoice, type SecurityRule, type WaitOptions } from "../_win32/options.ts";
import { checkTimeout } from "../_win32/timeout.ts";
import { currentProcess, openProcessToWatch } from "../_win32/peer_process.ts";
import { AdaptiveLook } from "../_win32/adaptive_look.ts";
import {
  createSharedMemory,
  mappingName,
  openSharedMemory,
  type SharedMemory,
} from "./shared_memory.ts";

/** Which end of a channel a process holds. */
export type SharedChannelRole = "sender" | "receiver";

/** Options for {@linkcode createSharedChannel}. */
export interface CreateSharedChannelOptions {
  /** Which end this process takes. */
  role: SharedChannelRole;
  /**
   * The ring's size in bytes: a power of two from 4 KiB to 1 GiB. The
   * largest message is `capacity - 4` bytes.
   * @default {1048576}
   */
  capacity?: number;
  /**
   * Who else may open the channel's mapping and events: `"owner"` (the
   * current user, SYSTEM and Administrators), `"everyone"`, or `{ sddl }`.
   * @default {"owner"}
   */
  security?: SecurityRule;
}

/** Options for {@linkcode openSharedChannel}. */
export interface OpenSharedChannelOptions {
  /** Which end this process takes. */
  role: SharedChannelRole;
}

const MAGIC = 0x4e48_4357;
const VERSION = 2;
const HEADER = 256;
const I_TAIL = 16;
const I_HEAD = 32;
const I_RECEIVER_WAITING = 48;
const I_SENDER_WAITING = 49;
const I_SENDER_CLOSED = 50;
const I_RECEIVER_CLOSED = 51;
const I_SENDER_ATTACHED = 52;
const I_RECEIVER_ATTACHED = 53;
const I_SENDER_WRITING = 60;
const ROLE_FIELDS = {
  sender: { attached: I_SENDER_ATTACHED, closed: I_SENDER_CLOSED, pid: 54, birth: 56 },
  receiver: { attached: I_RECEIVER_ATTACHED, closed: I_RECEIVER_CLOSED, pid: 55, birth: 58 },
} as const;
const EVENT_ACCESS = 0x0010_0002; // SYNCHRONIZE | EVENT_MODIFY_STATE

/** The mapping, events and shared indices of one end. */
class ChannelCore {
  readonly shm: SharedMemory;
  readonly ints: Int32Array;
  readonly ring: Uint8Array;
  readonly capacity: number;
  readonly data: OwnedHandle;
  readonly space: OwnedHandle;
  readonly name: string;

  constructor(shm: SharedMemory, data: OwnedHandle, space: OwnedHandle, capacity: number) {
    this.shm = shm;
    this.data = data;
    this.space = space;
    this.capacity = capacity;
    this.name = shm.name;
    const bytes = shm.bytes;
    this.ints = new Int32Array(bytes.buffer, bytes.byteOffset, HEADER / 4);
    this.ring = bytes.subarray(HEADER, HEADER + capacity);
  }

  load(index: number): number {
    return Atomics.load(this.ints, index) >>> 0;
  }

  store(index: number, value: number): void {
    Atomics.store(this.ints, index, value | 0);
  }

  set(event: OwnedHandle): void {
    kernel32().SetEvent(event.raw);
  }

  /** Looks at the ring for a short while before this end sleeps on an event. */
  readonly looker: AdaptiveLook = new AdaptiveLook();

  /** The other side's process, as last opened. */
  #peer: { pid: number; birth: bigint; handle: OwnedHandle | "gone" | "unknown" } | null = null;

  /** The process holding `role`'s end: a handle to wait on, `"gone"`, or null if unknown. */
  peer(role: SharedChannelRole): OwnedHandle | "gone" | null {
    const fields = ROLE_FIELDS[role];
    const pid = this.load(fields.pid);
    if (pid === 0) return null;
    const birth = BigInt(this.load(fields.birth)) | (BigInt(this.load(fields.birth + 1)) << 32n);
    const known = this.#peer;
    if (known === null || known.pid !== pid || known.birth !== birth) {
      if (known !== null && typeof known.handle !== "string") known.handle.close();
      this.#peer = { pid, birth, handle: openProcessToWatch({ pid, birth }) };
    }
    const handle = this.#peer!.handle;
    return handle === "unknown" ? null : handle;
  }

  /**
   * Waits for `event`, or for the end of the process holding `peerRole`'s
   * end, until `deadline` (a `performance.now()` time, `Infinity` for
   * ever). A cancelled wait that took the event's signal puts it back.
   */
  async wait(
    event: OwnedHandle,
    signal: AbortSignal | undefined,
    deadline: number,
    peerRole: SharedChannelRole,
  ): Promise<"event" | "peer-gone" | "timeout"> {
    const peer = this.peer(peerRole);
    if (peer === "gone") return "peer-gone";
    const timeout = deadline === Infinity ? Infinity : deadline - performance.now();
    if (timeout <= 0) return "timeout";
    const restore = (raw: Deno.PointerObject, index: number) => {
      if (index === 0) kernel32().SetEvent(raw);
    };
    if (peer === null) {
      const result = await waitForHandle(event, { signal, timeout, restore });
      return result === "timeout" ? "timeout" : "event";
    }
    const index = await waitForAny([event, peer], { signal, timeout, restore });
    return index === -1 ? "timeout" : index === 0 ? "event" : "peer-gone";
  }

  close(): void {
    if (this.#peer !== null && typeof this.#peer.handle !== "string") this.#peer.handle.close();
    this.#peer = null;
    this.shm.close();
    this.data.close();
    this.space.close();
  }
}

function eventNames(mapping: string): [string, string] {
  return [`${mapping}.winipc-data`, `${mapping}.winipc-space`];
}

/** The most {@linkcode eventNames} adds to the mapping's name. */
const EVENT_SUFFIX_LENGTH = ".winipc-space".length;

function attach(core: ChannelCore, role: SharedChannelRole): void {
  const fields = ROLE_FIELDS[role];
  const me = currentProcess();
  if (Atomics.compareExchange(core.ints, fields.attached, 0, 1) !== 0) {
    // Taken: by a process that is gone, or an end that was closed? Then
    // this process takes it over (one taker wins the exchange of the id).
    const holder = core.load(fields.pid);
    const taken = () =>
      new Deno.errors.Busy(
        `Cannot open shared channel "${core.name}" as its ${role}: it already has one (a channel has one sender and one receiver)`,
      );
    if (holder === 0) throw taken();
    if (core.load(fields.closed) === 0) {
      const process = core.peer(role);
      if (process !== "gone") {
        if (process === null || kernel32().WaitForSingleObject(process.raw, 0) !== 0) {
          throw taken();
        }
      }
    }
    if (Atomics.compareExchange(core.ints, fields.pid, holder | 0, 0) !== (holder | 0)) {
      throw taken();
    }
    if (role === "sender") core.store(I_SENDER_WRITING, 0);
    core.store(fields.closed, 0);
  }
  core.store(fields.birth, Number(me.birth & 0xffff_ffffn));
  core.store(fields.birth + 1, Number(me.birth >> 32n));
  core.store(fields.pid, me.pid); // the id last: a reader never sees half an identity
  // Wake the other side, so that a sleeper starts watching this process.
  core.set(core.data);
  core.set(core.space);
}

/** Set only while {@linkcode makeEnd} constructs an end. */
let endCore: ChannelCore | null = null;

function takeCore(what: string): ChannelCore {
  const core = endCore;
  if (core === null) {
    throw new TypeError(
      `Illegal constructor: ${what} comes from createSharedChannel() or openSharedChannel()`,
    );
  }
  endCore = null;
  return core;
}

function makeEnd(
  core: ChannelCore,
  role: SharedChannelRole,
): SharedChannelSender | SharedChannelReceiver {
  attach(core, role);
  endCore = core;
  try {
    return role === "sender"
      ? new (SharedChannelSender as unknown as new () => SharedChannelSender)()
      : new (SharedChannelReceiver as unknown as new () => SharedChannelReceiver)();
  } finally {
    endCore = null;
  }
}

function checkRole(role: unknown, what: string): SharedChannelRole {
  if (role === undefined) {
    throw new TypeError(`${what}: role must be "sender" or "receiver", got undefined`);
  }
  return checkChoice(role, ["sender", "receiver"], "sender", "role", what);
}

/** The deadline of a wait of `ms` milliseconds from now (`Infinity`: none). */
function deadlineOf(ms: number): number {
  return ms === Infinity ? Infinity : performance.now() + ms;
}

/**
 * Creates a channel (its mapping and two named events) and takes one end.
 * The other process opens the other end with {@linkcode openSharedChannel}.
 *
 * @example A sender here, a receiver in another process
 * ```ts no-run
 * import { createSharedChannel, openSharedChannel } from "@winipc/winipc/shared-memory";
 *
 * using tx = createSharedChannel("frames", { role: "sender", capacity: 1 << 20 });
 * await tx.send(new Uint8Array(4096));
 * // elsewhere:
 * using rx = openSharedChannel("frames", { role: "receiver" });
 * for await (const message of rx) console.log(message.length);
 * ```
 *
 * @param name A short name (`Local\` is added) or `Local\...`/`Global\...`,
 * at most 247 characters in all (its events add 13).
 * @param options Role, capacity, security.
 * @returns This process's end.
 * @throws {TypeError} For a bad name (see {@linkcode createSharedMemory}).
 * @throws {Deno.errors.AlreadyExists} If the name is taken.
 * @throws {RangeError} For a bad capacity.
 */
export function createSharedChannel<R extends SharedChannelRole>(
  name: string,
  options: CreateSharedChannelOptions & { role: R },
): R extends "sender" ? SharedChannelSender : SharedChannelReceiver {
  const full = mappingName(name, false, EVENT_SUFFIX_LENGTH);
  const what = `Cannot create shared channel "${full}"`;
  const role = checkRole(options?.role, what);
  const capacity = options.capacity ?? 1 << 20;
  if (
    !Number.isInteger(capacity) || capacity < 4096 || capacity > 1 << 30 ||
    (capacity & (capacity - 1)) !== 0
  ) {
    throw new RangeError(
      `${what}: capacity must be a power of two from 4096 to 1073741824 bytes, got ${capacity}`,
    );
  }
  const shm = createSharedMemory(full, {
    size: HEADER + capacity,
    ...(options.security !== undefined ? { security: options.security } : {}),
  });
  const events: OwnedHandle[] = [];
  try {
    // SYNCHRONIZE | EVENT_MODIFY_STATE for Everyone on the events.
    const sddl = accessSddl(options.security, "0x00100002", `${what}: security`);
    using security = new SecurityAttributes(sddl);
    for (const eventName of eventNames(full)) {
      const raw = kernel32().CreateEventW(
        Deno.UnsafePointer.of(security.attributes),
        0,
        0,
        encodeUtf16z(eventName),
      );
      const code = lastError();
      if (isInvalidHandle(raw)) throw errorFromCode(code, `${what}: cannot create its event`);
      events.push(new OwnedHandle(raw, "event"));
      if (code === ERROR.ALREADY_EXISTS) {
        throw new Deno.errors.AlreadyExists(`${what}: its event "${eventName}" already exists`);
      }
    }
    const view = new DataView(shm.bytes.buffer, shm.bytes.byteOffset, HEADER);
    view.setUint32(4, VERSION, true);
    view.setUint32(8, capacity, true);
    // The magic last: an opener never sees a half-written header as valid.
    Atomics.store(new Int32Array(shm.bytes.buffer, shm.bytes.byteOffset, 1), 0, MAGIC);
    // The loop above pushed one event for each of eventNames' two names (or threw).
    const core = new ChannelCore(shm, events[0]!, events[1]!, capacity);
    return makeEnd(core, role) as R extends "sender" ? SharedChannelSender : SharedChannelReceiver;
  } catch (error) {
    for (const event of events) event.close();
    shm.close();
    throw error;
  }
}

/**
 * Opens the other end of a channel made by {@linkcode createSharedChannel}
 * in another process. The header is validated first.
 *
 * @example The receiving end, in the second process
 * ```ts no-run
 * import { openSharedChannel } from "@winipc/winipc/shared-memory";
 *
 * using rx = openSharedChannel("frames", { role: "receiver" });
 * for await (const frame of rx) console.log(frame.length);
 * ```
 *
 * @param name The name given to `createSharedChannel`.
 * @param options The role: the end the creator did not take.
 * @returns This process's end.
 * @throws {TypeError} For a bad name (see {@linkcode createSharedMemory}).
 * @throws {Deno.errors.NotFound} If no such channel exists.
 * @throws {Deno.errors.InvalidData} If the mapping is not a winipc channel
 * this version reads (magic, version or capacity wrong).
 * @throws {Deno.errors.Busy} If that end is already taken.
 */
export function openSharedChannel<R extends SharedChannelRole>(
  name: string,
  options: OpenSharedChannelOptions & { role: R },
): R extends "sender" ? SharedChannelSender : SharedChannelReceiver {
  const full = mappingName(name, false, EVENT_SUFFIX_LENGTH);
  const what = `Cannot open shared channel "${full}"`;
  const role = checkRole(options?.role, what);
  const shm = openSharedMemory(full);
  const events: OwnedHandle[] = [];
  try {
    if (shm.size < HEADER) {
      throw new Deno.errors.InvalidData(`${what}: the mapping is too small for a channel header`);
    }
    const view = new DataView(shm.bytes.buffer, shm.bytes.byteOffset, HEADER);
    const magic = view.getUint32(0, true);
    if (magic !== MAGIC) {
      throw new Deno.errors.InvalidData(
        `${what}: the mapping is not a winipc channel (magic 0x${magic.toString(16)})`,
      );
    }
    const version = view.getUint32(4, true);
    if (version !== VERSION) {
      throw new Deno.errors.InvalidData(
        `${what}: channel version ${version}, this winipc reads version ${VERSION}`,
      );
    }
    const capacity = view.getUint32(8, true);
    if (
      capacity < 4096 || (capacity & (capacity - 1)) !== 0 || HEADER + capacity > shm.size
    ) {
      throw new Deno.errors.InvalidData(
        `${what}: its header says a capacity of ${capacity} bytes, which a ${shm.size}-byte mapping cannot hold`,
      );
    }
    for (const eventName of eventNames(full)) {
      const raw = kernel32().OpenEventW(EVENT_ACCESS, 0, encodeUtf16z(eventName));
      if (isInvalidHandle(raw)) {
        throw errorFromCode(lastError(), `${what}: cannot open its event "${eventName}"`);
      }
      events.push(new OwnedHandle(raw, "event"));
    }
    // The loop above pushed one event for each of eventNames' two names (or threw).
    const core = new ChannelCore(shm, events[0]!, events[1]!, capacity);
    return makeEnd(core, role) as R extends "sender" ? SharedChannelSender : SharedChannelReceiver;
  } catch (error) {
    for (const event of events) event.close();
    if (!shm.closed) shm.close();
    throw error;
  }
}

/**
 * The sending end of a shared channel, from {@linkcode createSharedChannel}
 * or {@linkcode openSharedChannel}; not constructed directly.
 *
 * An end has no `unsafeHandle`: it is a mapping and two events, not one
 * handle.
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
  readonly #core: ChannelCore;
  #tail: number;
  #closed = false;
  #sending = false;
  #writable?: WritableStream<Uint8Array>;

  private constructor() {
    const core = takeCore("SharedChannelSender");
    this.#core = core;
    this.#tail = core.load(I_TAIL);
  }

  /** The channel's mapping name. */
  get name(): string {
    return this.#core.name;
  }

  /** The largest message, in bytes (`capacity - 4`). */
  get maxMessageSize(): number {
    return this.#core.capacity - 4;
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
    const core = this.#core;
    const message = data;
    const ms = checkTimeout(options.timeout, `send on shared channel "${core.name}"`);
    options.signal?.throwIfAborted();
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot send on shared channel "${core.name}": it is closed`,
      );
    }
    if (!(message instanceof Uint8Array)) {
      throw new TypeError(`Cannot send on shared channel "${core.name}": send a Uint8Array`);
    }
    if (message.byteLength > core.capacity - 4) {
      throw new RangeError(
        `Cannot send a ${message.byteLength}-byte message on shared channel "${core.name}": the largest is ${
          core.capacity - 4
        } bytes`,
      );
    }
    if (this.#sending) {
      throw new Deno.errors.Busy(
        `Cannot send on shared channel "${core.name}": a send is in progress`,
      );
    }
    this.#sending = true;
    try {
      const need = 4 + ((message.byteLength + 3) & ~3);
      const deadline = deadlineOf(ms);
      while (true) {
        if (core.load(I_RECEIVER_CLOSED)) {
          throw new Deno.errors.BrokenPipe(
            `Cannot send on shared channel "${core.name}": the receiver has closed`,
          );
        }
        const used = (this.#tail - core.load(I_HEAD)) >>> 0;
        if (used > core.capacity) {
          throw new Deno.errors.InvalidData(
            `Shared channel "${core.name}" is corrupt: ${used} bytes in use in a ${core.capacity}-byte ring`,
          );
        }
        if (core.capacity - used >= need) break;
        if (
          ms !== 0 &&
          core.looker.look(() => core.capacity - ((this.#tail - core.load(I_HEAD)) >>> 0) >= need)
        ) {
          continue;
        }
        // Full: say so, look again, then sleep until the receiver makes room.
        core.store(I_SENDER_WAITING, 1);
        if (core.capacity - ((this.#tail - core.load(I_HEAD)) >>> 0) >= need) {
          core.store(I_SENDER_WAITING, 0);
          break;
        }
        let woke: "event" | "peer-gone" | "timeout";
        try {
          woke = await core.wait(core.space, options.signal, deadline, "receiver");
        } catch (error) {
          if (this.#closed) {
            throw new Deno.errors.BadResource(
              `Cannot send on shared channel "${core.name}": it was closed while sending`,
            );
          }
          throw error;
        } finally {
          if (!this.#closed) core.store(I_SENDER_WAITING, 0);
        }
        if (woke === "peer-gone") {
          throw new Deno.errors.BrokenPipe(
            `Cannot send on shared channel "${core.name}": the receiver's process ended`,
          );
        }
        if (woke === "timeout") {
          // Room may have come at the last moment: one more look first.
          if (core.capacity - ((this.#tail - core.load(I_HEAD)) >>> 0) >= need) break;
          throw new Deno.errors.TimedOut(
            `Cannot send on shared channel "${core.name}": no room for a ${message.byteLength}-byte message came within ${ms} ms`,
          );
        }
      }
      core.store(I_SENDER_WRITING, 1);
      const mask = core.capacity - 1;
      const at = this.#tail & mask;
      new DataView(core.ring.buffer, core.ring.byteOffset + at, 4).setUint32(
        0,
        message.byteLength,
        true,
      );
      const start = (at + 4) & mask;
      const first = Math.min(message.byteLength, core.capacity - start);
      core.ring.set(message.subarray(0, first), start);
      if (first < message.byteLength) core.ring.set(message.subarray(first), 0);
      this.#tail = (this.#tail + need) >>> 0;
      core.store(I_TAIL, this.#tail); // publishes the record
      core.store(I_SENDER_WRITING, 0);
      if (core.load(I_RECEIVER_WAITING)) core.set(core.data);
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
    return this.#closed;
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
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot close shared channel "${this.#core.name}": it is already closed`,
      );
    }
    this.#closed = true;
    this.#core.store(I_SENDER_CLOSED, 1);
    this.#core.set(this.#core.data);
    this.#core.close();
  }

  /** Closes if still open. */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }
}

/**
 * The receiving end of a shared channel, from
 * {@linkcode createSharedChannel} or {@linkcode openSharedChannel}; not
 * constructed directly. An async iterable of messages that ends at the end
 * of the stream (the sender closed, or its process ended).
 *
 * An end has no `unsafeHandle`: it is a mapping and two events, not one
 * handle.
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
  readonly #core: ChannelCore;
  #head: number;
  #closed = false;
  #receiving = false;
  #readable?: ReadableStream<Uint8Array>;

  private constructor() {
    const core = takeCore("SharedChannelReceiver");
    this.#core = core;
    this.#head = core.load(I_HEAD);
  }

  /** The channel's mapping name. */
  get name(): string {
    return this.#core.name;
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
    const core = this.#core;
    const ms = checkTimeout(options.timeout, `receive from shared channel "${core.name}"`);
    options.signal?.throwIfAborted();
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot receive from shared channel "${core.name}": it is closed`,
      );
    }
    if (this.#receiving) {
      throw new Deno.errors.Busy(
        `Cannot receive from shared channel "${core.name}": a receive is in progress`,
      );
    }
    this.#receiving = true;
    try {
      let available: number;
      const deadline = deadlineOf(ms);
      while (true) {
        available = (core.load(I_TAIL) - this.#head) >>> 0;
        if (available > 0) break;
        if (core.load(I_SENDER_CLOSED)) {
          // Closed, and (looking again after the flag) nothing left.
          if (((core.load(I_TAIL) - this.#head) >>> 0) === 0) return null;
          continue;
        }
        if (
          ms !== 0 &&
          core.looker.look(() =>
            ((core.load(I_TAIL) - this.#head) >>> 0) > 0 || core.load(I_SENDER_CLOSED) !== 0
          )
        ) {
          continue;
        }
        // Empty: say so, look again, then sleep until the sender writes.
        core.store(I_RECEIVER_WAITING, 1);
        if (((core.load(I_TAIL) - this.#head) >>> 0) > 0 || core.load(I_SENDER_CLOSED)) {
          core.store(I_RECEIVER_WAITING, 0);
          continue;
        }
        let woke: "event" | "peer-gone" | "timeout";
        try {
          woke = await core.wait(core.data, options.signal, deadline, "sender");
        } catch (error) {
          if (this.#closed) {
            throw new Deno.errors.BadResource(
              `Cannot receive from shared channel "${core.name}": it was closed while receiving`,
            );
          }
          throw error;
        } finally {
          if (!this.#closed) core.store(I_RECEIVER_WAITING, 0);
        }
        if (woke === "peer-gone") {
          // The sender's process ended: what it sent first, then the end.
          if (((core.load(I_TAIL) - this.#head) >>> 0) > 0) continue;
          if (core.load(I_SENDER_WRITING)) {
            throw new Deno.errors.UnexpectedEof(
              `Shared channel "${core.name}": the sender's process ended while writing a message`,
            );
          }
          return null;
        }
        if (woke === "timeout") {
          // A message (or the end) may have come at the last moment.
          if (((core.load(I_TAIL) - this.#head) >>> 0) > 0 || core.load(I_SENDER_CLOSED)) {
            continue;
          }
          throw new Deno.errors.TimedOut(
            `Cannot receive from shared channel "${core.name}": no message came within ${ms} ms`,
          );
        }
      }
      const mask = core.capacity - 1;
      const at = this.#head & mask;
      const length = new DataView(core.ring.buffer, core.ring.byteOffset + at, 4).getUint32(
        0,
        true,
      );
      const need = 4 + ((length + 3) & ~3);
      if (available > core.capacity || length > core.capacity - 4 || need > available) {
        throw new Deno.errors.InvalidData(
          `Shared channel "${core.name}" is corrupt: a ${length}-byte record with ${available} bytes written, in a ${core.capacity}-byte ring`,
        );
      }
      const message = new Uint8Array(length);
      const start = (at + 4) & mask;
      const first = Math.min(length, core.capacity - start);
      message.set(core.ring.subarray(start, start + first));
      if (first < length) message.set(core.ring.subarray(0, length - first), first);
      this.#head = (this.#head + need) >>> 0;
      core.store(I_HEAD, this.#head); // frees the room
      if (core.load(I_SENDER_WAITING)) core.set(core.space);
      return message;
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
    return this.#closed;
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
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot close shared channel "${this.#core.name}": it is already closed`,
      );
    }
    this.#closed = true;
    this.#core.store(I_RECEIVER_CLOSED, 1);
    this.#core.set(this.#core.space);
    this.#core.close();
  }

  /** Closes if still open. */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }
}
