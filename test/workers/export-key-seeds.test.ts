/**
 * The export handler (src/management/export-key-seeds.ts, not mounted yet): `{Ids?, Password? | Certificate?}` →
 * a PSKC document and an audit record naming what left, or an error naming the field, never a value.
 */
import { describe, expect, it } from "vitest";
import rsa1024CertificatePem from "../fixtures/pskc/rsa1024.cert.pem?raw";
import { toBase64 } from "../../src/domain/bytes";
import { exportKeySeeds } from "../../src/management/export-key-seeds";
import { readPskcPackage } from "../../src/pskc/reader";
import { WITHIN_VALIDITY, pemToDer, recipientCertificatePem, recipientPrivateKey, sampleSeeds } from "./support/pskc";

const PASSWORD = "twelve chars+ long";
const seeds = sampleSeeds();

function request(body: unknown, contentType = "application/json"): Request {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Request("https://keys.example/api/Export/KeySeeds", { method: "POST", headers: { "Content-Type": contentType }, body: text });
}

async function exported(body: unknown, now = WITHIN_VALIDITY) {
  const outcome = await exportKeySeeds(request(body), seeds, now);
  return { ...outcome, text: await outcome.response.text() };
}

describe("a password export", () => {
  it("answers application/pskc+xml holding every seed, and an audit record naming them", async () => {
    const { response, audit, text } = await exported({ Password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/pskc+xml; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="key-seeds.pskcxml"');
    const read = await readPskcPackage(text, { password: PASSWORD });
    expect(read.ok && read.keys.map((key) => [key.id, key.name, key.value])).toEqual(seeds.map((seed) => [seed.id, seed.name, seed.value]));
    expect(audit).toEqual({ seedIds: seeds.map((seed) => seed.id), protection: "password" });
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  });

  it("exports only the asked Ids, in the asked order, whatever their case", async () => {
    const { audit, text } = await exported({ Ids: [seeds[2]!.id.toUpperCase(), seeds[0]!.id], Password: PASSWORD });
    const read = await readPskcPackage(text, { password: PASSWORD });
    expect(read.ok && read.keys.map((key) => key.id)).toEqual([seeds[2]!.id, seeds[0]!.id]);
    expect(audit?.seedIds).toEqual([seeds[2]!.id, seeds[0]!.id]);
  });
});

describe("a certificate export", () => {
  it.each([
    ["PEM", recipientCertificatePem],
    ["base64 DER", toBase64(pemToDer(recipientCertificatePem))],
  ])("takes the certificate as %s; the recipient's key opens the document; the audit names the certificate", async (_, certificate) => {
    const { response, audit, text } = await exported({ Certificate: certificate });
    expect(response.status).toBe(200);
    const read = await readPskcPackage(text, { privateKey: await recipientPrivateKey() });
    expect(read.ok && read.keys.map((key) => key.value)).toEqual(seeds.map((seed) => seed.value));
    const sha256 = [...new Uint8Array(await crypto.subtle.digest("SHA-256", pemToDer(recipientCertificatePem)))];
    expect(audit).toEqual({
      seedIds: seeds.map((seed) => seed.id),
      protection: "certificate",
      recipientCertificateSha256: sha256.map((byte) => byte.toString(16).padStart(2, "0")).join(""),
    });
  });

  it.each([
    [
      "a 1024-bit key",
      { Certificate: rsa1024CertificatePem },
      WITHIN_VALIDITY,
      "Certificate's RSA key must be at least 2048 bits, got 1024",
    ],
    [
      "an expired certificate",
      { Certificate: recipientCertificatePem },
      new Date("2127-01-01T00:00:00Z"),
      "Certificate expired at 2126-11-02T02:06:29.000Z",
    ],
  ])("refuses %s with 400 naming the reason, and no audit record", async (_, body, now, message) => {
    const { response, audit, text } = await exported(body, now);
    expect([response.status, JSON.parse(text)]).toEqual([400, { error: message }]);
    expect(audit).toBeUndefined();
  });
});

describe("a request that cannot be served gets an error naming the field and no document", () => {
  it.each([
    ["both protections", { Password: PASSWORD, Certificate: recipientCertificatePem }, 400, /exactly one of Password and Certificate/],
    ["no protection (there is no plain export)", { Ids: [seeds[0]!.id] }, 400, /exactly one of Password and Certificate/],
    ["a password of 11 characters", { Password: "elevenchars" }, 400, /Password must be 12 to 1024 characters, got 11/],
    ["a password that is not a string", { Password: 123456789012345 }, 400, /Password must be a string/],
    ["an empty Ids", { Ids: [], Password: PASSWORD }, 400, /Ids must be a non-empty array/],
    ["Ids that is not an array", { Ids: seeds[0]!.id, Password: PASSWORD }, 400, /Ids must be a non-empty array/],
    ["an Id that is not a UUID", { Ids: ["seed-1"], Password: PASSWORD }, 400, /Ids\[0\] must be a UUID/],
    ["an Id twice", { Ids: [seeds[0]!.id, seeds[0]!.id], Password: PASSWORD }, 400, /Ids\[1\]: Id .* appears twice/],
    ["an unknown field", { Password: PASSWORD, Format: "plain" }, 400, /Unknown field Format/],
    ["a certificate that is not base64 or PEM", { Certificate: "not a certificate!" }, 400, /Certificate must be one X.509 certificate/],
    ["a certificate chain", { Certificate: recipientCertificatePem + rsa1024CertificatePem }, 400, /not a chain/],
    ["base64 that is not a certificate", { Certificate: toBase64(new Uint8Array(64)) }, 400, /Certificate must be one X.509 certificate/],
    [
      "an unknown Id",
      { Ids: ["40531d9f-806b-4bd6-bb2b-977ce3a78890"], Password: PASSWORD },
      404,
      /No key seed with Id 40531d9f-806b-4bd6-bb2b-977ce3a78890/,
    ],
    ["a body that is not JSON", "{Password:", 400, /Malformed JSON/],
  ])("%s", async (_, body, status, message) => {
    const { response, audit, text } = await exported(body);
    expect(response.status).toBe(status);
    expect(JSON.parse(text).error).toMatch(message);
    expect(audit).toBeUndefined();
    expect(text).not.toContain(PASSWORD);
    for (const seed of seeds) expect(text).not.toContain(toBase64(seed.value));
  });

  it("refuses a body that is not application/json with 415 (no cross-site form can ask for an export)", async () => {
    const outcome = await exportKeySeeds(request({ Password: PASSWORD }, "text/plain"), seeds, WITHIN_VALIDITY);
    expect([outcome.response.status, outcome.audit]).toEqual([415, undefined]);
  });

  it("answers 404 when the tenant has no seeds", async () => {
    const outcome = await exportKeySeeds(request({ Password: PASSWORD }), [], WITHIN_VALIDITY);
    expect([outcome.response.status, await outcome.response.json(), outcome.audit]).toEqual([
      404,
      { error: "There are no key seeds to export" },
      undefined,
    ]);
  });
});
