// Copyright 2026 the winipc authors. MIT license.
/**
 * Security descriptors for named objects, from SDDL strings, and the
 * owner-only default.
 *
 * @module
 */
import { advapi32, kernel32 } from "./ffi.ts";
import { lastError, throwLastError } from "./errors.ts";
import { encodeUtf16z, readUtf16z } from "./utf16.ts";

/**
 * The default DACL for winipc's named objects: full access for SYSTEM,
 * the Administrators group and the object's owner (the current user), and
 * nothing for anyone else (the Windows default lets Everyone and Anonymous
 * read). `P` protects it from inherited entries.
 */
export const OWNER_ONLY_SDDL = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;OW)";

/**
 * Everyone may read and write, and no one else may create instances: what a
 * pipe meant for all local users should get. `FILE_GENERIC_READ |
 * FILE_GENERIC_WRITE` without `FILE_CREATE_PIPE_INSTANCE` (0x4) for Everyone
 * (`WD`), full access for the owner, SYSTEM and Administrators.
 */
export const EVERYONE_SDDL = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;OW)(A;;0x0012019b;;;WD)";

const SDDL_REVISION_1 = 1;
const SECURITY_ATTRIBUTES_SIZE = 24;

/**
 * A security descriptor made from SDDL and the `SECURITY_ATTRIBUTES` that
 * points at it. The descriptor lives in memory `LocalAlloc`ed by Windows and
 * is freed by `[Symbol.dispose]` (or the finalizer); keep this object alive
 * while a call uses `attributes`.
 */
export class SecurityAttributes implements Disposable {
  #descriptor: Deno.PointerObject | null;
  /** The `SECURITY_ATTRIBUTES` (not inheritable), ready to pass to a Create call. */
  readonly attributes: Uint8Array;

  /**
   * Parses an SDDL string.
   *
   * @param sddl The security descriptor in SDDL.
   * @throws {TypeError} If Windows rejects the SDDL string.
   */
  constructor(readonly sddl: string) {
    const out = new BigUint64Array(1);
    const ok = advapi32().ConvertStringSecurityDescriptorToSecurityDescriptorW(
      encodeUtf16z(sddl),
      SDDL_REVISION_1,
      new Uint8Array(out.buffer),
      null,
    );
    if (!ok) {
      const code = lastError();
      throw new TypeError(`Invalid security descriptor "${sddl}": os error ${code}`);
    }
    this.#descriptor = Deno.UnsafePointer.create(out[0])!;
    this.attributes = new Uint8Array(SECURITY_ATTRIBUTES_SIZE);
    const view = new DataView(this.attributes.buffer);
    view.setUint32(0, SECURITY_ATTRIBUTES_SIZE, true);
    view.setBigUint64(8, out[0], true);
    view.setInt32(16, 0, true);
    freeOnCollect.register(this, this.#descriptor, this);
  }

  /** Frees the descriptor. */
  [Symbol.dispose](): void {
    if (this.#descriptor !== null) {
      freeOnCollect.unregister(this);
      kernel32().LocalFree(this.#descriptor);
      this.#descriptor = null;
      this.attributes.fill(0);
    }
  }
}

const freeOnCollect = new FinalizationRegistry<Deno.PointerObject>((descriptor) => {
  try {
    kernel32().LocalFree(descriptor);
  } catch {
    // Nothing can be reported from a finalizer.
  }
});

const SE_KERNEL_OBJECT = 6;
const DACL_SECURITY_INFORMATION = 0x4;
const OWNER_SECURITY_INFORMATION = 0x1;

/**
 * The DACL (and owner) that a kernel object really has, as SDDL.
 *
 * @param handle The object's handle (with `READ_CONTROL` access).
 * @returns The SDDL string Windows reports, e.g. `O:S-1-5-...D:P(A;;FA;;;SY)...`.
 * @throws The mapped Win32 error on failure.
 */
export function objectSddl(handle: Deno.PointerObject): string {
  const descriptor = new BigUint64Array(1);
  const info = DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION;
  const status = advapi32().GetSecurityInfo(
    handle,
    SE_KERNEL_OBJECT,
    info,
    null,
    null,
    null,
    null,
    new Uint8Array(descriptor.buffer),
  );
  if (status !== 0) {
    kernel32().SetLastError(status);
    throwLastError("Cannot read the object's security descriptor");
  }
  const sd = Deno.UnsafePointer.create(descriptor[0])!;
  try {
    const text = new BigUint64Array(1);
    const length = new Uint32Array(1);
    const ok = advapi32().ConvertSecurityDescriptorToStringSecurityDescriptorW(
      sd,
      SDDL_REVISION_1,
      info,
      new Uint8Array(text.buffer),
      new Uint8Array(length.buffer),
    );
    if (!ok) throwLastError("Cannot convert the security descriptor to SDDL");
    const pointer = Deno.UnsafePointer.create(text[0])!;
    try {
      return readUtf16z(pointer, length[0] + 1);
    } finally {
      kernel32().LocalFree(pointer);
    }
  } finally {
    kernel32().LocalFree(sd);
  }
}
