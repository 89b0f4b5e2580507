/**
 * Signatures checked by tools other than ours: an encrypted answer we sign verifies with `xmlsec1 --verify` and with
 * xml-crypto, and a tampered copy fails both; it validates against the CPIX 2.3 XSD. The other way round, documents
 * signed by xmlsec1 (exclusive C14N over the document; inclusive C14N over a list by id) verify with our verifier.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { contentKeyFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { XMLDSIG_NS } from "../../src/cpix/namespaces";
import { writeCpix } from "../../src/cpix/writer";
import { parseCertificate } from "../../src/x509/certificate";
import { acceptRecipients, encryptContentKeys } from "../../src/cpix/security/delivery-encryption";
import { signCpixDocument, verifyCpixSignatures } from "../../src/cpix/security/xml-signature";
import { opensslCertificate, requireTool, runTool, scratchFolder, type OpensslCertificate } from "./tools";
import { parseDom, xmlCrypto } from "./xml-dom";
import { validateCpixXml } from "./xsd";

let scratch: ReturnType<typeof scratchFolder>;
let signer: OpensslCertificate;
let recipient: OpensslCertificate;

beforeAll(async () => {
  await requireTool("openssl", ["version"], "install the openssl package (Debian: apt-get install -y openssl)");
  await requireTool("xmlsec1", ["--version"], ".ci/run installs it (Debian: apt-get install -y xmlsec1)");
  scratch = scratchFolder();
  [signer, recipient] = await Promise.all([
    opensslCertificate(scratch.dir, "signer", "rsa:3072"),
    opensslCertificate(scratch.dir, "recipient", "rsa:2048"),
  ]);
});
afterAll(() => scratch?.remove());

/** The PKCS #8 private key openssl wrote, as a WebCrypto signing key. */
function signingKey(made: OpensslCertificate, hash: "SHA-256" | "SHA-512"): Promise<CryptoKey> {
  const der = Buffer.from(made.keyPem.replace(/-----(BEGIN|END) PRIVATE KEY-----|\s+/g, ""), "base64");
  return crypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["sign"]);
}

async function encryptedAnswer(): Promise<string> {
  const accepted = await acceptRecipients([{ deliveryKey: { x509Certificates: [recipient.certDer] }, documentKeys: [] }], new Date());
  if (!accepted.ok) throw new Error(JSON.stringify(accepted.failure));
  const keys = [
    { kid: KeyId.require("3c3c3c3c-1111-4222-8333-444455556666"), value: contentKeyFromBytes(new Uint8Array(randomBytes(16))) },
  ];
  const encrypted = await encryptContentKeys(accepted.recipients, keys, { macKeyShape: "aws", version: "2.3" });
  return writeCpix({
    contentId: "signed",
    version: "2.3",
    deliveryDataList: { items: encrypted.deliveryData },
    contentKeyList: { id: "keys", items: encrypted.contentKeys },
  });
}

async function signedAnswer(hash: "SHA-256" | "SHA-512"): Promise<string> {
  const certificate = parseCertificate(signer.certDer);
  if (!certificate.ok) throw new Error(certificate.problem.detail);
  const signed = await signCpixDocument(
    await encryptedAnswer(),
    { privateKey: await signingKey(signer, hash), certificate: certificate.certificate },
    new Date(),
  );
  if (!signed.ok) throw new Error(JSON.stringify(signed.failure));
  return signed.xml;
}

