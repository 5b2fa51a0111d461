// Copyright 2026 the winipc authors. MIT license.
/**
 * Package-private: the shared channel's ring protocol, and the part of an
 * end that the sender and the receiver share (its lifecycle, and how it
 * sleeps). `channel.ts` makes and opens channels; `channel_sender.ts` and
 * `channel_receiver.ts` are the public ends.
 *
 * The mapping holds a 256-byte header and a ring:
 *
 * | offset | field |
 * | --- | --- |
 * | 0 | magic `0x4E484357` ("WCHN") |
 * | 4 | version (2) |
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
import { ERROR, errorFromCode } from "../_win32/errors.ts";
import { isInvalidHandle, OwnedHandle } from "../_win32/handle.ts";
import { accessSddl, SecurityAttributes } from "../_win32/security.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { waitForAny, waitForHandle } from "../_win32/wait.ts";
import type { SecurityRule } from "../_win32/options.ts";
import { currentProcess, openProcessToWatch } from "../_win32/peer_process.ts";
import { AdaptiveLook } from "../_win32/adaptive_look.ts";
import { createSharedMemory, openSharedMemory, type SharedMemory } from "./shared_memory.ts";

/** Which end of the ring: the public `SharedChannelRole`. */
export type ChannelSide = "sender" | "receiver";

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
/** What each side sleeps on, says it sleeps in, and wakes the other with. */
const SIDES = {
  sender: {
    waiting: I_SENDER_WAITING,
    sleepsOn: "space",
    wakes: "data",
    other: "receiver",
    doing: "sending",
  },
  receiver: {
    waiting: I_RECEIVER_WAITING,
    sleepsOn: "data",
    wakes: "space",
    other: "sender",
    doing: "receiving",
  },
} as const;
const EVENT_ACCESS = 0x0010_0002; // SYNCHRONIZE | EVENT_MODIFY_STATE

