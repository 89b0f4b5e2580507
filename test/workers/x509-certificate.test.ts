/**
 * X.509 parsing and the certificate policy (src/x509/): the DASH-IF test-vector
 * certificates read field by field (values checked with `openssl x509 -text`), every refusal named, and the rules
 * each purpose adds.
 */
import { describe, expect, it } from "vitest";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { MIN_RSA_MODULUS_BITS } from "../../src/domain/rsa-key-policy";
import { parseCertificate, type X509Certificate } from "../../src/x509/certificate";
import { MAX_CACHED_CERTIFICATE_BYTES, parseCertificateCached } from "../../src/x509/certificate-cache";
import { describeCertificateProblem, describeSeedExportCertificateProblem } from "../../src/x509/certificate-failure";
import { certificateProblem, RSA_ENCRYPTION_OID, type CertificatePurpose } from "../../src/x509/certificate-policy";
import { readName } from "../../src/x509/certificate-names";
import { DerReader } from "../../src/x509/der";
import { endEntityCertificate } from "../../src/x509/end-entity";
import opensslCertificatePem from "../fixtures/x509/openssl-req-x509.cert.pem?raw";
import signingOnlyCertificatePem from "../fixtures/pskc/signing-only.cert.pem?raw";
import { dashifCertificate } from "./support/dashif-keys";
import { makeTestCertificate } from "./support/make-certificate";

const NOW = new Date("2026-05-01T00:00:00Z");
const PURPOSES: CertificatePurpose[] = ["recipient", "signer", "trusted-requester", "seed-export"];

function parsed(input: Uint8Array | string): X509Certificate {
  const result = parseCertificate(input);
  if (!result.ok) throw new Error(result.problem.detail);
  return result.certificate;
}

