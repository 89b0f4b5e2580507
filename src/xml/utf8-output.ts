/**
 * Canonical XML is digested and signed as UTF-8 octets (C14N 1.0 §2.1, XML-DSig §4.4.3.2), so canonicalization
 * writes them straight into one growing buffer: a form of megabytes is never a string of a hundred thousand pieces
 * that must be flattened and then encoded again (bench/RESULTS.md, the hostile signed request).
 */

const ENCODER = new TextEncoder();

/** Thrown by `append` when the output passes its limit; the walk that appends catches it and stops. */
export const OVER_LIMIT = new Error("canonical form over its limit");

export class Utf8Output {
  #bytes = new Uint8Array(4096);
  #length = 0;
  /** UTF-16 code units appended so far: what the limit counts, as a string's length would. */
  characters = 0;

  constructor(readonly maxCharacters: number) {}

  append(piece: string): void {
    this.characters += piece.length;
    if (this.characters > this.maxCharacters) throw OVER_LIMIT;
    // One code unit is at most three UTF-8 octets (a surrogate pair is four for two).
    if (this.#length + 3 * piece.length > this.#bytes.length) this.#grow(3 * piece.length);
    const bytes = this.#bytes;
    let at = this.#length;
    for (let i = 0; i < piece.length; i++) {
      const code = piece.charCodeAt(i);
      if (code < 0x80) {
        bytes[at++] = code;
        continue;
      }
      // Markup is ASCII; the rest of a piece that is not goes through the platform's encoder.
      at += ENCODER.encodeInto(piece.slice(i), bytes.subarray(at)).written;
      break;
    }
    this.#length = at;
  }

  /** The octets written, without a copy (a view of the buffer). */
  octets(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  #grow(needed: number): void {
    const grown = new Uint8Array(Math.max(2 * this.#bytes.length, this.#length + needed));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}
