// Copyright 2026 the winipc authors. MIT license.
/**
 * `winipc sync`: named events, mutexes and semaphores, and waiting for
 * any of several. Private to the CLI.
 *
 * @module
 */
import {
  createEvent,
  createSemaphore,
  openEvent,
  openOrCreateEvent,
  openOrCreateMutex,
  openSemaphore,
  openWaitableTimer,
  type SyncObject,
  type Waitable,
  waitAny,
} from "../sync/mod.ts";
import { type Command, type Context, type Group, UsageError } from "./_command.ts";
import {
  HOLD_OPTION,
  holdOf,
  holdText,
  holdUntilReleased,
  parseInteger,
  TIMEOUT_OPTION,
  timeoutOf,
} from "./_util.ts";

const NAME_ARG = {
  name: "NAME",
  description: "a short name (ready is Local\\ready), or Local\\... or Global\\...",
};

const MAX_COUNT = 2 ** 31 - 1;

function waitOptions(ctx: Context, timeout: number | undefined) {
  return { signal: ctx.signal, ...(timeout !== undefined ? { timeout } : {}) };
}

/** Holds a newly made object until released, printing what happened. */
async function holdObject(
  ctx: Context,
  object: SyncObject,
  hold: number | undefined,
): Promise<number> {
  const how = await holdUntilReleased(ctx, hold);
  if (how === "interrupt") throw ctx.signal.reason;
  ctx.print(`closed ${object.name}`, { type: "closed", name: object.name });
  return 0;
}

const eventCreate: Command = {
  name: "create",
  summary: "create a named event and keep it until Enter",
  description:
    "An event lives while a process has it open: this one keeps it until Enter (or the\nend of stdin), Ctrl+C, or --hold; meanwhile others set, reset and wait on it.",
  args: [NAME_ARG],
  options: [
    { name: "manual-reset", description: "stay signalled until reset (default: auto-reset)" },
    { name: "set", description: "start signalled" },
    HOLD_OPTION,
  ],
  examples: [
    "winipc sync event create ready",
    "winipc sync event create gate --manual-reset --hold 60",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const hold = holdOf(parsed);
    return async (ctx) => {
      using event = createEvent(name, {
        manualReset: parsed.flags["manual-reset"] === true,
        initialState: parsed.flags.set === true,
      });
      const kind = event.manualReset ? "manual-reset" : "auto-reset";
      ctx.print(`created event ${event.name} (${kind}); holding it ${holdText(hold)}`, {
        type: "created",
        kind: "event",
        name: event.name,
        manualReset: event.manualReset,
      });
      return await holdObject(ctx, event, hold);
    };
  },
};

const eventSet: Command = {
  name: "set",
  summary: "signal an event",
  args: [NAME_ARG],
  examples: ["winipc sync event set ready"],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    return (ctx) => {
      using event = openEvent(name);
      event.set();
      ctx.print(`set event ${event.name}`, { type: "set", name: event.name });
      return Promise.resolve(0);
    };
  },
};

const eventReset: Command = {
  name: "reset",
  summary: "make an event non-signalled",
  args: [NAME_ARG],
  examples: ["winipc sync event reset gate"],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    return (ctx) => {
      using event = openEvent(name);
      event.reset();
      ctx.print(`reset event ${event.name}`, { type: "reset", name: event.name });
      return Promise.resolve(0);
    };
  },
};

const eventWait: Command = {
  name: "wait",
  summary: "wait until an event is signalled",
  description:
    "Waiting on an auto-reset event takes its signal. Exits 124 if --timeout passes first.",
  args: [NAME_ARG],
  options: [
    TIMEOUT_OPTION,
    { name: "create", description: "create the event if it does not exist yet (auto-reset)" },
  ],
  examples: ["winipc sync event wait ready --timeout 5s", "winipc sync event wait ready --create"],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const timeout = timeoutOf(parsed);
    return async (ctx) => {
      using event = parsed.flags.create ? openOrCreateEvent(name) : openEvent(name);
      const start = performance.now();
      await event.wait(waitOptions(ctx, timeout));
      const ms = Math.round(performance.now() - start);
      ctx.print(`event ${event.name} is signalled (waited ${ms} ms)`, {
        type: "signalled",
        name: event.name,
        waitedMs: ms,
      });
      return 0;
    };
  },
};

