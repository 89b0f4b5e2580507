/**
 * The password that alone protects a PSKC key-seed export (RFC 6030 §6.2). An exported file can be attacked offline,
 * and PBKDF2 cannot go past 100,000 iterations in a Worker (src/pskc/pskc-uris.ts), so the password's length and its
 * not being guessable first carry the protection.
 */

/**
 * The shortest export password, in characters: OWASP ASVS 4.0.3 V2.1.1 asks at least 12 for user-set passwords; a
 * file of every seed of a tenant asks more (issue 24: 16).
 */
export const MIN_EXPORT_PASSWORD_LENGTH = 16;
/** Long passphrases are welcome; the bound only keeps the body small (ASVS V2.1.2 allows at least 64). */
export const MAX_EXPORT_PASSWORD_LENGTH = 1024;

/** Runs that step through these in order (either way, wrapping) are a "simple sequence": 1234567890123456, abcd…. */
const SEQUENCE_ALPHABETS = ["0123456789", "abcdefghijklmnopqrstuvwxyz"];

/** Why `password` cannot protect an export, naming the rule, or undefined when it can. Never repeats the password. */
export function exportPasswordProblem(password: string): string | undefined {
  const characters = [...password];
  const length = characters.length;
  if (length < MIN_EXPORT_PASSWORD_LENGTH || length > MAX_EXPORT_PASSWORD_LENGTH) {
    return `Password must be ${MIN_EXPORT_PASSWORD_LENGTH} to ${MAX_EXPORT_PASSWORD_LENGTH} characters, got ${length}: it alone protects the exported seeds`;
  }
  if (isRepeatOrSequence(characters)) {
    return "Password must not be one character repeated or a simple sequence (like 1234… or abcd…): it alone protects the exported seeds";
  }
  return undefined;
}

/** One character repeated, or every character one step after (or before) the previous in one alphabet, wrapping. */
function isRepeatOrSequence(characters: readonly string[]): boolean {
  if (characters.every((character) => character === characters[0])) return true;
  const lower = characters.map((character) => character.toLowerCase());
  return SEQUENCE_ALPHABETS.some((alphabet) => {
    const positions = lower.map((character) => alphabet.indexOf(character));
    if (positions.some((position) => position === -1)) return false;
    const step = (i: number) => (positions[i]! - positions[i - 1]! + alphabet.length) % alphabet.length;
    const first = step(1);
    return (first === 1 || first === alphabet.length - 1) && positions.every((_, i) => i === 0 || step(i) === first);
  });
}
