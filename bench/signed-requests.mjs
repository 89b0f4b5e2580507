import { SYSTEM_IDS, spekeV2Presets } from "./requests.mjs";

/**
 * Signed CPIX requests for the bench (issue 24: "the bench times a signed 8-key request and a hostile 1 MiB signed
 * request"), made in Node without the service's XML code, as test/workers/support/signed-requests.ts makes them in
 * workerd: every body is written already in canonical form (W3C REC-xml-c14n-20010315 and REC-xml-exc-c14n-20020718:
 * no XML declaration, namespace declarations first and sorted, attributes sorted, explicit end tags), so each
 * Reference's digest is the SHA-256 of text the bench writes itself.
 */

const CPIX_NS = "urn:dashif:org:cpix";
const DS_NS = "http://www.w3.org/2000/09/xmldsig#";
/** CPIX 2.3 §Mandatory Algorithms: RSASSA-PKCS1-v1_5 with SHA-256, SHA-256, exclusive C14N, enveloped signature. */
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const DAY = 86_400_000;

const base64 = (bytes) => Buffer.from(bytes).toString("base64");
const sha256 = async (text) => new Uint8Array(await crypto.subtle.digest("SHA-256", Buffer.from(text, "utf8")));

/**
 * A self-signed RSA-2048 X.509 v3 certificate and its signing key (RFC 5280 §4.1), built with WebCrypto as
 * test/workers/support/make-certificate.ts builds them: the trusted requester of the signed scenarios.
 */
export async function makeRequesterCertificate(commonName = "edge-key-service bench requester") {
  const algorithm = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  const pair = await crypto.subtle.generateKey(algorithm, false, ["sign", "verify"]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const signatureAlgorithm = seq(oid("1.2.840.113549.1.1.11"), tlv(0x05)); // sha256WithRSAEncryption, RFC 4055 §5
  const name = seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(commonName, "utf8")))));
  const now = Date.now();
  const tbs = seq(
    tlv(0xa0, integer(new Uint8Array([2]))), // v3
    integer(crypto.getRandomValues(new Uint8Array(16))),
    signatureAlgorithm,
    name,
    seq(utcTime(new Date(now - DAY)), utcTime(new Date(now + 30 * DAY))),
    name,
    spki,
  );
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pair.privateKey, tbs));
  return { der: seq(tbs, signatureAlgorithm, tlv(0x03, new Uint8Array([0]), signature)), privateKey: pair.privateKey };
}

function tlv(tag, ...contents) {
  const content = Buffer.concat(contents);
  const length = content.length;
  let header;
  if (length < 0x80) header = [tag, length];
  else if (length < 0x100) header = [tag, 0x81, length];
  else if (length < 0x10000) header = [tag, 0x82, length >> 8, length & 0xff];
  else header = [tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
  return new Uint8Array(Buffer.concat([Buffer.from(header), content]));
}

const seq = (...items) => tlv(0x30, ...items);
const set = (...items) => tlv(0x31, ...items);
const integer = (bytes) => tlv(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const utcTime = (date) => tlv(0x17, Buffer.from(`${date.toISOString().replace(/[-:T]/g, "").slice(2, 14)}Z`, "ascii"));

function oid(dotted) {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const out = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128 = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) base128.unshift((value & 0x7f) | 0x80);
    out.push(...base128);
  }
  return tlv(0x06, new Uint8Array(out));
}

/**
 * The canonical form of the bench's own generated markup (no text but white space, no references, unprefixed
 * attributes): the XML declaration and the unused `xmlns:pskc` dropped, empty elements given end tags, namespace
 * declarations then attributes sorted (C14N 1.0 §2.2, §4.8). Not a general canonicalizer.
 */
