import { describe, expect, it } from "vitest";
import ecCertificatePem from "../fixtures/pskc/ec-p256.cert.pem?raw";
import rsa1024CertificatePem from "../fixtures/pskc/rsa1024.cert.pem?raw";
import signingOnlyCertificatePem from "../fixtures/pskc/signing-only.cert.pem?raw";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { readPskcPackage } from "../../src/pskc/reader";
import { api, randomBase64, type KeySeedJson } from "./support/api";
import { createCredential } from "./support/credentials";
import { TEST_SEED_BASE64, tenantWithTestSeed } from "./support/tenant-with-seed";

const PASSWORD = "correct horse battery staple";

describe("POST /api/Export/KeySeeds", () => {
  it("exports every seed encrypted with a password, readable back to the same values, and records each export", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "POST", "/api/Export/KeySeeds", { Password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/pskc\+xml/);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const xml = await response.text();
    expect(xml).not.toContain(TEST_SEED_BASE64);
    const read = await readPskcPackage(xml, { password: PASSWORD });
    if (!read.ok) throw new Error(JSON.stringify(read.failure));
    const seeds = await (await api(tenant, "GET", "/api/KeySeeds")).json<KeySeedJson[]>();
    expect(read.keys.map((key) => key.id).sort()).toEqual(seeds.map((seed) => seed.Id).sort());
    expect(toBase64(read.keys.find((key) => key.id === tenant.seedId)!.value)).toBe(TEST_SEED_BASE64);

    const audit = await (await api(tenant, "GET", "/api/Logs?category=15")).json<{ Action: string; ObjectId: string }[]>();
    expect(audit.map((entry) => entry.ObjectId).sort()).toEqual(seeds.map((seed) => seed.Id).sort());
    expect(audit.every((entry) => entry.Action === "ExportKeySeeds")).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  });

  it("exports only the seeds named by Ids", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "POST", "/api/Export/KeySeeds", { Ids: [tenant.seedId], Password: PASSWORD });
    const read = await readPskcPackage(await response.text(), { password: PASSWORD });
    expect(read.ok && read.keys.map((key) => key.id)).toEqual([tenant.seedId]);
  });

  it.each([
    ["neither Password nor Certificate", {}, 400, /^Send exactly one of Password and Certificate/],
    ["a short password", { Password: "short" }, 400, /Password/],
    ["a password of 15 characters", { Password: "fifteen chars!!" }, 400, /^Password must be 16 to 1024 characters, got 15/],
    ["one character repeated", { Password: "aaaaaaaaaaaaaaaa" }, 400, /^Password must not be one character repeated or a simple sequence/],
    ["a digit sequence", { Password: "1234567890123456" }, 400, /^Password must not be one character repeated or a simple sequence/],
    ["a letter sequence", { Password: "abcdefghijklmnop" }, 400, /^Password must not be one character repeated or a simple sequence/],
    ["a descending sequence", { Password: "ZYXWVUTSRQPONMLK" }, 400, /^Password must not be one character repeated or a simple sequence/],
    ["an unknown seed", { Ids: ["0b9c7a1e-5c1d-4e2f-9a3b-4c5d6e7f8091"], Password: PASSWORD }, 404, /0b9c7a1e-5c1d-4e2f-9a3b-4c5d6e7f8091/],
    ["a certificate that is not one", { Certificate: randomBase64(64) }, 400, /Certificate/],
    [
      "bytes that are not DER",
      { Certificate: toBase64(utf8("not a certificate")) },
      400,
      /^Certificate must be one X\.509 certificate \(DER, or PEM "BEGIN CERTIFICATE"\): Certificate: /,
    ],
    ["a 1024-bit certificate", { Certificate: rsa1024CertificatePem }, 400, /^Certificate's RSA key must be at least 2048 bits, got 1024$/],
    [
      "an EC certificate",
      { Certificate: ecCertificatePem },
      400,
      /^Certificate must carry an RSA public key \(rsaEncryption\) for RSA-OAEP key transport$/,
    ],
    [
      "a certificate whose keyUsage lacks keyEncipherment",
      { Certificate: signingOnlyCertificatePem },
      400,
      /^Certificate's keyUsage must include keyEncipherment \(RFC 5280 §4\.2\.1\.3\) to receive a key$/,
    ],
  ])("refuses %s, exporting and recording nothing", async (_case, body, status, message) => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "POST", "/api/Export/KeySeeds", body);
    expect(response.status).toBe(status);
    expect((await response.json<{ error: string }>()).error).toMatch(message);
    expect(await (await api(tenant, "GET", "/api/Logs?category=15")).json()).toEqual([]);
  });

  it("is refused to an acquire-only credential", async () => {
    const tenant = await tenantWithTestSeed();
    const { as } = await createCredential(tenant, { Name: "packager", Scopes: ["acquire"] });
    expect((await api(as, "POST", "/api/Export/KeySeeds", { Password: PASSWORD })).status).toBe(403);
  });
});
