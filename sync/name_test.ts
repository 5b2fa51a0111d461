// Copyright 2026 the winipc authors. MIT license.
// The name check comes before any call into Windows, so these run on every
// OS: a name that got past it would fail with NotSupported off Windows.
import { assertThrows } from "@std/assert";
import {
  createEvent,
  createMutex,
  createSemaphore,
  createWaitableTimer,
  openEvent,
  openMutex,
  openSemaphore,
  openWaitableTimer,
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
