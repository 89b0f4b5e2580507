import { SystemIds, type SystemId } from "../domain/system-id";

/** DASH-IF content-protection identifier registry (github.com/Dash-Industry-Forum/Identifiers,
 * `csv/content-protection-system-specific.csv`). */
export const SYSTEM_IDS = {
  widevine: SystemIds.require("edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"),
  playReady: SystemIds.require("9a04f079-9840-4286-ab92-e65be0885f95"),
  fairPlay: SystemIds.require("94ce86fb-07ff-4f43-adb8-93d2fa968ca2"),
  /** W3C Common PSSH box (w3c/encrypted-media format-registry initdata/cenc.html §4). */
  commonPssh: SystemIds.require("1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"),
  /** Clear Key AES-128 for HLS (DASH-IF registry; SPEKE v2 / MediaPackage v2 `CLEAR_KEY_AES_128`). */
  clearKeyAes128: SystemIds.require("3ea8778f-7742-4bf9-b18b-e834b2acbd47"),
  /** HLS AES-128 as the AWS SPEKE v1 reference server names it ("not an official system ID"). */
  hlsAes128Speke: SystemIds.require("81376844-f976-481e-a84e-cc25d39b0b33"),
  /** Clear Key DASH-IF (signals W3C Clear Key in DASH). */
  clearKeyDashIf: SystemIds.require("e2719d58-a985-b3c9-781a-b030af78d30e"),
} as const satisfies Readonly<Record<string, SystemId>>;

export type KnownDrmSystem = keyof typeof SYSTEM_IDS;

/** Names the known system a SystemId belongs to, or undefined for one this service does not signal. */
export function knownDrmSystem(systemId: SystemId): KnownDrmSystem | undefined {
  return SYSTEMS_BY_ID.get(systemId.toString());
}

const SYSTEMS_BY_ID: ReadonlyMap<string, KnownDrmSystem> = new Map(
  (Object.entries(SYSTEM_IDS) as [KnownDrmSystem, SystemId][]).map(([name, id]) => [id.toString(), name]),
);
