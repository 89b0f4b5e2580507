/**
 * Stored content keys across the tenant object's RPC boundary (plain data: RPC drops classes). Never a key value in
 * clear: what leaves the object is sealed under the tenant data key (docs/storage.md §Stored content keys).
 */
import { MAX_CONTENT_KEY_TRANSFER } from "../domain/request-limits";

/** Axinom's Name bounds for content keys (Axinom Key Service API help, POST api/ContentKeys: Name 1..256). */
export const MAX_CONTENT_KEY_NAME_LENGTH = 256;

/** Axinom `CreationMethod` (Axinom Key Service API help, POST api/ContentKeys): 0 Random, 1 KeySeed, 2 Import. */
export const CREATION_METHOD = { Random: 0, KeySeed: 1, Import: 2 } as const;
export type CreationMethod = (typeof CREATION_METHOD)[keyof typeof CREATION_METHOD];

/** A stored content key as the Management API shows it: never its value or IV. */
export interface ContentKeyView {
  /** The KID, canonical lower-case UUID. */
  readonly id: string;
  readonly name: string;
  readonly created: string;
  readonly updated: string;
  readonly creationMethod: CreationMethod;
}

/** `POST /api/ContentKeys` `{Id?, Name, KeySeedId?}`: a random key, or one derived from that seed for the KID. */
export interface NewContentKey {
  readonly id?: string;
  readonly name: string;
  readonly keySeedId?: string;
}

/** One key of an import: its KID, optional name, the 16-byte value and an optional 16-byte IV. */
export interface ContentKeyImport {
  /** Canonical lower-case UUID. */
  readonly id: string;
  readonly name?: string;
  readonly key: Uint8Array;
  readonly iv?: Uint8Array;
}

/**
 * Most keys one import takes (one transaction, and at most this many KV records to publish after it) and one export
 * answers: the CPIX reader's ContentKey limit, so every export can be imported back in one request.
 */
export const MAX_CONTENT_KEYS_PER_IMPORT = MAX_CONTENT_KEY_TRANSFER;
export const MAX_CONTENT_KEYS_PER_EXPORT = MAX_CONTENT_KEY_TRANSFER;

/** The first rule a content-key import breaks (ContentKeyOperations.import); `index` is the entry's, from 0. */
export type ContentKeyImportProblem =
  | { readonly rule: "not-empty" }
  /** More than MAX_CONTENT_KEYS_PER_IMPORT entries. */
  | { readonly rule: "at-most"; readonly count: number }
  /** The Id is not a canonical lower-case UUID. */
  | { readonly rule: "canonical-id"; readonly index: number }
  /** The key, IV or Name has a length its rule does not allow (CONTENT_KEY_LENGTH, STORED_IV_LENGTH, MAX_CONTENT_KEY_NAME_LENGTH). */
  | { readonly rule: "key-length" | "iv-length" | "name-length"; readonly index: number; readonly length: number }
  /** The key is zero bytes only: not a secret. */
  | { readonly rule: "secret-key"; readonly index: number };

/** A comparison of OData's (OData v4.01 Part 2 URL Conventions §5.1.1.1). */
export type ComparisonOperator = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

/** One condition of a `$filter`; a filter is their conjunction (`and`). */
export type ContentKeyCondition =
  | { readonly field: "Name"; readonly operator: ComparisonOperator | "contains" | "startswith"; readonly value: string }
  /** `value`: an instant as stored (ISO 8601 UTC with milliseconds), so instants compare as text. */
  | { readonly field: "Created"; readonly operator: ComparisonOperator; readonly value: string }
  | { readonly field: "CreationMethod"; readonly operator: ComparisonOperator; readonly value: CreationMethod };

export type ContentKeyOrderField = "Name" | "Created" | "CreationMethod";

/** A parsed `$filter` and `$orderby` over content keys; no conditions lists all, no order lists in creation order. */
export interface ContentKeyQuery {
  readonly conditions: readonly ContentKeyCondition[];
  readonly orderBy: readonly { readonly field: ContentKeyOrderField; readonly descending: boolean }[];
}

/** Which keys an export takes: named ones (every id must be stored), or every key a query selects. */
export type ContentKeySelection = { readonly ids: readonly string[] } | { readonly query: ContentKeyQuery };

/** A key selected for export: its metadata and its value still sealed (opened by `openStoredContentKey`). */
export interface SealedContentKey extends ContentKeyView {
  /** Sealed under the tenant data key with purpose `content-key` (src/tenancy/envelope.ts). */
  readonly sealedValue: string;
  /** The stored IV (16 bytes), or null when the key has none. */
  readonly iv: Uint8Array | null;
}
