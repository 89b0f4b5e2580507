/**
 * The backup envelope (docs/backup.md §Format): a tenant's payload encrypted for a deployment's restore certificate,
 * as one JSON document. Two fresh 256-bit keys per document, each wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256; RFC
 * 8017 §7.1) for the certificate: a content key that encrypts the payload with AES-256-GCM (NIST SP 800-38D), its
 * additional data the wrapped MAC key, and a MAC key for an HMAC-SHA256 (RFC 2104) over every byte before the `mac`
 * member. Opening checks the format, the certificate and the MAC before any other part is used, and gives the payload
 * whole or not at all.
 */
import { canonicalBase64, concatBytes, fromStrictUtf8, toBase64, utf8 } from "../domain/bytes";
import { randomBytes } from "../runtime/random";
import { parseCertificate } from "../x509/certificate";
import { certificateFingerprint } from "../x509/certificate-fingerprint";
import { importCertificateKey } from "../x509/certificate-keys";
import { certificateProblem } from "../x509/certificate-policy";
import type { CertificateProblem } from "../x509/certificate-problem";
import { backupHeaderProblem, readWrittenHeader, writtenHeader, type BackupHeader } from "./backup-header";

export type { BackupHeader } from "./backup-header";

/** The media type of a backup document (a JSON text, RFC 6839 §3.1 `+json`). */
export const BACKUP_CONTENT_TYPE = "application/vnd.edge-key-service.backup+json";

/** The deployment's restore key: its certificate and its RSA-OAEP (SHA-256) private key, opened from the directory. */
export interface RestoreKey {
  readonly certificateDer: Uint8Array;
  readonly privateKey: CryptoKey;
}

/** Why a backup cannot be made or opened, as data: never a key, a payload byte or the document's text. */
export type BackupFailure =
  /** The certificate a backup is sealed for is not an RSA encryption certificate of the backup policy at `created`. */
  | { readonly reason: "certificate-invalid"; readonly problem: CertificateProblem }
  /** Not a backup document: not UTF-8 JSON of this format's members, or cut short. */
  | { readonly reason: "malformed" }
  /** Made for another certificate than this deployment's (its header names another fingerprint). */
  | { readonly reason: "wrong-certificate" }
  /** Of this format and for this certificate, but a key does not open, the MAC does not verify or the payload does not decrypt. */
  | { readonly reason: "tampered" }
  /** A later (or unknown) format version of the backup document. */
  | { readonly reason: "unsupported-version"; readonly version: number };

export type SealBackupResult = { ok: true; document: Uint8Array } | { ok: false; failure: BackupFailure };
export type OpenBackupResult = { ok: true; header: BackupHeader; payload: Uint8Array } | { ok: false; failure: BackupFailure };

/** AES-256 and HMAC-SHA256 keys of 32 bytes (FIPS 197; RFC 2104 §3: a key of the hash's output length). */
const KEY_LENGTH = 32;
/** NIST SP 800-38D §8.2.2: a fresh random 96-bit IV per encryption under one key. */
const GCM_IV_LENGTH = 12;
const RSA_OAEP_SHA256 = { name: "RSA-OAEP", hash: "SHA-256" } as const;
const HMAC_SHA256 = { name: "HMAC", hash: "SHA-256" } as const;
/** The GCM additional data: a purpose tag, then the wrapped MAC key, so the MAC key cannot be swapped for another. */
const PAYLOAD_AAD_TAG = utf8("edge-key-service/backup/v1|");
/** The document's last member and end: `,"mac":"<base64 of 32 bytes>"}`; the MAC covers every byte before it. */
const MAC_MEMBER = /,"mac":"([A-Za-z0-9+/]{43}=)"}$/;
const MAC_MEMBER_LENGTH = ',"mac":"'.length + 44 + '"}'.length;
const DOCUMENT_MEMBERS = ["header", "macKey", "contentKey", "iv", "ciphertext", "mac"];

/**
 * Seals a tenant's backup payload (opaque bytes, UTF-8 JSON made by helper B) for a restore certificate (PEM). The
 * certificate is judged at `header.created` under the backup policy (src/x509/certificate-policy.ts). Throws a
 * TypeError naming the field when the header breaks its rule (the caller made it).
 */
