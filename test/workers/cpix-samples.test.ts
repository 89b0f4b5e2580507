import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { decryptContentKeys } from "../../src/cpix/security/delivery-decryption";
import { api } from "./support/api";
import { dashifCert1DecryptionKey } from "./support/dashif-keys";
import { SAMPLES, sample } from "./support/samples";
import { sharedTenants } from "./support/shared-tenant";
import { TEST_SEED, postCpix } from "./support/tenant-with-seed";

/** Samples a key service must refuse, with the reason (everything else must be answered with keys from the seed). */
const REFUSED: Record<string, RegExp> = {
  "aws-speke-reference-server/spekev2_requests/general/3_negative_wrong_version_spekev2_dash_widevine.xml": /^Unsupported CPIX@version$/,
  "aws-speke-reference-server/spekev2_requests/vod/3_negative_wrong_version_spekev2_dash_widevine.xml": /^Unsupported CPIX@version$/,
  "aws-speke-reference-server/spekev2_requests/general/4_spekev2_negative_preset_shared_video.xml": /^Malformed encryption contract$/,
  "aws-speke-reference-server/spekev2_requests/vod/4_spekev2_negative_preset_shared_video.xml": /^Malformed encryption contract$/,
  "aws-speke-reference-server/spekev2_requests/general/5_spekev2_negative_preset_shared_audio.xml": /^Malformed encryption contract$/,
  "aws-speke-reference-server/spekev2_requests/vod/5_spekev2_negative_preset_shared_audio.xml": /^Malformed encryption contract$/,
  // FairPlay is cbcs only; these ask for it with cenc (the SPEKE v2 suite's own negative case).
  "aws-speke-reference-server/tests/server_api_body_spekev2.xml":
    /^ContentKey@commonEncryptionScheme non compatible with DRMSystem 94ce86fb-07ff-4f43-adb8-93d2fa968ca2$/,
  "gpac/crypt-info-load-cpix-unittest.xml":
    /^ContentKey@commonEncryptionScheme non compatible with DRMSystem 94ce86fb-07ff-4f43-adb8-93d2fa968ca2$/,
  // Vendor documentation examples whose DRMSystem names a kid that no ContentKey has.
  "vendor-pallycon/live-dash-request.xml":
    /^DRMSystem edef8ba9-79d6-4ace-a3c8-27dcd51d21ed names kid 681e5b39-49f2-4dfa-b744-86573c22e6fb, which no ContentKey has$/,
  "vendor-pallycon/vod-hls-request.xml":
    /^DRMSystem 81376844-f976-481e-a84e-cc25d39b0b33 names kid 98ee5596-cd3e-a20d-163a-e382420c6eff, which no ContentKey has$/,
  // A DASH-IF vector that is not a request: it has no ContentKey to answer.
  "dashif-cpix-test-vectors/EmptyDocument.xml": /^ContentKeyList with at least one ContentKey is required$/,
  // DASH-IF vectors whose signature was broken on purpose: refused, naming the signature (XML-DSig §3.2.1).
  "dashif-cpix-test-vectors/Invalid_BadContentKeysSignature.xml":
    /^The request's signature does not verify: Signature\[1\] digest of #ContentKeyList does not match/,
  "dashif-cpix-test-vectors/Invalid_BadDocumentSignature.xml":
    /^The request's signature does not verify: Signature\[1\] digest of the document does not match/,
  // A DASH-IF vector with recipients but no ContentKey: nothing to encrypt, nothing to answer.
  "dashif-cpix-test-vectors/RecipientsWithoutContentKeys.xml": /^ContentKeyList with at least one ContentKey is required$/,
};
/** Routes a sample the way its sender would: SPEKE v1 by namespace, SPEKE v2 by version, else plain CPIX. */
function endpointFor(bytes: Uint8Array): { path: string; headers: Record<string, string> } {
  const read = readCpix(bytes);
  if (!read.ok) throw new Error("unreadable sample");
  const text = new TextDecoder().decode(bytes);
  if (text.includes("urn:aws:amazon:com:speke")) return { path: "/api/Speke", headers: {} };
  if (read.document.contentId !== undefined && read.document.version === "2.4")
    return { path: "/api/SpekeV2", headers: { "X-Speke-Version": "2.1" } };
  if (read.document.contentId !== undefined) return { path: "/api/SpekeV2", headers: { "X-Speke-Version": "2.0" } };
  return { path: "/api/Cpix", headers: {} };
}

/** Samples share tenants (support/shared-tenant.ts): an answer does not depend on what the tenant answered before. */
const tenants = sharedTenants(async (tenant) => {
  expect((await api(tenant, "PUT", "/api/Settings", { ClearKeyUriTemplate: "https://keys.example.com/{kid}" })).status).toBe(200);
});

/** Posts a sample where its sender would. */
async function answerTo(name: string): Promise<Response> {
  const bytes = sample(name);
  const { path, headers } = endpointFor(bytes);
  return postCpix(await tenants.next(), path, bytes, headers);
}

const ANSWERED = [...SAMPLES.keys()].filter((name) => !(name in REFUSED));

describe("every real CPIX sample a key service must answer", () => {
  it("are every sample but the refused ones below, each of which exists", () => {
    expect(Object.keys(REFUSED).filter((name) => !SAMPLES.has(name))).toEqual([]);
    expect(ANSWERED.length + Object.keys(REFUSED).length).toBe(SAMPLES.size);
    expect(ANSWERED.length).toBeGreaterThanOrEqual(70);
  });

  it.each(ANSWERED)("is answered with keys from the seed: %s", async (name) => {
    const response = await answerTo(name);
    const body = await response.text();
    expect(response.status, body).toBe(200);
    const document = readCpix(new TextEncoder().encode(body));
    if (!document.ok) throw new Error(JSON.stringify(document.failure));
    for (const key of document.document.contentKeyList!.items) expect(key.explicitIV).toBeDefined();
    if (document.document.deliveryDataList) {
      // DASH-IF vectors asking for keys encrypted for a recipient (Cert1 among them): never answered in clear.
      expect(body).not.toContain("PlainValue");
      const decrypted = await decryptContentKeys(document.document, await dashifCert1DecryptionKey());
      if (!decrypted.ok) throw new Error(JSON.stringify(decrypted.failure));
      expect(decrypted.keys).toHaveLength(document.document.contentKeyList!.items.length);
      for (const key of decrypted.keys) expect(key.value.bytes).toEqual((await deriveContentKey(TEST_SEED, key.kid)).bytes);
      return;
    }
    for (const key of document.document.contentKeyList!.items) {
      expect(key.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, key.kid)).bytes);
    }
  });
});

describe("every real CPIX sample a key service must refuse", () => {
  it.each(Object.entries(REFUSED))("is refused with 422 naming why: %s", async (name, reason) => {
    const response = await answerTo(name);
    const body = await response.text();
    expect(response.status).toBe(422);
    expect(body).toMatch(reason);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(body);
  });
});
