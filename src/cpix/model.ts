/**
 * A CPIX document as plain typed data: what `readCpix` returns and `writeCpix` renders. No XML nodes live here.
 *
 * Clauses are cited by name from the DASH-IF CPIX specification (github.com/Dash-Industry-Forum/CPIX, Cpix.bs.md;
 * clause numbers differ between releases, names do not) and its XSDs (`XmlSchema/cpix.xsd` at each release tag of that repository).
 * Binary-valued elements hold the decoded bytes of their base64 text; a present but empty element (the
 * placeholders SPEKE encryptors send, e.g. `<cpix:PSSH/>`) holds zero bytes, an absent one is `undefined`.
 * The key-delivery types (DeliveryData, encrypted values) are in `model-delivery.ts`.
 *
 * An answer this service builds (`CpixAnswerDocument`) may hold its signalling text (ContentProtectionData,
 * HLSSignalingData) already in base64 form as a `Base64Value`; the writer renders both forms alike, and a document
 * read back holds bytes again.
 */
import type { Base64Value } from "../domain/base64-value";
import type { ContentKey, Iv } from "../domain/content-key";
import type { KeyId } from "../domain/key-id";
import type { SchemeName } from "../domain/protection-scheme";
import type { SystemId } from "../domain/system-id";
import type { CpixDeliveryData, CpixEncryptedValue } from "./model-delivery";

/** A signalling payload: its bytes (as read), or in an answer being built, its base64 already made from its text. */
export type CpixSignallingValue = Uint8Array | Base64Value;

/**
 * The root `CPIX` element, CPIX 2.3 §CPIX Element. Children are kept per list; list order is not significant.
 * `Signalling` is the form of the DRMSystems' signalling payloads: bytes in a document read, either form in an answer.
 */
export interface CpixDocument<Signalling extends CpixSignallingValue = Uint8Array> {
  /** `@id` (xs:ID). SPEKE v1 carries the resource id here, often not an NCName (e.g. `5E99137A-…`). */
  readonly id?: string;
  /** `@contentId`, CPIX 2.3 §CPIX Element; mandatory and immutable in SPEKE v2 (speke-constraints-v2). */
  readonly contentId?: string;
  /** `@name`, CPIX 2.3 §CPIX Element. */
  readonly name?: string;
  /** `@version` as given ("2.3", "2.4", even "4.0"), CPIX 2.3 §CPIX Element; absent before CPIX 2.3. */
  readonly version?: string;
  /** `DeliveryDataList`: recipients of encrypted keys, CPIX 2.3 §DeliveryDataList Element. */
  readonly deliveryDataList?: CpixList<CpixDeliveryData>;
  /** `ContentKeyList`, CPIX 2.3 §ContentKeyList Element. */
  readonly contentKeyList?: CpixList<CpixContentKey>;
  /** `DRMSystemList`, CPIX 2.3 §DRMSystemList Element. */
  readonly drmSystemList?: CpixList<CpixDrmSystem<Signalling>>;
  /** `ContentKeyPeriodList`, CPIX 2.3 §ContentKeyPeriodList Element. */
  readonly contentKeyPeriodList?: CpixList<CpixContentKeyPeriod>;
  /** `ContentKeyUsageRuleList`, CPIX 2.3 §ContentKeyUsageRuleList Element. */
  readonly contentKeyUsageRuleList?: CpixList<CpixContentKeyUsageRule>;
  /** `UpdateHistoryItemList`, CPIX 2.3 §UpdateHistoryItemList Element (ignored by SPEKE, kept for echo). */
  readonly updateHistoryItemList?: CpixUpdateHistoryItemList;
}

/** Any of the `…List` containers: `@id`, `@updateVersion` and the items in document order. */
export interface CpixList<T> {
  /** `@id` (xs:ID). */
  readonly id?: string;
  /** `@updateVersion` (xs:integer), pointing at an UpdateHistoryItem. */
  readonly updateVersion?: number;
  readonly items: readonly T[];
}

