import { PROTECTION_SCHEMES } from "../../domain/protection-scheme";
import type { KeyId } from "../../domain/key-id";
import type { CpixDocument } from "../../cpix/model";
import type { AcquisitionFailure } from "./failure";

/** Every protocol needs at least one key, unique kids, and DRMSystems that name a key of the document. */
export function checkKeysAndSystems(request: CpixDocument): AcquisitionFailure | undefined {
  const keys = request.contentKeyList?.items ?? [];
  if (keys.length === 0) return { reason: "invalid-request", message: "ContentKeyList with at least one ContentKey is required" };
  const kids = new Set(keys.map((key) => key.kid.toString()));
  if (kids.size !== keys.length) return { reason: "invalid-request", message: "Two ContentKey elements share a kid" };
  for (const system of request.drmSystemList?.items ?? []) {
    if (!kids.has(system.kid.toString())) {
      return { reason: "invalid-request", message: `DRMSystem ${system.systemId} names kid ${system.kid}, which no ContentKey has` };
    }
  }
  return undefined;
}

const FOURCC_RULE = `must be one of ${PROTECTION_SCHEMES.join(", ")}`;

/** An HLS METHOD name where the protocol version allows only 4CCs (HLS METHODs came with CPIX 2.3.1/2.4, SPEKE v2.1). */
export function schemeNameRefused(kid: KeyId): AcquisitionFailure {
  return { reason: "invalid-request", message: `ContentKey@commonEncryptionScheme ${FOURCC_RULE} (KID ${kid})` };
}
