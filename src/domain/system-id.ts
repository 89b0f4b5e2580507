import type { KeyId } from "./key-id";

/**
 * A DRM system identifier: the `SystemID` UUID of ISO/IEC 23001-7 §8.1 and CPIX `DRMSystem@systemId`. Held as a
 * 16-byte KeyId-shaped value so comparisons are on bytes, never on strings (PallyCon sends it upper-case). The
 * systems this service signals are listed in `drm/system-ids.ts`.
 */
export type SystemId = KeyId;
