/**
 * PSKC key-seed export (RFC 6030) written and read back in workerd: read(write(seeds)) equals the seeds in both
 * protections, the RFC's own Figure 7 reads with its published password, and the shape the writer emits.
 */
import { describe, expect, it } from "vitest";
import figure7 from "../fixtures/pskc/rfc6030-figure7.pskcxml?raw";
import { toBase64, toHex } from "../../src/domain/bytes";
import { readPskcPackage } from "../../src/pskc/reader";
import { PBKDF2_ITERATIONS, PLAYREADY_KEY_SEED_ALGORITHM } from "../../src/pskc/pskc-uris";
import { writePskcCertificatePackage, writePskcPasswordPackage } from "../../src/pskc/writer";
import { describeSeedExportCertificateProblem } from "../../src/x509/certificate-failure";
import { WITHIN_VALIDITY, pemToDer, recipientCertificatePem, recipientPrivateKey, sampleSeeds } from "./support/pskc";

const PASSWORD = "correct horse battery staple";

function expected(seeds: ReturnType<typeof sampleSeeds>) {
  return seeds.map((seed) => ({ ...seed, algorithm: PLAYREADY_KEY_SEED_ALGORITHM }));
}

describe("PSKC round trip", () => {
  it("reads back every seed of a password-protected document with the password (RFC 6030 §6.2)", async () => {
    const seeds = sampleSeeds();
    const xml = await writePskcPasswordPackage(seeds, PASSWORD);
    expect(await readPskcPackage(xml, { password: PASSWORD })).toEqual({ ok: true, keys: expected(seeds) });
  });

  it("reads back every seed of a certificate-protected document with the recipient's private key (RFC 6030 §6.3)", async () => {
    const seeds = sampleSeeds();
    const written = await writePskcCertificatePackage(seeds, pemToDer(recipientCertificatePem), { now: WITHIN_VALIDITY });
    if (!written.ok) throw new Error(describeSeedExportCertificateProblem(written.problem));
    expect(await readPskcPackage(written.xml, { privateKey: await recipientPrivateKey() })).toEqual({ ok: true, keys: expected(seeds) });
  });

  it("reads RFC 6030 Figure 7 with its password 'qwerty': Key 123456, secret 12345678901234567890 (HMAC-SHA1, AES-128, 1,000 iterations)", async () => {
    const read = await readPskcPackage(figure7, { password: "qwerty" });
    expect(read).toEqual({
      ok: true,
      keys: [
        { id: "123456", algorithm: "urn:ietf:params:xml:ns:keyprov:pskc:hotp", value: new TextEncoder().encode("12345678901234567890") },
      ],
    });
  });
});

describe("the password-protected document's shape", () => {
  it("names PBKDF2-HMAC-SHA-512 with 100,000 iterations, a 32-byte key and a fresh 16-byte salt per document", async () => {
    const seeds = sampleSeeds();
    const [first, second] = [await writePskcPasswordPackage(seeds, PASSWORD), await writePskcPasswordPackage(seeds, PASSWORD)];
    for (const xml of [first, second]) {
      expect(xml).toContain('<xenc11:KeyDerivationMethod Algorithm="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2">');
      expect(xml).toContain(`<IterationCount>${PBKDF2_ITERATIONS}</IterationCount>`);
      expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(100_000);
      expect(xml).toContain("<KeyLength>32</KeyLength>");
      expect(xml).toContain('<PRF Algorithm="http://www.w3.org/2001/04/xmldsig-more#hmac-sha512"/>');
      expect(atob(/<Specified>([^<]+)<\/Specified>/.exec(xml)![1]!)).toHaveLength(16);
    }
    expect(/<Specified>([^<]+)/.exec(first)![1]).not.toBe(/<Specified>([^<]+)/.exec(second)![1]);
  });

  it("has a MACMethod HMAC-SHA-256 whose MACKey is AES-256-CBC, and per seed one KeyPackage with Id, Algorithm, FriendlyName, EncryptedValue and ValueMAC", async () => {
    const seeds = sampleSeeds();
    const xml = await writePskcPasswordPackage(seeds, PASSWORD, { issuer: "edge-key-service" });
    expect(xml).toMatch(
      /<pskc:MACMethod Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#hmac-sha256">\s*<pskc:MACKey>\s*<xenc:EncryptionMethod Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#aes256-cbc"\/>/,
    );
    expect(xml.match(/<pskc:KeyPackage>/g)).toHaveLength(seeds.length);
    expect(xml).toContain(`<pskc:Key Id="${seeds[0]!.id}" Algorithm="${PLAYREADY_KEY_SEED_ALGORITHM}">`);
    expect(xml).toContain("<pskc:Issuer>edge-key-service</pskc:Issuer>");
    expect(xml).toContain('<pskc:FriendlyName>Main &lt;live&gt; &amp; "VOD"</pskc:FriendlyName>');
    const cipherValues = [...xml.matchAll(/<xenc:CipherValue>([^<]+)</g)].map((match) => atob(match[1]!));
    // The MAC key (32 bytes) and each 30-byte seed: a 16-byte IV, then two AES blocks (PKCS #7 pads 30 to 32).
    expect(cipherValues.map((value) => value.length)).toEqual([16 + 48, 48, 48, 48]);
    expect(new Set(cipherValues.map((value) => value.slice(0, 16))).size).toBe(4);
    expect(xml.match(/<pskc:ValueMAC>[A-Za-z0-9+/]{43}=<\/pskc:ValueMAC>/g)).toHaveLength(seeds.length);
  });

  it("holds no seed in the clear, in base64 or hex, and not the password", async () => {
    const seeds = sampleSeeds();
    const xml = await writePskcPasswordPackage(seeds, PASSWORD);
    for (const seed of seeds) {
      expect(xml).not.toContain(toBase64(seed.value));
      expect(xml.toLowerCase()).not.toContain(toHex(seed.value));
    }
    expect(xml).not.toContain(PASSWORD);
  });
});

describe("the certificate-protected document's shape", () => {
  it("holds an xenc:EncryptedKey (RSA-OAEP-MGF1P, SHA-1) naming the recipient's certificate in ds:X509Data", async () => {
    const der = pemToDer(recipientCertificatePem);
    const written = await writePskcCertificatePackage(sampleSeeds(), der, { now: WITHIN_VALIDITY });
    if (!written.ok) throw new Error(describeSeedExportCertificateProblem(written.problem));
    expect(written.xml).toMatch(
      /<pskc:EncryptionKey>\s*<xenc:EncryptedKey>\s*<xenc:EncryptionMethod Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#rsa-oaep-mgf1p">\s*<ds:DigestMethod Algorithm="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#sha1"\/>/,
    );
    expect(written.xml).toContain(`<ds:X509Certificate>${toBase64(der)}</ds:X509Certificate>`);
    expect(atob(/<xenc:EncryptedKey>[\s\S]*?<xenc:CipherValue>([^<]+)</.exec(written.xml)![1]!)).toHaveLength(256);
    expect(written.recipient.sha256).toBe(toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", der))));
  });
});
