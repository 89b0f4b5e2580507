/**
 * `readCpix`: request bytes → a typed CpixDocument, or a failure that names what was wrong. Tolerant of what real
 * encryptors send (any prefixes, any child order, empty placeholder elements, non-NCName ids, upper-case UUIDs,
 * UTF-16), strict about values (UUIDs, base64 and lengths, known schemes, integers and dates). It never rejects on
 * XSD order: most real SPEKE requests are not XSD-valid (xmllint against the DASH-IF XSDs,
 * test/fixtures/cpix/validation-matrix.json).
 * Not kept: `ds:Signature` (SPEKE ignores XMLDSIG), comments, unknown elements in the cpix namespace, PSKC KeyType
 * children other than `Data` (Issuer, FriendlyName…); foreign-namespace children of DRMSystem and
 * ContentKeyUsageRule are kept as extensions.
 */
import { MAX_CONTENT_KEY_PERIODS, MAX_CONTENT_KEYS, MAX_DRM_SYSTEMS, MAX_USAGE_RULES } from "../domain/request-limits";
import type { CpixReadFailure } from "./failure";
import { CpixReadError } from "./failure";
import type { CpixContentKeyPeriod, CpixDocument, CpixList, CpixUpdateHistoryItemList } from "./model";
import { CPIX_NS } from "./namespaces";
import { readContentKey } from "./read-content-key";
import { readDeliveryData } from "./read-delivery-data";
import { readDrmSystem } from "./read-drm-system";
import { definedOnly, ReadNode } from "./read-node";
import { readUsageRule } from "./read-usage-rule";
import { parseXml } from "../xml/parse";
import type { XmlDocument } from "../xml/tree";

export type CpixReadResult =
  { readonly ok: true; readonly document: CpixDocument } | { readonly ok: false; readonly failure: CpixReadFailure };

/**
 * Reads a CPIX document from the raw request body (UTF-8 or UTF-16, with or without BOM).
 * @example
 * const read = readCpix(new Uint8Array(await request.arrayBuffer()));
 * if (!read.ok) return respondWith(read.failure); // one switch per protocol maps failures to the wire
 */
export function readCpix(body: Uint8Array): CpixReadResult {
  const parsed = parseXml(body);
  return parsed.ok ? readCpixTree(parsed.document) : parsed;
}

/**
 * Reads a CPIX document from the tree `parseXml` built: the very nodes a signature check of the same request
 * verifies (src/cpix/security/signature-verify.ts), so what is signed and what is read cannot differ.
 */
export function readCpixTree(document: XmlDocument): CpixReadResult {
  try {
    return { ok: true, document: readDocument(new ReadNode(document.root, undefined)) };
  } catch (error) {
    if (error instanceof CpixReadError) return { ok: false, failure: error.failure };
    throw error;
  }
}

/** The root `CPIX` element, CPIX 2.3 §CPIX Element. */
function readDocument(cpix: ReadNode): CpixDocument {
  const root = cpix.element;
  if (root.namespace !== CPIX_NS || root.localName !== "CPIX") {
    const found = `{${root.namespace.slice(0, 80)}}${root.localName.slice(0, 64)}`;
    throw new CpixReadError({ reason: "not-cpix", detail: `the root element is ${found}, expected {${CPIX_NS}}CPIX` });
  }
  checkListSizes(cpix);
  return definedOnly({
    id: cpix.attribute("id"),
    contentId: cpix.attribute("contentId"),
    name: cpix.attribute("name"),
    version: cpix.attribute("version"),
    deliveryDataList: readList(cpix, "DeliveryDataList", "DeliveryData", readDeliveryData),
    contentKeyList: readList(cpix, "ContentKeyList", "ContentKey", readContentKey),
    drmSystemList: readList(cpix, "DRMSystemList", "DRMSystem", readDrmSystem),
    contentKeyPeriodList: readList(cpix, "ContentKeyPeriodList", "ContentKeyPeriod", readPeriod),
    contentKeyUsageRuleList: readList(cpix, "ContentKeyUsageRuleList", "ContentKeyUsageRule", readUsageRule),
    updateHistoryItemList: readUpdateHistory(cpix),
  });
}

/** Each list's item element and the most one request may carry (src/domain/request-limits.ts). */
const LIST_LIMITS: ReadonlyMap<string, readonly [itemName: string, limit: number]> = new Map([
  ["ContentKeyList", ["ContentKey", MAX_CONTENT_KEYS]],
  ["DRMSystemList", ["DRMSystem", MAX_DRM_SYSTEMS]],
  ["ContentKeyPeriodList", ["ContentKeyPeriod", MAX_CONTENT_KEY_PERIODS]],
  ["ContentKeyUsageRuleList", ["ContentKeyUsageRule", MAX_USAGE_RULES]],
]);

/** Refuses a request over a list limit before any item of any list is read, so an oversized one costs one count. */
function checkListSizes(cpix: ReadNode): void {
  for (const list of cpix.elementChildren()) {
    const limit = list.namespace === CPIX_NS ? LIST_LIMITS.get(list.localName) : undefined;
    if (limit) new ReadNode(list, cpix).limitChildren(CPIX_NS, limit[0], limit[1]);
  }
}

/** A `…List` element: at most one per document (CpixType sequence, maxOccurs 1). */
function readList<T>(cpix: ReadNode, listName: string, itemName: string, readItem: (item: ReadNode) => T): CpixList<T> | undefined {
  const list = cpix.child(CPIX_NS, listName);
  if (!list) return undefined;
  return definedOnly({
    id: list.attribute("id"),
    updateVersion: list.integerAttribute("updateVersion"),
    items: list.children(CPIX_NS, itemName).map(readItem),
  });
}

/** `ContentKeyPeriod`, CPIX 2.3 §ContentKeyPeriod Element and the CPIX 2.4 / SPEKE v2.1 additions. */
function readPeriod(node: ReadNode): CpixContentKeyPeriod {
  return definedOnly({
    id: node.attribute("id"),
    index: node.integerAttribute("index"),
    start: node.dateTimeAttribute("start"),
    end: node.dateTimeAttribute("end"),
    label: node.attribute("label"),
    startOffset: node.durationAttribute("startOffset"),
    endOffset: node.durationAttribute("endOffset"),
    duration: node.durationAttribute("duration"),
  });
}

/** `UpdateHistoryItemList`, CPIX 2.3 §UpdateHistoryItemList Element; each item's four attributes are mandatory. */
function readUpdateHistory(cpix: ReadNode): CpixUpdateHistoryItemList | undefined {
  const list = cpix.child(CPIX_NS, "UpdateHistoryItemList");
  if (!list) return undefined;
  return definedOnly({
    id: list.attribute("id"),
    items: list.children(CPIX_NS, "UpdateHistoryItem").map((item) =>
      definedOnly({
        id: item.attribute("id"),
        updateVersion: item.requiredIntegerAttribute("updateVersion"),
        index: item.requiredAttribute("index"),
        source: item.requiredAttribute("source"),
        date: item.dateTimeAttribute("date") ?? item.requiredAttribute("date"),
      }),
    ),
  });
}
