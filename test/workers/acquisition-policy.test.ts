/**
 * The tenant settings `RequireSignedRequests`, `RequireEncryption` and `RecipientCertificates` hold on every
 * acquisition route that takes tenant credentials (issue 24): each route and setting in turn, the refusal naming the
 * setting and the compliant request answered. A GET cannot carry a signature or a certificate, so with Basic
 * credentials it is refused under either setting; a signed CPIX URL is itself the signature `RequireSignedRequests`
 * asks for.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { toBase64, toHex } from "../../src/domain/bytes";
import { DOCUMENT_ROUTES, URL_ROUTES } from "./support/acquisition-routes";
import { api, type TestTenant } from "./support/api";
import { makeTestCertificate, type TestCertificate } from "./support/make-certificate";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

let certificates: Promise<{ listed: TestCertificate; other: TestCertificate }> | undefined;
/** Two RSA certificates made once per file: one the tenant lists or trusts, one it does not. */
function testCertificates() {
  certificates ??= Promise.all([makeTestCertificate({ commonName: "packager" }), makeTestCertificate({ commonName: "stranger" })]).then(
    ([listed, other]) => ({ listed: listed!, other: other! }),
  );
  return certificates;
}

async function fingerprint(der: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}

async function tenantWith(settings: Record<string, unknown>, trusted?: TestCertificate): Promise<TestTenant> {
  const tenant = await tenantWithTestSeed();
  if (trusted) expect((await api(tenant, "POST", "/api/TrustedRequesters", { Certificate: toBase64(trusted.der) })).status).toBe(201);
  const put = await api(tenant, "PUT", "/api/Settings", settings);
  expect(put.status, await put.clone().text()).toBe(200);
  return tenant;
}

describe.each(DOCUMENT_ROUTES)("$name", (route) => {
  it("with RequireSignedRequests refuses an unsigned request with 403 naming the setting and answers one signed by a trusted requester", async () => {
    const { listed } = await testCertificates();
    const tenant = await tenantWith({ RequireSignedRequests: true }, listed);
    const unsigned = await route.send(tenant);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toMatch(/^The tenant setting RequireSignedRequests is on/);
    const signed = await route.send(tenant, { signer: listed });
    expect(signed.status, await signed.clone().text()).toBe(200);
  });

  it("with RequireEncryption refuses a request without DeliveryData with 422 naming the setting and encrypts for one with it", async () => {
    const { listed } = await testCertificates();
    const tenant = await tenantWith({ RequireEncryption: true });
    const clear = await route.send(tenant);
    expect(clear.status).toBe(422);
    const body = await clear.text();
    expect(body).toMatch(/^The tenant setting RequireEncryption is on/);
    expect(body).not.toContain("PlainValue>");
    const encrypted = await route.send(tenant, { recipients: [listed.der] });
    expect(encrypted.status, await encrypted.clone().text()).toBe(200);
    expect(await encrypted.text()).not.toContain("PlainValue");
  });

  it("with RecipientCertificates refuses a certificate not listed with 422 naming it and the setting, and encrypts for a listed one", async () => {
    const { listed, other } = await testCertificates();
    const tenant = await tenantWith({ RecipientCertificates: [await fingerprint(listed.der)] });
    const unlisted = await route.send(tenant, { recipients: [other.der] });
    expect(unlisted.status).toBe(422);
    expect(await unlisted.text()).toBe(
      `The certificate of DeliveryData[1] (SHA-256 ${await fingerprint(other.der)}) is not in the tenant setting RecipientCertificates`,
    );
    const allowed = await route.send(tenant, { recipients: [listed.der] });
    expect(allowed.status, await allowed.clone().text()).toBe(200);
    expect(await allowed.text()).not.toContain("PlainValue");
  });
});

describe.each(URL_ROUTES)("$name with Basic credentials", (route) => {
  it("with RequireSignedRequests is refused with 403 naming the setting: a GET carries no signature", async () => {
    const tenant = await tenantWith({ RequireSignedRequests: true });
    const response = await route.send(tenant);
    expect(response.status).toBe(403);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(await response.text()).toMatch(/^The tenant setting RequireSignedRequests is on/);
  });

  it("with RequireEncryption is refused with 422 naming the setting: a GET carries no certificate", async () => {
    const tenant = await tenantWith({ RequireEncryption: true });
    const response = await route.send(tenant);
    expect(response.status).toBe(422);
    const body = await response.text();
    expect(body).toMatch(/^The tenant setting RequireEncryption is on/);
    expect(body).not.toContain("PlainValue>");
  });

  it("with RecipientCertificates and RequireEncryption is refused: keys go to no certificate but a listed one", async () => {
    const { listed } = await testCertificates();
    const tenant = await tenantWith({ RecipientCertificates: [await fingerprint(listed.der)], RequireEncryption: true });
    const response = await route.send(tenant);
    expect(response.status).toBe(422);
    expect(await response.text()).not.toContain("PlainValue>");
  });
});

describe("a signed CPIX URL", () => {
  async function signedUrl(tenant: TestTenant): Promise<string> {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const response = await api(tenant, "POST", "/api/CpixUrls", { ContentId: "c1", Query: "drm=widevine", ExpiresAt: expiresAt });
    expect(response.status).toBe(201);
    return (await response.json<{ Url: string }>()).Url;
  }

  it("is answered with RequireSignedRequests on: the URL's token is the request's signature", async () => {
    const tenant = await tenantWith({ RequireSignedRequests: true });
    const response = await SELF.fetch(await signedUrl(tenant));
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.text()).toContain("PlainValue");
  });

  it("is refused with RequireEncryption on, naming the setting: a URL carries no certificate", async () => {
    const tenant = await tenantWith({ RequireEncryption: true });
    const response = await SELF.fetch(await signedUrl(tenant));
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/^The tenant setting RequireEncryption is on/);
  });
});

describe("Harmonic EncryptContentKeys", () => {
  it("with RecipientCertificates refuses a trusted signer whose certificate is not listed, naming the setting", async () => {
    const { listed, other } = await testCertificates();
    const tenant = await tenantWithTestSeed();
    const signingKey = await makeTestCertificate({ commonName: "key service" });
    const added = await api(tenant, "POST", "/api/SigningKeys", {
      Certificate: toBase64(signingKey.der),
      PrivateKey: toBase64(signingKey.pkcs8),
    });
    expect(added.status).toBe(201);
    const { Id } = await added.json<{ Id: string }>();
    expect(
      (await api(tenant, "PUT", "/api/Settings", { SigningKeyId: Id, RecipientCertificates: [await fingerprint(listed.der)] })).status,
    ).toBe(200);
    for (const requester of [listed, other]) {
      expect((await api(tenant, "POST", "/api/TrustedRequesters", { Certificate: toBase64(requester.der) })).status).toBe(201);
    }
    const configured = await api(tenant, "PUT", "/api/HarmonicConfiguration", { RequireSignatures: true, EncryptContentKeys: true });
    expect(configured.status).toBe(200);
    const harmonic = DOCUMENT_ROUTES.find((route) => route.name === "Harmonic")!;

    const unlisted = await harmonic.send(tenant, { signer: other });
    expect(unlisted.status).toBe(422);
    const body = await unlisted.text();
    expect(body).toMatch(/RecipientCertificates/);
    expect(body).toContain(await fingerprint(other.der));
    expect(body).not.toContain("EncryptedValue");
    const allowed = await harmonic.send(tenant, { signer: listed });
    expect(allowed.status, await allowed.clone().text()).toBe(200);
    expect(await allowed.text()).not.toContain("PlainValue");
  });
});
