import type { ProtectionScheme } from "../../domain/protection-scheme";
import type {
  CpixAnswerDocument,
  CpixAnswerDrmSystem,
  CpixContentKey,
  CpixContentKeyUsageRule,
  CpixDocument,
  CpixDrmSystem,
} from "../../cpix/model";
import type { DrmSignalling } from "../../drm/signalling";
import type { MacKeyShape } from "../../cpix/security/delivery-encryption";
import type { AcquisitionFailure } from "./failure";
import type { SpekeV2Version } from "./profiles/speke-v2-rules";

/**
 * The name each CPIX profile is logged under (the issuance record's `protocol`): SPEKE v1 and v2.x, plain CPIX (also
 * as a CPIX 2.2-style document on /SpekeV2), CPIX GET, and the vendor dialects.
 */
export type CpixProfileName =
  "speke-v1" | `speke-v${SpekeV2Version}` | "cpix" | "cpix-via-speke-v2" | "cpix-get" | "anevia" | "broadpeak" | "harmonic";

/**
 * One CPIX acquisition protocol (SPEKE v2, SPEKE v1, plain CPIX, CPIX GET, and vendor dialects of CPIX): how its
 * requests are checked, which parts name its stable Key IDs, and how it fills a DRMSystem. The route chooses the
 * profile; `acquireCpixDocument` takes every profile through the same steps (check, override Key IDs, derive keys,
 * signal, fill, write). Profiles are module-level constants: a request builds none.
 */
export interface CpixProfile {
  /** The protocol's name in the issuance log. */
  readonly name: CpixProfileName;

  /**
   * How `DeliveryData/MACMethod/Key` is written when the request asks for encrypted keys (CPIX 2.3 §DeliveryData
   * Element): `aws` on the SPEKE endpoints, `xmlenc` for plain CPIX. The endpoint's profile decides, not the one a
   * document is answered as.
   */
  readonly macKeyShape: MacKeyShape;

  /**
   * The profile that answers this document instead, when the protocol hands some documents to another (SPEKE v2
   * answers a CPIX 2.2-style document as plain CPIX); undefined means this one.
   */
  answeredAs?(request: CpixDocument): CpixProfile | undefined;

  /**
   * The first of the protocol's rules the request breaks, checked in the order of its error table so each refusal
   * carries its exact message; undefined when it keeps them all. Must include `checkKeysAndSystems`
   * (structure.ts): answering relies on every DRMSystem naming a ContentKey of the document.
   */
  check(request: CpixDocument): AcquisitionFailure | undefined;

  /** The scheme a checked key is signalled for; undefined means the key serves every scheme (plain CPIX). */
  schemeOf(key: CpixContentKey): ProtectionScheme | undefined;

  /**
   * The parts after the tenant that make key number `index`'s stable Key ID when the request asks for
   * `?overrideKeyIds=true` (`stableKeyId`; the README lists each protocol's parts). `period` names the
   * ContentKeyPeriod the key's usage `rule` filters on ("0" without one). The first part names the protocol, so
   * SPEKE v1, SPEKE v2 and plain CPIX never share a Key ID (CPIX GET overrides as plain CPIX does).
   */
  stableKeyIdParts(
    request: CpixDocument,
    key: CpixContentKey,
    index: number,
    period: string,
    rule: CpixContentKeyUsageRule | undefined,
  ): readonly string[];

  /** The response's DRMSystem for one of the request's, filled with the signalling built for its key and scheme. */
  fillDrmSystem(system: CpixDrmSystem, signalling: DrmSignalling, request: CpixDocument): CpixAnswerDrmSystem;

  /** The filled document as the protocol sends it, when that differs (SPEKE v2 leaves CPIX@id out). */
  finishResponse?(response: CpixAnswerDocument): CpixAnswerDocument;
}

/** A profile whose requests are URLs (GET) rather than CPIX bodies: it builds the request document from the URL. */
export interface CpixUrlProfile extends CpixProfile {
  /** The CPIX request a URL stands for, or why the URL asks for nothing this profile can answer. */
  requestFromUrl(url: CpixRequestUrl, tenantId: string): Promise<CpixUrlRequest>;
}

/** What a URL profile may read from the request URL. */
export interface CpixRequestUrl {
  /** A path parameter of the route (e.g. `contentId` of `/Cpix/{contentId}`). */
  param(name: string): string | undefined;
  /** Every value of a query parameter, in order (none: an empty list). */
  queries(name: string): readonly string[];
}

export type CpixUrlRequest =
  { readonly ok: true; readonly document: CpixDocument } | { readonly ok: false; readonly failure: AcquisitionFailure };
