// Copyright 2026 the winipc authors. MIT license.
/**
 * Windows named pipes: servers and clients, byte streams and whole messages,
 * secure by default, with no thread parked per pending operation.
 *
 * ```ts no-run
 * import { connectNamedPipe, listenNamedPipe } from "@winipc/winipc/named-pipe";
 *
 * // Server: a backlog of instances always listening; owner-only security; no remote clients.
 * using listener = listenNamedPipe("my-app", { mode: "message" });
 * (async () => {
 *   for await (const conn of listener) {
 *     const request = await conn.receive({ timeout: 10_000 });
 *     if (request !== null) await conn.send(request); // echo
 *     conn.close();
 *   }
 * })();
 *
 * // Client: wait up to 5 s for the server.
 * using conn = await connectNamedPipe("my-app", { mode: "message", timeout: 5000 });
 * const reply = await conn.transact(new TextEncoder().encode("hello"));
 * ```
 *
 * Names never leave `\\.\pipe\`: Windows reads pipe paths like file paths,
 * so a name with a `/`, a `.` or `..` segment, an empty segment, a segment
 * ending in a dot or a space, or a control character is a `TypeError` that
 * names the rule, as is a full path whose server is not a plain computer
 * name (`\\?\pipe\x`). `my.app.v2`, spaces and non-ASCII text are fine. A
 * full `\\server\pipe\...` path reaches another computer: give untrusted
 * input only short names.
 *
 * @module
 */
export { listenNamedPipe, NamedPipeListener } from "./listener.ts";
export type { NamedPipeListenOptions } from "./listener.ts";
export { connectNamedPipe } from "./connect.ts";
export type {
  NamedPipeConnectOptions,
  NamedPipeImpersonation,
  NamedPipeServerCheck,
} from "./connect.ts";
export { callNamedPipe } from "./call.ts";
export type { CallNamedPipeOptions } from "./call.ts";
export { listNamedPipes } from "./list.ts";
export { NamedPipeConn } from "./conn.ts";
export type { NamedPipeEnd, NamedPipeMode, NamedPipePeek } from "./conn.ts";
export type { Account } from "../_win32/security.ts";
export type { SecurityRule, WaitOptions } from "../_win32/options.ts";