const mutexHold: Command = {
  name: "hold",
  summary: "acquire a named mutex, hold it until Enter (or --hold), then release it",
  description: [
    "Opens the mutex (creating it if needed), waits for it, prints that it holds it, and",
    "releases it on Enter (or the end of stdin), after --hold, or on Ctrl+C. If the last",
    'owner died holding it, says "abandoned".',
  ].join("\n"),
  args: [NAME_ARG],
  options: [{ ...TIMEOUT_OPTION, description: "give up if it is not free within MS" }, HOLD_OPTION],
  examples: [
    "winipc sync mutex hold config",
    "winipc sync mutex hold config --timeout 10s --hold 5",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const timeout = timeoutOf(parsed);
    const hold = holdOf(parsed);
    return async (ctx) => {
      using mutex = openOrCreateMutex(name);
      const lock = await mutex.acquire(waitOptions(ctx, timeout));
      try {
        ctx.print(
          `acquired mutex ${mutex.name}${
            lock.abandoned ? " (abandoned by its last owner)" : ""
          }; ` +
            `holding it ${holdText(hold)}`,
          { type: "acquired", name: mutex.name, abandoned: lock.abandoned },
        );
        const how = await holdUntilReleased(ctx, hold);
        lock.release();
        ctx.print(`released mutex ${mutex.name}`, { type: "released", name: mutex.name });
        if (how === "interrupt") throw ctx.signal.reason;
      } finally {
        if (!lock.released) lock.release();
      }
      return 0;
    };
  },
};

const semaphoreCreate: Command = {
  name: "create",
  summary: "create a named semaphore and keep it until Enter",
  args: [NAME_ARG],
  options: [
    {
      name: "maximum",
      value: "N",
      description: "its largest count (default: 2147483647, as createSemaphore's)",
    },
    { name: "initial", value: "N", description: "the count it starts with (default: 0)" },
    HOLD_OPTION,
  ],
  examples: ["winipc sync semaphore create slots --maximum 4 --initial 4"],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const maximum = parsed.strings.maximum === undefined
      ? MAX_COUNT
      : parseInteger(parsed.strings.maximum, "--maximum", 1, MAX_COUNT);
    const initial = parsed.strings.initial === undefined
      ? 0
      : parseInteger(parsed.strings.initial, "--initial", 0, maximum);
    const hold = holdOf(parsed);
    return async (ctx) => {
      using semaphore = createSemaphore(name, { maximum, initial });
      ctx.print(
        `created semaphore ${semaphore.name} (count ${initial}, maximum ${maximum}); holding it ${
          holdText(hold)
        }`,
        { type: "created", kind: "semaphore", name: semaphore.name, initial, maximum },
      );
      return await holdObject(ctx, semaphore, hold);
    };
  },
};

const semaphoreRelease: Command = {
  name: "release",
  summary: "add to a semaphore's count",
  args: [NAME_ARG],
  options: [{ name: "count", value: "N", description: "how much to add (default: 1)" }],
  examples: [
    "winipc sync semaphore release slots",
    "winipc sync semaphore release slots --count 2",
  ],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const count = parsed.strings.count === undefined
      ? 1
      : parseInteger(parsed.strings.count, "--count", 1, MAX_COUNT);
    return (ctx) => {
      using semaphore = openSemaphore(name);
      const before = semaphore.release(count);
      ctx.print(`released semaphore ${semaphore.name}: count ${before} -> ${before + count}`, {
        type: "released",
        name: semaphore.name,
        previous: before,
        count: before + count,
      });
      return Promise.resolve(0);
    };
  },
};

