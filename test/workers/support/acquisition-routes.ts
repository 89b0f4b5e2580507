/**
 * Every tenant-credential acquisition route, each with one valid request in its own shape, so a rule that must hold on
 * every route (document-security settings, a credential's Protocols) is tested across all of them with `describe.each`.
 */
import { SELF } from "cloudflare:test";
import { parseCertificate } from "../../../src/x509/certificate";
import { signCpixDocument } from "../../../src/cpix/security/xml-signature";
import { toBase64Url } from "../../../src/domain/bytes";
import { SYSTEM_IDS } from "../../../src/drm/system-ids";
import { BASE, type TestTenant } from "./api";
import { CPIX_PROTOCOLS, withDeliveryData } from "./cpix-requests";
import type { TestCertificate } from "./make-certificate";
import { postCpix } from "./tenant-with-seed";

/** What a CPIX document request adds to its valid body: a document signature and recipients of encrypted keys. */
export interface DocumentOptions {
  readonly signer?: TestCertificate;
  readonly recipients?: readonly Uint8Array[];
}

/** An acquisition route whose request is a CPIX document: it can carry a signature and DeliveryData. */
export interface DocumentRoute {
  readonly name: string;
  /** The protocol a credential's Protocols must hold for this route. */
  readonly protocol: string;
  send(tenant: TestTenant, options?: DocumentOptions): Promise<Response>;
}

/** An acquisition route whose request is a URL (GET): it carries neither a signature nor a certificate. */
export interface UrlRoute {
  readonly name: string;
  readonly protocol: string;
  send(tenant: TestTenant): Promise<Response>;
}

/** A Harmonic v2 request: no `version`, two keys in two key periods (Axinom Key Service docs, Harmonic). */
const HARMONIC_KIDS = ["7f5a7c8e-1b1d-4c49-9a0b-3f1e2d4c5b6a", "0c3e9d1a-5f2b-4e8d-8a7c-6b5d4e3f2a1b"];
const HARMONIC_REQUEST = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="channel_01">
  <cpix:ContentKeyList>${HARMONIC_KIDS.map((kid) => `<cpix:ContentKey kid="${kid}"/>`).join("")}</cpix:ContentKeyList>
  <cpix:DRMSystemList>${HARMONIC_KIDS.map((kid) => `<cpix:DRMSystem kid="${kid}" systemId="${SYSTEM_IDS.widevine}"/>`).join("")}</cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList>
    <cpix:ContentKeyPeriod id="period_1" index="1"/>
    <cpix:ContentKeyPeriod id="period_2" index="2"/>
  </cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="${HARMONIC_KIDS[0]}"><cpix:KeyPeriodFilter periodId="period_1"/></cpix:ContentKeyUsageRule>
    <cpix:ContentKeyUsageRule kid="${HARMONIC_KIDS[1]}"><cpix:KeyPeriodFilter periodId="period_2"/></cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;

/** A Broadpeak request: plain CPIX with a content id (Axinom Key Service docs, Broadpeak). */
const BROADPEAK_KID = "af1ed63c-5784-460b-9e51-309dd47b7d9c";
const BROADPEAK_REQUEST = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="channel-1">
  <cpix:ContentKeyList><cpix:ContentKey kid="${BROADPEAK_KID}"/></cpix:ContentKeyList>
  <cpix:DRMSystemList><cpix:DRMSystem kid="${BROADPEAK_KID}" systemId="${SYSTEM_IDS.widevine}"/></cpix:DRMSystemList>
</cpix:CPIX>`;

/** `xml` signed over the whole document (Reference URI="") by `signer`, as a packager with a signing key sends it. */
export async function signedDocument(xml: string, signer: TestCertificate): Promise<string> {
  const parsed = parseCertificate(signer.der);
  if (!parsed.ok) throw new Error("test certificate unreadable");
  const signed = await signCpixDocument(
    xml,
    { privateKey: await signer.signingKey("SHA-256"), certificate: parsed.certificate },
    new Date(),
  );
  if (!signed.ok) throw new Error(JSON.stringify(signed.failure));
  return signed.xml;
}

function documentRoute(name: string, protocol: string, path: string, valid: string, headers: Record<string, string> = {}): DocumentRoute {
  return {
    name,
    protocol,
    async send(tenant, options = {}) {
      const body = options.recipients ? withDeliveryData(valid, options.recipients) : valid;
      return postCpix(tenant, path, options.signer ? await signedDocument(body, options.signer) : body, headers);
    },
  };
}

const cpixCase = (name: string) => CPIX_PROTOCOLS.find((protocol) => protocol.name === name)!;

/** SPEKE v2.0 and v2.1, SPEKE v1, plain CPIX, Broadpeak and Harmonic: the POST routes taking a CPIX document. */
export const DOCUMENT_ROUTES: readonly DocumentRoute[] = [
  ...["SPEKE v2.0", "SPEKE v2.1"].map((name) => {
    const protocol = cpixCase(name);
    return documentRoute(name, "SpekeV2", protocol.path, protocol.valid, protocol.headers);
  }),
  documentRoute("SPEKE v1", "Speke", "/api/Speke", cpixCase("SPEKE v1").valid),
  documentRoute("plain CPIX", "Cpix", "/api/Cpix", cpixCase("plain CPIX").valid),
  documentRoute("Broadpeak", "Broadpeak", "/api/Broadpeak", BROADPEAK_REQUEST),
  documentRoute("Harmonic", "Harmonic", "/api/Harmonic/v2", HARMONIC_REQUEST),
];

function get(tenant: TestTenant, path: string): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { headers: { Authorization: tenant.authorization } });
}

const ANEVIA_CONFIG = { ContentKeyIds: [BROADPEAK_KID], DrmSystemIds: [SYSTEM_IDS.widevine.toString()] };

/** CPIX GET and Anevia: the GET routes answered with Basic credentials. */
export const URL_ROUTES: readonly UrlRoute[] = [
  {
    name: "CPIX GET",
    protocol: "CpixGet",
    send: (tenant) => get(tenant, "/api/Cpix/c1?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b&drm=widevine"),
  },
  {
    name: "Anevia",
    protocol: "Anevia",
    send: (tenant) => get(tenant, `/api/Anevia?id=${toBase64Url(new TextEncoder().encode(JSON.stringify(ANEVIA_CONFIG)))}`),
  },
];

/** Every protocol a credential's Protocols can name. */
export const ACQUISITION_PROTOCOL_NAMES = ["SpekeV2", "Speke", "Cpix", "CpixGet", "Harmonic", "Anevia", "Broadpeak"] as const;