/** `xmlsec1 --verify` trusting the signer's self-signed certificate: true on "OK". */
async function xmlsecVerifies(xml: string, extra: string[] = []): Promise<boolean> {
  const file = join(scratch.dir, `verify-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  const result = await runTool("xmlsec1", ["--verify", "--trusted-pem", signer.certPath, ...extra, file]);
  return result.code === 0 && /^OK/m.test(result.stderr + result.stdout);
}

/** xml-crypto with the signer's certificate (KeyInfo certificates are not trusted by it); a thrown error counts as false. */
function xmlCryptoVerifies(xml: string): boolean {
  const document = parseDom(xml);
  const signature = document.getElementsByTagNameNS(XMLDSIG_NS, "Signature")[0]!;
  const verifier = new xmlCrypto.SignedXml({ publicCert: signer.certPem });
  try {
    verifier.loadSignature(signature);
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}

describe.each(["SHA-512", "SHA-256"] as const)("an answer we sign with RSA-%s", (hash) => {
  it("verifies with xmlsec1 and with xml-crypto, and validates against the CPIX 2.3 XSD", async () => {
    const xml = await signedAnswer(hash);
    expect(await xmlsecVerifies(xml)).toBe(true);
    expect(xmlCryptoVerifies(xml)).toBe(true);
    expect(await validateCpixXml(xml, "2.3")).toEqual({ valid: true, errors: [] });
  });

  it.each([
    ["a changed contentId", (xml: string) => xml.replace('contentId="signed"', 'contentId="changed"')],
    [
      "a changed ValueMAC",
      (xml: string) => xml.replace(/<pskc:ValueMAC>(.)/, (_all, c: string) => `<pskc:ValueMAC>${c === "A" ? "B" : "A"}`),
    ],
  ])("with %s fails xmlsec1 and xml-crypto", async (_change, tamper) => {
    const xml = await signedAnswer(hash);
    const tampered = tamper(xml);
    expect(tampered).not.toBe(xml);
    expect(await xmlsecVerifies(tampered)).toBe(false);
    expect(xmlCryptoVerifies(tampered)).toBe(false);
  });
});

describe("documents signed by xmlsec1 verify with our verifier", () => {
  const template = (c14n: string, method: string, digest: string, uri: string, transforms: string[]) =>
    `<ds:Signature xmlns:ds="${XMLDSIG_NS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${c14n}"/>` +
    `<ds:SignatureMethod Algorithm="${method}"/><ds:Reference URI="${uri}">` +
    (transforms.length ? `<ds:Transforms>${transforms.map((t) => `<ds:Transform Algorithm="${t}"/>`).join("")}</ds:Transforms>` : "") +
    `<ds:DigestMethod Algorithm="${digest}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>` +
    `<ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>`;

  it.each([
    [
      "the document, exclusive C14N, RSA-SHA256",
      template(
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "",
        ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"],
      ),
      { uri: "", element: "CPIX" },
      false,
    ],
    [
      "the ContentKeyList by id, inclusive C14N 1.0, RSA-SHA512 (the DASH-IF list signature form)",
      template(
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "http://www.w3.org/2001/04/xmlenc#sha512",
        "#keys",
        [],
      ),
      { uri: "#keys", element: "ContentKeyList" },
      true,
    ],
  ])("%s", async (_name, signature, reference, survivesRootChange) => {
    const unsigned = await encryptedAnswer();
    const withTemplate = unsigned.replace(/<\/cpix:CPIX>\s*$/, `${signature}</cpix:CPIX>\n`);
    const input = join(scratch.dir, `template-${reference.element}.xml`);
    const output = join(scratch.dir, `signed-${reference.element}.xml`);
    writeFileSync(input, withTemplate);
    const signed = await runTool("xmlsec1", [
      "--sign",
      "--privkey-pem",
      `${signer.keyPath},${signer.certPath}`,
      "--id-attr:id",
      "urn:dashif:org:cpix:ContentKeyList",
      "--output",
      output,
      input,
    ]);
    expect(signed.code, signed.stderr.slice(-1500)).toBe(0);
    const xml = readFileSync(output, "utf8");
    const verified = await verifyCpixSignatures(xml, new Date());
    if (!verified.ok) throw new Error(JSON.stringify(verified.failure));
    expect(verified.signatures.map((s) => [s.references, s.signer.subject])).toEqual([[[reference], "CN=signer"]]);
    // A change to the root's attributes breaks a document signature, not a list signature.
    const changed = await verifyCpixSignatures(xml.replace('contentId="signed"', 'contentId="moved"'), new Date());
    expect(changed.ok).toBe(survivesRootChange);
  });
});
