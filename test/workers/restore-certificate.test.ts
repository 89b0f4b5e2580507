/**
 * `GET /admin/restore-certificate` (issue 29, docs/backup.md §Restore certificate): one certificate per deployment,
 * made on the first call (two first calls at once get the same one), that the certificate policy accepts for every
 * encryption purpose; its private key stored only sealed under the KEK and opening backups made for it; sealed again
 * by a KEK rotation with the certificate unchanged, so a backup made before the rotation opens with the new key alone.
 */
import { SELF, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openBackup, sealBackup } from "../../src/backup/backup-document";
import { restoreKey } from "../../src/backup/restore-key";
import { toBase64, toHex } from "../../src/domain/bytes";
import { open } from "../../src/tenancy/envelope";
import { importKeyEncryptionKeys } from "../../src/tenancy/key-encryption-keys";
import { tenantDirectory } from "../../src/tenancy/tenant-directory";
import { parseCertificate, type X509Certificate } from "../../src/x509/certificate";
import { certificateFingerprint } from "../../src/x509/certificate-fingerprint";
import { certificateProblem } from "../../src/x509/certificate-policy";
import { DER_TAG, DerReader } from "../../src/x509/der";
import { certificatePem } from "../../src/x509/self-signed-certificate";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE } from "./support/api";
import { Deployment } from "./support/deployment";

const ADMIN = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };
const OLD_KEY = TEST_BINDINGS.KEY_ENCRYPTION_KEY;
const NEW_KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
const HEADER = { tenantId: "0f2a1e4c-6b7d-4c8e-9a1b-2c3d4e5f6a70", schemaVersion: 8, counts: { keySeeds: 1 } };
const YEAR_MS = 365.25 * 86_400_000;

function restoreCertificate(): Promise<Response> {
  return SELF.fetch(`${BASE}/admin/restore-certificate`, { headers: ADMIN });
}

function parsed(pem: string): X509Certificate {
  const result = parseCertificate(pem);
  if (!result.ok) throw new Error(result.problem.detail);
  return result.certificate;
}

/** The directory's restore_key row, every column as text. */
function storedRow(): Promise<Record<string, string>> {
  return runInDurableObject(tenantDirectory(env), (_instance, state) => {
    const row = state.storage.sql.exec<Record<string, ArrayBuffer | string>>("SELECT * FROM restore_key").one();
    return Object.fromEntries(
      Object.entries(row).map(([name, value]) => [name, typeof value === "string" ? value : toHex(new Uint8Array(value))]),
    );
  });
}

