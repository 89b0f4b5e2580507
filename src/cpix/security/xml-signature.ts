/**
 * Signing a CPIX document we wrote (CPIX 2.3 §Digital Signature): one enveloped XML-DSig signature over the whole
 * document (`Reference URI=""`, transforms enveloped-signature + exclusive C14N), RSASSA-PKCS1-v1_5 with SHA-256 or
 * SHA-512 (the tenant key's own hash), the signer's certificate embedded, appended as the last child of `CPIX`.
 * Verification of the documents we read: signature-verify.ts (re-exported here).
 */
import { CPIX_NS, XMLDSIG_NS } from "../namespaces";
import { writeSignatureElement, type SignatureElementParts } from "../write-signature";
import { DIGEST_METHODS, ENVELOPED_SIGNATURE, EXC_C14N, RSA_SIGNATURE_METHODS, uriFor, type SignatureHash } from "./algorithms";
import { canonicalOctets } from "../../xml/c14n";
import { parseXml } from "../../xml/parse";
import { firstChildElement, childElements, type XmlDocument, type XmlElement } from "../../xml/tree";
import type { X509Certificate } from "../../x509/certificate";
import { importCertificateKey } from "../../x509/certificate-keys";
import { certificateProblem } from "../../x509/certificate-policy";
import type { CertificateProblem } from "../../x509/certificate-problem";

export {
  describeSignatureFailure,
  verifyCpixSignatures,
  type SignatureFailure,
  type SignatureVerificationResult,
  type VerifiedSignature,
} from "./signature-verify";

/** A tenant's signing identity. */
export interface CpixSigner {
  /** RSASSA-PKCS1-v1_5 private key imported with hash SHA-256, SHA-384 or SHA-512; the hash picks the SignatureMethod. */
  readonly privateKey: CryptoKey;
  /** The certificate of that key, embedded in KeyInfo and checked against the certificate policy. */
  readonly certificate: X509Certificate;
}

export type SigningFailure =
  | { readonly reason: "certificate-refused"; readonly problem: CertificateProblem }
  /** The private key is not an RSASSA-PKCS1-v1_5 key with SHA-256/384/512; `detail` names what it is. */
  | { readonly reason: "unsupported-key"; readonly detail: string }
  /** The private key does not belong to the certificate (the signature does not verify with the certificate's key). */
  | { readonly reason: "key-certificate-mismatch" }
  | { readonly reason: "malformed-xml"; readonly detail: string }
  | { readonly reason: "not-cpix" };

export type SigningResult = { readonly ok: true; readonly xml: string } | { readonly ok: false; readonly failure: SigningFailure };

/**
 * Appends an enveloped document signature to CPIX XML text (typically writeCpix's output). Existing signatures stay
 * and are covered by the new one.
 * @example
 * const signed = await signCpixDocument(writeCpix(answer), { privateKey, certificate }, now);
 * if (!signed.ok) return refuse(signed.failure);
 */
