// Copyright 2026 the winipc authors. MIT license.
/**
 * Package-private: the bytes of a mailslot message, checked before sending.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * The bytes of a message: a string's UTF-8, checked against the limit of
 * messages to another computer or a domain (424 bytes,
 * `MAX_REMOTE_MESSAGE`) when there is one.
 *
 * @example A remote message above the limit
 * ```ts
 * import { messageBytes } from "./_message.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * assertEquals(messageBytes("\\\\.\\mailslot\\jobs", "hi"), new Uint8Array([104, 105]));
 * assertThrows(() => messageBytes("\\\\*\\mailslot\\jobs", "x".repeat(425), 424), RangeError, "424");
 * ```
 *
 * @param path The slot, for messages.
 * @param data The message.
 * @param remoteLimit The most bytes a message may have: 424 for a slot on
 * another computer or a domain; `undefined` for a local slot (only the
 * slot's own maximum applies, checked by Windows).
 * @returns Its bytes.
 * @throws {TypeError} If `data` is neither bytes nor a string.
 * @throws {RangeError} If the message is above `remoteLimit`.
 */
export function messageBytes(
  path: string,
  data: Uint8Array | string,
  remoteLimit?: number,
): Uint8Array {
  let bytes: Uint8Array;
  if (typeof data === "string") {
    bytes = encoder.encode(data);
  } else if (data instanceof Uint8Array) {
    bytes = data;
  } else {
    throw new TypeError(`Cannot write to mailslot "${path}": send a Uint8Array or a string`);
  }
  if (remoteLimit !== undefined && bytes.byteLength > remoteLimit) {
    throw new RangeError(
      `Cannot write to mailslot "${path}": a message to another computer or a domain is at most ${remoteLimit} bytes, this one is ${bytes.byteLength}`,
    );
  }
  return bytes;
}