export function canonicalMarkup(xml) {
  return xml
    .replace(/^<\?xml[^?]*\?>\s*/, "")
    .replace(/ xmlns:pskc="[^"]*"/, "")
    .replace(/<([\w:]+)((?:\s+[\w:]+="[^"]*")*)\s*(\/?)>/g, (_match, name, written, empty) => {
      const attributes = [...written.matchAll(/([\w:]+)="([^"]*)"/g)].map(([, attribute, value]) => [attribute, value]);
      const isDeclaration = ([attribute]) => attribute === "xmlns" || attribute.startsWith("xmlns:");
      const byName = ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0);
      const sorted = [...attributes.filter(isDeclaration).sort(byName), ...attributes.filter((a) => !isDeclaration(a)).sort(byName)];
      if (sorted.some(([attribute]) => !isDeclaration([attribute]) && attribute.includes(":"))) {
        throw new Error(`canonicalMarkup sorts unprefixed attributes only (${name})`);
      }
      const start = `<${name}${sorted.map(([attribute, value]) => ` ${attribute}="${value}"`).join("")}>`;
      return empty ? `${start}</${name}>` : start;
    });
}

/**
 * `xml` (canonical, root `cpix:CPIX`) with one enveloped `ds:Signature` by `signer` as the root's last child.
 * `references`: `{ uri, transforms, canonical }`, where `canonical` is the text the service must digest for it.
 */
export async function signCanonicalRequest(xml, signer, references) {
  const end = xml.lastIndexOf("</cpix:CPIX>");
  if (end === -1) throw new Error("not a cpix:CPIX document");
  let written = "";
  for (const { uri, transforms, canonical } of references) {
    const transformList = transforms.map((algorithm) => `<ds:Transform Algorithm="${algorithm}"></ds:Transform>`).join("");
    written +=
      `<ds:Reference URI="${uri}"><ds:Transforms>${transformList}</ds:Transforms>` +
      `<ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod><ds:DigestValue>${base64(await sha256(canonical))}</ds:DigestValue></ds:Reference>`;
  }
  const signedInfo =
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${RSA_SHA256}"></ds:SignatureMethod>${written}</ds:SignedInfo>`;
  // Exclusive C14N of SignedInfo alone: `ds` is declared on it, its first visible use (exc-c14n §3).
  const canonicalSignedInfo = signedInfo.replace("<ds:SignedInfo>", `<ds:SignedInfo xmlns:ds="${DS_NS}">`);
  const value = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", signer.privateKey, Buffer.from(canonicalSignedInfo, "utf8"));
  const signature =
    `<ds:Signature xmlns:ds="${DS_NS}">${signedInfo}<ds:SignatureValue>${base64(new Uint8Array(value))}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64(signer.der)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>`;
  return `${xml.slice(0, end)}${signature}${xml.slice(end)}`;
}

/**
 * The 8-key request of the bench (PRESET-VIDEO-5 + PRESET-AUDIO-3, WV/PR/FP, every form, cbcs) in canonical form,
 * signed by `signer` over the whole document as CPIX 2.3 §Digital Signature and SPEKE's signed requests do.
 */
export async function signedSpekeV2Presets(signer) {
  const presets = spekeV2Presets("PRESET-VIDEO-5", "PRESET-AUDIO-3");
  const xml = canonicalMarkup(presets.body).replace('contentId="bench-preset', 'contentId="bench-signed-preset');
  const body = await signCanonicalRequest(xml, signer, [{ uri: "", transforms: [ENVELOPED, EXC_C14N], canonical: xml }]);
  return { keyCount: presets.keyCount, body };
}

/**
 * A hostile signed request as large as the body limit allows (1 MiB): `declarations` namespace declarations on the
 * root and, in the usage-rule list, as many small foreign elements as fit, each using one of those prefixes, so
 * exclusive C14N renders a declaration on every one of them (its canonical form is ~2.3 times its text) and
 * inclusive C14N of a list renders every declaration on the list. One signature with 8 References (the limit), each
 * a different canonical form of the document or a list, with correct digests: the first three cost ~4.3 times the
 * document in canonical XML, then the References' budget (3 × the document + 64 KiB) refuses the fourth. `elements`
 * sets the number of small elements instead (a smaller variant).
 */