const semaphoreAcquire: Command = {
  name: "acquire",
  summary: "take one unit of a semaphore's count (and keep it)",
  description:
    "Waits while the count is 0, then takes one unit. The unit stays taken after the tool\nexits: give it back with `winipc sync semaphore release`.",
  args: [NAME_ARG],
  options: [{ ...TIMEOUT_OPTION, description: "give up if no unit is free within MS" }],
  examples: ["winipc sync semaphore acquire slots --timeout 5s"],
  prepare(parsed) {
    const [name] = parsed.args as [string];
    const timeout = timeoutOf(parsed);
    return async (ctx) => {
      const semaphore = openSemaphore(name);
      try {
        await semaphore.acquire(waitOptions(ctx, timeout));
        ctx.print(`acquired one unit of semaphore ${semaphore.name}`, {
          type: "acquired",
          name: semaphore.name,
        });
      } finally {
        // Closing first: the permit is kept (not given back) when the tool exits.
        semaphore.close();
      }
      return 0;
    };
  },
};

const KINDS = ["event", "semaphore", "timer"] as const;
type Kind = typeof KINDS[number];

/** An `OBJECT` of `wait-any`: `KIND:NAME`, or a `NAME` of an event. */
function parseWaitable(spec: string): { kind: Kind; name: string } {
  const colon = spec.indexOf(":");
  const given = colon > 0 ? spec.slice(0, colon) : "event";
  const name = colon > 0 ? spec.slice(colon + 1) : spec;
  const kind = KINDS.find((k) => k === given);
  if (kind === undefined) {
    throw new UsageError(`"${spec}": the kind must be event, semaphore or timer`);
  }
  if (name === "") throw new UsageError(`"${spec}" has no name`);
  return { kind, name };
}

function openWaitable(
  { kind, name }: { kind: Kind; name: string },
): { kind: Kind; object: Waitable & SyncObject } {
  const object = kind === "event"
    ? openEvent(name)
    : kind === "semaphore"
    ? openSemaphore(name)
    : openWaitableTimer(name);
  return { kind, object };
}

const waitAnyCommand: Command = {
  name: "wait-any",
  summary: "wait until any of several named events, semaphores or timers is signalled",
  description: [
    "Each OBJECT is KIND:NAME with KIND event (the default), semaphore or timer. Prints",
    "the first that is signalled (its signal is taken, as one wait takes it).",
  ].join("\n"),
  args: [{ name: "OBJECT", variadic: true, description: "event:NAME, semaphore:NAME, timer:NAME" }],
  options: [TIMEOUT_OPTION],
  examples: [
    "winipc sync wait-any ready failed --timeout 30s",
    "winipc sync wait-any event:stop semaphore:jobs",
  ],
  prepare(parsed) {
    const timeout = timeoutOf(parsed);
    const specs = parsed.args.map(parseWaitable);
    return async (ctx) => {
      const opened: Array<{ kind: Kind; object: Waitable & SyncObject }> = [];
      try {
        for (const spec of specs) opened.push(openWaitable(spec));
        const index = await waitAny(opened.map((o) => o.object), waitOptions(ctx, timeout));
        const { kind, object } = opened[index]!;
        ctx.print(`${kind} ${object.name} is signalled`, {
          type: "signalled",
          index,
          kind,
          name: object.name,
        });
      } finally {
        for (const { object } of opened) object[Symbol.dispose]();
      }
      return 0;
    };
  },
};

/** `winipc sync`. */
export const syncGroup: Group = {
  name: "sync",
  summary: "events, mutexes, semaphores, and waiting for any of several",
  commands: [
    {
      name: "event",
      summary: "named events: create, set, reset, wait",
      commands: [eventCreate, eventSet, eventReset, eventWait],
    },
    { name: "mutex", summary: "named mutexes: hold", commands: [mutexHold] },
    {
      name: "semaphore",
      summary: "named semaphores: create, release, acquire",
      commands: [semaphoreCreate, semaphoreRelease, semaphoreAcquire],
    },
    waitAnyCommand,
  ],
};