/** `ContentKey`, CPIX 2.3 §ContentKey Element (a PSKC KeyType extension up to 2.3, a plain element in 2.4). */
export interface CpixContentKey {
  /** `@kid` (UUID), CPIX 2.3 §ContentKey Element. */
  readonly kid: KeyId;
  /** `@id` (xs:ID). */
  readonly id?: string;
  /** `@Algorithm`, inherited from RFC 6030 KeyType (not in CPIX 2.4). */
  readonly algorithm?: string;
  /** `@explicitIV`: base64 of an 8- or 16-byte IV, CPIX 2.3 §ContentKey Element ("128-bit value") and ISO/IEC 23001-7 §9.1. */
  readonly explicitIV?: Iv;
  /** `@dependsOnKey`: the root key of a key hierarchy (UUID), CPIX 2.3 §ContentKey Element. */
  readonly dependsOnKey?: KeyId;
  /**
   * `@commonEncryptionScheme`, CPIX 2.3 §ContentKey Element: a 4CC (`cenc`, `cbc1`, `cens`, `cbcs`) or, from CPIX
   * 2.3.1/2.4, an HLS METHOD name (`AES-128`, `SAMPLE-AES`, `SAMPLE-AES-CTR`), in its canonical spelling. Which
   * names a request may use depends on its protocol and version, so the protocol checks that.
   */
  readonly commonEncryptionScheme?: SchemeName;
  /** `@contentId`, CPIX 2.4 §ContentKey Element. */
  readonly contentId?: string;
  /** `HDCPData`, CPIX 2.4 §HDCPData Element. */
  readonly hdcpData?: CpixHdcpData;
  /** The clear key: `Data/pskc:Secret/pskc:PlainValue`, RFC 6030 §4.3.1. An empty PlainValue counts as absent. */
  readonly value?: ContentKey;
  /** The encrypted key: `Data/pskc:Secret/pskc:EncryptedValue` + `pskc:ValueMAC`, CPIX 2.3 §Key Management. */
  readonly encryptedValue?: CpixEncryptedValue;
}

/** `HDCPData`, CPIX 2.4 §HDCPData Element. */
export interface CpixHdcpData {
  /** `@HLSHDCPLevel`. */
  readonly hlsHdcpLevel?: string;
  /** `HDCPOutputProtectionData` (base64). */
  readonly outputProtectionData?: Uint8Array;
}

/** An answer as this service builds it, before the writer renders it: signalling payloads in either form. */
export type CpixAnswerDocument = CpixDocument<CpixSignallingValue>;

/** A DRMSystem of an answer being built (`CpixAnswerDocument`). */
export type CpixAnswerDrmSystem = CpixDrmSystem<CpixSignallingValue>;

/** `DRMSystem`: the signalling of one DRM system for one key, CPIX 2.3 §DRMSystem Element. */
export interface CpixDrmSystem<Signalling extends CpixSignallingValue = Uint8Array> {
  /** `@systemId` (UUID), compared as bytes (PallyCon sends it upper-case). */
  readonly systemId: SystemId;
  /** `@kid` (UUID): the ContentKey this signalling belongs to. */
  readonly kid: KeyId;
  /** `@id` (xs:ID). */
  readonly id?: string;
  /** `@updateVersion`. */
  readonly updateVersion?: number;
  /** `@name`: human-readable DRM name, usable as ContentProtection@value. */
  readonly name?: string;
  /** `@HLSAllowedCPC`, CPIX 2.4 §DRMSystem Element. */
  readonly hlsAllowedCpc?: string;
  /** `PSSH`: the full `pssh` box. */
  readonly pssh?: Uint8Array;
  /** `ContentProtectionData`: UTF-8 XML to put under the MPD's ContentProtection element. */
  readonly contentProtectionData?: Signalling;
  /** `ContentProtectionData@robustness`, CPIX 2.4 §DRMSystem Element. */
  readonly contentProtectionDataRobustness?: string;
  /** `URIExtXKey`: the URI of `#EXT-X-KEY` (deprecated in 2.3, removed in 2.4; used by SPEKE v1). */
  readonly uriExtXKey?: Uint8Array;
  /** `HLSSignalingData` (0…2), CPIX 2.3 §HLSSignalingData Element. */
  readonly hlsSignalingData: readonly CpixHlsSignalingData<Signalling>[];
  /** `SmoothStreamingProtectionHeaderData`: base64 PlayReady header for the Smooth manifest (xs:string in the XSD). */
  readonly smoothStreamingProtectionHeaderData?: Uint8Array;
  /** `HDSSignalingData` (removed in 2.4). */
  readonly hdsSignalingData?: Uint8Array;
  /** SPEKE v1 extension elements (AWS SPEKE v1, live-workflow-methods: base64 values). */
  readonly speke?: SpekeV1Signaling;
  /** Other-namespace extension elements ("shall appear after any elements defined here"), kept for echo. */
  readonly extensions: readonly CpixExtensionElement[];
}

/**
 * `HLSSignalingData@playlist`: `media` or `master` (CPIX 2.2/2.3), `multiVariant` (2.4's name for master),
 * `variant` (CPIX 2.1's enumeration). Absent means the media playlist only.
 */
export type HlsPlaylist = "media" | "master" | "multiVariant" | "variant";

/** One `HLSSignalingData`: the full `#EXT-X-KEY` / `#EXT-X-SESSION-KEY` text, CPIX 2.3 §HLSSignalingData Element. */
export interface CpixHlsSignalingData<Signalling extends CpixSignallingValue = Uint8Array> {
  /** `@playlist`. */
  readonly playlist?: HlsPlaylist;
  /** `@allowedCPC`, CPIX 2.4 §HLSSignalingData Element. */
  readonly allowedCpc?: string;
  readonly data: Signalling;
}