export async function hostileSignedCpix(signer, { declarations = 2000, maxBytes = 1024 * 1024, elements } = {}) {
  const prefixes = Array.from({ length: declarations }, (_, i) => `n${i}`).sort();
  const uriOf = (prefix) => `urn:n:${prefix.slice(1)}`;
  const allDeclarations = prefixes.map((prefix) => ` xmlns:${prefix}="${uriOf(prefix)}"`).join("");
  const cpixDeclaration = ` xmlns:cpix="${CPIX_NS}"`;
  const kid = "b3e1c0de-0000-4000-8000-00000000ba5e";
  const keys = `<cpix:ContentKeyList id="keys"><cpix:ContentKey commonEncryptionScheme="cbcs" kid="${kid}"></cpix:ContentKey></cpix:ContentKeyList>`;
  const drm = `<cpix:DRMSystemList id="drm"><cpix:DRMSystem kid="${kid}" systemId="${SYSTEM_IDS.widevine}"><cpix:PSSH></cpix:PSSH></cpix:DRMSystem></cpix:DRMSystemList>`;
  const rule = `<cpix:ContentKeyUsageRule intendedTrackType="ALL" kid="${kid}"></cpix:ContentKeyUsageRule>`;
  // Text and exclusive form of the small elements, `count` of them, prefixes in turn.
  const smalls = (count, exclusive) => {
    const parts = new Array(count);
    for (let i = 0; i < count; i++) {
      const prefix = prefixes[i % prefixes.length];
      parts[i] = exclusive ? `<${prefix}:e xmlns:${prefix}="${uriOf(prefix)}"></${prefix}:e>` : `<${prefix}:e></${prefix}:e>`;
    }
    return parts.join("");
  };
  const rules = (count, apexDeclarations, exclusive) =>
    `<cpix:ContentKeyUsageRuleList${apexDeclarations} id="rules">${rule}${smalls(count, exclusive)}</cpix:ContentKeyUsageRuleList>`;
  const root = (rootDeclarations, content) =>
    `<cpix:CPIX${rootDeclarations} contentId="bench-hostile" version="2.3">${content}</cpix:CPIX>`;
  const documentText = (count) => root(cpixDeclaration + allDeclarations, keys + drm + rules(count, "", false));

  const signatureAllowance = 8 * 1024; // 8 References, a 2048-bit SignatureValue and the certificate
  const perElement = smalls(prefixes.length, false).length / prefixes.length;
  const count = elements ?? Math.floor((maxBytes - signatureAllowance - documentText(0).length) / perElement);
  const xml = documentText(count);
  const inclusiveList = (list) => list.replace(/^(<cpix:\w+)/, `$1${cpixDeclaration}${allDeclarations}`);
  const exclusiveList = (list) => list.replace(/^(<cpix:\w+)/, `$1${cpixDeclaration}`);
  const references = [
    { uri: "", transforms: [ENVELOPED, C14N_10], canonical: xml },
    { uri: "#rules", transforms: [C14N_10], canonical: inclusiveList(rules(count, "", false)) },
    { uri: "#rules", transforms: [EXC_C14N], canonical: rules(count, cpixDeclaration, true) },
    { uri: "", transforms: [ENVELOPED, EXC_C14N], canonical: root(cpixDeclaration, keys + drm + rules(count, "", true)) },
    { uri: "#keys", transforms: [C14N_10], canonical: inclusiveList(keys) },
    { uri: "#keys", transforms: [EXC_C14N], canonical: exclusiveList(keys) },
    { uri: "#drm", transforms: [C14N_10], canonical: inclusiveList(drm) },
    { uri: "#drm", transforms: [EXC_C14N], canonical: exclusiveList(drm) },
  ];
  const body = await signCanonicalRequest(xml, signer, references);
  if (Buffer.byteLength(body) > maxBytes) throw new Error(`the hostile request is ${Buffer.byteLength(body)} bytes, over ${maxBytes}`);
  return { body, declarations, elements: count, canonicalChars: references.slice(0, 4).map((r) => r.canonical.length) };
}
