// Copyright 2026 the winipc authors. MIT license.
/**
 * A thread that owns a mutex for JavaScript.
 *
 * A Win32 mutex belongs to the thread whose wait acquired it, and only that
 * thread may release it. JavaScript runs on one thread, whose waits must
 * not block; winipc's asynchronous waits complete on thread-pool threads,
 * which could never release what they acquired. So a contended mutex gets
 * one dedicated thread that acquires and releases it on request:
 *
 * ```
 * loop: wait(request)
 *       if quit: exit
 *       result = WaitForMultipleObjects([mutex, cancel], any)
 *       SetEvent(done)
 *       if result is 0 (acquired) or 0x80 (abandoned):
 *           wait(release); ReleaseMutex(mutex)
 * ```
 *
 * Win32 has no thread routine that runs such a loop. On x86-64 the loop is
 * 150 bytes of machine code, written once per process into a page that is
 * then made execute-only (`PAGE_EXECUTE_READ`). It calls only kernel32's
 * `WaitForSingleObject`, `WaitForMultipleObjects`, `SetEvent` and
 * `ReleaseMutex`, through addresses in its control block. On any other
 * architecture (ARM64 Windows) the same loop runs in JavaScript on a
 * `node:worker_threads` Worker (`owner_thread_worker.ts`), `unref()`ed
 * so that it never keeps the process alive: the same events, the same
 * protocol, a Worker's start-up and memory instead of a raw thread's. The
 * x86-64 suite also runs the Worker loop (`useOwnerThreadKind`).
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { OWNER_THREAD, type OwnerThreadData } from "./owner_thread_worker.ts";
import { kernel32, kernel32Address } from "./ffi.ts";
import { errorFromCode } from "./errors.ts";
import { OwnedHandle, pointerValue } from "./handle.ts";

/** Offsets in the control block. */
const CTX = {
  mutex: 0x00,
  request: 0x08,
  cancel: 0x10,
  done: 0x18,
  release: 0x20,
  result: 0x28,
  releaseResult: 0x30,
  quit: 0x38,
  waitMultiple: 0x40,
  waitSingle: 0x48,
  setEvent: 0x50,
  releaseMutex: 0x58,
  handles: 0x60, // [mutex, cancel]
  size: 0x70,
} as const;

/** Assembles the loop above (x86-64, Windows calling convention). */
function assemble(): Uint8Array {
  const out: number[] = [];
  const labels = new Map<string, number>();
  const fixups: { at: number; label: string }[] = [];
  const emit = (...bytes: number[]) => out.push(...bytes);
  const jump = (opcode: number, label: string) => {
    emit(opcode, 0);
    fixups.push({ at: out.length - 1, label });
  };
  const label = (name: string) => labels.set(name, out.length);
  const callSlot = (offset: number) => emit(0xff, 0x53, offset); // call [rbx+offset]
  const loadRcx = (offset: number) => emit(0x48, 0x8b, 0x4b, offset); // mov rcx, [rbx+offset]
  const infiniteEdx = () => emit(0xba, 0xff, 0xff, 0xff, 0xff); // mov edx, INFINITE

  emit(0x53); //                                  push rbx
  emit(0x48, 0x83, 0xec, 0x30); //                sub rsp, 0x30 (shadow space, aligned)
  emit(0x48, 0x89, 0xcb); //                      mov rbx, rcx (the control block)
  label("loop");
  loadRcx(CTX.request);
  infiniteEdx();
  callSlot(CTX.waitSingle); //                    WaitForSingleObject(request, INFINITE)
  emit(0x83, 0x7b, CTX.quit, 0x00); //            cmp dword [rbx+quit], 0
  jump(0x75, "exit"); //                          jne exit
  emit(0xb9, 0x02, 0x00, 0x00, 0x00); //          mov ecx, 2
  emit(0x48, 0x8d, 0x53, CTX.handles); //         lea rdx, [rbx+handles]
  emit(0x45, 0x31, 0xc0); //                      xor r8d, r8d (wait for any)
  emit(0x41, 0xb9, 0xff, 0xff, 0xff, 0xff); //    mov r9d, INFINITE
  callSlot(CTX.waitMultiple); //                  WaitForMultipleObjects(2, handles, FALSE, INFINITE)
  emit(0x89, 0x43, CTX.result); //                mov [rbx+result], eax
  loadRcx(CTX.done);
  callSlot(CTX.setEvent); //                      SetEvent(done)
  emit(0x8b, 0x43, CTX.result); //                mov eax, [rbx+result]
  emit(0x85, 0xc0); //                            test eax, eax
  jump(0x74, "owned"); //                         je owned
  emit(0x3d, 0x80, 0x00, 0x00, 0x00); //          cmp eax, 0x80 (WAIT_ABANDONED)
  jump(0x75, "loop"); //                          jne loop
  label("owned");
  loadRcx(CTX.release);
  infiniteEdx();
  callSlot(CTX.waitSingle); //                    WaitForSingleObject(release, INFINITE)
  emit(0x48, 0x8b, 0x0b); //                      mov rcx, [rbx] (mutex)
  callSlot(CTX.releaseMutex); //                  ReleaseMutex(mutex)
  emit(0x89, 0x43, CTX.releaseResult); //         mov [rbx+releaseResult], eax
  loadRcx(CTX.done);
  callSlot(CTX.setEvent); //                      SetEvent(done): released
  jump(0xeb, "loop"); //                          jmp loop
  label("exit");
  emit(0x31, 0xc0); //                            xor eax, eax
  emit(0x48, 0x83, 0xc4, 0x30); //                add rsp, 0x30
  emit(0x5b); //                                  pop rbx
  emit(0xc3); //                                  ret
  for (const { at, label: name } of fixups) {
    const rel = labels.get(name)! - (at + 1);
    if (rel < -128 || rel > 127) throw new Error("owner thread code: jump out of range");
    out[at] = rel & 0xff;
  }
  return new Uint8Array(out);
}

