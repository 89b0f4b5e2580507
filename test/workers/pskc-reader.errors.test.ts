/**
 * readPskcPackage refuses a document whole, with one typed reason naming the element or the rule: each mandatory
 * element removed in turn, a wrong password or key (a MAC failure), altered values, unsupported algorithms.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/domain/bytes";
import { pskcReadFailureMessage, type PskcReadFailure, type PskcSeed } from "../../src/pskc/model";
import { readPskcPackage } from "../../src/pskc/reader";
import { writePskcCertificatePackage, writePskcPasswordPackage } from "../../src/pskc/writer";
import { describeSeedExportCertificateProblem } from "../../src/x509/certificate-failure";
import { WITHIN_VALIDITY, otherPrivateKey, pemToDer, recipientCertificatePem, recipientPrivateKey, sampleSeeds } from "./support/pskc";

const PASSWORD = "correct horse battery staple";
let seeds: PskcSeed[];
let xml: string;

beforeAll(async () => {
  seeds = sampleSeeds();
  xml = await writePskcPasswordPackage(seeds, PASSWORD);
});

/** The document with the first match of `pattern` replaced; fails if nothing matched, so a case cannot pass vacuously. */
function edited(pattern: RegExp, replacement = ""): string {
  expect(xml).toMatch(pattern);
  return xml.replace(pattern, replacement);
}

async function failureOf(
  document: string,
  opener: Parameters<typeof readPskcPackage>[1] = { password: PASSWORD },
): Promise<PskcReadFailure> {
  const read = await readPskcPackage(document, opener);
  if (read.ok) throw new Error("the document was accepted");
  expect(Object.keys(read)).toEqual(["ok", "failure"]);
  expect(pskcReadFailureMessage(read.failure)).not.toContain(PASSWORD);
  for (const seed of seeds) expect(pskcReadFailureMessage(read.failure)).not.toContain(toBase64(seed.value));
  return read.failure;
}

describe("a mandatory part removed is refused, naming it", () => {
  it.each([
    ["pskc:MACMethod", /<pskc:MACMethod[\s\S]*?<\/pskc:MACMethod>/],
    ["pskc:MACKey", /<pskc:MACKey>[\s\S]*?<\/pskc:MACKey>/],
    ["xenc11:KeyDerivationMethod", /<xenc11:KeyDerivationMethod[\s\S]*?<\/xenc11:KeyDerivationMethod>/],
    ["pkcs5:PBKDF2-params", /<pkcs5:PBKDF2-params>[\s\S]*?<\/pkcs5:PBKDF2-params>/],
    ["Salt", /<Salt>[\s\S]*?<\/Salt>/],
    ["IterationCount", /<IterationCount>\d+<\/IterationCount>/],
    ["KeyLength", /<KeyLength>\d+<\/KeyLength>/],
    ["pskc:KeyContainer/@Version", / Version="1\.0"/],
    ["pskc:KeyPackage", /<pskc:KeyPackage>[\s\S]*<\/pskc:KeyPackage>/],
    ["pskc:Key in pskc:KeyPackage", /<pskc:Key [\s\S]*?<\/pskc:Key>/],
    ["pskc:Key/@Id", / Id="[^"]+"/],
  ])("%s", async (what, pattern) => {
    expect(await failureOf(edited(pattern))).toEqual({ reason: "missing", what });
  });

  it.each([
    ["pskc:Data of key", /<pskc:Data>[\s\S]*?<\/pskc:Data>/, ""],
    ["pskc:Secret of key", /<pskc:Secret>[\s\S]*?<\/pskc:Secret>/, ""],
    ["pskc:EncryptedValue of key", /<pskc:EncryptedValue>[\s\S]*?<\/pskc:EncryptedValue>/, ""],
    ["pskc:ValueMAC of key", /<pskc:ValueMAC>[^<]*<\/pskc:ValueMAC>/, ""],
    ["xenc:CipherValue of pskc:EncryptedValue of key", /(<pskc:EncryptedValue>[\s\S]*?)<xenc:CipherValue>[^<]*<\/xenc:CipherValue>/, "$1"],
  ])("%s (naming the key)", async (what, pattern, replacement) => {
    expect(await failureOf(edited(pattern, replacement))).toEqual({ reason: "missing", what: `${what} ${seeds[0]!.id}` });
  });

  it("pskc:EncryptionKey: a document without encryption is refused (plain values are never taken)", async () => {
    expect(await failureOf(edited(/<pskc:EncryptionKey>[\s\S]*?<\/pskc:EncryptionKey>/))).toEqual({
      reason: "protection-mismatch",
      document: "none",
      given: "password",
    });
  });
});

