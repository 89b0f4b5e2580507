import { describe, expect, it } from "vitest";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { SPEKE_V2, readResponse } from "./support/speke-v2-requests";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

/** Which DRM signalling a SPEKE v2 answer carries: the placeholders sent, or every form when none. */
describe("which signalling a response carries", () => {
  const kid = "0f083e4e-b831-4a3d-917e-ce78076e1234";
  const request = (
    systemBody: string,
    systemId = SYSTEM_IDS.widevine.toString(),
  ) => `<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="c" version="2.3">
<cpix:ContentKeyList><cpix:ContentKey kid="${kid}" commonEncryptionScheme="cbcs"/></cpix:ContentKeyList>
<cpix:DRMSystemList><cpix:DRMSystem kid="${kid}" systemId="${systemId}">${systemBody}</cpix:DRMSystem></cpix:DRMSystemList>
<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="${kid}" intendedTrackType="ALL"><cpix:VideoFilter/><cpix:AudioFilter/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList></cpix:CPIX>`;
  const system = async (body: string, systemId?: string) => {
    const tenant = await tenantWithTestSeed();
    return readResponse(await (await postCpix(tenant, "/api/SpekeV2", request(body, systemId), SPEKE_V2)).text()).drmSystemList!.items[0]!;
  };

  it("fills exactly the placeholders the request sent", async () => {
    const only = await system("<cpix:PSSH/>");
    expect(only.pssh).toBeDefined();
    expect(only.contentProtectionData).toBeUndefined();
    expect(only.hlsSignalingData).toEqual([]);
    const mediaOnly = await system('<cpix:HLSSignalingData playlist="media"/>');
    expect(mediaOnly.pssh).toBeUndefined();
    expect(mediaOnly.hlsSignalingData.map((data) => data.playlist)).toEqual(["media"]);
  });

  it("fills every form the DRM has when the request sent none", async () => {
    const all = await system("");
    expect(all.pssh).toBeDefined();
    expect(all.contentProtectionData).toBeDefined();
    expect(all.hlsSignalingData.map((data) => data.playlist)).toEqual(["media", "master"]);
  });

  it("leaves out a form the DRM does not have (a FairPlay PSSH placeholder)", async () => {
    const fairPlay = await system(
      '<cpix:PSSH/><cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>',
      SYSTEM_IDS.fairPlay.toString(),
    );
    expect(fairPlay.pssh).toBeUndefined();
    expect(fairPlay.hlsSignalingData).toHaveLength(2);
  });
});
