// Copyright 2026 the winipc authors. MIT license.
/**
 * Shared memory: named file mappings, the same bytes in every process that
 * maps the name, with views that become unusable (never dangling) once
 * unmapped.
 *
 * ```ts no-run
 * import { createSharedMemory, openSharedMemory } from "@winipc/winipc/shared-memory";
 *
 * using shm = createSharedMemory("my-app-state", { size: 4096 });
 * shm.writeSync(0, new TextEncoder().encode("hello"));
 * // in another process:
 * using view = openSharedMemory("my-app-state", { size: 4096, access: "read" });
 * view.readSync(0, new Uint8Array(5));
 * ```
 *
 * Names stay in their namespace (`Local\` unless `global` or a
 * `Local\...`/`Global\...` name says otherwise): after it, no backslash, not
 * `.`, `..`, `Global`, `Local`, `Session` or `AppContainerNamedObjects`, no
 * control characters, or a `TypeError` names the rule. The kernel does not
 * normalise object names, so `/` and dots are ordinary characters.
 *
 * @module
 */
export {
  createSharedMemory,
  openOrCreateSharedMemory,
  openSharedMemory,
  SharedMemory,
} from "./shared_memory.ts";
export type { CreateSharedMemoryOptions, OpenSharedMemoryOptions } from "./shared_memory.ts";
export { createSharedChannel, openSharedChannel } from "./channel.ts";
export { SharedChannelSender } from "./channel_sender.ts";
export { SharedChannelReceiver } from "./channel_receiver.ts";
export type {
  CreateSharedChannelOptions,
  OpenSharedChannelOptions,
  SharedChannelRole,
} from "./channel.ts";
export type { AccessMode, SecurityRule, WaitOptions } from "../_win32/options.ts";