describe("GET /admin/restore-certificate", () => {
  // First in the file: the directory is fresh, so these two calls are the deployment's first.
  it("makes one certificate when two first calls arrive at once, and answers it on every call", async () => {
    const [first, second] = await Promise.all([restoreCertificate(), restoreCertificate()]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const pem = await first.text();
    expect(await second.text()).toBe(pem);
    expect(await (await restoreCertificate()).text()).toBe(pem);
    // A later candidate (a first call that lost the race) is dropped: the directory answers the key it kept.
    const kept = await tenantDirectory(env).keepRestoreKey({
      certificateDer: Uint8Array.of(1),
      sealedPrivateKey: "v1.1.AA",
      created: "later",
    });
    expect(certificatePem(new Uint8Array(kept.certificateDer))).toBe(pem);
  });

  it("answers PEM as text/plain", async () => {
    const response = await restoreCertificate();
    expect(response.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
  });

  it("is a self-signed RSA 3072 certificate the policy accepts for every encryption purpose, valid about ten years", async () => {
    const certificate = parsed(await (await restoreCertificate()).text());
    expect(certificate.subject).toMatch(/^CN=edge-key-service restore [0-9a-f]{16}$/);
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.keyUsage).toBe(0x20); // keyEncipherment alone (RFC 5280 §4.2.1.3)
    const years = (certificate.notAfter.getTime() - certificate.notBefore.getTime()) / YEAR_MS;
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    for (const purpose of ["recipient", "seed-export", "backup"] as const) {
      expect(await certificateProblem(certificate, purpose, new Date()), purpose).toBeUndefined();
    }
    const key = await crypto.subtle.importKey("spki", certificate.subjectPublicKeyInfo, { name: "RSA-OAEP", hash: "SHA-256" }, true, [
      "encrypt",
    ]);
    expect((key.algorithm as CryptoKeyRsaKeyAlgorithm).modulusLength).toBe(3072);
  });

  it("is signed sha256WithRSAEncryption by its own key", async () => {
    const certificate = parsed(await (await restoreCertificate()).text());
    const outer = new DerReader(certificate.der).enter(DER_TAG.SEQUENCE, "Certificate");
    const tbs = outer.read(DER_TAG.SEQUENCE, "tbsCertificate").encoded;
    outer.read(DER_TAG.SEQUENCE, "signatureAlgorithm");
    const signature = outer.read(DER_TAG.BIT_STRING, "signatureValue").content.subarray(1);
    const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const publicKey = await crypto.subtle.importKey("spki", certificate.subjectPublicKeyInfo, algorithm, false, ["verify"]);
    expect(await crypto.subtle.verify(algorithm, publicKey, signature, tbs)).toBe(true);
  });

  it("keeps the private key only sealed under the KEK, bound to the certificate; restoreKey opens it, non-extractable", async () => {
    const pem = await (await restoreCertificate()).text();
    const row = await storedRow();
    expect(row.sealed_private_key).toMatch(/^v1\.1\./);
    const keys = await importKeyEncryptionKeys(env);
    const context = { purpose: "restore-key" as const, certificateSha256: await certificateFingerprint(parsed(pem).der) };
    const pkcs8 = await open(row.sealed_private_key!, keys.current, context);
    const stored = Object.values(row).join(" ");
    // The whole key, and its last 64 bytes (inside the CRT coefficient, RFC 8017 Appendix A.1.2: private, unlike the modulus).
    const privatePart = pkcs8.subarray(pkcs8.length - 64);
    for (const form of [toHex(pkcs8), toBase64(pkcs8), toHex(privatePart), toBase64(privatePart)]) expect(stored).not.toContain(form);
    const opened = await restoreKey(env);
    expect(opened.privateKey.extractable).toBe(false);
    expect(toHex(opened.certificateDer)).toBe(toHex(parsed(pem).der));
  });

  it("opens a backup made for it", async () => {
    const sealed = await sealBackup(
      new Uint8Array([1, 2, 3]),
      { ...HEADER, created: new Date().toISOString() },
      await (await restoreCertificate()).text(),
    );
    if (!sealed.ok) throw new Error(sealed.failure.reason);
    expect(await openBackup(sealed.document, await restoreKey(env))).toMatchObject({ ok: true, payload: new Uint8Array([1, 2, 3]) });
  });

  it("needs the operator token", async () => {
    expect((await SELF.fetch(`${BASE}/admin/restore-certificate`)).status).toBe(401);
    expect((await SELF.fetch(`${BASE}/admin/restore-certificate`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
  });
});

describe("a KEK rotation seals the restore key again", () => {
  it("keeps the certificate, moves the private key to the new version, and opens an earlier backup with the new key alone", async () => {
    const pem = await (await restoreCertificate()).text();
    const before = await sealBackup(new Uint8Array([4, 5, 6]), { ...HEADER, created: new Date().toISOString() }, pem);
    if (!before.ok) throw new Error(before.failure.reason);

    const rotating = await Deployment.roll({ KEY_ENCRYPTION_KEY: `2:${NEW_KEY},1:${OLD_KEY}` });
    const step = await rotating.fetch("/admin/kek-rotation", { method: "POST", headers: ADMIN });
    expect(step.status).toBe(200);
    expect(await step.json()).toMatchObject({ keyVersion: 2, done: true });
    expect((await storedRow()).sealed_private_key).toMatch(/^v1\.2\./);
    // Another call finds it current and leaves it as it is.
    const resealed = (await storedRow()).sealed_private_key;
    expect((await rotating.fetch("/admin/kek-rotation", { method: "POST", headers: ADMIN })).status).toBe(200);
    expect((await storedRow()).sealed_private_key).toBe(resealed);

    const rotated = await Deployment.roll({ KEY_ENCRYPTION_KEY: `2:${NEW_KEY}` });
    const after = await rotated.fetch("/admin/restore-certificate", { headers: ADMIN });
    expect(await after.text()).toBe(pem);
    const key = await restoreKey({ ...env, KEY_ENCRYPTION_KEY: `2:${NEW_KEY}` });
    expect(await openBackup(before.document, key)).toMatchObject({ ok: true, payload: new Uint8Array([4, 5, 6]) });
  });
});