let code: Deno.PointerObject | null = null;
let functions: KernelFunctions | null = null;

function threadCode(): Deno.PointerObject {
  if (code !== null) return code;
  if (Deno.build.arch !== "x86_64") {
    throw new Deno.errors.NotSupported(
      `A contended mutex needs winipc's owner thread, whose code is x86-64; this is ${Deno.build.arch}`,
    );
  }
  const k = kernel32();
  const bytes = assemble();
  const MEM_COMMIT_RESERVE = 0x3000;
  const PAGE_READWRITE = 0x04;
  const PAGE_EXECUTE_READ = 0x20;
  const page = k.VirtualAlloc(null, 4096n, MEM_COMMIT_RESERVE, PAGE_READWRITE);
  if (page === null) {
    throw errorFromCode(k.GetLastError(), "Cannot allocate the mutex owner thread's code");
  }
  new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(page, bytes.length)).set(bytes);
  if (!k.VirtualProtect(page, 4096n, PAGE_EXECUTE_READ, new Uint8Array(4))) {
    throw errorFromCode(k.GetLastError(), "Cannot make the mutex owner thread's code executable");
  }
  k.FlushInstructionCache(k.GetCurrentProcess(), page, 4096n);
  code = page;
  return page;
}

/** The addresses of the kernel32 functions the owner thread calls. */
type KernelFunctions = readonly [
  waitMultiple: bigint,
  waitSingle: bigint,
  setEvent: bigint,
  releaseMutex: bigint,
];

function kernelFunctions(): KernelFunctions {
  if (functions !== null) return functions;
  const find = (name: string) => {
    const address = kernel32Address(name);
    if (address === null) throw new Error(`Cannot find kernel32!${name}`);
    return pointerValue(address);
  };
  functions = [
    find("WaitForMultipleObjects"),
    find("WaitForSingleObject"),
    find("SetEvent"),
    find("ReleaseMutex"),
  ];
  return functions;
}

function newEvent(): OwnedHandle {
  const k = kernel32();
  return OwnedHandle.from(
    k.CreateEventW(null, 0, 0, null),
    k.GetLastError(),
    "event",
    "Cannot create an event",
  );
}

/** How the loop runs: machine code (x86-64 only) or a Worker (any architecture). */
export type OwnerThreadKind = "code" | "worker";

let kind: OwnerThreadKind = Deno.build.arch === "x86_64" ? "code" : "worker";

/**
 * Chooses how owner threads started from now on run (tests: the Worker loop
 * on x86-64).
 *
 * @param chosen The kind.
 * @returns The kind chosen before.
 */
export function useOwnerThreadKind(chosen: OwnerThreadKind): OwnerThreadKind {
  const before = kind;
  kind = chosen;
  return before;
}

/** What an acquire on the owner thread ended with. */
export type OwnerResult = "acquired" | "abandoned" | "cancelled";

