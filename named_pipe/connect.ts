// Copyright 2026 the winipc authors. MIT license.
/**
 * The client side of named pipes: `connectNamedPipe`.
 *
 * @module
 */
import { checkSignal, describeValue } from "../_win32/options.ts";
import {
  kernel32,
  ntdll,
  outValue,
  SECURITY_ANONYMOUS,
  SECURITY_DELEGATION,
  SECURITY_IDENTIFICATION,
  SECURITY_IMPERSONATION,
} from "../_win32/ffi.ts";
import { ERROR, errorFromCode } from "../_win32/errors.ts";
import { OwnedHandle } from "../_win32/handle.ts";
import { checkTimeout, sleep } from "../_win32/timeout.ts";
import { encodeUtf16z } from "../_win32/utf16.ts";
import { checkRemote } from "../_win32/names.ts";
import { associate } from "../_win32/completion.ts";
import { pipePath } from "./_path.ts";
import { type Opened, openPipe, openPipeNonblocking } from "./_open.ts";
import { NamedPipeConn, type NamedPipeMode } from "./conn.ts";
import { CONSTRUCT } from "../_win32/construct.ts";
import { currentUserSid, isSidString, processUserSid } from "./_identity.ts";

// FILE_INFORMATION_CLASS values, and the pipe fields they read and write.
const FILE_PIPE_INFORMATION = 23;
const FILE_PIPE_LOCAL_INFORMATION = 24;
const FILE_PIPE_MESSAGE_TYPE = 1;
const FILE_PIPE_MESSAGE_MODE = 1;
const FILE_PIPE_QUEUE_OPERATION = 0;

/** How far the server may act as the client (`SECURITY_SQOS_PRESENT` levels). */
export type NamedPipeImpersonation =
  | "anonymous"
  | "identification"
  | "impersonation"
  | "delegation";

