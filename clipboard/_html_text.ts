// Copyright 2026 the winipc authors. MIT license.
/**
 * The plain text written beside HTML: tags stripped, the common entities
 * decoded.
 *
 * @module
 */

/** Strips tags and decodes the common entities: the plain text beside written HTML. */
export function htmlToText(html: string): string {
  const named: Record<string, string> = {
    amp: "&",
    lt: "<",
    gt: ">",
    quot: '"',
    apos: "'",
    nbsp: "\u00a0",
  };
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>/gi, "\r\n")
    .replace(/<\/(p|div|li|tr|h[1-6])\s*>/gi, "\r\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, code: string) => {
      if (code[0] === "#") {
        const n = code[1] === "x" || code[1] === "X"
          ? parseInt(code.slice(2), 16)
          : parseInt(code.slice(1), 10);
        return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : all;
      }
      return named[code.toLowerCase()] ?? all;
    });
}
