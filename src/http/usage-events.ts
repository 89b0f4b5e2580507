import type { RequestSummary } from "./request-summary";

/**
 * One Workers Analytics Engine data point per request, when the `USAGE_EVENTS` dataset is bound (wrangler.toml
 * `[[analytics_engine_datasets]]`; README "Usage and monitoring" has the layout and a query). The layout is positional
 * and is the dataset's schema: a field only ever gets appended.
 *
 * - `index1`: the tenant id, empty when the request served none (Analytics Engine samples per index, so each
 *   tenant's counts stay representative; developers.cloudflare.com/analytics/analytics-engine/sampling).
 * - `blob1` the route pattern (`/api/cpix/:contentId`, never the path: a content id may be in it), `blob2` the
 *   acquisition protocol (`SpekeV2`, …, `WidevineCenc`; empty for other routes and for requests refused before the
 *   route ran), `blob3` the status class (`2xx`), `blob4` the method.
 * - `double1` the status, `double2` the content keys answered, `double3` the duration in milliseconds.
 *
 * `writeDataPoint` returns at once and never waits on the network (developers.cloudflare.com/analytics/analytics-engine/get-started).
 */
export function writeUsageEvent(dataset: AnalyticsEngineDataset | undefined, summary: RequestSummary): void {
  dataset?.writeDataPoint({
    indexes: [summary.tenant ?? ""],
    blobs: [summary.route ?? "", summary.protocol ?? "", `${Math.floor(summary.status / 100)}xx`, summary.method],
    doubles: [summary.status, summary.keys, summary.ms],
  });
}
