/** The tenant's usage as it crosses the tenant object's RPC boundary (plain data): `GET /api/Usage`, `GET /admin/usage`. */

/** The width of a usage bucket; days and hours are UTC. */
export type UsageInterval = "hour" | "day";

/** A span of time, `from` included and `to` excluded, both ISO 8601 instants in UTC on a whole hour. */
export interface UsageRange {
  readonly from: string;
  readonly to: string;
}

/** What was issued in a span: acquisitions answered, KIDs in them, distinct content ids named. */
export interface UsageCounts {
  readonly acquisitions: number;
  readonly keys: number;
  /** Distinct non-null content ids (their first 256 characters, as the issuance log keeps them). */
  readonly contentIds: number;
}

/** One bucket of `GET /api/Usage`: one protocol in one hour or day that issued something. */
export interface UsageBucket extends UsageCounts {
  /** The bucket's start, an ISO 8601 instant in UTC. */
  readonly start: string;
  readonly protocol: string;
}