describe("parseCertificate", () => {
  it("reads subject, issuer, validity, serial and key algorithm of DASH-IF Cert1", () => {
    const certificate = parsed(dashifCertificate("Cert1"));
    expect(certificate).toMatchObject({
      subject: "CN=CPIX Example Entity 1",
      issuer: "CN=CPIX Example Entity 1",
      serialNumber: "394476513a6c18bc4a71aee394d3b340",
      publicKeyAlgorithm: RSA_ENCRYPTION_OID,
    });
    expect(certificate.notBefore.toISOString()).toBe("2016-08-11T07:21:31.000Z");
    expect(certificate.notAfter.toISOString()).toBe("2039-12-31T23:59:59.000Z");
    expect(certificate.der).toEqual(dashifCertificate("Cert1"));
  });

  it("keeps a negative serial number (Cert4) as its two's-complement octets", () => {
    expect(parsed(dashifCertificate("Cert4")).serialNumber).toBe("cd1eddf86c7430ab45161815cc7dd321");
  });

  it("reads the same certificate from DER, base64 (ds:X509Certificate) and PEM", () => {
    const der = dashifCertificate("Cert3");
    const base64 = toBase64(der);
    const pem = `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
    expect(parsed(base64)).toEqual(parsed(der));
    expect(parsed(pem)).toEqual(parsed(der));
  });

  it("reads GeneralizedTime validity dates (years from 2050, RFC 5280 §4.1.2.5)", async () => {
    const made = await makeTestCertificate({ notAfter: new Date("2051-02-03T04:05:06Z") });
    expect(parsed(made.der).notAfter.toISOString()).toBe("2051-02-03T04:05:06.000Z");
  });

  it.each([
    ["truncated DER", dashifCertificate("Cert1").subarray(0, 400)],
    ["trailing bytes", new Uint8Array([...dashifCertificate("Cert1"), 0])],
    ["not base64", "this is not a certificate"],
    ["an empty value", new Uint8Array(0)],
    ["a DER INTEGER", new Uint8Array([0x02, 0x01, 0x05])],
  ])("returns malformed-certificate for %s, without throwing", (_name, input) => {
    const result = parseCertificate(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.reason).toBe("malformed-certificate");
  });
});

describe.each(PURPOSES)("certificateProblem for a %s: the rules every purpose shares", (purpose) => {
  it.each(["Cert1", "Cert2", "Cert3", "Cert4"])("accepts DASH-IF %s (4096-bit RSA)", async (name) => {
    expect(await certificateProblem(parsed(dashifCertificate(name)), purpose, NOW)).toBeUndefined();
  });

  it("accepts WeakCert_Sha1: a SHA-1 signature on the certificate is not judged, its 4096-bit key is fine", async () => {
    expect(await certificateProblem(parsed(dashifCertificate("WeakCert_Sha1")), purpose, NOW)).toBeUndefined();
  });

  it("accepts WeakCert_SmallKey: its 2048-bit key meets MIN_RSA_MODULUS_BITS (Axinom's 3072 floor is stricter)", async () => {
    expect(MIN_RSA_MODULUS_BITS).toBe(2048);
    expect(await certificateProblem(parsed(dashifCertificate("WeakCert_SmallKey")), purpose, NOW)).toBeUndefined();
  });

  it("refuses a 1024-bit RSA key naming the size and the minimum", async () => {
    const certificate = parsed((await makeTestCertificate({ key: 1024 })).der);
    const problem = await certificateProblem(certificate, purpose, new Date());
    expect(problem).toEqual({ reason: "weak-key", bits: 1024, minimum: 2048 });
    expect(describeCertificateProblem(problem!, "DeliveryData[1] certificate")).toBe(
      "DeliveryData[1] certificate must hold an RSA key of at least 2048 bits, got 1024",
    );
  });

  it("refuses an EC key naming the algorithm", async () => {
    const certificate = parsed((await makeTestCertificate({ key: "ec" })).der);
    const problem = await certificateProblem(certificate, purpose, new Date());
    expect(problem).toEqual({ reason: "unsupported-key-algorithm", algorithm: "EC (id-ecPublicKey)" });
    expect(describeCertificateProblem(problem!, "the signer certificate")).toBe(
      "the signer certificate must hold an RSA key (rsaEncryption), got EC (id-ecPublicKey)",
    );
  });

  it("refuses an expired certificate naming notAfter, and accepts it up to that second", async () => {
    const notAfter = new Date("2025-01-01T00:00:00Z");
    const certificate = parsed((await makeTestCertificate({ notBefore: new Date("2024-01-01T00:00:00Z"), notAfter })).der);
    expect(await certificateProblem(certificate, purpose, notAfter)).toBeUndefined();
    const problem = await certificateProblem(certificate, purpose, new Date(notAfter.getTime() + 1000));
    expect(problem).toEqual({ reason: "expired", notAfter: "2025-01-01T00:00:00.000Z" });
    expect(describeCertificateProblem(problem!, "the recipient certificate")).toBe(
      "the recipient certificate expired at 2025-01-01T00:00:00.000Z",
    );
  });

  it("accepts a certificate made by openssl req -x509 with its defaults (CA:TRUE, no keyUsage)", async () => {
    expect(await certificateProblem(parsed(opensslCertificatePem), purpose, new Date("2030-01-01T00:00:00Z"))).toBeUndefined();
  });

  it("refuses an rsaEncryption key WebCrypto cannot import, in both wordings", async () => {
    const certificate = { ...parsed(dashifCertificate("Cert1")), subjectPublicKeyInfo: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]) };
    const problem = await certificateProblem(certificate, purpose, NOW);
    expect(problem).toEqual({ reason: "unreadable-public-key" });
    expect(describeCertificateProblem(problem!, "Certificate")).toBe(
      "Certificate is not a valid X.509 certificate: the RSA public key cannot be imported",
    );
    expect(describeSeedExportCertificateProblem(problem!)).toBe("Certificate's RSA public key cannot be read");
  });

  it("refuses a certificate that is not valid yet naming notBefore", async () => {
    const notBefore = new Date("2030-01-01T00:00:00Z");
    const certificate = parsed((await makeTestCertificate({ notBefore, notAfter: new Date("2031-01-01T00:00:00Z") })).der);
    expect(await certificateProblem(certificate, purpose, NOW)).toEqual({ reason: "not-yet-valid", notBefore: "2030-01-01T00:00:00.000Z" });
  });
});

describe("certificateProblem: the rules a purpose adds", () => {
  it("asks a key-seed export recipient, and only it, for keyEncipherment when the certificate has a keyUsage", async () => {
    const signingOnly = parsed(signingOnlyCertificatePem);
    const now = new Date("2030-01-01T00:00:00Z");
    for (const purpose of ["recipient", "signer", "trusted-requester"] as const) {
      expect(await certificateProblem(signingOnly, purpose, now)).toBeUndefined();
    }
    const problem = await certificateProblem(signingOnly, "seed-export", now);
    expect(problem).toEqual({ reason: "key-usage", required: "keyEncipherment" });
    expect(describeCertificateProblem(problem!, "Certificate")).toBe(
      "Certificate has a keyUsage without keyEncipherment (RFC 5280 §4.2.1.3)",
    );
  });
});

describe("endEntityCertificate", () => {
  it("picks the certificate that issued none of the others, whatever the X509Data order", async () => {
    const ca = parsed((await makeTestCertificate({ commonName: "test CA" })).der);
    const leaf = parsed((await makeTestCertificate({ commonName: "packager", issuerCommonName: "test CA" })).der);
    expect(leaf.issuer).toBe("CN=test CA");
    expect(endEntityCertificate([ca, leaf])).toBe(leaf);
    expect(endEntityCertificate([leaf, ca])).toBe(leaf);
    expect(endEntityCertificate([ca])).toBe(ca);
    expect(endEntityCertificate([])).toBeUndefined();
  });

  it("chooses as the rule says (the one-pass form against the pairwise definition) for every small list of names", () => {
    const names = ["CN=a", "CN=b", "CN=c"];
    const pairs = names.flatMap((subject) => names.map((issuer) => ({ subject, issuer })));
    const byDefinition = (certificates: readonly X509Certificate[]) =>
      certificates.find(
        (candidate) =>
          !certificates.some((other) => other !== candidate && other.issuer === candidate.subject && other.subject !== candidate.subject),
      ) ?? certificates[0];
    let lists = 0;
    for (const first of pairs) {
      for (const second of pairs) {
        for (const third of [undefined, ...pairs]) {
          const certificates = [first, second, ...(third ? [third] : [])].map((names) => ({ ...names }) as X509Certificate);
          expect(endEntityCertificate(certificates)).toBe(byDefinition(certificates));
          lists++;
        }
      }
    }
    expect(lists).toBe(81 * 10);
  });

  it("finds the leaf of a 20,000-certificate chain listed root first, each issuing the next", () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => ({ subject: `CN=${i}`, issuer: `CN=${Math.max(i - 1, 0)}` }) as X509Certificate);
    expect(endEntityCertificate(chain)).toBe(chain.at(-1));
    expect(endEntityCertificate([...chain].reverse())).toBe(chain.at(-1));
  });
});

describe("parseCertificateCached", () => {
  it("parses a certificate once and gives the same object back for the same bytes", async () => {
    const { der } = await makeTestCertificate();
    const first = parseCertificateCached(der);
    expect(first.ok).toBe(true);
    expect(parseCertificateCached(Uint8Array.from(der))).toBe(first);
  });

  it(`keeps no certificate over ${MAX_CACHED_CERTIFICATE_BYTES} bytes: it is parsed again each time`, async () => {
    const { der } = await makeTestCertificate({ commonName: "x".repeat(MAX_CACHED_CERTIFICATE_BYTES) });
    expect(der.length).toBeGreaterThan(MAX_CACHED_CERTIFICATE_BYTES);
    const first = parseCertificateCached(der);
    const second = parseCertificateCached(der);
    expect(first.ok && second.ok).toBe(true);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });
});

describe("readName", () => {
  const rdn = (oid: number[], value: string) => der(0x31, [der(0x30, [der(0x06, [new Uint8Array(oid)]), der(0x0c, [utf8(value)])])]);
  const nameOf = (rdns: Uint8Array[]) => new DerReader(der(0x30, rdns)).read(0x30);

  it("writes the RDNs last first, as RFC 4514 §2.1 says", () => {
    const name = nameOf([rdn([0x55, 4, 6], "NL"), rdn([0x55, 4, 10], "Example"), rdn([0x55, 4, 3], "packager")]);
    expect(readName(name)).toBe("CN=packager,O=Example,C=NL");
  });

  it("reads a name of 60,000 RDNs (a 1 MiB request's worth) in the same order", () => {
    const rdns = Array.from({ length: 60_000 }, (_, i) => rdn([0x55, 4, 3], String(i)));
    const read = readName(nameOf(rdns)).split(",");
    expect(read).toHaveLength(60_000);
    expect([read[0], read[59_999]]).toEqual(["CN=59999", "CN=0"]);
  });
});

/** One DER TLV (X.690 §8.1) of the given content parts. */
function der(tag: number, parts: readonly Uint8Array[]): Uint8Array {
  const n = parts.reduce((total, part) => total + part.length, 0);
  const length =
    n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const encoded = new Uint8Array(1 + length.length + n);
  encoded.set([tag, ...length]);
  let offset = 1 + length.length;
  for (const part of parts) {
    encoded.set(part, offset);
    offset += part.length;
  }
  return encoded;
}
