/**
 * Signed CPIX requests as a trusted requester sends them, made without the service's own XML code: each request is
 * written already in exclusive canonical form (W3C REC-xml-exc-c14n-20020718: no XML declaration, namespace
 * declarations first on the element that uses them, attributes sorted, explicit end tags), so the digest of a
 * `Reference URI=""` is the SHA-256 of the text itself and a list's is that of its text with `xmlns:cpix` added.
 * Also the byte gadgets an attacker adds to a signed request (issue 24): a processing instruction whose quoted
 * pseudo-attribute runs past `?>` in txml but not in XML 1.0 §2.6, next to a CDATA section and a comment, so the
 * reader's tree and the signature's tree differ while the canonical form stays what was signed.
 */
import { toBase64, utf8 } from "../../../src/domain/bytes";
import { SYSTEM_IDS } from "../../../src/drm/system-ids";
import { api, type TestTenant } from "./api";
import { createCredential } from "./credentials";
import type { TestCertificate } from "./make-certificate";

const CPIX_NS = "urn:dashif:org:cpix";
const DS_NS = "http://www.w3.org/2000/09/xmldsig#";
/** Exclusive C14N, RSASSA-PKCS1-v1_5 with SHA-256, SHA-256, enveloped signature (CPIX 2.3 §Mandatory Algorithms). */
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const WIDEVINE = SYSTEM_IDS.widevine.toString();

/** One recipient of encrypted keys: `DeliveryData@id` and its DER certificate. */
export interface Recipient {
  readonly id: string;
  readonly der: Uint8Array;
}

export interface RequestOptions {
  readonly contentId?: string;
  /** Track type per KID (VIDEO, AUDIO), in document order. */
  readonly keys: readonly (readonly [kid: string, track: "VIDEO" | "AUDIO"])[];
  readonly recipients?: readonly Recipient[];
  /** `ContentKeyList@id`, for signatures over the list (`Reference URI="#…"`). */
  readonly contentKeyListId?: string;
}

/** `DeliveryData` for one recipient, in canonical form (`xmlns:ds` where `ds:` is first used). */
export function deliveryData(recipient: Recipient): string {
  return (
    `<cpix:DeliveryData id="${recipient.id}"><cpix:DeliveryKey><ds:X509Data xmlns:ds="${DS_NS}">` +
    `<ds:X509Certificate>${toBase64(recipient.der)}</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData>`
  );
}

/** The three entries a SPEKE v2 request has for one key: ContentKey, DRMSystem (Widevine), usage rule. */
export function keyEntries(kid: string, track: "VIDEO" | "AUDIO") {
  return {
    contentKey: `<cpix:ContentKey commonEncryptionScheme="cenc" kid="${kid}"></cpix:ContentKey>`,
    drmSystem: `<cpix:DRMSystem kid="${kid}" systemId="${WIDEVINE}"><cpix:PSSH></cpix:PSSH></cpix:DRMSystem>`,
    usageRule:
      `<cpix:ContentKeyUsageRule intendedTrackType="${track}" kid="${kid}">` +
      `<cpix:${track === "VIDEO" ? "Video" : "Audio"}Filter></cpix:${track === "VIDEO" ? "Video" : "Audio"}Filter></cpix:ContentKeyUsageRule>`,
  };
}

/** A SPEKE v2.0 request (CPIX 2.3) in exclusive canonical form. */
export function canonicalRequest(options: RequestOptions): string {
  const entries = options.keys.map(([kid, track]) => keyEntries(kid, track));
  const list = (name: string, items: string[], id?: string) =>
    `  <cpix:${name}${id === undefined ? "" : ` id="${id}"`}>\n${items.map((item) => `    ${item}\n`).join("")}  </cpix:${name}>\n`;
  const recipients = options.recipients ?? [];
  return (
    `<cpix:CPIX xmlns:cpix="${CPIX_NS}" contentId="${options.contentId ?? "content-1"}" version="2.3">\n` +
    (recipients.length > 0 ? list("DeliveryDataList", recipients.map(deliveryData)) : "") +
    list(
      "ContentKeyList",
      entries.map((entry) => entry.contentKey),
      options.contentKeyListId,
    ) +
    list(
      "DRMSystemList",
      entries.map((entry) => entry.drmSystem),
    ) +
    list(
      "ContentKeyUsageRuleList",
      entries.map((entry) => entry.usageRule),
    ) +
    `</cpix:CPIX>`
  );
}

