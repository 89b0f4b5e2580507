/**
 * The backup envelope (src/backup/backup-document.ts, docs/backup.md §Format): a round trip; every changed byte,
 * every truncation and an appended byte refused whole; a document for another certificate; the MAC key swapped by
 * someone who holds only the certificate; the certificate input judged by the backup policy, each refusal named;
 * nothing secret in a failure.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { backupFailureResponse, backupFailureSentence } from "../../src/admin/backup-failure-wire";
import { openBackup, sealBackup, type BackupFailure, type BackupHeader, type RestoreKey } from "../../src/backup/backup-document";
import { newRestoreKeyPair } from "../../src/backup/restore-key-pair";
import { fromBase64, fromUtf8, toBase64, utf8 } from "../../src/domain/bytes";
import { parseCertificate } from "../../src/x509/certificate";
import { certificatePem } from "../../src/x509/self-signed-certificate";
import { makeTestCertificate } from "./support/make-certificate";

const NOW = new Date();
const HEADER: BackupHeader = {
  tenantId: "0f2a1e4c-6b7d-4c8e-9a1b-2c3d4e5f6a70",
  created: NOW.toISOString(),
  schemaVersion: 8,
  counts: { keySeeds: 2, credentials: 1 },
};
const PAYLOAD_TEXT = '{"seeds":["c2VjcmV0IHNlZWQgYnl0ZXM="]}';
const PAYLOAD = utf8(PAYLOAD_TEXT);
const REFUSALS = ["malformed", "unsupported-version", "wrong-certificate", "tampered"];

interface Deployment {
  readonly pem: string;
  readonly key: RestoreKey;
}

/** A deployment's restore key as restore-key.ts makes it, its private key imported as the directory's opener does. */
async function deployment(): Promise<Deployment> {
  const { certificateDer, pkcs8 } = await newRestoreKeyPair(NOW);
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
  return { pem: certificatePem(certificateDer), key: { certificateDer, privateKey } };
}

async function sealed(target: Deployment, payload = PAYLOAD): Promise<Uint8Array> {
  const result = await sealBackup(payload, HEADER, target.pem);
  if (!result.ok) throw new Error(`sealBackup refused: ${result.failure.reason}`);
  return result.document;
}

async function refusal(document: Uint8Array, key: RestoreKey): Promise<BackupFailure> {
  const result = await openBackup(document, key);
  if (result.ok) throw new Error("openBackup opened a document it must refuse");
  return result.failure;
}

/** A copy of `bytes` with the lowest bit of one byte flipped. */
function withByteChanged(bytes: Uint8Array, position: number): Uint8Array {
  const changed = Uint8Array.from(bytes);
  changed[position] = bytes[position]! ^ 0x01;
  return changed;
}

/**
 * The document with one base64 digit of its MAC changed to another (`A` ↔ `B`): still well-formed, so only the MAC can
 * tell. Flipping a bit there instead turned `A`, `Z`, `a`, `z`, `+` or `/` into a character outside base64 (6 of 64
 * digits of a random MAC), which is refused as malformed, not tampered.
 */
function withMacDigitChanged(bytes: Uint8Array, position: number): Uint8Array {
  const changed = Uint8Array.from(bytes);
  changed[position] = bytes[position] === 0x41 ? 0x42 : 0x41;
  return changed;
}

let here: Deployment;
let elsewhere: Deployment;
let document: Uint8Array;

beforeAll(async () => {
  [here, elsewhere] = await Promise.all([deployment(), deployment()]);
  document = await sealed(here);
});

