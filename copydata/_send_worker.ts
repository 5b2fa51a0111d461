// Copyright 2026 the winipc authors. MIT license.
/**
 * A send thread's own side (see `_send_thread.ts`): a `node:worker_threads`
 * Worker running this module makes one blocking `SendMessageTimeoutW` (or
 * `SendMessageW`) at a time and reads its last error on its own thread.
 * `_send_thread.ts` imports it for {@linkcode SEND_THREAD} (so it is in the
 * static module graph that `deno compile` embeds); outside that worker,
 * importing it does nothing.
 *
 * @module
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { kernel32, user32 } from "../_win32/ffi.ts";

/** The worker's marker in `workerData`, and this module's URL. */
export const SEND_THREAD = {
  url: import.meta.url,
  marker: "winipc WM_COPYDATA send thread",
} as const;

/** What a send thread sends. */
export interface SendRequest {
  /** The window handle. */
  window: bigint;
  /** The message (`WM_COPYDATA`). */
  message: number;
  /** `COPYDATASTRUCT.dwData`. */
  tag: bigint;
  /** The payload, transferred to the thread. */
  data: Uint8Array<ArrayBuffer>;
  /** `SendMessageTimeoutW` flags. */
  flags: number;
  /** The timeout, 0 to 2^31 - 1 ms, or `null` for `SendMessageW`. */
  ms: number | null;
}

/** What one call on a send thread returned. */
export interface SendOutcome {
  /** Whether the call succeeded. */
  ok: boolean;
  /** The receiver's reply (`LRESULT`). */
  reply: bigint;
  /** The calling thread's last error when the call failed; 0 otherwise. */
  error: number;
}

/** What the thread posts: that it is ready, then each send's outcome. */
export type SendPost = { ready: true } | (SendOutcome & { id: number });

/** Makes one send, on this thread. */
function send({ window, message, tag, data, flags, ms }: SendRequest): SendOutcome {
  const u = user32();
  const k = kernel32();
  // COPYDATASTRUCT { ULONG_PTR dwData; DWORD cbData; PVOID lpData; }
  const cds = new Uint8Array(24);
  const view = new DataView(cds.buffer);
  view.setBigUint64(0, tag, true);
  view.setUint32(8, data.length, true);
  const address = data.length > 0
    ? BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(data)))
    : 0n;
  view.setBigUint64(16, address, true);
  const hwnd = Deno.UnsafePointer.create(window);
  k.SetLastError(0);
  let ok: boolean;
  let reply: bigint;
  if (ms === null) {
    reply = BigInt(u.SendMessageW(hwnd, message, 0n, cds));
    ok = true;
  } else {
    const result = new BigInt64Array(1);
    ok = BigInt(
      u.SendMessageTimeoutW(hwnd, message, 0n, cds, flags, ms, new Uint8Array(result.buffer)),
    ) !== 0n;
    reply = result[0] ?? 0n;
  }
  // SendMessageW fails with 0 and a last error (SetLastError(0) before it
  // tells that from a reply of 0).
  const error = k.GetLastError();
  if (ms === null && reply === 0n && error !== 0) ok = false;
  return { ok, reply, error: ok ? 0 : error };
}

function run(port: NonNullable<typeof parentPort>): void {
  port.on("message", (request: SendRequest & { id: number }) => {
    port.postMessage({ id: request.id, ...send(request) } satisfies SendPost);
  });
  port.postMessage({ ready: true } satisfies SendPost);
}

if (!isMainThread && parentPort !== null && workerData === SEND_THREAD.marker) run(parentPort);
