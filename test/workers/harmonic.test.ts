/**
 * `POST /api/Harmonic/v2` and `/api/HarmonicConfiguration` (Axinom Key Service docs, Harmonic): CPIX without a
 * version, several keys and key rotation, answered with keys from the seed in the request's own style;
 * `RequireSignatures` answers only requests signed by a trusted requester and signs the answer, `EncryptContentKeys`
 * encrypts the keys for the signer's certificate.
 */
import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { parseCertificate } from "../../src/x509/certificate";
import { decryptContentKeys } from "../../src/cpix/security/delivery-decryption";
import { signCpixDocument, verifyCpixSignatures } from "../../src/cpix/security/xml-signature";
import { toBase64, toHex, utf8 } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { api, type TestTenant } from "./support/api";
import { makeTestCertificate, type TestCertificate } from "./support/make-certificate";
import { TEST_SEED, postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const KIDS = ["7f5a7c8e-1b1d-4c49-9a0b-3f1e2d4c5b6a", "0c3e9d1a-5f2b-4e8d-8a7c-6b5d4e3f2a1b"];

/** A Harmonic v2 request: no `version`, a contentId, two keys in two ContentKeyPeriods (key rotation). */
function request(contentId = "channel_01"): string {
  const systems = [SYSTEM_IDS.playReady, SYSTEM_IDS.widevine]
    .flatMap((systemId) => KIDS.map((kid) => `<cpix:DRMSystem kid="${kid}" systemId="${systemId}"/>`))
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="${contentId}">
  <cpix:ContentKeyList>${KIDS.map((kid) => `<cpix:ContentKey kid="${kid}"/>`).join("")}</cpix:ContentKeyList>
  <cpix:DRMSystemList>${systems}</cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList>
    <cpix:ContentKeyPeriod id="period_1" index="1"/>
    <cpix:ContentKeyPeriod id="period_2" index="2"/>
  </cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="${KIDS[0]}"><cpix:KeyPeriodFilter periodId="period_1"/></cpix:ContentKeyUsageRule>
    <cpix:ContentKeyUsageRule kid="${KIDS[1]}"><cpix:KeyPeriodFilter periodId="period_2"/></cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
}

function read(body: string) {
  const parsed = readCpix(utf8(body));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.failure));
  return parsed.document;
}

async function derived(kid: string): Promise<Uint8Array> {
  return (await deriveContentKey(TEST_SEED, KeyId.require(kid))).bytes;
}

async function signed(xml: string, signer: TestCertificate): Promise<string> {
  const parsed = parseCertificate(signer.der);
  if (!parsed.ok) throw new Error("test certificate unreadable");
  const result = await signCpixDocument(
    xml,
    { privateKey: await signer.signingKey("SHA-256"), certificate: parsed.certificate },
    new Date(),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.failure));
  return result.xml;
}

/** A tenant with a signing key named by SigningKeyId and `requester` trusted; returns the signing key. */
async function signingTenant(requester: TestCertificate): Promise<{ tenant: TestTenant; signingKey: TestCertificate }> {
  const tenant = await tenantWithTestSeed();
  const signingKey = await makeTestCertificate({ commonName: "key service" });
  const added = await api(tenant, "POST", "/api/SigningKeys", {
    Certificate: toBase64(signingKey.der),
    PrivateKey: toBase64(signingKey.pkcs8),
  });
  expect(added.status, await added.clone().text()).toBe(201);
  const { Id } = await added.json<{ Id: string }>();
  expect((await api(tenant, "PUT", "/api/Settings", { SigningKeyId: Id })).status).toBe(200);
  expect((await api(tenant, "POST", "/api/TrustedRequesters", { Certificate: toBase64(requester.der) })).status).toBe(201);
  return { tenant, signingKey };
}