describe("sealBackup and openBackup", () => {
  it("opens what it sealed: the header as given and the payload byte for byte", async () => {
    const opened = await openBackup(document, here.key);
    expect(opened).toEqual({ ok: true, header: HEADER, payload: PAYLOAD });
  });

  it("writes one JSON document: the clear header first, the MAC last, no payload text in the clear", async () => {
    const text = fromUtf8(document);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(["header", "macKey", "contentKey", "iv", "ciphertext", "mac"]);
    expect(parsed.header).toMatchObject({ format: "edge-key-service-backup", version: 1, ...HEADER });
    expect(parsed.header.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
    // RSA 3072: each wrapped key is the modulus's 384 bytes; a 96-bit IV; GCM's 16-byte tag after the payload.
    expect([fromBase64(parsed.macKey)!.length, fromBase64(parsed.contentKey)!.length, fromBase64(parsed.iv)!.length]).toEqual([
      384, 384, 12,
    ]);
    expect(fromBase64(parsed.ciphertext)!.length).toBe(PAYLOAD.length + 16);
    expect(text).toMatch(/,"mac":"[A-Za-z0-9+/]{43}="}$/);
    expect(text).not.toContain("c2VjcmV0");
  });

  it("seals the same payload differently every time (fresh keys and IV)", async () => {
    const again = JSON.parse(fromUtf8(await sealed(here)));
    const first = JSON.parse(fromUtf8(document));
    for (const member of ["macKey", "contentKey", "iv", "ciphertext", "mac"]) expect(again[member]).not.toBe(first[member]);
  });

  it("opens an empty payload", async () => {
    expect(await openBackup(await sealed(here, new Uint8Array(0)), here.key)).toEqual({
      ok: true,
      header: HEADER,
      payload: new Uint8Array(0),
    });
  });
});

describe("openBackup refuses a document that is not the one sealed, whole", () => {
  it("refuses every single changed byte of the document", async () => {
    const reasons = new Map<string, number>();
    for (let position = 0; position < document.length; position++) {
      const failure = await refusal(withByteChanged(document, position), here.key);
      expect(REFUSALS, `byte ${position}`).toContain(failure.reason);
      reasons.set(failure.reason, (reasons.get(failure.reason) ?? 0) + 1);
    }
    // Most changes are caught by the MAC; a changed fingerprint names the certificate; a changed version digit the version.
    expect([...reasons.keys()].sort()).toEqual(REFUSALS.slice().sort());
  });

  it("refuses every truncation as malformed, and an appended byte", async () => {
    for (let length = 0; length < document.length; length++) {
      expect((await refusal(document.subarray(0, length), here.key)).reason, `first ${length} bytes`).toBe("malformed");
    }
    expect((await refusal(Uint8Array.from([...document, 0x0a]), here.key)).reason).toBe("malformed");
  });

  it("refuses a document made for another certificate as wrong-certificate", async () => {
    expect(await refusal(await sealed(elsewhere), here.key)).toEqual({ reason: "wrong-certificate" });
  });

  it("refuses a header changed by someone holding only the certificate, who swapped in a MAC key of their own", async () => {
    const parsed = JSON.parse(fromUtf8(document));
    parsed.header.tenantId = "11111111-2222-4333-8444-555555555555";
    const certificate = parseCertificate(here.pem);
    if (!certificate.ok) throw new Error("the restore certificate does not parse");
    const spki = certificate.certificate.subjectPublicKeyInfo;
    const recipient = await crypto.subtle.importKey("spki", spki, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    const ownMacKey = crypto.getRandomValues(new Uint8Array(32));
    parsed.macKey = toBase64(new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, recipient, ownMacKey)));
    const { mac: _mac, ...members } = parsed;
    const covered = JSON.stringify(members).slice(0, -1);
    const hmacKey = await crypto.subtle.importKey("raw", ownMacKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, utf8(covered))));
    // The MAC verifies under the swapped key; the payload's GCM additional data (the wrapped MAC key) does not.
    expect(await refusal(utf8(`${covered},"mac":"${mac}"}`), here.key)).toEqual({ reason: "tampered" });
  });

  it.each([
    ["not UTF-8", Uint8Array.of(0xff, 0xfe, 0x7b, 0x7d)],
    ["not JSON", utf8('not json,"mac":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}')],
    ["a JSON array", utf8("[]")],
    ["an empty body", new Uint8Array(0)],
  ])("refuses %s as malformed", async (_name, input) => {
    expect(await refusal(input, here.key)).toEqual({ reason: "malformed" });
  });

  it("refuses a later format version by its number, before the MAC is checked", async () => {
    const text = fromUtf8(document).replace('"version":1,', '"version":2,');
    expect(await refusal(utf8(text), here.key)).toEqual({ reason: "unsupported-version", version: 2 });
  });
});

