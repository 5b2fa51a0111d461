// Copyright 2026 the winipc authors. MIT license.
/**
 * `callNamedPipe`: a whole request/reply exchange with a message-mode server
 * in one call, as `CallNamedPipeW` does, without blocking the event loop.
 *
 * @module
 */
import { connectNamedPipe, type NamedPipeImpersonation } from "./connect.ts";

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
}

/**
 * Connects to a message-mode pipe, writes one request, reads one whole reply
 * (`TransactNamedPipe`) and closes: `CallNamedPipeW`'s one-shot exchange,
 * asynchronous and cancellable. The server must write exactly one message
 * per request.
 *
 * @example Ask a server one question
 * ```ts ignore
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
 * @param options Waiting for the pipe, cancellation, impersonation level.
 * @returns The reply message.
 * @throws {TypeError} For a bad name or option, or a byte-mode server.
 * @throws {Deno.errors.NotFound} If no such pipe exists (and no timeout).
 * @throws {Deno.errors.Busy} If all instances are busy (and no timeout).
 * @throws {Deno.errors.TimedOut} If the pipe did not come within `timeout`.
 * @throws {Deno.errors.BrokenPipe} If the server closed without replying.
 */
export async function callNamedPipe(
  name: string,
  request: Uint8Array,
  options: CallNamedPipeOptions = {},
): Promise<Uint8Array> {
  if (!(request instanceof Uint8Array)) {
    throw new TypeError(`Cannot call named pipe "${name}": the request must be a Uint8Array`);
  }
  const { signal } = options;
  using conn = await connectNamedPipe(name, { ...options, mode: "message" });
  return await conn.transact(request, { signal });
}