export async function signCpixDocument(xml: string, signer: CpixSigner, now: Date): Promise<SigningResult> {
  const fail = (failure: SigningFailure): SigningResult => ({ ok: false, failure });
  const hash = signingHash(signer.privateKey);
  if (typeof hash !== "string") return fail(hash);
  const problem = await certificateProblem(signer.certificate, "signer", now);
  if (problem) return fail({ reason: "certificate-refused", problem });
  const parsed = parseXml(xml);
  if (!parsed.ok) return fail({ reason: "malformed-xml", detail: parsed.failure.detail });
  const root = parsed.document.root;
  if (root.namespace !== CPIX_NS || root.localName !== "CPIX") return fail({ reason: "not-cpix" });
  const withSignature = signatureInserter(xml, root);

  const parts = (digestValue: Uint8Array, signatureValue: Uint8Array): SignatureElementParts => ({
    canonicalizationMethod: EXC_C14N,
    signatureMethod: uriFor(RSA_SIGNATURE_METHODS, hash),
    references: [{ uri: "", transforms: [ENVELOPED_SIGNATURE, EXC_C14N], digestMethod: uriFor(DIGEST_METHODS, hash), digestValue }],
    signatureValue,
    certificates: [signer.certificate.der],
  });
  const empty = new Uint8Array(0);
  // 1. The document with the signature in place: digest it without the signature (XML-DSig §6.6.4, enveloped).
  const template = lastSignature(withSignature(writeSignatureElement(parts(empty, empty))));
  const documentOctets = canonicalOctets(template.document, { method: "exclusive", exclude: template.signature }, Infinity)!.octets;
  const digestValue = new Uint8Array(await crypto.subtle.digest(hash, documentOctets));
  // 2. SignedInfo canonicalized where it will stand (its in-scope namespaces matter), then signed (XML-DSig §3.1.2).
  const withDigest = lastSignature(withSignature(writeSignatureElement(parts(digestValue, empty))));
  const signedInfo = firstChildElement(withDigest.signature, XMLDSIG_NS, "SignedInfo")!;
  const signedInfoOctets = canonicalOctets(signedInfo, { method: "exclusive" }, Infinity)!.octets;
  const signatureValue = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", signer.privateKey, signedInfoOctets));
  // 3. The key must be the certificate's, or every verifier would refuse the answer.
  const publicKey = await importCertificateKey(signer.certificate, { name: "RSASSA-PKCS1-v1_5", hash }, ["verify"]);
  if (!(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", publicKey, signatureValue, signedInfoOctets))) {
    return fail({ reason: "key-certificate-mismatch" });
  }
  return { ok: true, xml: withSignature(writeSignatureElement(parts(digestValue, signatureValue))) };
}

/** The hash an RSASSA-PKCS1-v1_5 key was imported with, or why the key cannot sign here. */
function signingHash(key: CryptoKey): SignatureHash | SigningFailure {
  const algorithm = key.algorithm as { name: string; hash?: { name: string } };
  const hash = algorithm.hash?.name;
  if (algorithm.name !== "RSASSA-PKCS1-v1_5" || key.type !== "private" || !key.usages.includes("sign")) {
    return {
      reason: "unsupported-key",
      detail: `the signing key must be an RSASSA-PKCS1-v1_5 private key for sign, got ${algorithm.name} ${key.type}`,
    };
  }
  if (hash !== "SHA-256" && hash !== "SHA-384" && hash !== "SHA-512") {
    return { reason: "unsupported-key", detail: `the signing key's hash must be SHA-256, SHA-384 or SHA-512, got ${hash}` };
  }
  return hash;
}

/** A function putting a Signature element as the root's last child, keeping the writer's indentation. */
function signatureInserter(xml: string, root: XmlElement): (signature: string) => string {
  const name = root.qualifiedName;
  const end = xml.lastIndexOf(`</${name}`);
  if (end !== -1) {
    const indent = xml[end - 1] === "\n" ? "  " : "";
    return (signature) => `${xml.slice(0, end)}${indent}${signature}${indent ? "\n" : ""}${xml.slice(end)}`;
  }
  // A root without children (`<cpix:CPIX …/>`) gets an end tag.
  const selfClosing = xml.lastIndexOf("/>");
  return (signature) => `${xml.slice(0, selfClosing)}>${signature}</${name}>${xml.slice(selfClosing + 2)}`;
}

/** Parses the document with the signature in place and finds it (the root's last Signature child). */
function lastSignature(xml: string): { document: XmlDocument; signature: XmlElement } {
  const parsed = parseXml(xml);
  if (!parsed.ok) throw new Error(`a signed document did not parse: ${parsed.failure.detail}`); // our own output: a bug
  return { document: parsed.document, signature: childElements(parsed.document.root, XMLDSIG_NS, "Signature").at(-1)! };
}
