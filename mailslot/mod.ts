// Copyright 2026 the winipc authors. MIT license.
/**
 * Mailslots: one-way datagrams, asynchronous. A reader creates a slot and
 * receives whole messages, in order, from any number of writers; waiting
 * holds no thread, and every wait can be cancelled or timed out.
 *
 * ```ts no-run
 * import { createMailslot, openMailslot } from "@winipc/winipc/mailslot";
 *
 * using slot = createMailslot("jobs", { maxMessageSize: 4096, security: "owner" });
 * using writer = openMailslot("jobs"); // usually in another process
 * await writer.send("build #42");
 * console.log(await slot.receiveText({ timeout: 1000 })); // "build #42"
 * ```
 *
 * Names follow the rule of pipe names, so none leaves `\mailslot\`: no `/`,
 * `.` or `..` segments, empty segments, segments ending in a dot or a
 * space, control characters or any of `<>:"|?*` (a `TypeError` names the
 * rule). A full name's host is `.`, `*` or a plain computer or domain name;
 * a writer opens a name on another computer (or `*`) only with
 * `remote: true`.
 *
 * @module
 */
export { createMailslot, Mailslot } from "./mailslot.ts";
export type {
  CreateMailslotOptions,
  MailslotInfo,
  MailslotReceiveTextOptions,
} from "./mailslot.ts";
export { MailslotWriter, MAX_REMOTE_MESSAGE, openMailslot } from "./writer.ts";
export type { OpenMailslotOptions } from "./writer.ts";
export type { SecurityRule, WaitOptions } from "../_win32/options.ts";
