/**
 * Makes self-signed X.509 v3 certificates inside workerd (no openssl there): a WebCrypto key pair and a DER
 * TBSCertificate (RFC 5280 §4.1) signed with it. For tests only: recipients and signers of any size, key type and
 * validity period.
 */
import { concatBytes, utf8 } from "../../../src/domain/bytes";

export interface TestCertificateOptions {
  readonly commonName?: string;
  /** The issuer's common name (default: self-issued). The signature is still made with this certificate's own key. */
  readonly issuerCommonName?: string;
  /** RSA modulus bits (default 2048), or "ec" for a P-256 key. */
  readonly key?: number | "ec";
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** The first octet of a keyUsage extension to add (RFC 5280 §4.2.1.3: 0x80 digitalSignature, 0x20 keyEncipherment). */
  readonly keyUsage?: number;
}

export interface TestCertificate {
  readonly der: Uint8Array;
  /** PKCS #8 private key (RFC 5208). */
  readonly pkcs8: Uint8Array;
  /** RSASSA-PKCS1-v1_5 signing key for the given hash (RSA keys only). */
  signingKey(hash: "SHA-256" | "SHA-512"): Promise<CryptoKey>;
  /** RSA-OAEP (SHA-1, MGF1-SHA-1) decryption key, xmlenc#rsa-oaep-mgf1p (RSA keys only). */
  decryptionKey(): Promise<CryptoKey>;
}

const DAY = 86_400_000;

export async function makeTestCertificate(options: TestCertificateOptions = {}): Promise<TestCertificate> {
  const ec = options.key === "ec";
  const algorithm = ec
    ? { name: "ECDSA", namedCurve: "P-256" }
    : { name: "RSASSA-PKCS1-v1_5", modulusLength: options.key ?? 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  const pair = (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  // sha256WithRSAEncryption (RFC 4055 §5) or ecdsa-with-SHA256 (RFC 5758 §3.2).
  const signatureAlgorithm = ec ? seq(oid("1.2.840.10045.4.3.2")) : seq(oid("1.2.840.113549.1.1.11"), tlv(0x05));
  const nameOf = (commonName: string) => seq(set(seq(oid("2.5.4.3"), tlv(0x0c, utf8(commonName)))));
  const name = nameOf(options.commonName ?? "edge-key-service test");
  const now = Date.now();
  const tbs = seq(
    tlv(0xa0, integer(new Uint8Array([2]))), // v3
    integer(crypto.getRandomValues(new Uint8Array(16))),
    signatureAlgorithm,
    options.issuerCommonName ? nameOf(options.issuerCommonName) : name,
    seq(time(options.notBefore ?? new Date(now - DAY)), time(options.notAfter ?? new Date(now + 365 * DAY))),
    name,
    spki,
    ...(options.keyUsage === undefined ? [] : [keyUsageExtension(options.keyUsage)]),
  );
  const signParams = ec ? { name: "ECDSA", hash: "SHA-256" } : { name: "RSASSA-PKCS1-v1_5" };
  const signature = new Uint8Array(await crypto.subtle.sign(signParams, pair.privateKey, tbs));
  const der = seq(tbs, signatureAlgorithm, tlv(0x03, concatBytes(new Uint8Array([0]), signature)));
  return {
    der,
    pkcs8,
    signingKey: (hash) => crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["sign"]),
    decryptionKey: () => crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSA-OAEP", hash: "SHA-1" }, false, ["decrypt"]),
  };
}

/** `[3] Extensions` holding one critical keyUsage (id-ce-keyUsage 2.5.29.15) of the given first octet. */
function keyUsageExtension(firstOctet: number): Uint8Array {
  const bits = tlv(0x03, new Uint8Array([0, firstOctet]));
  return tlv(0xa3, seq(seq(oid("2.5.29.15"), tlv(0x01, new Uint8Array([0xff])), tlv(0x04, bits))));
}

function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const content = concatBytes(...contents);
  const length = content.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else if (length < 0x100) header = [tag, 0x81, length];
  else if (length < 0x10000) header = [tag, 0x82, length >> 8, length & 0xff];
  else header = [tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
  return concatBytes(new Uint8Array(header), content);
}

const seq = (...items: Uint8Array[]) => tlv(0x30, ...items);
const set = (...items: Uint8Array[]) => tlv(0x31, ...items);

function integer(bytes: Uint8Array): Uint8Array {
  const positive = bytes[0]! & 0x80 ? concatBytes(new Uint8Array([0]), bytes) : bytes;
  return tlv(0x02, positive);
}

function oid(dotted: string): Uint8Array {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const out: number[] = [];
  for (const arc of [first! * 40 + second!, ...rest]) {
    const base128: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) base128.unshift((value & 0x7f) | 0x80);
    out.push(...base128);
  }
  return tlv(0x06, new Uint8Array(out));
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
function time(date: Date): Uint8Array {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, utf8(iso.slice(2))) : tlv(0x18, utf8(iso));
}
