import type { KeyId } from "../../domain/key-id";
import { stableKeyId } from "../../domain/stable-key-id";
import type { CpixDocument } from "../../cpix/model";
import type { CpixProfile } from "./profile";

/**
 * `?overrideKeyIds=true` (Axinom docs, speke-keyid-override; SPEKE kid-override): every Key ID in the request
 * is replaced by `stableKeyId(tenant, parts)`, the parts chosen by the protocol's profile, and the new one is used
 * consistently in ContentKey, DRMSystem and usage rules.
 * The period part is ContentKeyPeriod@index of the period the key's rule filters on, "0" without one, so
 * re-packaging the same content gets the same Key IDs and so the same keys. Rules and periods are looked up through
 * maps, so the work grows with the request, not with its square.
 */
export async function overrideKeyIds(document: CpixDocument, tenantId: string, profile: CpixProfile): Promise<CpixDocument> {
  const keys = document.contentKeyList?.items ?? [];
  const rulesByKid = firstByKey(document.contentKeyUsageRuleList?.items ?? [], (rule) => rule.kid.toString());
  const periodsById = firstByKey(document.contentKeyPeriodList?.items ?? [], (period) => period.id);
  const replacements = new Map<string, KeyId>();
  for (const [index, key] of keys.entries()) {
    const rule = rulesByKid.get(key.kid.toString());
    const periodId = rule?.keyPeriodFilters[0]?.periodId;
    const period = periodId === undefined ? undefined : periodsById.get(periodId);
    // A period without @index (CPIX 2.4 start/end only) is named by its id, so two periods never share a Key ID.
    const periodIndex = period === undefined ? "0" : period.index !== undefined ? String(period.index) : `id:${period.id ?? periodId}`;
    const parts = profile.stableKeyIdParts(document, key, index, periodIndex, rule);
    replacements.set(key.kid.toString(), await stableKeyId(tenantId, parts));
  }
  const replace = (kid: KeyId) => replacements.get(kid.toString()) ?? kid;
  return {
    ...document,
    ...(document.contentKeyList && {
      contentKeyList: { ...document.contentKeyList, items: keys.map((key) => ({ ...key, kid: replace(key.kid) })) },
    }),
    ...(document.drmSystemList && {
      drmSystemList: {
        ...document.drmSystemList,
        items: document.drmSystemList.items.map((system) => ({ ...system, kid: replace(system.kid) })),
      },
    }),
    ...(document.contentKeyUsageRuleList && {
      contentKeyUsageRuleList: {
        ...document.contentKeyUsageRuleList,
        items: document.contentKeyUsageRuleList.items.map((rule) => ({ ...rule, kid: replace(rule.kid) })),
      },
    }),
  };
}

/** Each key's first item in document order (what a `find` per key would return, in one pass). */
function firstByKey<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T> {
  const first = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined && !first.has(key)) first.set(key, item);
  }
  return first;
}
