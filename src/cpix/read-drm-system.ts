import type { CpixDrmSystem, CpixHlsSignalingData, HlsPlaylist, SpekeV1Signaling } from "./model";
import { CPIX_NS, SPEKE_NS } from "./namespaces";
import { definedOnly, type ReadNode } from "./read-node";
import { SystemIds } from "../domain/system-id";

/** Every `@playlist` value some CPIX version defines: 2.1 master|variant, 2.2/2.3 master|media, 2.4 multiVariant|media. */
const PLAYLISTS: readonly HlsPlaylist[] = ["media", "master", "multiVariant", "variant"];

/**
 * Reads one `DRMSystem`, CPIX 2.3 §DRMSystem Element, in any child order: SPEKE v1 puts `speke:*` before
 * `cpix:PSSH`, the AWS v2 kid-override example puts HLSSignalingData first (AWS SPEKE docs: the v1 live workflow
 * example, v2.0 "Overriding the key identifier").
 * Signalling values are what the key provider fills in, so undecodable ones read as empty placeholders
 * (ReadNode.signalingBase64); the ids that select keys and systems are strict.
 */
export function readDrmSystem(node: ReadNode): CpixDrmSystem {
  const contentProtectionData = node.child(CPIX_NS, "ContentProtectionData");
  return definedOnly({
    systemId: SystemIds.of(node.requiredUuidAttribute("systemId")),
    kid: node.requiredUuidAttribute("kid"),
    id: node.attribute("id"),
    updateVersion: node.integerAttribute("updateVersion"),
    name: node.attribute("name"),
    hlsAllowedCpc: node.attribute("HLSAllowedCPC"),
    pssh: node.child(CPIX_NS, "PSSH")?.signalingBase64(),
    contentProtectionData: contentProtectionData?.signalingBase64(),
    contentProtectionDataRobustness: contentProtectionData?.attribute("robustness"),
    uriExtXKey: node.child(CPIX_NS, "URIExtXKey")?.signalingBase64(),
    hlsSignalingData: readHlsSignalingData(node),
    smoothStreamingProtectionHeaderData: node.child(CPIX_NS, "SmoothStreamingProtectionHeaderData")?.signalingBase64(),
    hdsSignalingData: node.child(CPIX_NS, "HDSSignalingData")?.signalingBase64(),
    speke: readSpeke(node),
    extensions: node.foreignChildren([CPIX_NS, SPEKE_NS]),
  });
}

/** `HLSSignalingData`: "every HLSSignalingData shall have a different @playlist value if present" (CPIX 2.3 §HLSSignalingData Element). */
function readHlsSignalingData(node: ReadNode): CpixHlsSignalingData[] {
  const seen = new Set<string>();
  return node.children(CPIX_NS, "HLSSignalingData").map((signaling) => {
    const playlist = signaling.attribute("playlist");
    if (playlist !== undefined && !(PLAYLISTS as readonly string[]).includes(playlist)) {
      signaling.invalidAttribute("playlist", `must be one of ${PLAYLISTS.join(", ")}`);
    }
    if (playlist !== undefined && seen.has(playlist))
      signaling.invalidAttribute("playlist", "must differ between the HLSSignalingData of one DRMSystem");
    if (playlist !== undefined) seen.add(playlist);
    return definedOnly({
      playlist: playlist as HlsPlaylist | undefined,
      allowedCpc: signaling.attribute("allowedCPC"),
      data: signaling.signalingBase64(),
    });
  });
}

/** The SPEKE v1 children (AWS SPEKE v1 live-workflow-methods): base64 KeyFormat, KeyFormatVersions, ProtectionHeader. */
function readSpeke(node: ReadNode): SpekeV1Signaling | undefined {
  // SPEKE v2 requests carry none: one look at the namespaces instead of three lookups and an empty record.
  if (!node.elementChildren().some((child) => child.namespace === SPEKE_NS)) return undefined;
  const speke = definedOnly({
    keyFormat: node.child(SPEKE_NS, "KeyFormat")?.signalingBase64(),
    keyFormatVersions: node.child(SPEKE_NS, "KeyFormatVersions")?.signalingBase64(),
    protectionHeader: node.child(SPEKE_NS, "ProtectionHeader")?.signalingBase64(),
  });
  return Object.keys(speke).length > 0 ? speke : undefined;
}