/**
 * Appends one enveloped `ds:Signature` by `signer` as the root's last child, with one Reference per URI (`""` for the
 * document, `#id` for a list of the request), each digested over its canonical form. `xml` must be canonical, its
 * earlier signatures included (those this function writes are).
 */
export async function signRequest(xml: string, signer: TestCertificate, uris: readonly string[] = [""]): Promise<string> {
  const end = xml.lastIndexOf("</cpix:CPIX>");
  if (end === -1) throw new Error("not a cpix:CPIX document");
  let references = "";
  for (const uri of uris) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(uri === "" ? xml : canonicalListById(xml, uri.slice(1)))));
    references +=
      `<ds:Reference URI="${uri}"><ds:Transforms><ds:Transform Algorithm="${ENVELOPED}"></ds:Transform>` +
      `<ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms>` +
      `<ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod><ds:DigestValue>${toBase64(digest)}</ds:DigestValue></ds:Reference>`;
  }
  const signedInfo =
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${RSA_SHA256}"></ds:SignatureMethod>${references}</ds:SignedInfo>`;
  // Exclusive C14N of SignedInfo alone: `ds` is declared on it, its first visible use (exc-c14n §3).
  const canonicalSignedInfo = signedInfo.replace("<ds:SignedInfo>", `<ds:SignedInfo xmlns:ds="${DS_NS}">`);
  const value = new Uint8Array(
    await crypto.subtle.sign("RSASSA-PKCS1-v1_5", await signer.signingKey("SHA-256"), utf8(canonicalSignedInfo)),
  );
  const signature =
    `<ds:Signature xmlns:ds="${DS_NS}">${signedInfo}<ds:SignatureValue>${toBase64(value)}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${toBase64(signer.der)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>`;
  return `${xml.slice(0, end)}${signature}${xml.slice(end)}`;
}

/** The canonical form of the `cpix:` element carrying `id`: its text with `xmlns:cpix` declared on it. */
function canonicalListById(xml: string, id: string): string {
  const start = new RegExp(`<cpix:(\\w+) id="${id}">`).exec(xml);
  if (!start) throw new Error(`no element with id ${id}`);
  const close = `</cpix:${start[1]}>`;
  const text = xml.slice(start.index, xml.indexOf(close, start.index) + close.length);
  return text.replace(`<cpix:${start[1]} `, `<cpix:${start[1]} xmlns:cpix="${CPIX_NS}" `);
}

/**
 * Markup the reader (txml over the bytes) reads as elements and the signature's tree (txml after CDATA sections are
 * rewritten as text) reads as one processing instruction, which canonicalization leaves out. XML 1.0 sees a PI,
 * a CDATA section holding `markup` and an empty comment: well-formed. `markup` must hold no `'`, `]]>` or `-->`.
 */
export function onlyReaderSees(markup: string): string {
  return `<?x a='?><![CDATA['?>${markup}<!--]]><!---->`;
}

/**
 * Markup the signature's tree reads as elements and the reader reads as the inside of a comment opened within the
 * CDATA section. XML 1.0 sees a PI, a CDATA section, a PI, `markup` and an empty comment.
 */
export function onlySignatureSees(markup: string): string {
  return `<?x a='?><![CDATA['?><!--]]><?y?>${markup}<!---->`;
}

/** `xml` with `insertion` placed right after the first occurrence of `anchor`; fails loudly when it is not there. */
export function insertAfter(xml: string, anchor: string, insertion: string): string {
  const at = xml.indexOf(anchor);
  if (at === -1) throw new Error(`${anchor} not found`);
  return `${xml.slice(0, at + anchor.length)}${insertion}${xml.slice(at + anchor.length)}`;
}

/**
 * A tenant with `RequireSignedRequests` on and `trusted` as its only trusted requester, and the attacker's view of
 * it: an `acquire`-only credential.
 */
export async function signedRequestsTenant<T extends TestTenant>(
  tenant: T,
  trusted: TestCertificate,
  settings: Record<string, unknown> = {},
): Promise<{ tenant: T; attacker: TestTenant }> {
  const added = await api(tenant, "POST", "/api/TrustedRequesters", { Certificate: toBase64(trusted.der) });
  if (added.status !== 201) throw new Error(`trusted requester refused: ${added.status}`);
  const put = await api(tenant, "PUT", "/api/Settings", { RequireSignedRequests: true, ...settings });
  if (put.status !== 200) throw new Error(`settings refused: ${put.status} ${await put.text()}`);
  const { as } = await createCredential(tenant, { Name: "packager", Scopes: ["acquire"] });
  return { tenant, attacker: as };
}