/** Options for {@linkcode connectNamedPipe}. */
export interface NamedPipeConnectOptions {
  /**
   * `"byte"` or `"message"`; it must match the server's pipe type (a byte
   * pipe cannot be read as messages).
   * @default {"byte"}
   */
  mode?: NamedPipeMode;
  /**
   * Milliseconds to wait for a pipe that does not exist yet or whose
   * instances are all busy. 0 fails at once with `NotFound` or `Busy`.
   * @default {0}
   */
  timeout?: number;
  /** Cancels the wait. */
  signal?: AbortSignal;
  /**
   * What the server may do with the client's identity. The Windows default
   * lets a server impersonate the client fully; winipc's lets it only learn
   * who the client is.
   * @default {"identification"}
   */
  impersonation?: NamedPipeImpersonation;
  /**
   * Which server the client must reach, checked right after the pipe opens
   * and before anything is sent: on a mismatch the handle is closed and the
   * connect fails with `PermissionDenied`, naming what was expected and what
   * was found. Only for local pipes (`\\.\pipe\...`).
   *
   * The pipe's `security` rule keeps other users from adding instances of a
   * winipc name, and `FILE_FLAG_FIRST_PIPE_INSTANCE` keeps out a process
   * that comes before the server; but another process of the same user can
   * add instances of the name at any time and take some of the clients.
   * `processId` is what tells those apart; `user` refuses servers of other
   * users (a name created before the real server started, a service
   * impersonated by a user process).
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

/** What {@linkcode NamedPipeConnectOptions.server} checks. */
export interface NamedPipeServerCheck {
  /**
   * The server's process id (`GetNamedPipeServerProcessId`): the one
   * process the client means to talk to, for instance a child it started.
   * @default {undefined} (any process)
   */
  processId?: number;
  /**
   * The user the server process runs as (the user SID of its token):
   * `"self"` for the user of this process, or a SID such as `"S-1-5-18"`
   * (LocalSystem, for a service). A server whose token cannot be read (a
   * process of another user, usually) is refused too.
   * @default {undefined} (any user)
   */
  user?: "self" | string;
}

const IMPERSONATION_VALUES = '"anonymous", "identification", "impersonation" or "delegation"';

/** The `SECURITY_SQOS_PRESENT` level of an impersonation option, own values only. */
function impersonationLevel(value: unknown, path: string): number {
  switch (value) {
    case undefined:
    case "identification":
      return SECURITY_IDENTIFICATION;
    case "anonymous":
      return SECURITY_ANONYMOUS;
    case "impersonation":
      return SECURITY_IMPERSONATION;
    case "delegation":
      return SECURITY_DELEGATION;
    default:
      throw new TypeError(
        `Cannot connect to named pipe "${path}": impersonation must be ${IMPERSONATION_VALUES}, got ${
          describeValue(value)
        }`,
      );
  }
}

/** A checked `server` option: `user` as an upper-case SID or `"self"`. */
interface ServerCheck {
  processId: number | undefined;
  user: string | undefined;
}

function serverCheck(value: unknown, path: string): ServerCheck | undefined {
  if (value === undefined) return undefined;
  const fail = (why: string): never => {
    throw new TypeError(`Cannot connect to named pipe "${path}": ${why}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`server must be an object { processId?, user? }, got ${describeValue(value)}`);
  }
  // Own properties only: a check inherited from a prototype is no check.
  const own = (key: keyof NamedPipeServerCheck): unknown =>
    Object.hasOwn(value as object, key) ? (value as NamedPipeServerCheck)[key] : undefined;
  const processId = own("processId") as number | undefined;
  const user = own("user") as string | undefined;
  if (
    processId !== undefined &&
    (typeof processId !== "number" || !Number.isInteger(processId) || processId <= 0 ||
      processId > 0xffff_ffff)
  ) {
    fail(
      `server.processId must be a process id (a whole number above 0), got ${
        describeValue(processId)
      }`,
    );
  }
  if (user !== undefined && user !== "self" && !isSidString(user)) {
    fail(`server.user must be "self" or a SID ("S-1-5-..."), got ${describeValue(user)}`);
  }
  if (processId === undefined && user === undefined) {
    fail("server must give a processId, a user, or both");
  }
  if (!LOCAL_PATH.test(path)) {
    fail("the server of a remote pipe cannot be checked (its process id is another machine's)");
  }
  return { processId, user: user === "self" ? user : user?.toUpperCase() };
}

const LOCAL_PATH = /^\\\\\.\\pipe\\/i;

/**
 * Checks which server a newly opened client handle reached.
 *
 * @throws {Deno.errors.PermissionDenied} If it is not the one expected.
 */
function checkServer(handle: OwnedHandle, path: string, check: ServerCheck): void {
  const out = new Uint32Array(1);
  const k = kernel32();
  if (!k.GetNamedPipeServerProcessId(handle.raw, out)) {
    throw new Deno.errors.PermissionDenied(
      `Cannot connect to named pipe "${path}": cannot tell which process the server is`,
      { cause: errorFromCode(k.GetLastError()) },
    );
  }
  const found = outValue(out);
  if (check.processId !== undefined && found !== check.processId) {
    throw new Deno.errors.PermissionDenied(
      `Cannot connect to named pipe "${path}": the server is process ${found}, expected process ${check.processId}`,
    );
  }
  if (check.user !== undefined) {
    const self = check.user === "self";
    const expected = self ? currentUserSid() : check.user;
    const described = self ? `${expected} (this process's user)` : expected;
    let user: string;
    try {
      user = processUserSid(found);
    } catch (error) {
      throw new Deno.errors.PermissionDenied(
        `Cannot connect to named pipe "${path}": cannot read the user of server process ${found}, expected ${described}`,
        { cause: error },
      );
    }
    if (user.toUpperCase() !== expected.toUpperCase()) {
      throw new Deno.errors.PermissionDenied(
        `Cannot connect to named pipe "${path}": server process ${found} runs as ${user}, expected ${described}`,
      );
    }
  }
}
/** The longest single wait for a busy pipe, so an abort is seen promptly. */
const BUSY_SLICE = 100;

/**
 * Connects to a named pipe server.
 *
 * A pipe that does not exist fails at once with `NotFound`, and one whose
 * instances are all busy with `Busy`, unless `timeout` asks to wait: then
 * it is retried until the deadline (a missing pipe is looked for again with
 * a backoff from 5 to 100 ms; a busy one waits in `WaitNamedPipeW`), and
 * fails with `TimedOut`. `ERROR_PIPE_BUSY` right after a successful wait
 * (another client was faster) is retried too.
 *
 * @example Connect and talk
 * ```ts no-run
 * import { connectNamedPipe } from "@winipc/winipc/named-pipe";
 *
 * using conn = await connectNamedPipe("my-app", { timeout: 5000 });
 * await conn.write(new TextEncoder().encode("ping"));
 * const reply = new Uint8Array(64);
 * const n = await conn.read(reply);
 * ```
 *
 * @example Insist on the server process you started
 * ```ts no-run
 * import { connectNamedPipe } from "@winipc/winipc/named-pipe";
 *
 * const server = new Deno.Command("server.exe").spawn();
 * // Fails with PermissionDenied if another process (even one of the same
 * // user) added an instance of the name and was the one reached.
 * using conn = await connectNamedPipe("my-app", {
 *   timeout: 5000,
 *   server: { processId: server.pid, user: "self" },
 * });
 * ```
 *
 * @param name A short name, `\\.\pipe\...`, or `\\server\pipe\...`.
 * @param options Mode, timeout, cancellation, impersonation level, the
 * server to insist on.
 * @returns The client end of the connection.
 * @throws {TypeError} For a bad name or option.
 * @throws {Deno.errors.NotFound} If no such pipe exists (and no timeout).
 * @throws {Deno.errors.Busy} If all instances are busy (and no timeout).
 * @throws {Deno.errors.TimedOut} If the timeout passed.
 * @throws {Deno.errors.PermissionDenied} If the pipe's `security` rule excludes
 * us, or the server is not the one `server` asks for (the handle is closed
 * before anything was sent).
 */
export async function connectNamedPipe(
  name: string,
  options: NamedPipeConnectOptions = {},
): Promise<NamedPipeConn> {
  const path = pipePath(name, "connect");
  checkRemote(
    /^\\\\\.\\/.test(path),
    options.remote,
    `Cannot connect to named pipe "${path}"`,
    "it is on another computer, and connecting would send this user's credentials there",
  );
  const mode = options.mode ?? "byte";
  if (mode !== "byte" && mode !== "message") {
    throw new TypeError(
      `Cannot connect to named pipe "${path}": mode must be "byte" or "message", got ${
        describeValue(mode)
      }`,
    );
  }
  const timeout = checkTimeout(options.timeout, `connect to named pipe "${path}"`, 0);
  const level = impersonationLevel(options.impersonation, path);
  const server = serverCheck(options.server, path);
  const signal = checkSignal(options.signal, `connect to named pipe "${path}"`);
  signal?.throwIfAborted();
  const deadline = performance.now() + timeout;
  const wide = encodeUtf16z(path);
  // A local open answers at once; one on another computer goes over the
  // network, so it runs on Deno's blocking pool.
  const local = path.startsWith("\\\\.\\");
  let backoff = 5;
  while (true) {
    const opened = local ? openPipe(path, level) : await openRemote(path, level, signal);
    if (opened instanceof OwnedHandle) {
      const handle = opened;
      if (server !== undefined) {
        try {
          checkServer(handle, path, server);
        } catch (error) {
          handle.close();
          throw error;
        }
      }
      return open(handle, path, mode);
    }
    const { code, status } = opened;
    const remaining = deadline - performance.now();
    if (code === ERROR.FILE_NOT_FOUND || code === ERROR.PIPE_BUSY) {
      if (remaining <= 0) {
        if (timeout === 0) {
          throw errorFromCode(code, `Cannot connect to named pipe "${path}"`);
        }
        throw new Deno.errors.TimedOut(
          `Cannot connect to named pipe "${path}": ${
            code === ERROR.PIPE_BUSY ? "all instances stayed busy" : "it did not appear"
          } for ${timeout} ms`,
          { cause: errorFromCode(code) },
        );
      }
      if (code === ERROR.PIPE_BUSY) {
        // Woken by the kernel as soon as an instance is free (or the slice ends).
        await waitForInstance(path, wide, remaining, signal);
      } else {
        await sleep(Math.min(backoff, remaining), signal);
        backoff = Math.min(backoff * 2, 100);
      }
      signal?.throwIfAborted();
      continue;
    }
    if (code === ERROR.ACCESS_DENIED) {
      throw new Deno.errors.PermissionDenied(
        `Cannot connect to named pipe "${path}": access denied by the pipe's security descriptor`,
        { cause: errorFromCode(code) },
      );
    }
    const nt = `NTSTATUS 0x${status.toString(16).padStart(8, "0")}`;
    throw errorFromCode(code, `Cannot connect to named pipe "${path}" (${nt})`);
  }
}

/**
 * One `WaitNamedPipeW` at a time a pipe path, shared by every connect of this
 * process that finds the path busy. Each wait holds one thread of Deno's
 * small blocking pool: 50 connects waiting each on their own would take the
 * whole pool, and the completion core's one wait (which the connections
 * need for their first read) would queue behind them for seconds.
 */
const busyWaits = new Map<string, Promise<unknown>>();

/**
 * Opens a pipe on another computer on Deno's blocking pool. An abort ends
 * the call at once; the open itself cannot be cancelled, so a handle it
 * yields after that is closed.
 */
function openRemote(
  path: string,
  level: number,
  signal: AbortSignal | undefined,
): Promise<Opened> {
  const opening = openPipeNonblocking(path, level);
  if (signal === undefined) return opening;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      opening.then((opened) => {
        if (opened instanceof OwnedHandle) opened.close();
      }, () => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    opening.then((opened) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) {
        if (opened instanceof OwnedHandle) opened.close();
        reject(signal.reason);
      } else resolve(opened);
    }, (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
  });
}

function waitForInstance(
  path: string,
  wide: Uint16Array,
  remaining: number,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  let wait = busyWaits.get(path);
  if (wait === undefined) {
    const slice = Math.max(1, Math.min(BUSY_SLICE, Math.ceil(remaining)));
    wait = kernel32().WaitNamedPipeWNb(wide, slice).finally(() => busyWaits.delete(path));
    busyWaits.set(path, wait);
  }
  if (signal === undefined) return wait;
  // An abort ends this caller's part of the shared wait at once.
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    wait.then(resolve, resolve).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function open(handle: OwnedHandle, path: string, mode: NamedPipeMode): NamedPipeConn {
  try {
    // NT calls, whose status is their return value (see errors.ts): what
    // GetNamedPipeInfo and SetNamedPipeHandleState do, less the last error.
    const nt = ntdll();
    const io = new Uint8Array(16);
    const info = new Uint32Array(10); // FILE_PIPE_LOCAL_INFORMATION
    const queried = nt.NtQueryInformationFile(
      handle.raw,
      io,
      new Uint8Array(info.buffer),
      info.byteLength,
      FILE_PIPE_LOCAL_INFORMATION,
    );
    if (queried !== 0) {
      throw errorFromCode(
        nt.RtlNtStatusToDosError(queried),
        `Cannot connect to named pipe "${path}" (NTSTATUS 0x${queried.toString(16)})`,
      );
    }
    const serverIsMessage = info[0] === FILE_PIPE_MESSAGE_TYPE;
    if (mode === "message") {
      if (!serverIsMessage) {
        throw new TypeError(
          `Cannot connect to named pipe "${path}" in message mode: the server created a byte-mode pipe`,
        );
      }
      // FILE_PIPE_INFORMATION: message read mode, queued completion.
      const readMode = new Uint32Array([FILE_PIPE_MESSAGE_MODE, FILE_PIPE_QUEUE_OPERATION]);
      const set = nt.NtSetInformationFile(
        handle.raw,
        io,
        new Uint8Array(readMode.buffer),
        readMode.byteLength,
        FILE_PIPE_INFORMATION,
      );
      if (set !== 0) {
        throw errorFromCode(
          nt.RtlNtStatusToDosError(set),
          `Cannot read named pipe "${path}" as messages (NTSTATUS 0x${set.toString(16)})`,
        );
      }
    }
    associate(handle);
    return new NamedPipeConn(CONSTRUCT, handle, path, mode, "client");
  } catch (error) {
    handle.close();
    throw error;
  }
}
