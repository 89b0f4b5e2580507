/**
 * The largest backup a restore reads (MAX_BACKUP_BYTES, src/admin/tenant-backup.ts) opens whole. Base64 checked with a
 * repeated group of four overflowed V8's regexp stack from 8 MiB of text, so any backup whose ciphertext member reached
 * that answered 500 instead of restoring; the bound itself is chosen from the restore's measured memory (docs/backup.md
 * §Size).
 */
import { describe, expect, it } from "vitest";
import { MAX_BACKUP_BYTES } from "../../src/admin/tenant-backup";
import { openBackup, sealBackup } from "../../src/backup/backup-document";
import { newRestoreKeyPair } from "../../src/backup/restore-key-pair";
import { fromBase64, toBase64 } from "../../src/domain/bytes";
import { certificatePem } from "../../src/x509/self-signed-certificate";

const MIB = 1024 * 1024;

describe("fromBase64 on large text", () => {
  it("decodes 16 MiB of base64, past the 8 MiB a repeated group could check", () => {
    const bytes = new Uint8Array(12 * MIB).map((_, index) => index * 7);
    const decoded = fromBase64(toBase64(bytes));
    // Compared without the matcher's deep walk, which holds a copy per element.
    expect(decoded?.length).toBe(bytes.length);
    expect(decoded!.every((byte, index) => byte === bytes[index])).toBe(true);
  });

  it("keeps refusing what is not strict base64 (RFC 4648 §4) and accepting each padding", () => {
    for (const text of ["A", "AB", "ABC", "ABCDE", "A===", "====", "AB=C", "AB==ABCD", "ABC==", "AB*D"]) {
      expect(fromBase64(text), text).toBeUndefined();
    }
    expect(fromBase64("AB==")).toEqual(Uint8Array.of(0));
    expect(fromBase64("ABC=")).toEqual(Uint8Array.of(0, 16));
    expect(fromBase64("ABCD ABCD")).toEqual(Uint8Array.of(0, 16, 131, 0, 16, 131));
  });
});

describe("a backup at the size bound", () => {
  it("opens whole: header and payload as sealed", async () => {
    const now = new Date();
    const { certificateDer, pkcs8 } = await newRestoreKeyPair(now);
    const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
    // The document is base64 of the payload (4/3) and a header of under 4 KiB.
    const payload = new Uint8Array(Math.floor(((MAX_BACKUP_BYTES - 4096) * 3) / 4)).fill(0x7b);
    const header = { tenantId: crypto.randomUUID(), created: now.toISOString(), schemaVersion: 10, counts: {} };
    const sealed = await sealBackup(payload, header, certificatePem(certificateDer));
    if (!sealed.ok) throw new Error(sealed.failure.reason);
    expect(sealed.document.length).toBeGreaterThan(MAX_BACKUP_BYTES - 8192);
    expect(sealed.document.length).toBeLessThanOrEqual(MAX_BACKUP_BYTES);

    const opened = await openBackup(sealed.document, { certificateDer, privateKey });
    if (!opened.ok) throw new Error(opened.failure.reason);
    expect(opened.header.tenantId).toBe(header.tenantId);
    expect(opened.payload.length).toBe(payload.length);
    expect(opened.payload.every((byte) => byte === 0x7b)).toBe(true);
  });
});
