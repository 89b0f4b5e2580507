/**
 * `writeCpix`: a CpixDocument → CPIX XML with `cpix:`/`pskc:` prefixes (plus `enc:`, `ds:`, `speke:` when used),
 * children in the XSD sequence order (identical across CPIX 2.1–2.4 for the elements each version has), keys in
 * `cpix:Data/pskc:Secret/pskc:PlainValue`, binary values as base64. It renders exactly what the model holds: a
 * protocol builds a model valid for its CPIX version (no `version` before 2.3, `multiVariant` and no URIExtXKey in
 * 2.4, no `speke:` in SPEKE v2), and the output then validates against that version's XSD.
 * Round trip: `readCpix(writeCpix(doc))` gives back `doc`.
 */
import type { Base64Value } from "../domain/base64-value";
import type { CpixAnswerDocument, CpixAnswerDrmSystem, CpixContentKeyUsageRule, CpixExtensionElement, CpixList } from "./model";
import { CPIX_NS, PSKC_NS, SPEKE_NS } from "./namespaces";
import { writeContentKey, writeDeliveryData } from "./write-key-material";
import { PrefixAllocator, renderAttributes, XmlBuilder, XmlLengthExceeded, type XmlAttributes } from "./xml-builder";
import { escapeXmlText } from "../xml/escape";

