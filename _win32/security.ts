// Copyright 2026 the winipc authors. MIT license.
/**
 * Security descriptors for named objects, from SDDL strings, and the
 * owner-only default; the identity of a named pipe's client.
 *
 * @module
 */
import { advapi32, kernel32, outValue } from "./ffi.ts";
import { ERROR, errorFromCode } from "./errors.ts";
import { decodeUtf16z, encodeUtf16z, readUtf16z } from "./utf16.ts";

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
export const EVERYONE_SDDL = `${OWNER_ONLY_SDDL}(A;;0x0012019b;;;WD)`;

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
    const k = kernel32();
    const ok = advapi32().ConvertStringSecurityDescriptorToSecurityDescriptorW(
      encodeUtf16z(sddl),
      SDDL_REVISION_1,
      new Uint8Array(out.buffer),
      null,
    );
    const code = ok ? 0 : k.GetLastError();
    if (!ok) {
      throw new TypeError(`Invalid security descriptor "${sddl}": os error ${code}`);
    }
    const descriptor = outValue(out);
    this.#descriptor = Deno.UnsafePointer.create(descriptor)!;
    this.attributes = new Uint8Array(SECURITY_ATTRIBUTES_SIZE);
    const view = new DataView(this.attributes.buffer);
    view.setUint32(0, SECURITY_ATTRIBUTES_SIZE, true);
    view.setBigUint64(8, descriptor, true);
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
  if (status !== 0) throw errorFromCode(status, "Cannot read the object's security descriptor");
  const sd = Deno.UnsafePointer.create(outValue(descriptor))!;
  try {
    const text = new BigUint64Array(1);
    const length = new Uint32Array(1);
    const k = kernel32();
    const ok = advapi32().ConvertSecurityDescriptorToStringSecurityDescriptorW(
      sd,
      SDDL_REVISION_1,
      info,
      new Uint8Array(text.buffer),
      new Uint8Array(length.buffer),
    );
    if (!ok) {
      throw errorFromCode(k.GetLastError(), "Cannot convert the security descriptor to SDDL");
    }
    const pointer = Deno.UnsafePointer.create(outValue(text))!;
    try {
      return readUtf16z(pointer, outValue(length) + 1);
    } finally {
      kernel32().LocalFree(pointer);
    }
  } finally {
    kernel32().LocalFree(sd);
  }
}

/** A Windows account, as the security system identifies it. */
export interface Account {
  /** The security identifier in string form, e.g. `S-1-5-21-...-1001`. */
  sid: string;
  /** The account name, or `null` if the SID maps to no name here. */
  name: string | null;
  /** The account's domain (or computer name), or `null` with `name`. */
  domain: string | null;
}

const TOKEN_QUERY = 0x0008;
const TOKEN_USER_CLASS = 1;

/**
 * The string form of a binary SID: `S-` revision `-` authority, then each
 * sub-authority (the authority in hexadecimal when it does not fit 32 bits,
 * as `ConvertSidToStringSidW` writes it).
 *
 * @param sid The SID's bytes.
 * @returns The string form.
 * @throws {TypeError} If the bytes are not a well-formed SID.
 */
export function sidToString(sid: Uint8Array): string {
  const view = new DataView(sid.buffer, sid.byteOffset, sid.byteLength);
  // Revision, sub-authority count, 6-byte authority, then the sub-authorities.
  if (sid.byteLength < 8 || sid.byteLength !== 8 + 4 * view.getUint8(1)) {
    throw new TypeError(`Not a security identifier: ${sid.byteLength} bytes`);
  }
  let authority = 0n;
  for (let i = 2; i < 8; i++) authority = (authority << 8n) | BigInt(view.getUint8(i));
  const parts = [
    `S-${view.getUint8(0)}`,
    authority < 0x1_0000_0000n ? authority.toString() : `0x${authority.toString(16).toUpperCase()}`,
  ];
  const count = view.getUint8(1);
  for (let i = 0; i < count; i++) parts.push(view.getUint32(8 + 4 * i, true).toString());
  return parts.join("-");
}

/**
 * The user SID of an open token (`GetTokenInformation(TokenUser)`), growing
 * the buffer to what the call asks for.
 *
 * @param token A token opened with `TOKEN_QUERY`.
 * @param what Whose token, for the message (`the impersonation token`).
 * @returns The SID's bytes.
 * @throws The mapped Win32 error.
 */
export function tokenUserSid(token: Deno.PointerValue, what: string): Uint8Array {
  const a = advapi32();
  const k = kernel32();
  const needed = new Uint32Array(1);
  let info = new Uint8Array(128);
  while (!a.GetTokenInformation(token, TOKEN_USER_CLASS, info, info.byteLength, needed)) {
    const code = k.GetLastError();
    const size = outValue(needed);
    if (code !== ERROR.INSUFFICIENT_BUFFER || size <= info.byteLength) {
      throw errorFromCode(code, `Cannot read the user of ${what}`);
    }
    info = new Uint8Array(size);
  }
  // TOKEN_USER: a pointer to the SID (inside `info`), then attributes.
  const sid = Deno.UnsafePointer.create(new DataView(info.buffer).getBigUint64(0, true))!;
  const view = new Deno.UnsafePointerView(sid);
  const bytes = new Uint8Array(8 + 4 * view.getUint8(1));
  view.copyInto(bytes);
  return bytes;
}