describe("POST /api/Harmonic/v2", () => {
  it("answers a CPIX request without version with every key derived from the seed, in the request's style", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/Harmonic/v2", request());
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(body).not.toMatch(/<cpix:CPIX[^>]*\sversion=/);
    const answer = read(body);
    expect(answer.version).toBeUndefined();
    expect(answer.contentId).toBe("channel_01");
    expect(answer.contentKeyList!.items.map((key) => key.kid.toString())).toEqual(KIDS);
    for (const key of answer.contentKeyList!.items) expect(key.value!.bytes).toEqual(await derived(key.kid.toString()));
    expect(answer.drmSystemList!.items).toHaveLength(4);
    expect(answer.drmSystemList!.items.every((system) => system.pssh && system.pssh.length > 0)).toBe(true);
  });

  it("echoes the key rotation periods and the usage rules that name them", async () => {
    const tenant = await tenantWithTestSeed();
    const answer = read(await (await postCpix(tenant, "/API/HARMONIC/V2", request())).text());
    expect(answer.contentKeyPeriodList!.items.map((period) => [period.id, period.index])).toEqual([
      ["period_1", 1],
      ["period_2", 2],
    ]);
    expect(answer.contentKeyUsageRuleList!.items.map((rule) => rule.kid.toString())).toEqual(KIDS);
  });

  it("with overrideKeyIds=true derives Key IDs from the content id and period", async () => {
    const tenant = await tenantWithTestSeed();
    const kids = async (contentId: string) =>
      read(await (await postCpix(tenant, "/api/Harmonic/v2?overrideKeyIds=true", request(contentId))).text()).contentKeyList!.items.map(
        (key) => key.kid.toString(),
      );
    const first = await kids("channel_02");
    expect(first).not.toEqual(KIDS);
    expect(new Set(first).size).toBe(2);
    expect(await kids("channel_02")).toEqual(first);
    expect(await kids("channel_03")).not.toEqual(first);
  });
});

describe("/api/HarmonicConfiguration", () => {
  it("is off by default and is not part of /api/Settings", async () => {
    const tenant = await tenantWithTestSeed();
    expect(await (await api(tenant, "GET", "/api/HarmonicConfiguration")).json()).toEqual({
      EncryptContentKeys: false,
      RequireSignatures: false,
    });
    const settings = await (await api(tenant, "GET", "/api/Settings")).json<Record<string, unknown>>();
    expect(Object.keys(settings).filter((name) => /harmonic|RequireSignatures|EncryptContentKeys/i.test(name))).toEqual([]);
  });

  it.each([
    [
      "EncryptContentKeys without RequireSignatures",
      { EncryptContentKeys: true },
      /EncryptContentKeys can only be enabled together with RequireSignatures/,
    ],
    ["a field that is not a boolean", { RequireSignatures: "yes" }, /RequireSignatures must be true or false/],
    ["an unknown field", { RequireSignature: true }, /Unknown field RequireSignature/],
    ["RequireSignatures without a SigningKeyId", { RequireSignatures: true }, /RequireSignatures .* needs the tenant setting SigningKeyId/],
  ])("refuses %s with 400", async (_case, body, message) => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "PUT", "/api/HarmonicConfiguration", body);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(message);
    expect(await (await api(tenant, "GET", "/api/HarmonicConfiguration")).json()).toEqual({
      EncryptContentKeys: false,
      RequireSignatures: false,
    });
  });

  it("stores both options, keeps them across PUT /api/Settings, and keeps SigningKeyId while RequireSignatures is on", async () => {
    const { tenant } = await signingTenant(await makeTestCertificate());
    const put = await api(tenant, "PUT", "/api/HarmonicConfiguration", { EncryptContentKeys: true, RequireSignatures: true });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(await put.json()).toEqual({ EncryptContentKeys: true, RequireSignatures: true });
    const settings = await (await api(tenant, "GET", "/api/Settings")).json<Record<string, unknown>>();
    expect((await api(tenant, "PUT", "/api/Settings", { SigningKeyId: settings.SigningKeyId, WidevineProvider: "acme" })).status).toBe(200);
    expect(await (await api(tenant, "GET", "/api/HarmonicConfiguration")).json()).toEqual({
      EncryptContentKeys: true,
      RequireSignatures: true,
    });
    const dropped = await api(tenant, "PUT", "/api/Settings", {});
    expect(dropped.status).toBe(409);
    expect(await dropped.text()).toMatch(/SigningKeyId signs Harmonic answers while RequireSignatures is on/);
    const posted = await api(tenant, "POST", "/api/HarmonicConfiguration", {});
    expect(await posted.json()).toEqual({ EncryptContentKeys: false, RequireSignatures: false });
  });
});