export interface WriteCpixOptions {
  /** Indent nested elements (two spaces per level) on separate lines. Default true. */
  readonly pretty?: boolean;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * Renders a CPIX document as UTF-8 XML text.
 * @example
 * const xml = writeCpix({ ...request, contentKeyList: { items: keysWithValues } });
 */
export function writeCpix(document: CpixAnswerDocument, options: WriteCpixOptions = {}): string {
  return render(document, options, Number.POSITIVE_INFINITY);
}

/**
 * Like `writeCpix`, but stops as soon as the text would pass `maxLength` characters and returns undefined, so an
 * answer over a size budget is never built whole.
 * @example const xml = writeCpixWithin(document, MAX_ANSWER_BYTES); if (xml === undefined) refuse();
 */
export function writeCpixWithin(document: CpixAnswerDocument, maxLength: number, options: WriteCpixOptions = {}): string | undefined {
  try {
    return render(document, options, maxLength);
  } catch (error) {
    if (error instanceof XmlLengthExceeded) return undefined;
    throw error;
  }
}

/**
 * The characters the writer spends on a DRMSystem's signalling values (base64 of every binary child), which is
 * nearly all of a filled DRMSystem: a protocol adds them up while it fills a response, to stop before building
 * more than its size budget.
 */
export function drmSystemValueLength(drm: CpixAnswerDrmSystem): number {
  const base64Length = (value: Uint8Array | Base64Value | undefined) =>
    value === undefined ? 0 : value instanceof Uint8Array ? 4 * Math.ceil(value.length / 3) : value.base64.length;
  let length =
    base64Length(drm.pssh) +
    base64Length(drm.contentProtectionData) +
    base64Length(drm.uriExtXKey) +
    base64Length(drm.smoothStreamingProtectionHeaderData) +
    base64Length(drm.hdsSignalingData) +
    base64Length(drm.speke?.keyFormat) +
    base64Length(drm.speke?.keyFormatVersions) +
    base64Length(drm.speke?.protectionHeader);
  for (const signaling of drm.hlsSignalingData) length += base64Length(signaling.data);
  return length;
}

function render(document: CpixAnswerDocument, options: WriteCpixOptions, maxLength: number): string {
  const indent = options.pretty === false ? "" : "  ";
  const prefixes = new PrefixAllocator();
  prefixes.prefixFor(CPIX_NS); // SPEKE v2 test suite: cpix and pskc are declared on every response
  prefixes.prefixFor(PSKC_NS);
  const xml = new XmlBuilder(prefixes, indent, 1, maxLength);
  writeList(xml, "DeliveryDataList", document.deliveryDataList, (item) => writeDeliveryData(xml, item));
  writeList(xml, "ContentKeyList", document.contentKeyList, (item) => writeContentKey(xml, item));
  writeList(xml, "DRMSystemList", document.drmSystemList, (item) => writeDrmSystem(xml, item));
  writeList(xml, "ContentKeyPeriodList", document.contentKeyPeriodList, (period) =>
    xml.leaf(CPIX_NS, "ContentKeyPeriod", [
      ["id", period.id],
      ["index", period.index],
      ["start", period.start],
      ["end", period.end],
      ["label", period.label],
      ["startOffset", period.startOffset],
      ["endOffset", period.endOffset],
      ["duration", period.duration],
    ]),
  );
  writeList(xml, "ContentKeyUsageRuleList", document.contentKeyUsageRuleList, (rule) => writeUsageRule(xml, rule));
  writeList(xml, "UpdateHistoryItemList", document.updateHistoryItemList, (item) =>
    xml.leaf(CPIX_NS, "UpdateHistoryItem", [
      ["id", item.id],
      ["updateVersion", item.updateVersion],
      ["index", item.index],
      ["source", item.source],
      ["date", item.date],
    ]),
  );
  const root = prefixes.qualify(CPIX_NS, "CPIX");
  const rootAttributes: XmlAttributes = [
    ["id", document.id],
    ["contentId", document.contentId],
    ["name", document.name],
    ["version", document.version],
    ...prefixes.declarations(),
  ];
  const rootStart = `<${root}${renderAttributes(rootAttributes)}`;
  // Every line, the root's included, joined once.
  xml.enclose(`${rootStart}>`, `</${root}>`, `${rootStart}/>`);
  const text = xml.document(XML_DECLARATION);
  if (text.length > maxLength) throw new XmlLengthExceeded(maxLength);
  return text;
}

/** A `…List` element (absent when the model has none) with its `@id`/`@updateVersion`. */
function writeList<T>(
  xml: XmlBuilder,
  name: string,
  list: (Omit<CpixList<T>, "updateVersion"> & { readonly updateVersion?: number }) | undefined,
  writeItem: (item: T) => void,
): void {
  if (!list) return;
  const attributes = [
    ["id", list.id],
    ["updateVersion", list.updateVersion],
  ] as const;
  if (list.items.length === 0) return xml.leaf(CPIX_NS, name, attributes);
  xml.open(CPIX_NS, name, attributes);
  list.items.forEach(writeItem);
  xml.close(CPIX_NS, name);
}

/** `DRMSystem`: PSSH, ContentProtectionData, URIExtXKey, HLSSignalingData*, SmoothStreaming…, HDS…, then extensions. */
function writeDrmSystem(xml: XmlBuilder, drm: CpixAnswerDrmSystem): void {
  xml.open(CPIX_NS, "DRMSystem", [
    ["id", drm.id],
    ["updateVersion", drm.updateVersion],
    ["systemId", drm.systemId.toString()],
    ["kid", drm.kid.toString()],
    ["name", drm.name],
    ["HLSAllowedCPC", drm.hlsAllowedCpc],
  ]);
  const binary = (name: string, value: Uint8Array | Base64Value | undefined, attributes: XmlAttributes = []) => {
    if (value) xml.binaryLeaf(CPIX_NS, name, attributes, value);
  };
  binary("PSSH", drm.pssh);
  binary("ContentProtectionData", drm.contentProtectionData, [["robustness", drm.contentProtectionDataRobustness]]);
  binary("URIExtXKey", drm.uriExtXKey);
  for (const signaling of drm.hlsSignalingData) {
    binary("HLSSignalingData", signaling.data, [
      ["playlist", signaling.playlist],
      ["allowedCPC", signaling.allowedCpc],
    ]);
  }
  binary("SmoothStreamingProtectionHeaderData", drm.smoothStreamingProtectionHeaderData);
  binary("HDSSignalingData", drm.hdsSignalingData);
  // SPEKE v1 elements sit in the XSD's trailing ##other slot, after every cpix element.
  const speke = drm.speke ?? {};
  for (const [name, bytes] of [
    ["KeyFormat", speke.keyFormat],
    ["KeyFormatVersions", speke.keyFormatVersions],
    ["ProtectionHeader", speke.protectionHeader],
  ] as const) {
    if (bytes) xml.binaryLeaf(SPEKE_NS, name, [], bytes);
  }
  for (const extension of drm.extensions) writeExtension(xml, extension);
  xml.close(CPIX_NS, "DRMSystem");
}

/** `ContentKeyUsageRule`: KeyPeriodFilter*, LabelFilter*, VideoFilter*, AudioFilter*, BitrateFilter*, extensions. */
function writeUsageRule(xml: XmlBuilder, rule: CpixContentKeyUsageRule): void {
  const attributes = [
    ["id", rule.id],
    ["kid", rule.kid.toString()],
    ["intendedTrackType", rule.intendedTrackType],
  ] as const;
  const filters: [string, XmlAttributes][] = [
    ...rule.keyPeriodFilters.map((f): [string, XmlAttributes] => ["KeyPeriodFilter", [["periodId", f.periodId]]]),
    ...rule.labelFilters.map((f): [string, XmlAttributes] => ["LabelFilter", [["label", f.label]]]),
    ...rule.videoFilters.map((f): [string, XmlAttributes] => [
      "VideoFilter",
      [
        ["minPixels", f.minPixels],
        ["maxPixels", f.maxPixels],
        ["hdr", f.hdr],
        ["wcg", f.wcg],
        ["minFps", f.minFps],
        ["maxFps", f.maxFps],
      ],
    ]),
    ...rule.audioFilters.map((f): [string, XmlAttributes] => [
      "AudioFilter",
      [
        ["minChannels", f.minChannels],
        ["maxChannels", f.maxChannels],
      ],
    ]),
    ...rule.bitrateFilters.map((f): [string, XmlAttributes] => [
      "BitrateFilter",
      [
        ["minBitrate", f.minBitrate],
        ["maxBitrate", f.maxBitrate],
      ],
    ]),
  ];
  if (filters.length === 0 && rule.extensions.length === 0) return xml.leaf(CPIX_NS, "ContentKeyUsageRule", attributes);
  xml.open(CPIX_NS, "ContentKeyUsageRule", attributes);
  for (const [name, filterAttributes] of filters) xml.leaf(CPIX_NS, name, filterAttributes);
  for (const extension of rule.extensions) writeExtension(xml, extension);
  xml.close(CPIX_NS, "ContentKeyUsageRule");
}

/** A kept foreign element, its namespaces declared on the root through the prefix allocator. */
function writeExtension(xml: XmlBuilder, element: CpixExtensionElement): void {
  const attributes: XmlAttributes = element.attributes.map((a) => [xml.prefixes.qualify(a.namespace, a.localName), a.value]);
  if (element.children.length === 0) return xml.leaf(element.namespace, element.localName, attributes, element.text);
  xml.open(element.namespace, element.localName, attributes);
  // Mixed content is rare in extensions; text goes first so it stays attached to this element on re-read.
  if (element.text !== "") xml.raw(escapeXmlText(element.text));
  for (const child of element.children) writeExtension(xml, child);
  xml.close(element.namespace, element.localName);
}