describe("a wrong password or an altered document is a MAC failure, and nothing is returned", () => {
  it("refuses a wrong password as a MAC failure", async () => {
    expect(await failureOf(xml, { password: `${PASSWORD}!` })).toMatchObject({ reason: "mac-mismatch" });
  });

  it("refuses the whole document when one seed's CipherValue was altered, naming that key", async () => {
    const values = [...xml.matchAll(/<pskc:EncryptedValue>[\s\S]*?<xenc:CipherValue>([^<]+)</g)];
    const original = values[1]![1]!;
    const altered = toBase64(Uint8Array.from(atob(original), (c, i) => c.charCodeAt(0) ^ (i === 20 ? 1 : 0)));
    expect(await failureOf(xml.replace(original, altered))).toEqual({ reason: "mac-mismatch", keyId: seeds[1]!.id });
  });

  it("refuses ValueMACs swapped between two seeds", async () => {
    const [first, second] = [...xml.matchAll(/<pskc:ValueMAC>([^<]+)</g)].map((match) => match[1]!);
    const swapped = xml.replace(first!, "FIRST").replace(second!, first!).replace("FIRST", second!);
    expect(await failureOf(swapped)).toEqual({ reason: "mac-mismatch", keyId: seeds[0]!.id });
  });
});

describe("values outside what the reader accepts are refused with the rule", () => {
  it("an iteration count above 100,000 (the Workers ceiling)", async () => {
    expect(await failureOf(edited(/<IterationCount>\d+</, "<IterationCount>100001<"))).toEqual({
      reason: "invalid",
      what: "IterationCount",
      rule: "must be an integer from 1 to 100000",
    });
  });

  it("a salt that is not base64", async () => {
    expect(await failureOf(edited(/<Specified>[^<]+</, "<Specified>not base64!<"))).toEqual({
      reason: "invalid",
      what: "Salt/Specified",
      rule: "must be base64",
    });
  });

  it("an unknown MAC algorithm", async () => {
    const document = edited(/xmldsig-more#hmac-sha256/, "xmldsig-more#hmac-md5");
    expect(await failureOf(document)).toEqual({
      reason: "unsupported-algorithm",
      what: "MACMethod",
      algorithm: "http://www.w3.org/2001/04/xmldsig-more#hmac-md5",
    });
  });

  it("a plain value beside the encrypted ones", async () => {
    const document = edited(/<pskc:EncryptedValue>[\s\S]*?<\/pskc:EncryptedValue>/, "<pskc:PlainValue>AAAA</pskc:PlainValue>");
    expect(await failureOf(document)).toEqual({
      reason: "invalid",
      what: `pskc:Secret of key ${seeds[0]!.id}`,
      rule: "must be encrypted (plain values are not accepted)",
    });
  });

  it("the same key Id twice", async () => {
    const keyPackage = /<pskc:KeyPackage>[\s\S]*?<\/pskc:KeyPackage>/.exec(xml)![0];
    expect(await failureOf(xml.replace(keyPackage, keyPackage + keyPackage))).toEqual({ reason: "duplicate-key-id", keyId: seeds[0]!.id });
  });

  it("text that is not XML, and XML that is not PSKC", async () => {
    expect(await failureOf("<pskc:KeyContainer")).toMatchObject({ reason: "malformed-xml" });
    expect(await failureOf('<KeyContainer Version="1.0"/>')).toEqual({ reason: "missing", what: "pskc:KeyContainer (the root element)" });
  });
});

describe("the key that opens the document must match its protection", () => {
  it("refuses a password for a certificate-protected document, and a private key for a password-protected one", async () => {
    const written = await writePskcCertificatePackage(seeds, pemToDer(recipientCertificatePem), { now: WITHIN_VALIDITY });
    if (!written.ok) throw new Error(describeSeedExportCertificateProblem(written.problem));
    expect(await failureOf(written.xml, { password: PASSWORD })).toEqual({
      reason: "protection-mismatch",
      document: "certificate",
      given: "password",
    });
    expect(await failureOf(xml, { privateKey: await recipientPrivateKey() })).toEqual({
      reason: "protection-mismatch",
      document: "password",
      given: "certificate",
    });
  });

  it("refuses another RSA key than the recipient's: the EncryptedKey does not open", async () => {
    const written = await writePskcCertificatePackage(seeds, pemToDer(recipientCertificatePem), { now: WITHIN_VALIDITY });
    if (!written.ok) throw new Error(describeSeedExportCertificateProblem(written.problem));
    expect(await failureOf(written.xml, { privateKey: await otherPrivateKey() })).toEqual({ reason: "key-transport-failed" });
  });
});