export async function sealBackup(payload: Uint8Array, header: BackupHeader, certificatePem: string): Promise<SealBackupResult> {
  const headerProblem = backupHeaderProblem(header);
  if (headerProblem) throw new TypeError(`backup header: ${headerProblem}`);
  const parsed = parseCertificate(certificatePem);
  if (!parsed.ok) return { ok: false, failure: { reason: "certificate-invalid", problem: parsed.problem } };
  const problem = await certificateProblem(parsed.certificate, "backup", new Date(header.created));
  if (problem) return { ok: false, failure: { reason: "certificate-invalid", problem } };
  const recipient = await importCertificateKey(parsed.certificate, RSA_OAEP_SHA256, ["encrypt"]);
  const contentKeyBytes = randomBytes(KEY_LENGTH);
  const macKeyBytes = randomBytes(KEY_LENGTH);
  try {
    const [wrappedContentKey, wrappedMacKey] = await Promise.all(
      [contentKeyBytes, macKeyBytes].map(async (key) => new Uint8Array(await crypto.subtle.encrypt(RSA_OAEP_SHA256, recipient, key))),
    );
    const iv = randomBytes(GCM_IV_LENGTH);
    const contentKey = await crypto.subtle.importKey("raw", contentKeyBytes, "AES-GCM", false, ["encrypt"]);
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: payloadAad(wrappedMacKey!) },
      contentKey,
      payload,
    );
    const members = {
      header: writtenHeader(header, await certificateFingerprint(parsed.certificate.der)),
      macKey: toBase64(wrappedMacKey!),
      contentKey: toBase64(wrappedContentKey!),
      iv: toBase64(iv),
      ciphertext: toBase64(new Uint8Array(ciphertext)),
    };
    const covered = JSON.stringify(members).slice(0, -1);
    const macKey = await crypto.subtle.importKey("raw", macKeyBytes, HMAC_SHA256, false, ["sign"]);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", macKey, utf8(covered)));
    return { ok: true, document: utf8(`${covered},"mac":"${toBase64(mac)}"}`) };
  } finally {
    contentKeyBytes.fill(0);
    macKeyBytes.fill(0);
  }
}

/** Opens a backup document; a changed byte anywhere, truncation, or another certificate → a typed failure, nothing partial. */
export async function openBackup(document: Uint8Array, key: RestoreKey): Promise<OpenBackupResult> {
  const refuse = (failure: BackupFailure): OpenBackupResult => ({ ok: false, failure });
  const members = parseMembers(document);
  if (!members) return refuse({ reason: "malformed" });
  const read = readWrittenHeader(members.header);
  if (!read.ok) return refuse(read.reason === "malformed" ? { reason: "malformed" } : { reason: read.reason, version: read.version });
  if (read.header.certificateSha256 !== (await certificateFingerprint(key.certificateDer))) return refuse({ reason: "wrong-certificate" });
  const [wrappedMacKey, wrappedContentKey, iv, ciphertext, mac] = [
    members.macKey,
    members.contentKey,
    members.iv,
    members.ciphertext,
    members.mac,
  ].map(canonicalBase64);
  if (!wrappedMacKey || !wrappedContentKey || !iv || !ciphertext || !mac) return refuse({ reason: "malformed" });
  if (iv.length !== GCM_IV_LENGTH) return refuse({ reason: "malformed" });
  const macKey = await unwrapKey(wrappedMacKey, key.privateKey, HMAC_SHA256, "verify");
  const covered = document.subarray(0, document.length - MAC_MEMBER_LENGTH);
  if (!macKey || !(await crypto.subtle.verify("HMAC", macKey, mac, covered))) return refuse({ reason: "tampered" });
  const contentKey = await unwrapKey(wrappedContentKey, key.privateKey, { name: "AES-GCM" }, "decrypt");
  if (!contentKey) return refuse({ reason: "tampered" });
  try {
    const payload = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: payloadAad(wrappedMacKey) }, contentKey, ciphertext);
    const { tenantId, created, schemaVersion, counts } = read.header;
    return { ok: true, header: { tenantId, created, schemaVersion, counts }, payload: new Uint8Array(payload) };
  } catch {
    // AES-GCM's tag does not verify (NIST SP 800-38D §7.2): the MAC key was swapped along with the MAC.
    return refuse({ reason: "tampered" });
  }
}

type DocumentMembers = Readonly<Record<"macKey" | "contentKey" | "iv" | "ciphertext" | "mac", string>> & { readonly header: unknown };

/** The document's members when it is UTF-8 JSON of exactly this format's members, the MAC last in its one spelling. */
function parseMembers(document: Uint8Array): DocumentMembers | undefined {
  let parsed: unknown;
  try {
    const text = fromStrictUtf8(document);
    if (!MAC_MEMBER.test(text.slice(-MAC_MEMBER_LENGTH - 1))) return undefined;
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const members = parsed as Record<string, unknown>;
  const names = Object.keys(members);
  const exact = names.length === DOCUMENT_MEMBERS.length && DOCUMENT_MEMBERS.every((name) => names.includes(name));
  const texts = DOCUMENT_MEMBERS.slice(1).every((name) => typeof members[name] === "string");
  return exact && texts ? (members as DocumentMembers) : undefined;
}

/** RSA-OAEP decryption of a wrapped 32-byte key, imported for one use; undefined when it does not open. */
async function unwrapKey(
  wrapped: Uint8Array,
  privateKey: CryptoKey,
  algorithm: typeof HMAC_SHA256 | { name: "AES-GCM" },
  usage: "verify" | "decrypt",
): Promise<CryptoKey | undefined> {
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await crypto.subtle.decrypt(RSA_OAEP_SHA256, privateKey, wrapped));
  } catch {
    return undefined;
  }
  try {
    return raw.length === KEY_LENGTH ? await crypto.subtle.importKey("raw", raw, algorithm, false, [usage]) : undefined;
  } finally {
    raw.fill(0);
  }
}

function payloadAad(wrappedMacKey: Uint8Array): Uint8Array {
  return concatBytes(PAYLOAD_AAD_TAG, wrappedMacKey);
}
