import { describe, expect, it } from "vitest";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { api } from "./support/api";
import {
  CPIX_PROTOCOLS,
  KID,
  expectNothingChanged,
  removeElement,
  replaceOnce,
  tenantState,
  type CpixProtocolCase,
} from "./support/cpix-requests";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const isSpekeV2 = (protocol: CpixProtocolCase) => protocol.path === "/api/SpekeV2";

/**
 * Refusals every CPIX acquisition protocol shares (the SPEKE v2 verification suite's removals,
 * test_negative_cases.py, and the CPIX structure rules): each answered with 422 and a message that names the
 * element or attribute at fault, and nothing written. SPEKE v2 names its "exactly one list" rule itself.
 */
const SHARED_NEGATIVES: [string, (xml: string) => string, (protocol: CpixProtocolCase) => string][] = [
  [
    "ContentKeyList removed",
    (xml) => removeElement(xml, /<cpix:ContentKeyList>[\s\S]*<\/cpix:ContentKeyList>/),
    (protocol) =>
      isSpekeV2(protocol)
        ? "ContentKeyList is missing; SPEKE v2 requires exactly one"
        : "ContentKeyList with at least one ContentKey is required",
  ],
  [
    "every ContentKey removed",
    (xml) => removeElement(xml, /<cpix:ContentKey kid[^>]*\/>/g),
    (protocol) => (isSpekeV2(protocol) ? "ContentKeyList has no ContentKey" : "ContentKeyList with at least one ContentKey is required"),
  ],
  [
    "ContentKey@kid removed",
    (xml) => replaceOnce(xml, `<cpix:ContentKey kid="${KID}" `, "<cpix:ContentKey "),
    () => "ContentKey@kid is missing (CPIX/ContentKeyList/ContentKey[1])",
  ],
  [
    "DRMSystem@systemId removed",
    (xml) => replaceOnce(xml, ` systemId="${SYSTEM_IDS.widevine}"`, ""),
    () => "DRMSystem@systemId is missing (CPIX/DRMSystemList/DRMSystem[1])",
  ],
  [
    "DRMSystem@kid pointing at no key",
    (xml) => replaceOnce(xml, `<cpix:DRMSystem kid="${KID}"`, '<cpix:DRMSystem kid="99999999-b831-4a3d-917e-ce78076e1234"'),
    () => `DRMSystem ${SYSTEM_IDS.widevine} names kid 99999999-b831-4a3d-917e-ce78076e1234, which no ContentKey has`,
  ],
  [
    "an unknown DRM system",
    (xml) => replaceOnce(xml, `systemId="${SYSTEM_IDS.widevine}"`, 'systemId="5e629af5-38da-4063-8977-97ffbd9902d4"'),
    () =>
      "DRMSystem 5e629af5-38da-4063-8977-97ffbd9902d4 is not supported; supported: Widevine, PlayReady, FairPlay, W3C Common PSSH, Clear Key AES-128",
  ],
  [
    "a kid that is not a UUID",
    (xml) => replaceOnce(xml, `<cpix:ContentKey kid="${KID}"`, '<cpix:ContentKey kid="not-a-uuid"'),
    () => "ContentKey@kid must be a UUID (CPIX/ContentKeyList/ContentKey[1])",
  ],
  [
    "an explicitIV of 12 bytes",
    (xml) =>
      replaceOnce(
        xml,
        `kid="${KID}" commonEncryptionScheme="cenc"`,
        `kid="${KID}" commonEncryptionScheme="cenc" explicitIV="AAAAAAAAAAAAAAAA"`,
      ),
    () => "ContentKey@explicitIV must be 8 or 16 bytes, got 12 (CPIX/ContentKeyList/ContentKey[1])",
  ],
  [
    "an unknown scheme",
    (xml) => xml.replace(/commonEncryptionScheme="cenc"/g, 'commonEncryptionScheme="ctr1"'),
    () =>
      "ContentKey@commonEncryptionScheme must be one of cenc, cbc1, cens, cbcs, AES-128, SAMPLE-AES, SAMPLE-AES-CTR (CPIX/ContentKeyList/ContentKey[1])",
  ],
  ["an empty body", () => "", () => "Request body is empty; expected a CPIX document"],
];

describe.each(CPIX_PROTOCOLS)("$name errors", (protocol) => {
  const post = (tenant: Parameters<typeof postCpix>[0], body: string) => postCpix(tenant, protocol.path, body, protocol.headers);

  it("accepts the valid base request (so each case below fails for its own reason)", async () => {
    const tenant = await tenantWithTestSeed();
    expect((await post(tenant, protocol.valid)).status).toBe(200);
  });

  it.each(SHARED_NEGATIVES)("answers %s with 422 naming the problem, and changes nothing", async (_case, mutate, message) => {
    const tenant = await tenantWithTestSeed();
    const before = await tenantState(tenant);
    const response = await post(tenant, mutate(protocol.valid));
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(message(protocol));
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message(protocol));
    await expectNothingChanged(tenant, before);
  });

  it("answers malformed XML with 400 saying where it broke, and changes nothing", async () => {
    const tenant = await tenantWithTestSeed();
    const before = await tenantState(tenant);
    const response = await post(tenant, protocol.valid.replace("</cpix:ContentKeyList>", "</cpix:ContentKeyLis>"));
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^Malformed XML: .*line \d+, column \d+/);
    await expectNothingChanged(tenant, before);
  });

  it("answers a body over 1 MiB with 413", async () => {
    const tenant = await tenantWithTestSeed();
    const padding = `<!--${"x".repeat(1024 * 1024)}-->`;
    const response = await post(tenant, protocol.valid.replace("<cpix:ContentKeyList>", `${padding}<cpix:ContentKeyList>`));
    expect(response.status).toBe(413);
    expect(await response.text()).toBe("Request body exceeds 1 MiB");
  });

  it("never puts key material in an error body, header or issuance record", async () => {
    const tenant = await tenantWithTestSeed();
    const ok = await (await post(tenant, protocol.valid)).text();
    const keys = [...ok.matchAll(/<pskc:PlainValue>([^<]+)</g)].map((match) => match[1]!);
    expect(keys).toHaveLength(2);
    for (const [, mutate] of SHARED_NEGATIVES) {
      const response = await post(tenant, mutate(protocol.valid));
      const text = await response.text();
      const header = response.headers.get("X-AxDRM-ErrorMessage") ?? "";
      for (const key of keys) {
        expect(text).not.toContain(key);
        expect(header).not.toContain(key);
      }
    }
    const logs = await (await api(tenant, "GET", "/api/Logs")).text();
    for (const key of keys) expect(logs).not.toContain(key);
  });
});
