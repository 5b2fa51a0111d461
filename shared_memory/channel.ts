// Copyright 2026 the winipc authors. MIT license.
/**
 * A single-producer, single-consumer channel of whole messages over a named
 * mapping: `createSharedChannel` and `openSharedChannel`, which make its
 * ends (`channel_sender.ts`, `channel_receiver.ts`). The ring protocol, its
 * header and how a dead peer is noticed are in `_ring.ts`.
 *
 * @module
 */
import { checkChoice, type SecurityRule } from "../_win32/options.ts";
import { CONSTRUCT } from "../_win32/construct.ts";
import { mappingName } from "./_name.ts";
import { type ChannelCore, createRing, EVENT_SUFFIX_LENGTH, openRing } from "./_ring.ts";
import { SharedChannelSender } from "./channel_sender.ts";
import { SharedChannelReceiver } from "./channel_receiver.ts";

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

function checkRole(role: unknown, what: string): SharedChannelRole {
  if (role === undefined) {
    throw new TypeError(`${what}: role must be "sender" or "receiver", got undefined`);
  }
  return checkChoice(role, ["sender", "receiver"], "sender", "role", what);
}

/** Takes `role`'s end of a channel just made or opened; closes the channel if it cannot. */
function newEnd(
  core: ChannelCore,
  role: SharedChannelRole,
): SharedChannelSender | SharedChannelReceiver {
  try {
    return role === "sender"
      ? new SharedChannelSender(CONSTRUCT, core)
      : new SharedChannelReceiver(CONSTRUCT, core);
  } catch (error) {
    core.close();
    throw error;
  }
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
  const core = createRing(full, capacity, options.security, what);
  return newEnd(core, role) as R extends "sender" ? SharedChannelSender : SharedChannelReceiver;
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
  const core = openRing(full, what);
  return newEnd(core, role) as R extends "sender" ? SharedChannelSender : SharedChannelReceiver;
}
