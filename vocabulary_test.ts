// Copyright 2026 the winipc authors. MIT license.
// The vocabulary's decisions (docs/vocabulary.md, "Decisions"), pinned: the
// type check of this file (part of `deno test`, on any OS) fails if a
// removed name comes back or a kept one changes its type, and the test
// looks at the prototypes at run time. Nothing here touches Windows.
import { assert, assertEquals } from "@std/assert";
import { ChildProcess, type PipeWriteOptions } from "./pipe/mod.ts";
import {
  type CreateMailslotOptions,
  Mailslot,
  // @ts-expect-error: MailslotReceiveOptions is WaitOptions (one timeout idea)
  type MailslotReceiveOptions,
  type MailslotReceiveTextOptions,
  type openMailslot,
  type OpenMailslotOptions,
} from "./mailslot/mod.ts";
import {
  type createSemaphore,
  type CreateSemaphoreOptions,
  TimerQueueTimer,
  type TimerTicksOptions,
  type WaitableTimer,
  type WaitOptions,
} from "./sync/mod.ts";
import { SharedChannelReceiver, SharedChannelSender } from "./shared_memory/mod.ts";

/** True when `A` and `B` are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

/** Fails the type check unless its type argument is `true`. */
function assertType<T extends true>(_check: T): void {}

Deno.test("the vocabulary's names have the types docs/vocabulary.md decided", () => {
  // Only the type check matters: never called.
  const typeCheckOnly = (
    slot: Mailslot,
    timer: TimerQueueTimer,
    ticking: WaitableTimer,
    makeSemaphore: typeof createSemaphore,
    open: typeof openMailslot,
  ) => {
    // 1. A pipe-end write takes timeout beside signal.
    assertType<Equal<PipeWriteOptions["timeout"], number | undefined>>(true);
    assertType<Equal<PipeWriteOptions["signal"], AbortSignal | undefined>>(true);
    const writeOptions: WaitOptions = {} as PipeWriteOptions;

    // 2. Mailslots: the per-call timeout is the only one.
    // @ts-expect-error: there is no readTimeout option
    const created: CreateMailslotOptions = { readTimeout: 100 };
    // @ts-expect-error: there is no setReadTimeout()
    slot.setReadTimeout(100);
    // @ts-expect-error: info() reports no read timeout
    void slot.info().readTimeout;
    assertType<Equal<Parameters<Mailslot["receive"]>[0], WaitOptions | undefined>>(true);
    const receiveText: WaitOptions = {} as MailslotReceiveTextOptions;
    let removed: MailslotReceiveOptions | undefined;

    // 3. A timer's ticks take the signal every call takes.
    assertType<Equal<TimerTicksOptions["signal"], AbortSignal | undefined>>(true);
    assertType<Equal<ReturnType<WaitableTimer["ticks"]>, AsyncGenerator<number>>>(true);
    void ticking;

    // 4. TimerQueueTimer ends with close()/closed, and has no delete()/deleted.
    assertType<Equal<TimerQueueTimer["close"], () => Promise<void>>>(true);
    assertType<Equal<TimerQueueTimer["closed"], boolean>>(true);
    // @ts-expect-error: delete() is close()
    void timer.delete();
    // @ts-expect-error: deleted is closed
    void timer.deleted;

    // 5. ChildProcess releases its handle with close()/closed/[Symbol.dispose].
    assertType<Equal<ChildProcess["close"], () => void>>(true);
    assertType<Equal<ChildProcess["closed"], boolean>>(true);
    assertType<Equal<ChildProcess[typeof Symbol.dispose], () => void>>(true);

    // 6. The shared channel's ends have the mapping's handle.
    assertType<Equal<SharedChannelSender["unsafeHandle"], Deno.PointerValue>>(true);
    assertType<Equal<SharedChannelReceiver["unsafeHandle"], Deno.PointerValue>>(true);

    // 7. openMailslot opts in to another computer with remote, as named pipes do.
    assertType<Equal<Parameters<typeof openMailslot>[1], OpenMailslotOptions | undefined>>(true);
    assertType<Equal<OpenMailslotOptions["remote"], boolean | undefined>>(true);
    open("\\\\*\\mailslot\\jobs", { remote: true });

    // 8. A semaphore's maximum is optional (2147483647 by default).
    assertType<Equal<CreateSemaphoreOptions["maximum"], number | undefined>>(true);
    makeSemaphore({ initial: 1 });
    makeSemaphore();

    return [writeOptions, created, receiveText, removed];
  };
  assertEquals(typeof typeCheckOnly, "function");
});

Deno.test("the vocabulary's names are on the prototypes, and the removed ones are not", () => {
  const has = (type: { prototype: object }, name: string | symbol) => name in type.prototype;
  for (const name of ["close", "closed", Symbol.asyncDispose]) {
    assert(has(TimerQueueTimer, name), `TimerQueueTimer lacks ${String(name)}`);
  }
  assert(!has(TimerQueueTimer, "delete") && !has(TimerQueueTimer, "deleted"));
  for (const name of ["close", "closed", Symbol.dispose, Symbol.asyncDispose]) {
    assert(has(ChildProcess, name), `ChildProcess lacks ${String(name)}`);
  }
  assert(!has(Mailslot, "setReadTimeout") && !has(Mailslot, "readTimeout"));
  assert(has(SharedChannelSender, "unsafeHandle") && has(SharedChannelReceiver, "unsafeHandle"));
});
