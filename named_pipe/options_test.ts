// Copyright 2026 the winipc authors. MIT license.
// Option validation runs before any Win32 call, so it is tested on every OS.
// Values that name properties of Object.prototype must fail like any other
// unknown value: options are matched against their own allowed values only.
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import * as mod from "./mod.ts";
import {
  callNamedPipe,
  connectNamedPipe,
  listenNamedPipe,
  NamedPipeConn,
  NamedPipeListener,
} from "./mod.ts";
import type { NamedPipeConnectOptions, NamedPipeListenOptions, SecurityRule } from "./mod.ts";
import { isSidString } from "./_identity.ts";

const HOSTILE = ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf", ""];
// deno-lint-ignore no-explicit-any
const any = (value: unknown): any => value;

Deno.test("connectNamedPipe() refuses impersonation values from the prototype chain", async () => {
  for (const value of HOSTILE) {
    const error = await assertRejects(
      () => connectNamedPipe("x", { impersonation: any(value) }),
      TypeError,
      'impersonation must be "anonymous", "identification", "impersonation" or "delegation"',
    );
    assertEquals(error.message.endsWith(`got ${JSON.stringify(value)}`), true, error.message);
  }
  await assertRejects(
    () => callNamedPipe("x", new Uint8Array(1), { impersonation: any("toString") }),
    TypeError,
    "impersonation must be",
  );
});

Deno.test("connectNamedPipe() refuses hostile mode, timeout, signal and server values", async () => {
  const cases: [NamedPipeConnectOptions, string][] = [];
  for (const value of HOSTILE) {
    cases.push([{ mode: any(value) }, 'mode must be "byte" or "message"']);
    cases.push([{ server: { user: any(value) } }, 'server.user must be "self" or a SID']);
    cases.push([{ server: any(value) }, "server must be an object"]);
  }
  cases.push([{ server: {} }, "server must give a processId, a user, or both"]);
  cases.push([{ server: any(Object.create({ processId: 1 })) }, "server must give"]);
  cases.push([{ server: { processId: 0 } }, "server.processId must be a process id"]);
  cases.push([{ server: { processId: any("1") } }, "server.processId must be a process id"]);
  cases.push([{ server: { processId: 1.5 } }, "server.processId must be a process id"]);
  cases.push([{ server: any([1]) }, "server must be an object"]);
  cases.push([{ signal: any({ aborted: false }) }, "signal must be an AbortSignal"]);
  for (const [options, message] of cases) {
    await assertRejects(() => connectNamedPipe("x", options), TypeError, message);
  }
  await assertRejects(() => connectNamedPipe("x", { timeout: any("10") }), RangeError, "timeout");
  await assertRejects(() => connectNamedPipe("x", { timeout: NaN }), RangeError, "timeout");
  await assertRejects(
    () => connectNamedPipe("\\\\host\\pipe\\x", { remote: true, server: { user: "self" } }),
    TypeError,
    "the server of a remote pipe cannot be checked",
  );
});

Deno.test("listenNamedPipe() refuses hostile mode, security, backlog and size values", () => {
  const cases: [NamedPipeListenOptions, typeof TypeError | typeof RangeError, string][] = [];
  for (const value of HOSTILE) {
    cases.push([{ mode: any(value) }, TypeError, 'mode must be "byte" or "message"']);
    cases.push([
      { security: any(value) as SecurityRule },
      TypeError,
      'security must be "owner", "everyone" or { sddl }',
    ]);
    cases.push([{ backlog: any(value) }, RangeError, "backlog must be a whole number"]);
    cases.push([{ maxInstances: any(value) }, RangeError, "maxInstances must be"]);
  }
  // An sddl inherited from a prototype is not an own value.
  cases.push([
    { security: Object.create({ sddl: "D:(A;;GA;;;WD)" }) },
    TypeError,
    'security must be "owner", "everyone" or { sddl }',
  ]);
  cases.push([{ security: any(null) }, TypeError, "security must be"]);
  cases.push([any(null), TypeError, "options must be an object"]);
  cases.push([{ backlog: 0 }, RangeError, "backlog must be a whole number from 1 to 254"]);
  cases.push([{ backlog: 255 }, RangeError, "backlog must be"]);
  cases.push([{ backlog: 3, maxInstances: 2 }, RangeError, "from 1 to 2 (maxInstances)"]);
  cases.push([{ backlog: 2.5 }, RangeError, "backlog must be"]);
  cases.push([{ inBufferSize: any("toString") }, RangeError, "inBufferSize must be"]);
  cases.push([{ allowRemoteClients: any("yes") }, TypeError, "allowRemoteClients must be"]);
  for (const [options, type, message] of cases) {
    assertThrows(() => listenNamedPipe("x", options), type, message);
  }
});

