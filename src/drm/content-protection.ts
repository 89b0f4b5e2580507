import { toBase64 } from "../domain/bytes";

/** ISO/IEC 23001-7 namespace of the MPD `pssh` element. */
const CENC_NAMESPACE = "urn:mpeg:cenc:2013";
/** `mpeg-dash-playready.md` namespace of the MPD `pro` element (conventionally `mspr:`). */
const PLAYREADY_NAMESPACE = "urn:microsoft:playready";

/**
 * The XML text of CPIX `ContentProtectionData` (CPIX 2.3 DRMSystem), `<pssh>` then PlayReady's `<pro>`.
 * @example contentProtectionData(box) // '<pssh xmlns="urn:mpeg:cenc:2013">AAAA…</pssh>'
 */
export function contentProtectionData(psshBox: Uint8Array, playReadyObject?: Uint8Array): string {
  // Each child declares its namespace as the default one: Unified Streaming rejects prefixed namespaces here
  // (Unified Streaming docs, "CPIX Signaling Behaviour"), and this is the exact shape of the DASH-IF
  // cpix-test-vectors (Complex.xml).
  const pssh = `<pssh xmlns="${CENC_NAMESPACE}">${toBase64(psshBox)}</pssh>`;
  return playReadyObject ? `${pssh}<pro xmlns="${PLAYREADY_NAMESPACE}">${toBase64(playReadyObject)}</pro>` : pssh;
}
