import { CpixReadError } from "./failure";

/** How the well-formedness scan fails: a CpixReadError saying where (line and column) and what broke. */
export function fail(text: string, index: number, problem: string): never {
  throw new CpixReadError({ reason: "malformed-xml", detail: `${where(text, index)}: ${problem}` });
}

/** "line L, column C" of an index (1-based, columns in UTF-16 code units). */
export function where(text: string, index: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${index - lineStart + 1}`;
}

/** Names come from the document: cap their length in messages. */
export function shown(name: string): string {
  return name.length > 64 ? `${name.slice(0, 61)}...` : name;
}
