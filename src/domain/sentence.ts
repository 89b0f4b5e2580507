/**
 * Sentences put together from parts: a description written to follow other words ("the certificate of …") opens an
 * error body with a capital letter, made here and nowhere else.
 */

/** `text` with its first letter upper-case. @example capitalized("the certificate expired") // "The certificate expired" */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
