import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import type { CpixDocument } from "../../src/cpix/model";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { parsePsshBox } from "./support/pssh-parser";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { api } from "./support/api";
import { parsePlayReadyObject } from "./support/playready-object-parser";
import { sample } from "./support/samples";
import { TEST_SEED, postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const decoder = new TextDecoder();

async function answer(path: string, file: string): Promise<{ response: Response; xml: string; document: CpixDocument }> {
  const tenant = await tenantWithTestSeed();
  await api(tenant, "PUT", "/api/Settings", { ClearKeyUriTemplate: "https://keys.example.com/hls/{kid}" });
  const response = await postCpix(tenant, path, sample(file));
  const xml = await response.text();
  const read = readCpix(new TextEncoder().encode(xml));
  if (!read.ok) throw new Error(`${response.status} ${xml.slice(0, 200)}`);
  return { response, xml, document: read.document };
}

describe("SPEKE v1 acquisition", () => {
  it("answers the AWS live request with speke: signalling, keys from the seed, periods and rules echoed", async () => {
    const { response, xml, document } = await answer("/api/Speke", "aws-speke-docs-v1/v1-live-request.xml");
    expect(response.status).toBe(200);
    expect(response.headers.get("Speke-User-Agent")).toBeTruthy();
    expect(xml).toContain('xmlns:speke="urn:aws:amazon:com:speke"');
    expect(document.id).toBe("abc123");
    const key = document.contentKeyList!.items[0]!;
    expect(key.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, key.kid)).bytes);
    const byName = new Map(document.drmSystemList!.items.map((system) => [system.systemId.toString(), system]));

    const aes = byName.get(SYSTEM_IDS.hlsAes128Speke.toString())!;
    expect(decoder.decode(aes.uriExtXKey!)).toBe(`https://keys.example.com/hls/${key.kid}`);
    expect(decoder.decode(aes.speke!.keyFormat!)).toBe("identity");
    expect(decoder.decode(aes.speke!.keyFormatVersions!)).toBe("1");

    const fairPlay = byName.get(SYSTEM_IDS.fairPlay.toString())!;
    expect(decoder.decode(fairPlay.uriExtXKey!)).toMatch(new RegExp(`^skd://${key.kid}:[0-9A-F]{32}$`));
    expect(decoder.decode(fairPlay.speke!.keyFormat!)).toBe("com.apple.streamingkeydelivery");

    const playReady = byName.get(SYSTEM_IDS.playReady.toString())!;
    const pro = parsePlayReadyObject(playReady.speke!.protectionHeader!);
    if ("reason" in pro) throw new Error(pro.detail);
    expect(pro.wrmHeader).toContain('version="4.0.0.0"');
    const box = parsePsshBox(playReady.pssh!);
    expect("reason" in box ? box.detail : box.systemId.toString()).toBe(SYSTEM_IDS.playReady.toString());

    expect(document.contentKeyPeriodList!.items[0]).toMatchObject({ index: 1 });
    expect(document.contentKeyUsageRuleList!.items[0]!.keyPeriodFilters[0]!.periodId).toBe(document.contentKeyPeriodList!.items[0]!.id);
  });

  it("signals PlayReady AESCBC (WRMHEADER 4.3) and Widevine cbcs with protectionScheme=cbcs", async () => {
    const { document } = await answer("/api/Speke?protectionScheme=cbcs", "aws-speke-docs-v1/v1-vod-request.xml");
    const playReady = document.drmSystemList!.items.find((system) => system.systemId.equals(SYSTEM_IDS.playReady));
    if (playReady) {
      const pro = parsePlayReadyObject(playReady.speke!.protectionHeader!);
      if ("reason" in pro) throw new Error(pro.detail);
      expect(pro.wrmHeader).toContain('version="4.3.0.0"');
      expect(pro.wrmHeader).toContain('ALGID="AESCBC"');
    }
  });

  it("refuses an unknown protectionScheme", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/Speke?protectionScheme=ctr", sample("aws-speke-docs-v1/v1-vod-request.xml"));
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/protectionScheme must be one of/);
  });

  it("overrides the Key ID stably with overrideKeyIds=true", async () => {
    const tenant = await tenantWithTestSeed();
    const first = await (
      await postCpix(tenant, "/api/Speke?overrideKeyIds=true", sample("aws-speke-docs-v1/v1-kid-override-request.xml"))
    ).text();
    const second = await (
      await postCpix(tenant, "/api/Speke?overrideKeyIds=true", sample("aws-speke-docs-v1/v1-kid-override-request.xml"))
    ).text();
    const kid = (xml: string) => /<cpix:ContentKey [^>]*kid="([^"]+)"/.exec(xml)![1];
    expect(kid(first)).toBe(kid(second));
    expect(kid(first)).not.toBe(
      /kid="([^"]+)"/.exec(new TextDecoder().decode(sample("aws-speke-docs-v1/v1-kid-override-request.xml")))![1],
    );
  });
});
