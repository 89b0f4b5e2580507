import { describe, expect, it } from "vitest";
import vectors from "../fixtures/vectors/playready-key-seed.json";
import { toBase64, toHex } from "../../src/domain/bytes";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { parsePsshBox } from "./support/pssh-parser";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { api, randomBase64 } from "./support/api";
import { SPEKE_V2, presetVideo3Audio1Request, readResponse } from "./support/speke-v2-requests";
import { TEST_SEED, postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const decoder = new TextDecoder();

/** SPEKE v2.0 answers: keys from the seed, idempotency, explicit IVs, tenants, keySeedId, overrides, the log. */
describe("SPEKE v2.0 acquisition", () => {
  const kids = ["339c45b5-fb6d-4bd9-994c-eabd9d41c95b", "8ba94ade-6eb9-449d-b44f-a5beefaf43b0", crypto.randomUUID(), crypto.randomUUID()];

  it("answers PRESET-VIDEO-3 + PRESET-AUDIO-1 with keys a license service re-creates from the seed", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/SpekeV2", presetVideo3Audio1Request(kids), SPEKE_V2);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/xml; charset=utf-8");
    expect(response.headers.get("X-Speke-Version")).toBe("2.0");
    expect(response.headers.get("X-Speke-User-Agent")).toBeTruthy();
    const xml = await response.text();
    expect(xml).not.toContain("urn:aws:amazon:com:speke");
    const document = readResponse(xml);
    expect(document).toMatchObject({ contentId: "movie-42", version: "2.3" });
    expect(document.id).toBeUndefined();
    const keys = document.contentKeyList!.items;
    expect(keys.map((key) => key.kid.toString())).toEqual(kids);
    for (const key of keys) {
      expect(key.commonEncryptionScheme).toBe("cbcs");
      expect(key.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, key.kid)).bytes);
      expect(key.explicitIV!.bytes).toHaveLength(16);
    }
    // The two published vectors, through the whole service.
    expect(toHex(keys[0]!.value!.bytes)).toBe(vectors.vectors[0]!.content_key_hex.toLowerCase());
    expect(toHex(keys[1]!.value!.bytes)).toBe(vectors.vectors[1]!.content_key_hex.toLowerCase());
  });

  it("fills PSSH, ContentProtectionData and both HLS lines per system, consistently", async () => {
    const tenant = await tenantWithTestSeed();
    const document = readResponse(await (await postCpix(tenant, "/api/SpekeV2", presetVideo3Audio1Request(kids), SPEKE_V2)).text());
    const systems = document.drmSystemList!.items;
    expect(systems).toHaveLength(12);
    for (const system of systems) {
      const [media, master] = system.hlsSignalingData;
      expect(media?.playlist).toBe("media");
      expect(master?.playlist).toBe("master");
      const mediaLine = decoder.decode(media!.data);
      const masterLine = decoder.decode(master!.data);
      expect(mediaLine).toMatch(/^#EXT-X-KEY:METHOD=SAMPLE-AES,/);
      expect(masterLine).toBe(mediaLine.replace("#EXT-X-KEY:", "#EXT-X-SESSION-KEY:"));
      expect(mediaLine).not.toContain("SCHEME=");
      if (system.systemId.equals(SYSTEM_IDS.fairPlay)) {
        expect(system.pssh).toBeUndefined();
        expect(mediaLine).toContain(`URI="skd://${system.kid}:`);
        expect(mediaLine).toContain('KEYFORMAT="com.apple.streamingkeydelivery"');
        continue;
      }
      const box = parsePsshBox(system.pssh!);
      if ("reason" in box) throw new Error(box.detail);
      expect(box.systemId.equals(system.systemId)).toBe(true);
      const cpd = decoder.decode(system.contentProtectionData!);
      // The pssh in ContentProtectionData must equal DRMSystem/PSSH (speke-constraints-v2).
      expect(cpd).toContain(`<pssh xmlns="urn:mpeg:cenc:2013">${toBase64(system.pssh!)}</pssh>`);
      if (system.systemId.equals(SYSTEM_IDS.playReady)) {
        expect(cpd).toContain('<pro xmlns="urn:microsoft:playready">');
        expect(mediaLine).toMatch(
          /^#EXT-X-KEY:METHOD=SAMPLE-AES,KEYFORMAT="com.microsoft.playready",KEYFORMATVERSIONS="1",URI="data:text\/plain;charset=UTF-16;base64,/,
        );
      }
    }
  });

  it("gives byte-identical keys and IVs for the same request twice", async () => {
    const tenant = await tenantWithTestSeed();
    const body = presetVideo3Audio1Request(kids);
    const first = readResponse(await (await postCpix(tenant, "/api/SpekeV2", body, SPEKE_V2)).text());
    const second = readResponse(await (await postCpix(tenant, "/api/SpekeV2", body, SPEKE_V2)).text());
    expect(second.contentKeyList).toEqual(first.contentKeyList);
    expect(second.drmSystemList).toEqual(first.drmSystemList);
  });

  it("keeps an explicitIV the request sends", async () => {
    const tenant = await tenantWithTestSeed();
    const iv = "AAECAwQFBgcICQoLDA0ODw==";
    const body = presetVideo3Audio1Request(kids).replace(
      `kid="${kids[0]}" commonEncryptionScheme="cbcs"`,
      `kid="${kids[0]}" commonEncryptionScheme="cbcs" explicitIV="${iv}"`,
    );
    const document = readResponse(await (await postCpix(tenant, "/api/SpekeV2", body, SPEKE_V2)).text());
    expect(toBase64(document.contentKeyList!.items[0]!.explicitIV!.bytes)).toBe(iv);
  });

  it("gives different keys for the same KID from two tenants", async () => {
    const first = await tenantWithTestSeed(randomBase64(30));
    const second = await tenantWithTestSeed(randomBase64(30));
    const body = presetVideo3Audio1Request(kids);
    const a = readResponse(await (await postCpix(first, "/api/SpekeV2", body, SPEKE_V2)).text());
    const b = readResponse(await (await postCpix(second, "/api/SpekeV2", body, SPEKE_V2)).text());
    expect(a.contentKeyList!.items[0]!.value!.bytes).not.toEqual(b.contentKeyList!.items[0]!.value!.bytes);
  });

  it("uses the seed named by keySeedId instead of the default", async () => {
    const tenant = await tenantWithTestSeed(randomBase64(30));
    const otherId = crypto.randomUUID();
    await api(tenant, "POST", "/api/Import/KeySeeds", [{ Id: otherId, Data: toBase64(TEST_SEED.bytes) }]);
    const document = readResponse(
      await (await postCpix(tenant, `/api/SpekeV2?keySeedId=${otherId}`, presetVideo3Audio1Request(kids), SPEKE_V2)).text(),
    );
    expect(toHex(document.contentKeyList!.items[0]!.value!.bytes)).toBe(vectors.vectors[0]!.content_key_hex.toLowerCase());
    const unknown = await postCpix(tenant, `/api/SpekeV2?keySeedId=${crypto.randomUUID()}`, presetVideo3Audio1Request(kids), SPEKE_V2);
    expect(unknown.status).toBe(404);
  });

  it("replaces Key IDs with stable ones under overrideKeyIds=true, everywhere in the document", async () => {
    const tenant = await tenantWithTestSeed();
    const body = presetVideo3Audio1Request(kids);
    const first = readResponse(await (await postCpix(tenant, "/api/SpekeV2?overrideKeyIds=true", body, SPEKE_V2)).text());
    const again = readResponse(
      await (
        await postCpix(tenant, "/api/SpekeV2?overrideKeyIds=true", presetVideo3Audio1Request(kids.map(() => crypto.randomUUID())), SPEKE_V2)
      ).text(),
    );
    const newKids = first.contentKeyList!.items.map((key) => key.kid.toString());
    expect(newKids.some((kid) => kids.includes(kid))).toBe(false);
    expect(again.contentKeyList!.items.map((key) => key.kid.toString())).toEqual(newKids);
    expect(new Set(first.drmSystemList!.items.map((system) => system.kid.toString()))).toEqual(new Set(newKids));
    expect(first.contentKeyUsageRuleList!.items.map((rule) => rule.kid.toString())).toEqual(newKids);
    for (const key of first.contentKeyList!.items) expect(key.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, key.kid)).bytes);
  });

  it("records each answered acquisition in the log without key values", async () => {
    const tenant = await tenantWithTestSeed();
    const xml = await (await postCpix(tenant, "/api/SpekeV2", presetVideo3Audio1Request(kids), SPEKE_V2)).text();
    const key = readResponse(xml).contentKeyList!.items[0]!.value!;
    let logs: { Protocol: string; ContentId: string; KeyIds: string[]; KeySeedId: string }[] = [];
    for (let attempt = 0; attempt < 50 && logs.length === 0; attempt++) {
      logs = await (await api(tenant, "GET", "/api/Logs?category=100")).json();
      if (logs.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(logs[0]).toMatchObject({ Protocol: "speke-v2.0", ContentId: "movie-42", KeyIds: kids, KeySeedId: tenant.seedId });
    expect(JSON.stringify(logs)).not.toContain(toBase64(key.bytes));
  });
});
