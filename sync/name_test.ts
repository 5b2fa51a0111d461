// Copyright 2026 the winipc authors. MIT license.
// The name check comes before any call into Windows, so these run on every
// OS: a name that got past it would fail with NotSupported off Windows.
import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  createEvent,
  createMutex,
  createSemaphore,
  createWaitableTimer,
  Mutex,
  openEvent,
  openMutex,
  openOrCreateEvent,
  openOrCreateMutex,
  openOrCreateSemaphore,
  openOrCreateWaitableTimer,
  openSemaphore,
  openWaitableTimer,
  Semaphore,
  SyncEvent,
  type Waitable,
  WaitableTimer,
  waitAll,
  waitAny,
} from "./mod.ts";

const HOSTILE: Array<[string, string]> = [
  ["Local\\..\\Global\\x", "backslash"],
  ["..\\x", "backslash"],
  ["\\??\\C:\\x", "backslash"],
  ["Session\\1\\x", "backslash"],
  ["..", 'must not be ".."'],
  ["Local\\.", 'must not be "."'],
  ["Local\\Global", "other namespaces"],
  ["Session", "other namespaces"],
  ["a\nb", "control characters"],
  ["a\0b", "NUL"],
  ["x".repeat(255), "260"],
];

Deno.test("sync objects refuse names that could leave their namespace", async (t) => {
  const makers: Array<[string, string, (name: string) => unknown]> = [
    ["createEvent", "event", (name) => createEvent(name)],
    ["openEvent", "event", (name) => openEvent(name)],
    ["createMutex", "mutex", (name) => createMutex(name)],
    ["openMutex", "mutex", (name) => openMutex(name)],
    ["createSemaphore", "semaphore", (name) => createSemaphore(name, { maximum: 1 })],
    ["openSemaphore", "semaphore", (name) => openSemaphore(name)],
    ["createWaitableTimer", "waitable timer", (name) => createWaitableTimer(name)],
    ["openWaitableTimer", "waitable timer", (name) => openWaitableTimer(name)],
    ["openOrCreateEvent", "event", (name) => openOrCreateEvent(name)],
    ["openOrCreateMutex", "mutex", (name) => openOrCreateMutex(name)],
    ["openOrCreateSemaphore", "semaphore", (name) => openOrCreateSemaphore(name, { maximum: 1 })],
    ["openOrCreateWaitableTimer", "waitable timer", (name) => openOrCreateWaitableTimer(name)],
  ];
  for (const [fn, kind, make] of makers) {
    await t.step(fn, () => {
      for (const [name, message] of HOSTILE) {
        const error = assertThrows(() => make(name), TypeError, message);
        if (!error.message.includes(`${kind} name "${name}": `)) {
          throw new Error(`${fn}(${JSON.stringify(name)}): unexpected message ${error.message}`);
        }
      }
    });
  }
});

Deno.test("sync create and open functions refuse hostile option values before any call", async (t) => {
  const cases: Array<[string, () => unknown, ErrorConstructor | RangeErrorConstructor, string]> = [
    [
      "security: toString",
      () => createEvent({ security: "toString" as "owner" }),
      TypeError,
      "security must be",
    ],
    [
      "security: __proto__",
      () => createMutex("m", { security: "__proto__" as "owner" }),
      TypeError,
      "security must be",
    ],
    [
      "security: { sddl: 1 }",
      () => createSemaphore({ maximum: 1, security: { sddl: 1 as unknown as string } }),
      TypeError,
      "security must be",
    ],
    [
      "manualReset: 'yes'",
      () => createEvent({ manualReset: "yes" as unknown as boolean }),
      TypeError,
      "manualReset must be true or false",
    ],
    [
      "initialState: 1",
      () => createEvent("e", { initialState: 1 as unknown as boolean }),
      TypeError,
      "initialState must be true or false",
    ],
    [
      "timer manualReset: 'no'",
      () => createWaitableTimer({ manualReset: "no" as unknown as boolean }),
      TypeError,
      "manualReset",
    ],
    [
      "global: 'true'",
      () => createEvent("e", { global: "true" as unknown as boolean }),
      TypeError,
      "global must be",
    ],
    [
      "open global: 1",
      () => openEvent("e", { global: 1 as unknown as boolean }),
      TypeError,
      "global must be",
    ],
    [
      "options: 5",
      () => openMutex("m", 5 as unknown as object),
      TypeError,
      "options must be an object",
    ],
    [
      "first argument: 42",
      () => createEvent(42 as unknown as string),
      TypeError,
      "first argument must be a name or an options object",
    ],
    [
      "first argument: null",
      () => createMutex(null as unknown as string),
      TypeError,
      "first argument",
    ],
    ["options twice", () => createEvent({} as string, {}), TypeError, "not options twice"],
    [
      "maximum: '4'",
      () => createSemaphore({ maximum: "4" as unknown as number }),
      RangeError,
      "maximum must be an integer",
    ],
    [
      "maximum above LONG_MAX",
      () => createSemaphore({ maximum: 2 ** 31 }),
      RangeError,
      "maximum must be an integer from 1 to 2147483647",
    ],
    [
      "initial above the default maximum (LONG_MAX)",
      () => createSemaphore({ initial: 2 ** 31 }),
      RangeError,
      "initial must be an integer from 0 to the maximum (2147483647)",
    ],
    [
      "initial > maximum",
      () => createSemaphore("s", { initial: 3, maximum: 2 }),
      RangeError,
      "initial must be",
    ],
    [
      "openOrCreate without a name",
      () => openOrCreateEvent(undefined as unknown as string),
      TypeError,
      "must be a string",
    ],
    [
      "openOrCreate name: 7",
      () => openOrCreateMutex(7 as unknown as string),
      TypeError,
      "must be a string",
    ],
    ["waitAny([])", () => waitAny([]), RangeError, "at least one"],
    [
      "waitAny of a plain object",
      () => waitAny([{} as SyncEvent]),
      TypeError,
      "not an event, a semaphore or a waitable timer",
    ],
    [
      "waitAll of a string",
      () => waitAll("ab" as unknown as SyncEvent[]),
      TypeError,
      "must be an array",
    ],
  ];
  for (const [name, call, ErrorClass, message] of cases) {
    await t.step(name, async () => {
      let result: unknown;
      try {
        result = call();
      } catch (error) {
        assertInstanceOf(error, ErrorClass);
        assertStringIncludes((error as Error).message, message);
        return;
      }
      await assertRejects(() => result as Promise<unknown>, ErrorClass, message);
    });
  }
});

Deno.test("waitAny and waitAll do not type-check with a Mutex", () => {
  // Never called: only the type check matters. A mutex's wait owns it, so
  // it is not a Waitable.
  const typeCheckOnly = (mutex: Mutex, event: SyncEvent, semaphore: Semaphore) => {
    // @ts-expect-error: a Mutex is not a Waitable
    waitAny([mutex]);
    // @ts-expect-error: a Mutex is not a Waitable, even among others
    waitAll([event, mutex]);
    const ok: Waitable[] = [event, semaphore];
    waitAny(ok);
  };
  assertEquals(typeof typeCheckOnly, "function");
});

Deno.test("sync classes cannot be constructed, and expose no internals", () => {
  for (const Class of [SyncEvent, Semaphore, Mutex, WaitableTimer]) {
    assertThrows(
      () => new (Class as unknown as new () => SyncEvent)(),
      TypeError,
      "Illegal constructor: synchronisation objects come from the create and open functions",
    );
    for (const key of ["raw", "handle", "describe", "restore"]) {
      assertEquals(key in Class.prototype, false, `${Class.name}: ${key}`);
    }
  }
});
