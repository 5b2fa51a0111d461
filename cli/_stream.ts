// Copyright 2026 the winipc authors. MIT license.
/**
 * Copying between the terminal (stdin, stdout) and a connection: the core
 * of `pipe serve` (stdio) and `pipe connect`. Private to the CLI.
 *
 * @module
 */
import type { Context } from "./_command.ts";
import { payloadFields, Progress, writeStdout } from "./_util.ts";
import { sleep } from "../_win32/timeout.ts";

/** What {@linkcode pump} needs of a connection (a `NamedPipeConn`). */
export interface PumpConn {
  readonly mode: "byte" | "message";
  read(p: Uint8Array, options?: { signal?: AbortSignal }): Promise<number | null>;
  write(p: Uint8Array, options?: { signal?: AbortSignal }): Promise<number>;
  receive(options?: { signal?: AbortSignal }): Promise<Uint8Array | null>;
  send(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>;
}

/** What {@linkcode pump} moved. */
export interface PumpResult {
  /** Bytes sent (from stdin). */
  sent: number;
  /** Bytes received (to stdout). */
  received: number;
  /** Messages sent (message mode). */
  messagesSent: number;
  /** Messages received (message mode). */
  messagesReceived: number;
  /** Who ended it: the peer closed, or stdin ended and the linger passed. */
  end: "peer" | "stdin";
}

/** A promise that rejects with the signal's reason when it aborts. */
export function aborted(signal: AbortSignal): Promise<never> {
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  promise.catch(() => {}); // handled by whoever races it
  return promise;
}

function delay(ms: number): Promise<void> {
  // Chained past setTimeout's 2^31 - 1 ms (which fires at once: a busy loop here).
  return sleep(ms);
}

/**
 * Copies stdin to the connection and the connection to stdout until the
 * peer closes, or (with `linger`) until stdin has ended and the peer has
 * been silent for `linger` ms. Byte mode copies raw bytes; message mode
 * sends each line of stdin as one message and prints each message received
 * as one line. With `--json`, what arrives is printed as records.
 *
 * @param ctx The command's context.
 * @param conn The connection.
 * @param linger After stdin ends: ms of silence before giving up, or
 *   `null` to wait for the peer to close.
 * @returns What was moved.
 */
export async function pump(
  ctx: Context,
  conn: PumpConn,
  linger: number | null,
): Promise<PumpResult> {
  const { signal } = ctx;
  const result: PumpResult = {
    sent: 0,
    received: 0,
    messagesSent: 0,
    messagesReceived: 0,
    end: "peer",
  };
  let last = performance.now();
  let finished = false;
  if (Deno.stdin.isTerminal() && !ctx.json) {
    ctx.stderr(
      `type ${conn.mode === "message" ? "lines (one message each)" : "lines"} to send; ` +
        "Ctrl+Z then Enter ends the input, Ctrl+C quits\n",
    );
  }
  const receiving = new Progress(ctx, "received");
  const sending = new Progress(ctx, "sent");

  const inbound = (async () => {
    if (conn.mode === "message") {
      for (let m = await conn.receive({ signal }); m !== null; m = await conn.receive({ signal })) {
        last = performance.now();
        result.received += m.length;
        result.messagesReceived++;
        const fields = payloadFields(m);
        ctx.print(fields.text, { type: "message", ...fields });
      }
    } else {
      const buffer = new Uint8Array(65536);
      for (
        let n = await conn.read(buffer, { signal });
        n !== null;
        n = await conn.read(buffer, { signal })
      ) {
        last = performance.now();
        result.received += n;
        const chunk = buffer.subarray(0, n);
        if (ctx.json) ctx.print(null, { type: "data", ...payloadFields(chunk) });
        else {
          await writeStdout(chunk);
          receiving.add(n);
        }
      }
    }
  })().catch((error) => {
    // The peer going away mid-write is the end of the stream too.
    if (finished || error instanceof Deno.errors.BrokenPipe) return;
    throw error;
  });

  const outbound = (async () => {
    if (conn.mode === "message") {
      for (
        let line = await ctx.stdin.lineBytes();
        line !== null;
        line = await ctx.stdin.lineBytes()
      ) {
        if (finished) return;
        await conn.send(line, { signal });
        result.sent += line.length;
        result.messagesSent++;
      }
    } else {
      for (let chunk = await ctx.stdin.chunk(); chunk !== null; chunk = await ctx.stdin.chunk()) {
        if (finished) return;
        let offset = 0;
        while (offset < chunk.length) {
          offset += await conn.write(chunk.subarray(offset), { signal });
        }
        result.sent += chunk.length;
        sending.add(chunk.length);
      }
    }
  })();
  outbound.catch(() => {}); // raced below; a late failure after the end is not an error

  const stop = aborted(signal);
  const peerDone = inbound.then(() => "peer" as const);
  try {
    const first = await Promise.race([
      outbound.then(() => "stdin" as const, (error) => {
        if (error instanceof Deno.errors.BrokenPipe) return "peer" as const;
        throw error;
      }),
      peerDone,
      stop,
    ]);
    if (first === "stdin") {
      if (linger === null) await Promise.race([peerDone, stop]);
      else {
        while (true) {
          const wait = last + linger - performance.now();
          if (wait <= 0) {
            result.end = "stdin";
            break;
          }
          if (
            await Promise.race([peerDone, delay(wait).then(() => "time" as const), stop]) === "peer"
          ) {
            break;
          }
        }
      }
    } else await peerDone;
  } finally {
    finished = true;
    receiving.done();
    sending.done();
  }
  return result;
}