/** `speke:*` children of a DRMSystem in SPEKE v1 (namespace `urn:aws:amazon:com:speke`), each base64. */
export interface SpekeV1Signaling {
  /** `speke:KeyFormat`, e.g. base64("identity") or base64("com.apple.streamingkeydelivery"). */
  readonly keyFormat?: Uint8Array;
  /** `speke:KeyFormatVersions`, e.g. base64("1"). */
  readonly keyFormatVersions?: Uint8Array;
  /** `speke:ProtectionHeader`: the PlayReady Object for Smooth Streaming. */
  readonly protectionHeader?: Uint8Array;
}

/** `ContentKeyPeriod`, CPIX 2.3 §ContentKeyPeriod Element (+ CPIX 2.4 attributes). Times are kept as written. */
export interface CpixContentKeyPeriod {
  /** `@id` (xs:ID), referenced by KeyPeriodFilter@periodId. */
  readonly id?: string;
  /** `@index` (xs:integer): the only attribute SPEKE v1/v2.0 use. */
  readonly index?: number;
  /** `@start` (xs:dateTime, live), start of [start, end). */
  readonly start?: string;
  /** `@end` (xs:dateTime, live). */
  readonly end?: string;
  /** `@label`, CPIX 2.4. */
  readonly label?: string;
  /** `@startOffset` (xs:duration, VOD), CPIX 2.4 / SPEKE v2.1. */
  readonly startOffset?: string;
  /** `@endOffset` (xs:duration, VOD), CPIX 2.4 / SPEKE v2.1. */
  readonly endOffset?: string;
  /** `@duration` (xs:duration), CPIX 2.4. */
  readonly duration?: string;
}

/** `ContentKeyUsageRule`, CPIX 2.3 §ContentKeyUsageRule Element: maps a key to content key contexts. */
export interface CpixContentKeyUsageRule {
  /** `@kid` (UUID). */
  readonly kid: KeyId;
  /** `@id` (xs:ID). */
  readonly id?: string;
  /** `@intendedTrackType` as given, e.g. `VIDEO`, `SD+HD1`, `ALL` (SPEKE v2 encryption contract). */
  readonly intendedTrackType?: string;
  /** `KeyPeriodFilter@periodId`, CPIX 2.3 §KeyPeriodFilter Element. */
  readonly keyPeriodFilters: readonly { readonly periodId: string }[];
  /** `LabelFilter@label`, CPIX 2.3 §LabelFilter Element. */
  readonly labelFilters: readonly { readonly label: string }[];
  readonly videoFilters: readonly CpixVideoFilter[];
  readonly audioFilters: readonly CpixAudioFilter[];
  readonly bitrateFilters: readonly CpixBitrateFilter[];
  /** Proprietary filters (other namespaces); a rule holding one is "unusable" (CPIX 2.3 §Usage Rules Filters). */
  readonly extensions: readonly CpixExtensionElement[];
}

/** `VideoFilter`, CPIX 2.3 §VideoFilter Element: pixels inclusive [min, max], fps (min, max]. */
export interface CpixVideoFilter {
  readonly minPixels?: number;
  readonly maxPixels?: number;
  readonly hdr?: boolean;
  readonly wcg?: boolean;
  readonly minFps?: number;
  readonly maxFps?: number;
}

/** `AudioFilter`, CPIX 2.3 §AudioFilter Element: channels inclusive. */
export interface CpixAudioFilter {
  readonly minChannels?: number;
  readonly maxChannels?: number;
}

/** `BitrateFilter`, CPIX 2.3 §BitrateFilter Element: bits per second, inclusive. */
export interface CpixBitrateFilter {
  readonly minBitrate?: number;
  readonly maxBitrate?: number;
}

/** `UpdateHistoryItemList`, CPIX 2.3 §UpdateHistoryItemList Element (it has no @updateVersion). */
export interface CpixUpdateHistoryItemList {
  readonly id?: string;
  readonly items: readonly CpixUpdateHistoryItem[];
}

/** `UpdateHistoryItem`, CPIX 2.3 §UpdateHistoryItem Element; all but `@id` are mandatory. */
export interface CpixUpdateHistoryItem {
  readonly id?: string;
  readonly updateVersion: number;
  readonly index: string;
  readonly source: string;
  /** `@date` (xs:dateTime) as written. */
  readonly date: string;
}

/** A foreign element kept verbatim for echo (an `xs:any namespace="##other"` slot). Comments are not kept. */
export interface CpixExtensionElement {
  /** Namespace URI; "" for no namespace. */
  readonly namespace: string;
  readonly localName: string;
  readonly attributes: readonly { readonly namespace: string; readonly localName: string; readonly value: string }[];
  readonly children: readonly CpixExtensionElement[];
  /** Text content (trimmed), when the element has any. */
  readonly text: string;
}
