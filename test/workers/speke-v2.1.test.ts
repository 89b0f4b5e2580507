import { describe, expect, it } from "vitest";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { readResponse } from "./support/speke-v2-requests";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

/** SPEKE v2.1 (CPIX 2.4): key periods with start and end, multiVariant playlists. */
describe("SPEKE v2.1 acquisition", () => {
  it("echoes key periods with start and end and names the master playlist multiVariant", async () => {
    const tenant = await tenantWithTestSeed();
    const kid = crypto.randomUUID();
    const body = `<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="live-1" version="2.4">
<cpix:ContentKeyList><cpix:ContentKey kid="${kid}" commonEncryptionScheme="cenc"/></cpix:ContentKeyList>
<cpix:DRMSystemList><cpix:DRMSystem kid="${kid}" systemId="${SYSTEM_IDS.widevine}"/></cpix:DRMSystemList>
<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p7" index="7" start="2026-11-23T10:00:00Z" end="2026-11-23T10:10:00Z"/></cpix:ContentKeyPeriodList>
<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="${kid}" intendedTrackType="ALL"><cpix:KeyPeriodFilter periodId="p7"/><cpix:VideoFilter/><cpix:AudioFilter/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
    const response = await postCpix(tenant, "/api/SpekeV2", body, { "X-Speke-Version": "2.1" });
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Speke-Version")).toBe("2.1");
    const document = readResponse(await response.text());
    expect(document.version).toBe("2.4");
    expect(document.contentKeyPeriodList!.items[0]).toEqual({
      id: "p7",
      index: 7,
      start: "2026-11-23T10:00:00Z",
      end: "2026-11-23T10:10:00Z",
    });
    expect(document.drmSystemList!.items[0]!.hlsSignalingData.map((data) => data.playlist)).toEqual(["media", "multiVariant"]);
    expect(document.drmSystemList!.items[0]!.uriExtXKey).toBeUndefined();
  });
});
