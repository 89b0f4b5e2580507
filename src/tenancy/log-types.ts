/** The log's categories, audit actions and entries, as they cross the tenant object's RPC boundary (plain data). */

import type { IssuanceRecord } from "./tenant-types";

/**
 * `Category` of `GET /api/Logs` entries. 9–18 are Axinom's (Axinom Key Service API help, GET api/Logs: 9
 * ImportContentKeys … 18 DeleteKeySeed); Axinom has none for issuance, credentials, signers, settings or the
 * default switch, so those take numbers from 100 up, clear of any Axinom may add next to its own.
 */
export const LOG_CATEGORY = {
  ImportContentKeys: 9,
  ExportContentKeys: 10,
  AddContentKey: 11,
  UpdateContentKey: 12,
  DeleteContentKey: 13,
  ImportKeySeeds: 14,
  ExportKeySeeds: 15,
  AddKeySeed: 16,
  UpdateKeySeed: 17,
  DeleteKeySeed: 18,
  KeyIssuance: 100,
  AddCredential: 101,
  DeleteCredential: 102,
  AddWidevineSigner: 103,
  DeleteWidevineSigner: 104,
  UpdateSettings: 105,
  SwitchDefaultKeySeed: 106,
  AddSigningKey: 107,
  DeleteSigningKey: 108,
  AddTrustedRequester: 109,
  DeleteTrustedRequester: 110,
  IssueCpixUrl: 111,
  RotateCpixUrlSecret: 112,
} as const;

export type LogCategory = (typeof LOG_CATEGORY)[keyof typeof LOG_CATEGORY];

/** What an audit record says was done, and the category each action is listed under. */
export const AUDIT_ACTION_CATEGORY = {
  AddKeySeed: LOG_CATEGORY.AddKeySeed,
  ImportKeySeeds: LOG_CATEGORY.ImportKeySeeds,
  UpdateKeySeed: LOG_CATEGORY.UpdateKeySeed,
  DeleteKeySeed: LOG_CATEGORY.DeleteKeySeed,
  MakeKeySeedDefault: LOG_CATEGORY.SwitchDefaultKeySeed,
  WithdrawKeySeedDefault: LOG_CATEGORY.SwitchDefaultKeySeed,
  AddCredential: LOG_CATEGORY.AddCredential,
  DeleteCredential: LOG_CATEGORY.DeleteCredential,
  AddWidevineSigner: LOG_CATEGORY.AddWidevineSigner,
  DeleteWidevineSigner: LOG_CATEGORY.DeleteWidevineSigner,
  UpdateSettings: LOG_CATEGORY.UpdateSettings,
  ExportKeySeeds: LOG_CATEGORY.ExportKeySeeds,
  AddSigningKey: LOG_CATEGORY.AddSigningKey,
  DeleteSigningKey: LOG_CATEGORY.DeleteSigningKey,
  AddTrustedRequester: LOG_CATEGORY.AddTrustedRequester,
  DeleteTrustedRequester: LOG_CATEGORY.DeleteTrustedRequester,
  IssueCpixUrl: LOG_CATEGORY.IssueCpixUrl,
  RotateCpixUrlSecret: LOG_CATEGORY.RotateCpixUrlSecret,
  AddContentKey: LOG_CATEGORY.AddContentKey,
  UpdateContentKey: LOG_CATEGORY.UpdateContentKey,
  DeleteContentKey: LOG_CATEGORY.DeleteContentKey,
  ImportContentKeys: LOG_CATEGORY.ImportContentKeys,
  ExportContentKeys: LOG_CATEGORY.ExportContentKeys,
} as const satisfies Record<string, LogCategory>;

export type AuditAction = keyof typeof AUDIT_ACTION_CATEGORY;

/** One entry of `GET /api/Logs`: an answered acquisition or a management change. */
export type LogEntry =
  | (Omit<IssuanceRecord, "id"> & {
      readonly kind: "issuance";
      readonly id: string;
      readonly category: typeof LOG_CATEGORY.KeyIssuance;
    })
  | {
      readonly kind: "audit";
      readonly id: string;
      readonly category: LogCategory;
      readonly time: string;
      readonly action: AuditAction;
      readonly objectId: string | null;
      readonly requestPath: string;
      readonly credential: string;
    };

/** Which log entries to list; every field narrows, none given lists all. Instants are ISO 8601 in UTC. */
export interface LogFilter {
  readonly categories?: readonly LogCategory[];
  /** Entries at or after this instant. */
  readonly from?: string;
  /** Entries at or before this instant. */
  readonly to?: string;
  readonly contentId?: string;
  /** Canonical lower-case UUID. */
  readonly kid?: string;
}