describe("Harmonic RequireSignatures and EncryptContentKeys", () => {
  it("refuses an unsigned request (403) and one signed by an untrusted requester (403)", async () => {
    const requester = await makeTestCertificate({ commonName: "encoder" });
    const { tenant } = await signingTenant(requester);
    expect((await api(tenant, "PUT", "/api/HarmonicConfiguration", { RequireSignatures: true })).status).toBe(200);
    const unsigned = await postCpix(tenant, "/api/Harmonic/v2", request());
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(await unsigned.text()).toMatch(
      /RequireSignatures \(\/api\/HarmonicConfiguration\) is on: the request must carry a document signature/,
    );
    const stranger = await makeTestCertificate({ commonName: "stranger" });
    const untrusted = await postCpix(tenant, "/api/Harmonic/v2", await signed(request(), stranger));
    expect(untrusted.status).toBe(403);
    expect(await untrusted.text()).toMatch(/is not a trusted requester/);
  });

  it("refuses a request whose signature does not verify with 422", async () => {
    const requester = await makeTestCertificate();
    const { tenant } = await signingTenant(requester);
    expect((await api(tenant, "PUT", "/api/HarmonicConfiguration", { RequireSignatures: true })).status).toBe(200);
    const tampered = (await signed(request(), requester)).replace("channel_01", "channel_99");
    const response = await postCpix(tenant, "/api/Harmonic/v2", tampered);
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/signature does not verify/);
  });

  it("answers a trusted signed request with an answer signed by the tenant's signing key", async () => {
    const requester = await makeTestCertificate();
    const { tenant, signingKey } = await signingTenant(requester);
    expect((await api(tenant, "PUT", "/api/HarmonicConfiguration", { RequireSignatures: true })).status).toBe(200);
    const response = await postCpix(tenant, "/api/Harmonic/v2", await signed(request(), requester));
    const body = await response.text();
    expect(response.status, body).toBe(200);
    const verified = await verifyCpixSignatures(body, new Date());
    if (!verified.ok) throw new Error(JSON.stringify(verified.failure));
    expect(verified.signatures.map((signature) => toHex(signature.signer.der))).toContain(toHex(signingKey.der));
    for (const key of read(body).contentKeyList!.items) expect(key.value!.bytes).toEqual(await derived(key.kid.toString()));
  });

  it("with EncryptContentKeys encrypts the keys for the signer's certificate", async () => {
    const requester = await makeTestCertificate({ key: 2048 });
    const { tenant } = await signingTenant(requester);
    const put = await api(tenant, "PUT", "/api/HarmonicConfiguration", { RequireSignatures: true, EncryptContentKeys: true });
    expect(put.status).toBe(200);
    const response = await postCpix(tenant, "/api/Harmonic/v2", await signed(request(), requester));
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(body).not.toContain("PlainValue");
    expect((await verifyCpixSignatures(body, new Date())).ok).toBe(true);
    const document = read(body);
    expect(document.deliveryDataList!.items[0]!.deliveryKey.x509Certificates.map((der) => toHex(der))).toEqual([toHex(requester.der)]);
    const decrypted = await decryptContentKeys(document, await requester.decryptionKey());
    if (!decrypted.ok) throw new Error(JSON.stringify(decrypted.failure));
    expect(decrypted.keys.map((key) => key.kid.toString())).toEqual(KIDS);
    for (const key of decrypted.keys) expect(key.value.bytes).toEqual(await derived(key.kid.toString()));
  });

  it("without RequireSignatures still verifies a signed request but does not check trust", async () => {
    const tenant = await tenantWithTestSeed();
    const stranger = await makeTestCertificate();
    const answered = await postCpix(tenant, "/api/Harmonic/v2", await signed(request(), stranger));
    expect(answered.status).toBe(200);
    const tampered = (await signed(request(), stranger)).replace("channel_01", "channel_99");
    expect((await postCpix(tenant, "/api/Harmonic/v2", tampered)).status).toBe(422);
  });
});
