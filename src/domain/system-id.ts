import { KeyId } from "./key-id";

declare const SYSTEM_ID: unique symbol;

/**
 * A DRM system identifier: the `SystemID` UUID of ISO/IEC 23001-7 §8.1 and CPIX `DRMSystem@systemId`. Held as a
 * 16-byte KeyId-shaped value so comparisons are on bytes, never on strings (PallyCon sends it upper-case), and
 * branded so a Key ID is never taken for one. The systems this service signals are listed in `drm/system-ids.ts`.
 */
export type SystemId = KeyId & { readonly [SYSTEM_ID]: true };

/** The only ways to make a SystemId: each reads the 16 bytes exactly as KeyId does. */
export const SystemIds = {
  /** Parses the text forms KeyId.parse accepts (any case); undefined otherwise. */
  parse(text: string): SystemId | undefined {
    return KeyId.parse(text) as SystemId | undefined;
  },
  /** Parses like `parse` but throws a RangeError naming the field when the text is not a UUID. */
  require(text: string, field = "systemId"): SystemId {
    return KeyId.require(text, field) as SystemId;
  },
  /** A UUID a reader has read already (CPIX `DRMSystem@systemId`), taken as the system it names. */
  of(uuid: KeyId): SystemId {
    return uuid as SystemId;
  },
  /** Wraps 16 bytes in RFC 4122 order (a PSSH box's SystemID, ISO/IEC 23001-7 §8.1.1); throws for another length. */
  fromBytes(bytes: Uint8Array): SystemId {
    return KeyId.fromBytes(bytes) as SystemId;
  },
} as const;
