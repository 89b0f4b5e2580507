import { env } from "cloudflare:test";
import { expect } from "vitest";
import { SYSTEM_IDS } from "../../../src/drm/system-ids";
import { snapshotKey } from "../../../src/tenancy/snapshot";
import { api, type TestTenant } from "./api";
import { postCpix } from "./tenant-with-seed";

export const KID = "0f083e4e-b831-4a3d-917e-ce78076e1234";
export const AUDIO_KID = "1f083e4e-b831-4a3d-917e-ce78076e1234";

/** A valid SPEKE v2.0 request (one video, one audio key, Widevine), mutated by the error cases. */
export const VALID_SPEKE_V2 = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX contentId="content-1" version="2.3" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="${KID}" commonEncryptionScheme="cenc"/>
    <cpix:ContentKey kid="${AUDIO_KID}" commonEncryptionScheme="cenc"/>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="${KID}" systemId="${SYSTEM_IDS.widevine}"><cpix:PSSH/></cpix:DRMSystem>
    <cpix:DRMSystem kid="${AUDIO_KID}" systemId="${SYSTEM_IDS.widevine}"><cpix:PSSH/></cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="${KID}" intendedTrackType="VIDEO"><cpix:VideoFilter/></cpix:ContentKeyUsageRule>
    <cpix:ContentKeyUsageRule kid="${AUDIO_KID}" intendedTrackType="AUDIO"><cpix:AudioFilter/></cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;

/** One CPIX acquisition protocol: where to post, with which headers, and a valid request in its own shape. */
export interface CpixProtocolCase {
  readonly name: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly valid: string;
}

/** SPEKE v2.0, v2.1, v1 and plain CPIX, each with the same two keys and DRM systems. */
export const CPIX_PROTOCOLS: readonly CpixProtocolCase[] = [
  { name: "SPEKE v2.0", path: "/api/SpekeV2", headers: { "X-Speke-Version": "2.0" }, valid: VALID_SPEKE_V2 },
  {
    name: "SPEKE v2.1",
    path: "/api/SpekeV2",
    headers: { "X-Speke-Version": "2.1" },
    valid: VALID_SPEKE_V2.replace('version="2.3"', 'version="2.4"'),
  },
  {
    name: "SPEKE v1",
    path: "/api/Speke",
    headers: {},
    valid: VALID_SPEKE_V2.replace(' contentId="content-1" version="2.3"', ' id="content-1"').replace(
      'xmlns:cpix="urn:dashif:org:cpix"',
      'xmlns:cpix="urn:dashif:org:cpix" xmlns:speke="urn:aws:amazon:com:speke"',
    ),
  },
  { name: "plain CPIX", path: "/api/Cpix", headers: {}, valid: VALID_SPEKE_V2 },
];

/** Removes what `pattern` matches, failing loudly when it matches nothing (so a case cannot silently pass). */
export function removeElement(xml: string, pattern: RegExp): string {
  const out = xml.replace(pattern, "");
  if (out === xml) throw new Error(`pattern ${pattern} matched nothing`);
  return out;
}

/** Replaces `search`, failing loudly when it is not there. */
export function replaceOnce(xml: string, search: string, replacement: string): string {
  if (!xml.includes(search)) throw new Error(`${search} not found`);
  return xml.replace(search, replacement);
}

/** What a refused request could have written: the published snapshot and the issuance log. */
export async function tenantState(tenant: TestTenant): Promise<string | null> {
  return env.SNAPSHOTS.get(snapshotKey(tenant.tenantId));
}

/**
 * Proves a refused request changed nothing: the snapshot is as it was, and the issuance log holds no record of
 * it. Issuance is written after the answer (batched, off the hot path), so a marker request is sent afterwards
 * through the same batcher; once the marker's record is readable, a record of the refused request would be too.
 */
export async function expectNothingChanged(tenant: TestTenant, snapshotBefore: string | null): Promise<void> {
  expect(await tenantState(tenant)).toBe(snapshotBefore);
  const marker = `marker-${crypto.randomUUID()}`;
  const markerRequest = VALID_SPEKE_V2.replace('contentId="content-1"', `contentId="${marker}"`);
  expect((await postCpix(tenant, "/api/SpekeV2", markerRequest, { "X-Speke-Version": "2.0" })).status).toBe(200);
  let logs: { ContentId: string }[] = [];
  for (let attempt = 0; attempt < 100 && !logs.some((log) => log.ContentId === marker); attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    logs = await (await api(tenant, "GET", "/api/Logs?category=100")).json();
  }
  expect(logs.map((log) => log.ContentId)).toEqual([marker]);
}

/** `request` asking for its keys encrypted for each certificate (CPIX 2.3 §DeliveryDataList Element), as its first list. */
export function withDeliveryData(request: string, certificates: readonly Uint8Array[]): string {
  const items = certificates
    .map(
      (der, i) =>
        `<cpix:DeliveryData id="recipient-${i + 1}"><cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>${btoa(String.fromCharCode(...der))}</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData>`,
    )
    .join("");
  return request.replace(
    /(<cpix:CPIX[^>]*?)>/,
    `$1 xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><cpix:DeliveryDataList>${items}</cpix:DeliveryDataList>`,
  );
}