describe("sealBackup judges the certificate by the backup policy at the backup's creation", () => {
  const pemOf = (der: Uint8Array) => certificatePem(der);

  it.each([
    ["an EC key", { key: "ec" as const }, { reason: "unsupported-key-algorithm", algorithm: "EC (id-ecPublicKey)" }],
    ["an RSA 2048 key (backups ask for 3072)", { key: 2048 }, { reason: "weak-key", bits: 2048, minimum: 3072 }],
    ["a keyUsage without keyEncipherment", { key: 3072, keyUsage: 0x80 }, { reason: "key-usage", required: "keyEncipherment" }],
    ["an expired certificate", { key: 3072, notAfter: new Date(NOW.getTime() - 1000) }, { reason: "expired" }],
  ])("refuses %s, naming the problem", async (_name, options, problem) => {
    const certificate = await makeTestCertificate(options);
    const result = await sealBackup(PAYLOAD, HEADER, pemOf(certificate.der));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject({ reason: "certificate-invalid", problem });
    expect(backupFailureSentence(result.failure)).toMatch(/^Certificate /);
  });

  it("refuses text that is not a certificate as malformed-certificate", async () => {
    const result = await sealBackup(PAYLOAD, HEADER, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----");
    expect(result).toMatchObject({ ok: false, failure: { reason: "certificate-invalid", problem: { reason: "malformed-certificate" } } });
  });

  it("accepts an RSA 3072 certificate without a keyUsage extension (what `openssl req -x509` makes)", async () => {
    const certificate = await makeTestCertificate({ key: 3072 });
    expect((await sealBackup(PAYLOAD, HEADER, pemOf(certificate.der))).ok).toBe(true);
  });

  it("throws naming the field when the caller's header breaks its rule", async () => {
    await expect(sealBackup(PAYLOAD, { ...HEADER, tenantId: "Not-A-UUID" }, here.pem)).rejects.toThrow(
      "tenantId must be a lower-case UUID",
    );
    await expect(sealBackup(PAYLOAD, { ...HEADER, counts: { keySeeds: -1 } }, here.pem)).rejects.toThrow("non-negative integer");
  });
});

describe("failures carry nothing secret", () => {
  it("has only reasons, problems and numbers in a failure, and its answer names none of the payload", async () => {
    const failures: BackupFailure[] = [
      await refusal(await sealed(elsewhere), here.key),
      await refusal(document.subarray(0, 100), here.key),
      await refusal(utf8(fromUtf8(document).replace('"version":1,', '"version":7,')), here.key),
    ];
    failures.push(await refusal(withMacDigitChanged(document, document.length - 10), here.key));
    expect(failures.map((failure) => failure.reason)).toEqual(["wrong-certificate", "malformed", "unsupported-version", "tampered"]);
    for (const failure of failures) {
      const answer = backupFailureResponse(failure);
      expect([400, 422]).toContain(answer.status);
      const text = `${JSON.stringify(failure)} ${await answer.text()} ${answer.headers.get("X-AxDRM-ErrorMessage")}`;
      expect(text).not.toContain("c2VjcmV0");
      expect(text).not.toContain(JSON.parse(fromUtf8(document)).macKey.slice(0, 16));
      expect(Object.keys(failure).every((key) => key === "reason" || key === "version")).toBe(true);
    }
  });
});
