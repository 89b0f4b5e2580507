import { MAX_FILTERS_PER_USAGE_RULE } from "../domain/request-limits";
import type { CpixContentKeyUsageRule } from "./model";
import { CPIX_NS } from "./namespaces";
import { definedOnly, type ReadNode } from "./read-node";

/** The filter elements of CPIX 2.3 §Usage Rules Filters. */
const FILTERS = ["KeyPeriodFilter", "LabelFilter", "VideoFilter", "AudioFilter", "BitrateFilter"] as const;

/**
 * Reads one `ContentKeyUsageRule` with all its filters, every attribute kept so a response can echo the rule
 * unchanged (SPEKE v2 speke-constraints-v2: the key provider must not change the usage rules). CPIX 2.3
 * §ContentKeyUsageRule Element and §Usage Rules Filters.
 */
export function readUsageRule(node: ReadNode): CpixContentKeyUsageRule {
  for (const filter of FILTERS) node.limitChildren(CPIX_NS, filter, MAX_FILTERS_PER_USAGE_RULE);
  return definedOnly({
    kid: node.requiredUuidAttribute("kid"),
    id: node.attribute("id"),
    intendedTrackType: node.attribute("intendedTrackType"),
    keyPeriodFilters: node.children(CPIX_NS, "KeyPeriodFilter").map((filter) => ({ periodId: filter.requiredAttribute("periodId") })),
    labelFilters: node.children(CPIX_NS, "LabelFilter").map((filter) => ({ label: filter.requiredAttribute("label") })),
    videoFilters: node.children(CPIX_NS, "VideoFilter").map((filter) =>
      definedOnly({
        minPixels: filter.integerAttribute("minPixels"),
        maxPixels: filter.integerAttribute("maxPixels"),
        hdr: filter.booleanAttribute("hdr"),
        wcg: filter.booleanAttribute("wcg"),
        minFps: filter.integerAttribute("minFps"),
        maxFps: filter.integerAttribute("maxFps"),
      }),
    ),
    audioFilters: node
      .children(CPIX_NS, "AudioFilter")
      .map((filter) =>
        definedOnly({ minChannels: filter.integerAttribute("minChannels"), maxChannels: filter.integerAttribute("maxChannels") }),
      ),
    bitrateFilters: node
      .children(CPIX_NS, "BitrateFilter")
      .map((filter) =>
        definedOnly({ minBitrate: filter.integerAttribute("minBitrate"), maxBitrate: filter.integerAttribute("maxBitrate") }),
      ),
    extensions: node.foreignChildren([CPIX_NS]),
  });
}