Deno.test("isSidString() accepts SIDs only", () => {
  for (const sid of ["S-1-5-18", "s-1-5-21-1-2-3-1001", "S-1-0x000000000005-18"]) {
    assertEquals(isSidString(sid), true, sid);
  }
  for (const bad of [...HOSTILE, "S-1", "S-2-5-18", "S-1-5-x", "S-1-5-18 ", 42, null]) {
    assertEquals(isSidString(bad), false, String(bad));
  }
});

Deno.test("listenNamedPipe() refuses the old access option, naming security", () => {
  for (const access of ["everyone", "owner", { sddl: "D:(A;;GA;;;WD)" }]) {
    assertThrows(
      () => listenNamedPipe("x", any({ access })),
      TypeError,
      "the access option is now called security",
    );
  }
  // Even next to security: the old name is never silently ignored.
  assertThrows(
    () => listenNamedPipe("x", any({ security: "owner", access: "everyone" })),
    TypeError,
    "now called security",
  );
});

Deno.test("NamedPipeConn and NamedPipeListener cannot be constructed, and no internal is exported", () => {
  // deno-lint-ignore no-explicit-any
  const construct = (type: any, ...args: unknown[]) => () => new type(...args);
  assertThrows(construct(NamedPipeConn), TypeError, "Illegal constructor");
  assertThrows(construct(NamedPipeConn, Symbol("NamedPipeConn"), {}, "x"), TypeError, "Illegal");
  assertThrows(construct(NamedPipeListener, undefined, "\\\\.\\pipe\\x", {}), TypeError, "Illegal");
  assertEquals(Object.keys(mod).sort(), [
    "NamedPipeConn",
    "NamedPipeListener",
    "callNamedPipe",
    "connectNamedPipe",
    "listNamedPipes",
    "listenNamedPipe",
  ]);
});

Deno.test("connectNamedPipe() and callNamedPipe() refuse another computer's pipe unless remote is true", async () => {
  for (
    const name of [
      "\\\\server\\pipe\\x",
      "\\\\10.0.0.1\\pipe\\x",
      "\\\\attacker.example\\pipe\\a\\b",
    ]
  ) {
    await assertRejects(() => connectNamedPipe(name), TypeError, "pass { remote: true }");
    await assertRejects(
      () => connectNamedPipe(name, { remote: false }),
      TypeError,
      "another computer",
    );
    await assertRejects(
      () => callNamedPipe(name, new Uint8Array(1)),
      TypeError,
      "another computer",
    );
  }
  for (const remote of ["yes", 1, null, "true"]) {
    await assertRejects(
      () =>
        connectNamedPipe("\\\\server\\pipe\\x", { remote } as unknown as NamedPipeConnectOptions),
      TypeError,
      "remote must be true or false",
    );
  }
  // With remote: true the remote path passes the check and gets as far as
  // Windows (on Linux, the library's NotSupported; not tried on Windows,
  // where it would reach for a computer named "server").
  if (Deno.build.os !== "windows") {
    const allowed = await connectNamedPipe("\\\\server\\pipe\\x", { remote: true }).catch((e) => e);
    assertEquals(allowed instanceof Deno.errors.NotSupported, true);
  }
});
