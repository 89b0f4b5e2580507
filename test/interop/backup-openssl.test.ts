/// <reference types="node" />
/**
 * The restore certificate and the backup envelope read outside our code (docs/backup.md). `openssl x509` reads the
 * certificate restore-key.ts makes (RSA 3072, keyUsage keyEncipherment, sha256WithRSAEncryption, about ten years) and
 * `-checkend 0` passes; its private key is the certificate's. A backup sealed for a certificate openssl made opens
 * with openssl and Node's own crypto alone: `pkeyutl -decrypt` with OAEP SHA-256 unwraps both keys, `dgst -mac HMAC`
 * recomputes the MAC over every byte before it, and AES-256-GCM with the wrapped MAC key as additional data gives the
 * payload. No service is started: these run the modules in Node.
 */
import { createDecipheriv } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealBackup } from "../../src/backup/backup-document";
import { newRestoreKeyPair } from "../../src/backup/restore-key-pair";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { certificatePem } from "../../src/x509/self-signed-certificate";
import { mustRun, opensslCertificate, requireTool, runTool, scratchFolder } from "./tools";

const INSTALL = "apt-get install openssl";
let scratch: { dir: string; remove: () => void };

beforeAll(async () => {
  await requireTool("openssl", ["version"], INSTALL);
  scratch = scratchFolder();
});

afterAll(() => scratch?.remove());

function pem(label: string, der: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${toBase64(der).replace(/.{64}/g, "$&\n")}\n-----END ${label}-----\n`.replace("\n\n", "\n");
}

describe("the restore certificate, read by openssl", () => {
  let certificatePath: string;
  let keyPath: string;

  beforeAll(async () => {
    const { certificateDer, pkcs8 } = await newRestoreKeyPair(new Date());
    certificatePath = join(scratch.dir, "restore.cert.pem");
    keyPath = join(scratch.dir, "restore.key.pem");
    writeFileSync(certificatePath, certificatePem(certificateDer));
    writeFileSync(keyPath, pem("PRIVATE KEY", pkcs8));
  });

  it("reads as an X.509 v3 certificate: RSA 3072, sha256WithRSAEncryption, keyUsage keyEncipherment, self-issued", async () => {
    const text = (await mustRun("openssl", ["x509", "-in", certificatePath, "-noout", "-text"])).toString();
    expect(text).toContain("Version: 3 (0x2)");
    expect(text).toContain("Signature Algorithm: sha256WithRSAEncryption");
    expect(text).toContain("Public-Key: (3072 bit)");
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Key Encipherment\n/);
    const subject = /Subject: (CN = edge-key-service restore [0-9a-f]{16})\n/.exec(text);
    expect(subject, text).not.toBeNull();
    expect(text).toContain(`Issuer: ${subject![1]}`);
  });

  it("is valid now and for about ten years (`-checkend`)", async () => {
    const checkend = (seconds: number) => runTool("openssl", ["x509", "-in", certificatePath, "-noout", "-checkend", String(seconds)]);
    expect((await checkend(0)).code).toBe(0);
    expect((await checkend(3652 * 86_400)).code).toBe(0);
    expect((await checkend(3654 * 86_400)).code).toBe(1);
  });

  it("holds the public half of its private key", async () => {
    const fromCertificate = await mustRun("openssl", ["x509", "-in", certificatePath, "-noout", "-pubkey"]);
    const fromKey = await mustRun("openssl", ["pkey", "-in", keyPath, "-pubout"]);
    expect(fromCertificate.toString()).toBe(fromKey.toString());
  });
});

describe("a backup, opened with openssl and Node's crypto", () => {
  it("unwraps both keys with OAEP SHA-256, recomputes the MAC, and decrypts the payload", async () => {
    const recipient = await opensslCertificate(scratch.dir, "backup-recipient", "rsa:3072");
    const payload = utf8(JSON.stringify({ tenant: "moved", seeds: ["Ünïcode"] }));
    const header = {
      tenantId: "0f2a1e4c-6b7d-4c8e-9a1b-2c3d4e5f6a70",
      created: new Date().toISOString(),
      schemaVersion: 8,
      counts: { keySeeds: 1 },
    };
    const sealed = await sealBackup(payload, header, recipient.certPem);
    if (!sealed.ok) throw new Error(`sealBackup refused: ${sealed.failure.reason}`);
    const document = Buffer.from(sealed.document);
    const members = JSON.parse(document.toString("utf8"));
    const unwrap = (wrapped: string) =>
      mustRun(
        "openssl",
        ["pkeyutl", "-decrypt", "-inkey", recipient.keyPath, "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256"],
        { input: Buffer.from(wrapped, "base64") },
      );
    const [macKey, contentKey] = await Promise.all([unwrap(members.macKey), unwrap(members.contentKey)]);
    expect([macKey.length, contentKey.length]).toEqual([32, 32]);

    const covered = document.subarray(0, document.lastIndexOf(',"mac":"'));
    const mac = await mustRun("openssl", ["dgst", "-sha256", "-mac", "HMAC", "-macopt", `hexkey:${macKey.toString("hex")}`, "-binary"], {
      input: covered,
    });
    expect(mac.toString("base64")).toBe(members.mac);

    const ciphertext = Buffer.from(members.ciphertext, "base64");
    const decipher = createDecipheriv("aes-256-gcm", contentKey, Buffer.from(members.iv, "base64"));
    decipher.setAAD(Buffer.concat([Buffer.from("edge-key-service/backup/v1|"), Buffer.from(members.macKey, "base64")]));
    decipher.setAuthTag(ciphertext.subarray(-16));
    const opened = Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()]);
    expect(new Uint8Array(opened)).toEqual(payload);
  });
});
