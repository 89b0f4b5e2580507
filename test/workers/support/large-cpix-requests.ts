/**
 * Large CPIX requests for the limit tests, built the way the security review built its worst one: Key IDs that
 * share their first 10 bytes (so a byte-by-byte comparison runs to the end before it differs), plain DASH-IF
 * CPIX in the default namespace (the fewest bytes per element), one usage rule per key. bench/requests.mjs builds
 * the same request for the bench.
 */

/** Key ID number `index`: every one starts `00000000-0000-4000-8000-0000…`. */
export function sharedPrefixKid(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
}

export interface ManyKeysOptions {
  readonly keys: number;
  /** DRMSystem@systemId values; each key gets one DRMSystem per entry. */
  readonly systemIds?: readonly string[];
  /** A ContentKeyUsageRule per key (the rule `?overrideKeyIds=true` looks up for each key). */
  readonly rules?: boolean;
  /** `@commonEncryptionScheme` of every key, when given. */
  readonly scheme?: string;
  /** Extra markup inside the root element, after the lists. */
  readonly extra?: string;
}

/** A plain CPIX document with `keys` ContentKeys and, per key, the DRMSystems and usage rule asked for. */
export function manyKeysCpix({ keys, systemIds = [], rules = false, scheme, extra = "" }: ManyKeysOptions): string {
  const schemeAttribute = scheme === undefined ? "" : ` commonEncryptionScheme="${scheme}"`;
  const contentKeys: string[] = [];
  const systems: string[] = [];
  const usageRules: string[] = [];
  for (let i = 0; i < keys; i++) {
    const kid = sharedPrefixKid(i);
    contentKeys.push(`<ContentKey kid="${kid}"${schemeAttribute}/>`);
    for (const systemId of systemIds) systems.push(`<DRMSystem kid="${kid}" systemId="${systemId}"/>`);
    if (rules) usageRules.push(`<ContentKeyUsageRule kid="${kid}"/>`);
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?><CPIX xmlns="urn:dashif:org:cpix" id="limits">` +
    `<ContentKeyList>${contentKeys.join("")}</ContentKeyList>` +
    (systems.length > 0 ? `<DRMSystemList>${systems.join("")}</DRMSystemList>` : "") +
    (usageRules.length > 0 ? `<ContentKeyUsageRuleList>${usageRules.join("")}</ContentKeyUsageRuleList>` : "") +
    `${extra}</CPIX>`
  );
}

/** The review's worst request: as many keys, each with a usage rule, as fit in `maxBytes` (1 MiB: about 8,800). */
export function worstCaseCpix(maxBytes: number): { readonly body: string; readonly keys: number } {
  const perKey = manyKeysCpix({ keys: 2, rules: true }).length - manyKeysCpix({ keys: 1, rules: true }).length;
  const keys = Math.floor((maxBytes - manyKeysCpix({ keys: 0 }).length - 100) / perKey);
  return { body: manyKeysCpix({ keys, rules: true }), keys };
}
