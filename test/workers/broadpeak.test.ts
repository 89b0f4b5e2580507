import { describe, expect, it } from "vitest";
import { SELF } from "cloudflare:test";
import { readCpix } from "../../src/cpix/reader";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { BASE } from "./support/api";
import { TEST_SEED, postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const KID = "af1ed63c-5784-460b-9e51-309dd47b7d9c";

/** A request in the DASH-IF CPIX shape Broadpeak packagers send (the ContentKey of the Axinom Key Service docs, Broadpeak). */
function request(contentId: string | undefined, kid = KID): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"${contentId === undefined ? "" : ` contentId="${contentId}"`}>
  <cpix:ContentKeyList><cpix:ContentKey kid="${kid}"/></cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="${kid}" systemId="${SYSTEM_IDS.playReady}"/>
    <cpix:DRMSystem kid="${kid}" systemId="${SYSTEM_IDS.widevine}"/>
  </cpix:DRMSystemList>
</cpix:CPIX>`;
}

async function document(response: Response) {
  expect(response.status).toBe(200);
  const read = readCpix(new TextEncoder().encode(await response.text()));
  if (!read.ok) throw new Error("unreadable");
  return read.document;
}

describe("/api/Broadpeak (Broadpeak Origin Packager, BkS)", () => {
  it("answers a CPIX request with keys and PSSH for each system", async () => {
    const tenant = await tenantWithTestSeed();
    const answer = await document(await postCpix(tenant, "/api/Broadpeak", request("channel-1")));
    const key = answer.contentKeyList!.items[0]!;
    expect(key.kid.toString()).toBe(KID);
    expect(key.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(KID))).bytes);
    expect(answer.drmSystemList!.items.every((system) => system.pssh && system.pssh.length > 0)).toBe(true);
  });

  it("with overrideKeyIds=true ignores the request's Key ID and derives one from the content id", async () => {
    const tenant = await tenantWithTestSeed();
    const kidOf = async (contentId: string, kid: string) =>
      (
        await document(await postCpix(tenant, "/api/broadpeak?overrideKeyIds=true", request(contentId, kid)))
      ).contentKeyList!.items[0]!.kid.toString();
    const first = await kidOf("channel-2", KID);
    expect(first).not.toBe(KID);
    expect(await kidOf("channel-2", "11111111-2222-3333-4444-555555555555")).toBe(first);
    expect(await kidOf("channel-3", KID)).not.toBe(first);
  });

  it("refuses a request without a content id", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/Broadpeak", request(undefined));
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/Missing CPIX@contentId/);
  });

  it("answers a GET without a body by naming what to send", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await SELF.fetch(`${BASE}/api/Broadpeak`, { headers: { Authorization: tenant.authorization } });
    expect(response.status).toBe(422);
    expect(response.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toMatch(/expected a CPIX document/);
  });

  it("requires tenant credentials", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix({ ...tenant, authorization: "Basic Zm9vOmJhcg==" }, "/api/Broadpeak", request("channel-1"));
    expect(response.status).toBe(401);
  });
});