/** The mapping, events and shared indices of one end. */
export class ChannelCore {
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
  peer(role: ChannelSide): OwnedHandle | "gone" | null {
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
    peerRole: ChannelSide,
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

/** The most a channel adds to its mapping's name, for its events. */
export const EVENT_SUFFIX_LENGTH = ".winipc-space".length;

/** The deadline of a wait of `ms` milliseconds from now (`Infinity`: none). */
export function deadlineOf(ms: number): number {
  return ms === Infinity ? Infinity : performance.now() + ms;
}

/**
 * Creates a channel's mapping (header and ring) and its two events.
 *
 * @param full The mapping's full name.
 * @param capacity The ring's size, checked by the caller.
 * @param security Who else may open the mapping and the events.
 * @param what The operation, for messages (`Cannot create shared channel "x"`).
 * @returns The channel, not attached to any end yet.
 * @throws {Deno.errors.AlreadyExists} If the mapping or an event exists.
 */
export function createRing(
  full: string,
  capacity: number,
  security: SecurityRule | undefined,
  what: string,
): ChannelCore {
  const shm = createSharedMemory(full, {
    size: HEADER + capacity,
    ...(security !== undefined ? { security } : {}),
  });
  const events: OwnedHandle[] = [];
  try {
    // SYNCHRONIZE | EVENT_MODIFY_STATE for Everyone on the events.
    const sddl = accessSddl(security, "0x00100002", `${what}: security`);
    using attributes = new SecurityAttributes(sddl);
    const k = kernel32();
    for (const eventName of eventNames(full)) {
      const raw = k.CreateEventW(
        Deno.UnsafePointer.of(attributes.attributes),
        0,
        0,
        encodeUtf16z(eventName),
      );
      const code = k.GetLastError();
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
    return new ChannelCore(shm, events[0]!, events[1]!, capacity);
  } catch (error) {
    for (const event of events) event.close();
    shm.close();
    throw error;
  }
}

/**
 * Opens a channel's mapping, validates its header, and opens its events.
 *
 * @param full The mapping's full name.
 * @param what The operation, for messages (`Cannot open shared channel "x"`).
 * @returns The channel, not attached to any end yet.
 * @throws {Deno.errors.NotFound} If no such mapping exists.
 * @throws {Deno.errors.InvalidData} If it is not a channel this version reads.
 */
export function openRing(full: string, what: string): ChannelCore {
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
    const k = kernel32();
    for (const eventName of eventNames(full)) {
      const raw = k.OpenEventW(EVENT_ACCESS, 0, encodeUtf16z(eventName));
      const code = k.GetLastError();
      if (isInvalidHandle(raw)) {
        throw errorFromCode(code, `${what}: cannot open its event "${eventName}"`);
      }
      events.push(new OwnedHandle(raw, "event"));
    }
    // The loop above pushed one event for each of eventNames' two names (or threw).
    return new ChannelCore(shm, events[0]!, events[1]!, capacity);
  } catch (error) {
    for (const event of events) event.close();
    if (!shm.closed) shm.close();
    throw error;
  }
}

function attach(core: ChannelCore, role: ChannelSide): void {
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

/**
 * One end's hold on a channel, what the sender and the receiver share: it
 * takes its side in the header, knows whether it is closed, closes (which
 * tells and wakes the other side), and sleeps until the other side moves.
 */
export class RingEnd {
  readonly core: ChannelCore;
  readonly side: ChannelSide;
  #closed = false;

  /**
   * Takes `side` of the channel (see {@linkcode attach}).
   *
   * @param core The channel.
   * @param side Which end.
   * @throws {Deno.errors.Busy} If that end is taken by a live process.
   */
  constructor(core: ChannelCore, side: ChannelSide) {
    attach(core, side);
    this.core = core;
    this.side = side;
  }

  /** The channel's mapping name. */
  get name(): string {
    return this.core.name;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The mapping's raw handle, while open. */
  get unsafeHandle(): Deno.PointerValue {
    this.check("use the handle of");
    return this.core.shm.unsafeHandle;
  }

  /**
   * @param what The operation, for the message (`send on`, `receive from`).
   * @throws {Deno.errors.BadResource} If this end is closed.
   */
  check(what: string): void {
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot ${what} shared channel "${this.core.name}": it is closed`,
      );
    }
  }

  /**
   * Closes this end: says so in the header (the sender's close is the end
   * of the stream; the receiver's makes sends fail), wakes the other side,
   * and closes the mapping and the events.
   *
   * @throws {Deno.errors.BadResource} If already closed.
   */
  close(): void {
    if (this.#closed) {
      throw new Deno.errors.BadResource(
        `Cannot close shared channel "${this.core.name}": it is already closed`,
      );
    }
    this.#closed = true;
    const core = this.core;
    core.store(ROLE_FIELDS[this.side].closed, 1);
    core.set(core[SIDES[this.side].wakes]);
    core.close();
  }

  /** Closes if still open. */
  dispose(): void {
    if (!this.#closed) this.close();
  }

  /**
   * Sleeps until the other side moves: says in the header that this side
   * sleeps, looks once more, then waits on its event and on the other
   * side's process, until `deadline`.
   *
   * @param ready Whether there is no need to sleep (looked at after the
   * header says this side sleeps, so no wake-up is lost).
   * @param signal Cancels the sleep.
   * @param deadline On the `performance.now()` clock; `Infinity` for none.
   * @param what The operation, for the message if this end is closed meanwhile.
   * @returns `"ready"` (no sleep), `"event"` (the other side moved),
   * `"peer-gone"` (its process ended) or `"timeout"`.
   * @throws {Deno.errors.BadResource} If this end is closed while it sleeps.
   */
  async sleep(
    ready: () => boolean,
    signal: AbortSignal | undefined,
    deadline: number,
    what: string,
  ): Promise<"ready" | "event" | "peer-gone" | "timeout"> {
    const core = this.core;
    const { waiting, sleepsOn, other, doing } = SIDES[this.side];
    core.store(waiting, 1);
    if (ready()) {
      core.store(waiting, 0);
      return "ready";
    }
    try {
      return await core.wait(core[sleepsOn], signal, deadline, other);
    } catch (error) {
      if (this.#closed) {
        throw new Deno.errors.BadResource(
          `Cannot ${what} shared channel "${core.name}": it was closed while ${doing}`,
        );
      }
      throw error;
    } finally {
      // A closed end's mapping is unmapped: its header is not ours to touch.
      if (!this.#closed) core.store(waiting, 0);
    }
  }
}

/** The sender's side of the ring: room, and writing records. */
export class RingSender extends RingEnd {
  #tail: number;

  /**
   * @param core The channel.
   * @throws {Deno.errors.Busy} If it has a live sender.
   */
  constructor(core: ChannelCore) {
    super(core, "sender");
    this.#tail = core.load(I_TAIL);
  }

  /** The largest message, in bytes. */
  get maxMessageSize(): number {
    return this.core.capacity - 4;
  }

  /** True once the receiver has closed. */
  get receiverClosed(): boolean {
    return this.core.load(I_RECEIVER_CLOSED) !== 0;
  }

  /** The bytes a message of `size` bytes takes in the ring. */
  recordSize(size: number): number {
    return 4 + ((size + 3) & ~3);
  }

  /**
   * Whether `need` bytes are free.
   *
   * @throws {Deno.errors.InvalidData} If the indices say more is used than the ring holds.
   */
  hasRoom(need: number): boolean {
    const core = this.core;
    const used = (this.#tail - core.load(I_HEAD)) >>> 0;
    if (used > core.capacity) {
      throw new Deno.errors.InvalidData(
        `Shared channel "${core.name}" is corrupt: ${used} bytes in use in a ${core.capacity}-byte ring`,
      );
    }
    return core.capacity - used >= need;
  }

  /** Looks for room for a short adaptive while before a sleep; true if it came. */
  lookForRoom(need: number): boolean {
    const core = this.core;
    return core.looker.look(() => core.capacity - ((this.#tail - core.load(I_HEAD)) >>> 0) >= need);
  }

  /** Whether `need` bytes are free, without the corruption check (a last look). */
  roomNow(need: number): boolean {
    return this.core.capacity - ((this.#tail - this.core.load(I_HEAD)) >>> 0) >= need;
  }

  /**
   * Writes one record (there is room: see {@linkcode hasRoom}), publishes
   * it, and wakes the receiver if it sleeps.
   *
   * @param message The message.
   */
  write(message: Uint8Array): void {
    const core = this.core;
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
    this.#tail = (this.#tail + this.recordSize(message.byteLength)) >>> 0;
    core.store(I_TAIL, this.#tail); // publishes the record
    core.store(I_SENDER_WRITING, 0);
    if (core.load(I_RECEIVER_WAITING)) core.set(core.data);
  }
}

/** The receiver's side of the ring: what is there, and reading records. */
export class RingReceiver extends RingEnd {
  #head: number;

  /**
   * @param core The channel.
   * @throws {Deno.errors.Busy} If it has a live receiver.
   */
  constructor(core: ChannelCore) {
    super(core, "receiver");
    this.#head = core.load(I_HEAD);
  }

  /** Bytes written and not read yet. */
  available(): number {
    return (this.core.load(I_TAIL) - this.#head) >>> 0;
  }

  /** True once the sender has closed. */
  get senderClosed(): boolean {
    return this.core.load(I_SENDER_CLOSED) !== 0;
  }

  /** True while the sender is in the middle of writing a record. */
  get senderWriting(): boolean {
    return this.core.load(I_SENDER_WRITING) !== 0;
  }

  /** Looks for a record or the end for a short adaptive while before a sleep; true if one came. */
  lookForData(): boolean {
    return this.core.looker.look(() => this.available() > 0 || this.senderClosed);
  }

  /**
   * Reads the next record (`available` bytes are written), frees its room,
   * and wakes the sender if it sleeps.
   *
   * @param available What {@linkcode available} returned.
   * @returns The message.
   * @throws {Deno.errors.InvalidData} If the record cannot be (a length
   * larger than the ring or than what was written): nothing is read out
   * of bounds.
   */
  read(available: number): Uint8Array {
    const core = this.core;
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
  }
}
