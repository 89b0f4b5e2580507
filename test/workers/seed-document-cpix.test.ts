import { describe, expect, it } from "vitest";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { sample } from "./support/samples";
import { SPEKE_V2, readResponse } from "./support/speke-v2-requests";
import { TEST_SEED, postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const decoder = new TextDecoder();

/** The seed document's CPIX flow: Axinom's Unified Streaming request (CPIX 2.2 style) on /SpekeV2. */
describe("the seed document's CPIX flow (CPIX 2.2 style on /SpekeV2)", () => {
  it("answers the Axinom/Unified request as plain CPIX in its own style, every DRMSystem filled", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/SpekeV2", sample("axinom-seed/request.cpix"), SPEKE_V2);
    expect(response.status).toBe(200);
    const xml = await response.text();
    const document = readResponse(xml);
    expect(document.id).toBe("test_ch1");
    expect(document.version).toBeUndefined();
    expect(document.contentId).toBeUndefined();
    const key = document.contentKeyList!.items[0]!;
    expect(key.kid.toString()).toBe("af1ed63c-5784-460b-9e51-309dd47b7d9c");
    expect(key.commonEncryptionScheme).toBeUndefined();
    expect(key.explicitIV!.bytes).toHaveLength(16);
    expect(key.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, KeyId.require("af1ed63c-5784-460b-9e51-309dd47b7d9c"))).bytes);
    const systems = document.drmSystemList!.items;
    expect(systems).toHaveLength(3);
    for (const system of systems) {
      expect(system.hlsSignalingData.length).toBe(2);
      if (!system.systemId.equals(SYSTEM_IDS.fairPlay)) {
        const cpd = decoder.decode(system.contentProtectionData!);
        expect(cpd).not.toMatch(/<[a-z]+:/); // no prefixed namespaces: Unified Streaming rejects them
      }
    }
  });
});
