// Copyright 2026 the winipc authors. MIT license.
/**
 * The write and read pipeline every public call goes through: options
 * checked, secret-mode and image items added, delayed formats promised,
 * the call made where it can wait on nobody (`_core.ts`), and the timed
 * clear armed.
 *
 * @module
 */
import { checkContention, type ClipboardOptions, clipboardRead, clipboardWrite } from "./_core.ts";
import { CF, dword, FORMAT_NAME } from "./_formats.ts";
import { type ClipboardImage, encodeDib, encodeDibV5 } from "./_image.ts";
import { type DelayedData, promiseFormats } from "./_delayed.ts";
import { describeValue } from "../_win32/options.ts";
import { startTimer } from "../_win32/timeout.ts";
import { checkBoolean, type Item } from "./_checks.ts";
import type { ClipboardFormat, WriteOptions, WriteResult } from "./types.ts";

export function secretItems(): Item[] {
  return [
    { format: FORMAT_NAME.EXCLUDE_FROM_MONITORS, bytes: dword(0) },
    { format: FORMAT_NAME.HISTORY, bytes: dword(0) },
    { format: FORMAT_NAME.CLOUD, bytes: dword(0) },
  ];
}

export async function imageItems(image: ClipboardImage): Promise<Item[]> {
  const { encodeImagePng } = await import("./_png.ts");
  return [
    { format: CF.DIBV5, bytes: encodeDibV5(image) },
    { format: CF.DIB, bytes: encodeDib(image) },
    { format: FORMAT_NAME.PNG, bytes: encodeImagePng(image) },
  ];
}

export async function writeItems(
  items: Item[],
  options: WriteOptions | undefined,
  what: string,
  delayed: DelayedData[] = [],
): Promise<WriteResult> {
  const contention = checkContention(options, what);
  const secret = checkBoolean(options?.secret, "secret", what);
  const clearAfter = options?.clearAfter;
  if (
    clearAfter !== undefined &&
    (typeof clearAfter !== "number" || Number.isNaN(clearAfter) || clearAfter < 0)
  ) {
    throw new RangeError(
      `${what}: clearAfter must be a number of milliseconds from 0 to Infinity, got ${
        describeValue(clearAfter)
      }`,
    );
  }
  const all = secret ? [...items, ...secretItems()] : items;
  const promised = delayed.length > 0 ? await promiseFormats(delayed, what) : null;
  let sequenceNumber: number;
  let ours: boolean;
  try {
    const result = await clipboardWrite(
      all,
      what,
      contention,
      {
        ...(promised === null ? {} : { delayed: promised.delayed }),
        ...(clearAfter === undefined || clearAfter === Infinity ? {} : { checkOwner: true }),
      },
    );
    if (!("written" in result)) throw new Error(`${what}: the write was not made`);
    ({ sequenceNumber, ours } = result);
  } catch (error) {
    promised?.failed();
    throw error;
  }
  if (clearAfter === undefined || clearAfter === Infinity) return { sequenceNumber };
  const cleared = new Promise<"cleared" | "replaced" | "failed">((resolve) => {
    startTimer(clearAfter, () => {
      clipboardWrite(
        [],
        "Cannot clear the clipboard",
        { ...contention, signal: undefined },
        // Replaced before its number could be read: never clear.
        { ifSequence: ours ? sequenceNumber : -1 },
      ).then((r) => resolve("replaced" in r ? "replaced" : "cleared"), () => resolve("failed"));
    });
  });
  return { sequenceNumber, cleared };
}

export async function readItems(
  formats: ClipboardFormat[],
  options: ClipboardOptions | undefined,
  what: string,
): Promise<(Uint8Array | null)[]> {
  const contention = checkContention(options, what);
  return await clipboardRead(formats, what, contention);
}
