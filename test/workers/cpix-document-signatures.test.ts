/**
 * Signing keys and trusted requesters (CPIX 2.3 §Digital Signature): `/api/SigningKeys` stores a certificate and its
 * PKCS #8 key (sealed, never returned), `SignResponses` signs every CPIX answer with it; `/api/TrustedRequesters` lists
 * the certificates `RequireSignedRequests` answers; a request whose signature does not verify is refused, naming it.
 */
import { describe, expect, it } from "vitest";
import { verifyCpixSignatures } from "../../src/cpix/security/xml-signature";
import { toBase64, toHex } from "../../src/domain/bytes";
import { signedDocument } from "./support/acquisition-routes";
import { api, type TestTenant } from "./support/api";
import { CPIX_PROTOCOLS, VALID_SPEKE_V2, withDeliveryData } from "./support/cpix-requests";
import { auditEntries } from "./support/logs";
import { makeTestCertificate, type TestCertificate } from "./support/make-certificate";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const DAY = 86_400_000;
const SPEKE_V2 = { "X-Speke-Version": "2.0" };

function pem(label: string, der: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${toBase64(der)
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END ${label}-----\n`;
}

async function fingerprint(der: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}

async function addSigningKey(tenant: TestTenant, key: TestCertificate): Promise<string> {
  const response = await api(tenant, "POST", "/api/SigningKeys", {
    Certificate: toBase64(key.der),
    PrivateKey: pem("PRIVATE KEY", key.pkcs8),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json<{ Id: string }>()).Id;
}

describe("/api/SigningKeys", () => {
  it("stores a certificate and its key, lists it without the key, deletes it, and audits each change", async () => {
    const tenant = await tenantWithTestSeed();
    const key = await makeTestCertificate({ commonName: "Acme signer" });
    const response = await api(tenant, "POST", "/api/SigningKeys", {
      Certificate: pem("CERTIFICATE", key.der),
      PrivateKey: toBase64(key.pkcs8),
    });
    expect(response.status).toBe(201);
    const created = await response.json<Record<string, string>>();
    expect(created).toMatchObject({ Subject: "CN=Acme signer", Fingerprint: await fingerprint(key.der) });
    expect(created.NotAfter).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.stringify(created)).not.toContain(toBase64(key.pkcs8).slice(0, 40));
    const listed = await (await api(tenant, "GET", "/API/SIGNINGKEYS")).json<Record<string, string>[]>();
    expect(listed).toEqual([created]);
    expect(await (await api(tenant, "GET", `/api/SigningKeys/${created.Id!.toUpperCase()}`)).json()).toEqual(created);
    expect((await api(tenant, "DELETE", `/api/SigningKeys/${created.Id}`)).status).toBe(204);
    expect((await api(tenant, "GET", `/api/SigningKeys/${created.Id}`)).status).toBe(404);
    const audit = await auditEntries(tenant);
    expect(audit.filter((entry) => entry.ObjectId === created.Id).map((entry) => [entry.Action, entry.Category])).toEqual([
      ["DeleteSigningKey", 108],
      ["AddSigningKey", 107],
    ]);
  });

  it.each([
    [
      "a key that is not the certificate's",
      async (key: TestCertificate) => ({ Certificate: toBase64(key.der), PrivateKey: toBase64((await makeTestCertificate()).pkcs8) }),
      /^PrivateKey does not belong to Certificate/,
    ],
    [
      "a PKCS #1 key",
      async (key: TestCertificate) => ({
        Certificate: toBase64(key.der),
        PrivateKey: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
      }),
      /PKCS #8/,
    ],
    [
      "a certificate that is not one",
      async (key: TestCertificate) => ({ Certificate: "bm90IGEgY2VydA==", PrivateKey: toBase64(key.pkcs8) }),
      /^Certificate is not a valid X.509 certificate/,
    ],
  ])("refuses %s with 400 naming the field", async (_case, body, message) => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "POST", "/api/SigningKeys", await body(await makeTestCertificate()));
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(message);
  });

  it.each([
    ["a 1024-bit key", { key: 1024 }, /^Certificate must hold an RSA key of at least 2048 bits, got 1024/],
    [
      "an expired certificate",
      { notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) },
      /^Certificate expired at/,
    ],
  ])("refuses %s by the certificate policy", async (_case, options, message) => {
    const tenant = await tenantWithTestSeed();
    const key = await makeTestCertificate(options);
    const response = await api(tenant, "POST", "/api/SigningKeys", { Certificate: toBase64(key.der), PrivateKey: toBase64(key.pkcs8) });
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(message);
  });

  it("refuses a JSON body sent as another content type with 415", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "POST", "/api/SigningKeys", "{}", { "Content-Type": "text/plain" });
    expect(response.status).toBe(415);
  });
});

describe("SignResponses", () => {
  it("needs a SigningKeyId of the tenant", async () => {
    const tenant = await tenantWithTestSeed();
    const missing = await api(tenant, "PUT", "/api/Settings", { SignResponses: true });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/SignResponses needs SigningKeyId/);
    const unknown = await api(tenant, "PUT", "/api/Settings", { SignResponses: true, SigningKeyId: crypto.randomUUID() });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/names no signing key of this tenant/);
  });

  it.each(CPIX_PROTOCOLS.map((protocol) => [protocol.name, protocol] as const))(
    "signs every %s answer with the tenant's key, and the signing key in use cannot be deleted",
    async (_name, protocol) => {
      const tenant = await tenantWithTestSeed();
      const key = await makeTestCertificate();
      const id = await addSigningKey(tenant, key);
      expect((await api(tenant, "PUT", "/api/Settings", { SignResponses: true, SigningKeyId: id })).status).toBe(200);
      const response = await postCpix(tenant, protocol.path, protocol.valid, protocol.headers);
      const body = await response.text();
      expect(response.status, body).toBe(200);
      const verified = await verifyCpixSignatures(body, new Date());
      if (!verified.ok) throw new Error(JSON.stringify(verified.failure));
      expect(verified.signatures).toHaveLength(1);
      expect(verified.signatures[0]!.references.map((reference) => reference.uri)).toEqual([""]);
      expect(await fingerprint(verified.signatures[0]!.signer.der)).toBe(await fingerprint(key.der));
      const deleted = await api(tenant, "DELETE", `/api/SigningKeys/${id}`);
      expect(deleted.status).toBe(409);
      expect(await deleted.text()).toMatch(/SigningKeyId/);
    },
  );

  it("signs an encrypted answer and a CPIX GET answer", async () => {
    const tenant = await tenantWithTestSeed();
    const id = await addSigningKey(tenant, await makeTestCertificate());
    await api(tenant, "PUT", "/api/Settings", { SignResponses: true, SigningKeyId: id });
    const recipient = await makeTestCertificate();
    const encrypted = await postCpix(tenant, "/api/SpekeV2", withDeliveryData(VALID_SPEKE_V2, [recipient.der]), SPEKE_V2);
    const got = await api(tenant, "GET", "/api/Cpix/c1?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b&drm=widevine");
    for (const response of [encrypted, got]) {
      const body = await response.text();
      expect(response.status, body).toBe(200);
      const verified = await verifyCpixSignatures(body, new Date());
      expect(verified.ok && verified.signatures.length).toBe(1);
    }
  });
});

describe("/api/TrustedRequesters and request signatures", () => {
  it("stores a certificate by fingerprint, refuses it twice, lists and deletes it, audited", async () => {
    const tenant = await tenantWithTestSeed();
    const requester = await makeTestCertificate({ commonName: "Packager" });
    const response = await api(tenant, "POST", "/api/TrustedRequesters", { Certificate: pem("CERTIFICATE", requester.der) });
    expect(response.status).toBe(201);
    const created = await response.json<Record<string, string>>();
    expect(created).toMatchObject({ Subject: "CN=Packager", Fingerprint: await fingerprint(requester.der) });
    expect((await api(tenant, "POST", "/api/TrustedRequesters", { Certificate: toBase64(requester.der) })).status).toBe(409);
    expect(await (await api(tenant, "GET", "/api/trustedrequesters")).json()).toEqual([created]);
    expect((await api(tenant, "DELETE", `/api/TrustedRequesters/${created.Id}`)).status).toBe(204);
    expect(await (await api(tenant, "GET", "/api/TrustedRequesters")).json()).toEqual([]);
    const actions = (await auditEntries(tenant)).filter((entry) => entry.ObjectId === created.Id).map((entry) => entry.Category);
    expect(actions).toEqual([110, 109]);
  });

  it("answers a signed request and refuses one changed after signing, naming the signature", async () => {
    const tenant = await tenantWithTestSeed();
    const signed = await signedDocument(VALID_SPEKE_V2, await makeTestCertificate());
    expect((await postCpix(tenant, "/api/SpekeV2", signed, SPEKE_V2)).status).toBe(200);
    const tampered = signed.replace('contentId="content-1"', 'contentId="content-2"');
    const response = await postCpix(tenant, "/api/SpekeV2", tampered, SPEKE_V2);
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/^The request's signature does not verify: Signature\[1\] digest of the document does not match/);
  });

  it("with RequireSignedRequests answers only documents signed by a trusted requester", async () => {
    const tenant = await tenantWithTestSeed();
    const [trusted, stranger] = await Promise.all([makeTestCertificate(), makeTestCertificate()]);
    expect((await api(tenant, "POST", "/api/TrustedRequesters", { Certificate: toBase64(trusted!.der) })).status).toBe(201);
    expect((await api(tenant, "PUT", "/api/Settings", { RequireSignedRequests: true })).status).toBe(200);

    const unsigned = await postCpix(tenant, "/api/SpekeV2", VALID_SPEKE_V2, SPEKE_V2);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toMatch(/RequireSignedRequests is on: the request must carry a document signature/);
    const byStranger = await postCpix(tenant, "/api/SpekeV2", await signedDocument(VALID_SPEKE_V2, stranger!), SPEKE_V2);
    expect(byStranger.status).toBe(403);
    expect(await byStranger.text()).toBe(
      `The tenant setting RequireSignedRequests is on and the request's signer (certificate SHA-256 ${await fingerprint(stranger!.der)}) is not a trusted requester (/api/TrustedRequesters)`,
    );
    const get = await api(tenant, "GET", "/api/Cpix/c1?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b&drm=widevine");
    expect(get.status).toBe(403);
    for (const protocol of CPIX_PROTOCOLS) {
      const response = await postCpix(tenant, protocol.path, await signedDocument(protocol.valid, trusted!), protocol.headers);
      expect(response.status, `${protocol.name}: ${await response.clone().text()}`).toBe(200);
    }
  });
});
