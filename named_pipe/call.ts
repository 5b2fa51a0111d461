// Copyright 2026 the winipc authors. MIT license.
/**
 * `callNamedPipe`: a whole request/reply exchange with a message-mode server
 * in one call, as `CallNamedPipeW` does, without blocking the event loop.
 *
 * @module
 */
import {
  connectNamedPipe,
  type NamedPipeImpersonation,
  type NamedPipeServerCheck,
} from "./connect.ts";

/** Options for {@linkcode callNamedPipe}. */
export interface CallNamedPipeOptions {
  /**
   * Milliseconds to wait for the pipe to exist or for a free instance, as
   * in {@linkcode connectNamedPipe}. 0 fails at once with `NotFound` or
   * `Busy`.
   * @default {0}
   */
  timeout?: number;
  /** Cancels the call, while connecting or waiting for the reply. */
  signal?: AbortSignal;
  /**
   * What the server may do with the client's identity.
   * @default {"identification"}
   */
  impersonation?: NamedPipeImpersonation;
  /**
   * Which server must answer, checked before the request is sent, as in
   * {@linkcode connectNamedPipe}: `{ processId?, user? }` (`user` is
   * `"self"` or a SID). A different server fails with `PermissionDenied`
   * and never sees the request.
   * @default {undefined} (no check)
   */
  server?: NamedPipeServerCheck;
  /**
   * Allow a full path to another computer's pipe (`\\server\pipe\...`).
   * Opening one authenticates this user to that computer (SMB), which can
   * hand a hostile server the user's credentials, so a remote path is a
   * `TypeError` unless this is `true`: a name from an untrusted source then
   * reaches local pipes only.
   * @default {false}
   */
  remote?: boolean;
}

/**
 * Connects to a message-mode pipe, writes one request, reads one whole reply
 * (`TransactNamedPipe`) and closes: `CallNamedPipeW`'s one-shot exchange,
 * asynchronous and cancellable. The server must write exactly one message
 * per request.
 *
 * @example Ask a server one question
 * ```ts no-run
 * import { callNamedPipe } from "@winipc/winipc/named-pipe";
 *
 * const reply = await callNamedPipe("my-app", new TextEncoder().encode("status"), {
 *   timeout: 2000,
 *   signal: AbortSignal.timeout(5000),
 * });
 * console.log(new TextDecoder().decode(reply));
 * ```
 *
 * @param name A short name, `\\.\pipe\...`, or `\\server\pipe\...`.
 * @param request The request message (zero bytes is a valid message).
 * @param options Waiting for the pipe, cancellation, impersonation level,
 * the server to insist on.
 * @returns The reply message.
 * @throws {TypeError} For a bad name or option, or a byte-mode server.
 * @throws {Deno.errors.NotFound} If no such pipe exists (and no timeout).
 * @throws {Deno.errors.Busy} If all instances are busy (and no timeout).
 * @throws {Deno.errors.TimedOut} If the pipe did not come within `timeout`.
 * @throws {Deno.errors.BrokenPipe} If the server closed without replying.
 * @throws {Deno.errors.PermissionDenied} If the server is not the one
 * `server` asks for.
 */
export async function callNamedPipe(
  name: string,
  request: Uint8Array,
  options: CallNamedPipeOptions = {},
): Promise<Uint8Array> {
  if (!(request instanceof Uint8Array)) {
    throw new TypeError(`Cannot call named pipe "${name}": the request must be a Uint8Array`);
  }
  const { timeout, signal, impersonation, server } = options;
  using conn = await connectNamedPipe(name, {
    mode: "message",
    ...(timeout !== undefined ? { timeout } : {}),
    ...(signal !== undefined ? { signal } : {}),
    ...(impersonation !== undefined ? { impersonation } : {}),
    ...(server !== undefined ? { server } : {}),
    ...(options.remote !== undefined ? { remote: options.remote } : {}),
  });
  return await conn.transact(request, signal !== undefined ? { signal } : {});
}