/**
 * The user SID of the calling thread's impersonation token (opened as the
 * process, which works for identification-level tokens too).
 */
function threadUserSid(): Uint8Array {
  const k = kernel32();
  const token = new BigUint64Array(1);
  if (
    !advapi32().OpenThreadToken(k.GetCurrentThread(), TOKEN_QUERY, 1, new Uint8Array(token.buffer))
  ) {
    throw errorFromCode(k.GetLastError(), "Cannot open the impersonation token");
  }
  const handle = Deno.UnsafePointer.create(outValue(token));
  try {
    return tokenUserSid(handle, "the impersonation token");
  } finally {
    k.CloseHandle(handle);
  }
}

/**
 * The user SID of the client of a named pipe server instance: the server
 * impersonates the client (`ImpersonateNamedPipeClient`, which takes the
 * identity of the last message read), reads the token, and always reverts
 * (`RevertToSelf`) before returning or throwing. An identification-level
 * client (winipc's default) is enough.
 *
 * @param pipe The server end's handle.
 * @param path The pipe's path, for messages.
 * @returns The client's SID bytes.
 * @throws The mapped Win32 error; `ERROR_CANNOT_IMPERSONATE` when nothing has
 * been read from the client yet.
 */
export function pipeClientSid(pipe: Deno.PointerObject, path: string): Uint8Array {
  const a = advapi32();
  const k = kernel32();
  if (!a.ImpersonateNamedPipeClient(pipe)) {
    const code = k.GetLastError();
    throw errorFromCode(
      code,
      code === ERROR.CANNOT_IMPERSONATE
        ? `Cannot identify the client of named pipe "${path}": read from it first (Windows identifies the client by the last message read)`
        : `Cannot identify the client of named pipe "${path}"`,
    );
  }
  let sid: Uint8Array | undefined;
  let failure: unknown;
  try {
    sid = threadUserSid();
  } catch (error) {
    failure = error;
  }
  if (!a.RevertToSelf()) {
    // The thread would go on as the client: report it rather than go on.
    throw errorFromCode(
      k.GetLastError(),
      `RevertToSelf failed after identifying the client of named pipe "${path}"`,
    );
  }
  if (sid === undefined) throw failure;
  return sid;
}

/**
 * Looks up the account name of a SID (`LookupAccountSidW`, on Deno's
 * blocking pool: a domain account may need a domain controller).
 *
 * @param sid The SID's bytes.
 * @returns The account; `name` and `domain` are `null` when nothing maps.
 */
export async function lookupAccount(sid: Uint8Array): Promise<Account> {
  const text = sidToString(sid);
  let nameSize = 256;
  let domainSize = 256;
  for (let attempt = 0; attempt < 3; attempt++) {
    const name = new Uint16Array(nameSize);
    const domain = new Uint16Array(domainSize);
    const nameLength = new Uint32Array([nameSize]);
    const domainLength = new Uint32Array([domainSize]);
    const use = new Uint32Array(1);
    const ok = await advapi32().LookupAccountSidWNb(
      null,
      sid,
      name,
      nameLength,
      domain,
      domainLength,
      use,
    );
    if (ok) {
      return {
        sid: text,
        name: decodeUtf16z(name.subarray(0, outValue(nameLength) + 1)),
        domain: decodeUtf16z(domain.subarray(0, outValue(domainLength) + 1)),
      };
    }
    // The pool thread's last error is not ours to read: a failure with
    // grown sizes asks for more room, any other failure maps to no name.
    const nameNeeded = outValue(nameLength);
    const domainNeeded = outValue(domainLength);
    if (nameNeeded > nameSize || domainNeeded > domainSize) {
      nameSize = Math.max(nameSize, nameNeeded);
      domainSize = Math.max(domainSize, domainNeeded);
      continue;
    }
    break;
  }
  return { sid: text, name: null, domain: null };
}

/**
 * Who may open an object winipc creates: `"owner"` (the current user,
 * SYSTEM and Administrators: {@linkcode OWNER_ONLY_SDDL}), `"everyone"`
 * (that, plus some rights for Everyone), or a caller's SDDL string.
 */
export type { SecurityRule as AccessRule } from "./options.ts";

/**
 * The SDDL string for an access rule.
 *
 * @param rule The rule, `undefined` meaning `"owner"`.
 * @param everyoneRights What `"everyone"` grants Everyone (`WD`), as an SDDL
 * rights string: it depends on the kind of object.
 * @param what The operation and option, for the error message
 * (`Cannot create mailslot "x": access`).
 * @returns The SDDL string.
 * @throws {TypeError} If the rule is none of the three forms.
 */
export function accessSddl(rule: unknown, everyoneRights: string, what: string): string {
  if (rule === undefined || rule === "owner") return OWNER_ONLY_SDDL;
  if (rule === "everyone") return `${OWNER_ONLY_SDDL}(A;;${everyoneRights};;;WD)`;
  if (
    typeof rule === "object" && rule !== null &&
    typeof (rule as { sddl?: unknown }).sddl === "string"
  ) {
    return (rule as { sddl: string }).sddl;
  }
  throw new TypeError(`${what} must be "owner", "everyone" or { sddl }`);
}
