/**
 * The tenant's document-security settings on CPIX acquisitions: `RequireEncryption` refuses a request without
 * DeliveryData (CPIX 2.3 §DeliveryDataList Element) instead of answering it in PlainValue; `RecipientCertificates`
 * allows keys to be encrypted only for the listed certificates (SHA-256 of the DER certificate).
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/domain/bytes";
import { api } from "./support/api";
import { CPIX_PROTOCOLS, VALID_SPEKE_V2, withDeliveryData } from "./support/cpix-requests";
import { makeTestCertificate } from "./support/make-certificate";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const SPEKE_V2 = { "X-Speke-Version": "2.0" };

async function fingerprint(der: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}

describe("RequireEncryption", () => {
  it("is off by default and stored as a boolean", async () => {
    const tenant = await tenantWithTestSeed();
    expect(await (await api(tenant, "GET", "/api/Settings")).json()).toMatchObject({
      RequireEncryption: false,
      RecipientCertificates: null,
    });
    const put = await api(tenant, "PUT", "/api/Settings", { RequireEncryption: true });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ RequireEncryption: true });
    const wrong = await api(tenant, "PUT", "/api/Settings", { RequireEncryption: "yes" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/RequireEncryption must be true or false/);
  });

  it.each(CPIX_PROTOCOLS.map((protocol) => [protocol.name, protocol] as const))(
    "refuses a %s request without DeliveryData, naming the setting, and answers one with it",
    async (_name, protocol) => {
      const tenant = await tenantWithTestSeed();
      expect((await api(tenant, "PUT", "/api/Settings", { RequireEncryption: true })).status).toBe(200);
      const clear = await postCpix(tenant, protocol.path, protocol.valid, protocol.headers);
      expect(clear.status).toBe(422);
      const body = await clear.text();
      expect(body).toMatch(/^The tenant setting RequireEncryption is on/);
      expect(body).not.toContain("PlainValue>");
      const recipient = await makeTestCertificate();
      const encrypted = await postCpix(tenant, protocol.path, withDeliveryData(protocol.valid, [recipient.der]), protocol.headers);
      expect(encrypted.status).toBe(200);
      expect(await encrypted.text()).not.toContain("PlainValue");
    },
  );

  it("refuses CPIX GET, which cannot carry a certificate", async () => {
    const tenant = await tenantWithTestSeed();
    await api(tenant, "PUT", "/api/Settings", { RequireEncryption: true });
    const response = await api(tenant, "GET", "/api/Cpix/c1?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b&drm=widevine");
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/RequireEncryption/);
  });
});

describe("RecipientCertificates", () => {
  it("encrypts only for a listed certificate and names the one that is not", async () => {
    const tenant = await tenantWithTestSeed();
    const [listed, other] = await Promise.all([makeTestCertificate(), makeTestCertificate()]);
    const listedPrint = await fingerprint(listed!.der);
    // Colons and upper case, as openssl prints it, are accepted and stored in lowercase hex.
    const colons = listedPrint.toUpperCase().match(/../g)!.join(":");
    const put = await api(tenant, "PUT", "/api/Settings", { RecipientCertificates: [colons] });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ RecipientCertificates: [listedPrint] });

    const ok = await postCpix(tenant, "/api/SpekeV2", withDeliveryData(VALID_SPEKE_V2, [listed!.der]), SPEKE_V2);
    expect(ok.status).toBe(200);
    const refused = await postCpix(tenant, "/api/SpekeV2", withDeliveryData(VALID_SPEKE_V2, [listed!.der, other!.der]), SPEKE_V2);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toBe(
      `The certificate of DeliveryData[2] (SHA-256 ${await fingerprint(other!.der)}) is not in the tenant setting RecipientCertificates`,
    );
  });

  it("refuses a value that is not a SHA-256 fingerprint", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "PUT", "/api/Settings", { RecipientCertificates: ["abcd"] });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/RecipientCertificates\[0\] must be a SHA-256 fingerprint/);
  });
});
