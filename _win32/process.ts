// Copyright 2026 the winipc authors. MIT license.
/**
 * Starting a process with exactly the handles it should inherit:
 * `CreateProcessW` with an explicit handle list
 * (`PROC_THREAD_ATTRIBUTE_HANDLE_LIST`), so that an inheritable handle made
 * for one child never leaks into another.
 *
 * @module
 */
import { DUPLICATE_SAME_ACCESS, HANDLE_FLAG_INHERIT, kernel32, outValue } from "./ffi.ts";
import { ERROR, errorFromCode } from "./errors.ts";
import { OwnedHandle, pointerValue } from "./handle.ts";
import { encodeUtf16z } from "./utf16.ts";

const STARTUPINFOEXW_SIZE = 112;
const STARTF_USESTDHANDLES = 0x100;
const EXTENDED_STARTUPINFO_PRESENT = 0x0008_0000;
const CREATE_UNICODE_ENVIRONMENT = 0x0000_0400;
const PROC_THREAD_ATTRIBUTE_HANDLE_LIST = 0x0002_0002n;
const ERROR_DIRECTORY = 267;
const ERROR_BAD_EXE_FORMAT = 193;

/** What {@linkcode createProcess} needs. */
export interface ProcessSpec {
  /** The program, for messages. */
  command: string;
  /** The whole command line. */
  commandLine: string;
  /** An environment block, or `null` to inherit this process's. */
  environment: Uint16Array | null;
  /** The working directory, or `undefined` for this process's. */
  cwd: string | undefined;
  /** Standard input, output and error for the child (inheritable), or null. */
  stdio: [Deno.PointerValue, Deno.PointerValue, Deno.PointerValue];
  /** Every handle the child inherits (each inheritable), stdio included. */
  inherit: Deno.PointerObject[];
}

/** A started process. */
export interface StartedProcess {
  /** The process handle. */
  handle: OwnedHandle;
  /** Its id. */
  pid: number;
}

/**
 * Makes an inheritable duplicate of a handle (the original is untouched).
 *
 * @param raw The handle.
 * @returns The inheritable copy, owned by the caller.
 */
export function inheritableCopy(raw: Deno.PointerObject): OwnedHandle {
  const k = kernel32();
  const out = new BigUint64Array(1);
  const self = k.GetCurrentProcess();
  if (
    !k.DuplicateHandle(self, raw, self, new Uint8Array(out.buffer), 0, 1, DUPLICATE_SAME_ACCESS)
  ) {
    throw errorFromCode(k.GetLastError(), "Cannot make an inheritable copy of a handle");
  }
  return new OwnedHandle(Deno.UnsafePointer.create(outValue(out))!, "inheritable handle");
}

/**
 * Sets or clears a handle's inherit flag.
 *
 * @param raw The handle.
 * @param inherit The new flag.
 */
export function setInheritable(raw: Deno.PointerObject, inherit: boolean): void {
  const k = kernel32();
  if (!k.SetHandleInformation(raw, HANDLE_FLAG_INHERIT, inherit ? HANDLE_FLAG_INHERIT : 0)) {
    throw errorFromCode(k.GetLastError(), "Cannot change whether a handle is inheritable");
  }
}

/**
 * Starts a process (`CreateProcessW`) that inherits exactly `spec.inherit`.
 *
 * @param spec The command line, environment, directory and handles.
 * @returns The process handle and id (the thread handle is closed).
 * @throws {Deno.errors.NotFound} If the program or the directory does not exist.
 * @throws The mapped Win32 error otherwise.
 */
export function createProcess(spec: ProcessSpec): StartedProcess {
  const k = kernel32();
  const unique = [...new Map(spec.inherit.map((h) => [pointerValue(h), h])).values()];
  const handles = new BigUint64Array(unique.map((h) => pointerValue(h)));
  const size = new BigUint64Array(1);
  k.InitializeProcThreadAttributeList(null, 1, 0, new Uint8Array(size.buffer));
  const list = new Uint8Array(Number(size[0]));
  if (!k.InitializeProcThreadAttributeList(list, 1, 0, new Uint8Array(size.buffer))) {
    throw errorFromCode(k.GetLastError(), "Cannot prepare the process attribute list");
  }
  try {
    if (
      handles.length > 0 &&
      !k.UpdateProcThreadAttribute(
        list,
        0,
        PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
        new Uint8Array(handles.buffer),
        BigInt(handles.byteLength),
        null,
        null,
      )
    ) {
      throw errorFromCode(k.GetLastError(), "Cannot set the handles a child inherits");
    }
    const startup = new Uint8Array(STARTUPINFOEXW_SIZE);
    const view = new DataView(startup.buffer);
    view.setUint32(0, STARTUPINFOEXW_SIZE, true);
    view.setUint32(60, STARTF_USESTDHANDLES, true);
    spec.stdio.forEach((h, i) => view.setBigUint64(80 + 8 * i, pointerValue(h), true));
    view.setBigUint64(104, pointerValue(Deno.UnsafePointer.of(list)), true);
    const info = new BigUint64Array(3); // hProcess, hThread, dwProcessId + dwThreadId
    const line = encodeUtf16z(spec.commandLine);
    const ok = k.CreateProcessW(
      null,
      line,
      null,
      null,
      handles.length > 0 ? 1 : 0,
      EXTENDED_STARTUPINFO_PRESENT | CREATE_UNICODE_ENVIRONMENT,
      spec.environment,
      spec.cwd === undefined ? null : encodeUtf16z(spec.cwd),
      startup,
      new Uint8Array(info.buffer),
    );
    const code = ok ? 0 : k.GetLastError();
    if (!ok) {
      if (code === ERROR.FILE_NOT_FOUND || code === ERROR.PATH_NOT_FOUND) {
        throw new Deno.errors.NotFound(
          `Cannot spawn "${spec.command}": no such program (looked in the application's and the current directory, the system directories and PATH)`,
          { cause: errorFromCode(code) },
        );
      }
      if (code === ERROR_DIRECTORY) {
        throw new Deno.errors.NotFound(
          `Cannot spawn "${spec.command}": the working directory "${spec.cwd}" does not exist`,
          { cause: errorFromCode(code) },
        );
      }
      if (code === ERROR_BAD_EXE_FORMAT) {
        throw errorFromCode(code, `Cannot spawn "${spec.command}": not a program Windows can run`);
      }
      throw errorFromCode(code, `Cannot spawn "${spec.command}"`);
    }
    const process = new OwnedHandle(Deno.UnsafePointer.create(outValue(info, 0))!, "process");
    k.CloseHandle(Deno.UnsafePointer.create(outValue(info, 1)));
    return { handle: process, pid: Number(outValue(info, 2) & 0xffff_ffffn) };
  } finally {
    k.DeleteProcThreadAttributeList(list);
  }
}