/** One mutex's owner thread, its events and its control block. */
export class OwnerThread {
  readonly #block = new Uint8Array(CTX.size);
  readonly #view = new DataView(this.#block.buffer);
  readonly #events: {
    request: OwnedHandle;
    cancel: OwnedHandle;
    done: OwnedHandle;
    release: OwnedHandle;
  };
  readonly #thread: OwnedHandle | null = null;
  readonly #worker: Worker | null = null;
  readonly #exited: Promise<void> | null = null;
  readonly #state: Int32Array | null = null;
  #stopped = false;

  /**
   * Starts the thread for `mutex` (which must stay open until the thread
   * has ended: see {@linkcode stop}).
   */
  constructor(mutex: Deno.PointerObject) {
    const k = kernel32();
    this.#events = {
      request: newEvent(),
      cancel: newEvent(),
      done: newEvent(),
      release: newEvent(),
    };
    const v = this.#view;
    const set = (offset: number, value: bigint) => v.setBigUint64(offset, value, true);
    set(CTX.mutex, pointerValue(mutex));
    set(CTX.request, pointerValue(this.#events.request.raw));
    set(CTX.cancel, pointerValue(this.#events.cancel.raw));
    set(CTX.done, pointerValue(this.#events.done.raw));
    set(CTX.release, pointerValue(this.#events.release.raw));
    const [waitMultiple, waitSingle, setEvent, releaseMutex] = kernelFunctions();
    set(CTX.waitMultiple, waitMultiple);
    set(CTX.waitSingle, waitSingle);
    set(CTX.setEvent, setEvent);
    set(CTX.releaseMutex, releaseMutex);
    set(CTX.handles, pointerValue(mutex));
    set(CTX.handles + 8, pointerValue(this.#events.cancel.raw));
    if (kind === "worker") {
      this.#state = new Int32Array(new SharedArrayBuffer(8));
      const e = this.#events;
      const data: OwnerThreadData = {
        marker: OWNER_THREAD.marker,
        handles: [
          pointerValue(mutex),
          pointerValue(e.request.raw),
          pointerValue(e.cancel.raw),
          pointerValue(e.done.raw),
          pointerValue(e.release.raw),
        ],
        state: this.#state.buffer as SharedArrayBuffer,
      };
      this.#worker = new Worker(new URL(OWNER_THREAD.url), { workerData: data });
      this.#worker.unref();
      this.#exited = new Promise((resolve) => this.#worker!.once("exit", () => resolve()));
      // A loop that fails ends any acquire waiting on it: the result reads
      // as a failed wait (result() throws), and `done` wakes the waiter.
      this.#worker.on("error", () => {
        Atomics.store(this.#state!, 0, -1);
        if (!e.done.closed) kernel32().SetEvent(e.done.raw);
      });
      return;
    }
    const raw = k.CreateThread(
      null,
      64n * 1024n,
      threadCode(),
      Deno.UnsafePointer.of(this.#block),
      0,
      new Uint8Array(4),
    );
    if (raw === null) {
      const code = k.GetLastError();
      for (const event of Object.values(this.#events)) event.close();
      throw errorFromCode(code, "Cannot start the mutex owner thread");
    }
    this.#thread = new OwnedHandle(raw, "thread");
  }

  /** The event the thread sets when an acquire ends, and after each release. */
  get done(): OwnedHandle {
    return this.#events.done;
  }

  /** Asks the thread to acquire; wait for {@linkcode done}, then read {@linkcode result}. */
  requestAcquire(): void {
    const k = kernel32();
    k.ResetEvent(this.#events.cancel.raw);
    k.SetEvent(this.#events.request.raw);
  }

  /** Cancels a pending acquire (it may still win: read {@linkcode result}). */
  cancelAcquire(): void {
    kernel32().SetEvent(this.#events.cancel.raw);
  }

  /** How the last acquire ended. */
  result(): OwnerResult {
    const value = this.#state !== null
      ? Atomics.load(this.#state, 0) >>> 0
      : this.#view.getUint32(CTX.result, true);
    if (value === 0) return "acquired";
    if (value === 0x80) return "abandoned";
    if (value === 1) return "cancelled";
    throw new Error(`The mutex owner thread's wait failed (${value})`);
  }

  /** Asks the thread to release the mutex it holds; it sets {@linkcode done} after. */
  requestRelease(): void {
    kernel32().SetEvent(this.#events.release.raw);
  }

  /**
   * Ends the thread (it must hold no mutex and wait for no acquire); its
   * events close once it has exited.
   *
   * @returns Resolves once the thread has ended and everything is closed.
   */
  stop(wait: (thread: OwnedHandle) => Promise<unknown>): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#stopped = true;
    if (this.#state !== null) Atomics.store(this.#state, 1, 1);
    this.#view.setUint32(CTX.quit, 1, true);
    kernel32().SetEvent(this.#events.request.raw);
    const block = this.#block; // kept alive until the thread is gone
    const ended = this.#exited ?? wait(this.#thread!);
    return ended.then(() => {
      void block;
      this.#thread?.close();
      for (const event of Object.values(this.#events)) event.close();
    });
  }
}
