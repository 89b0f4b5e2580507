import * as v from "valibot";
import type { UsageInterval, UsageRange } from "../tenancy/tenant-types";
import { instant, optional } from "./json-fields";
import { openApiMetadata } from "./schema-doc";

/** Most days one `GET /api/Usage` answers in day buckets, and `GET /admin/usage` totals: a leap year. */
export const MAX_USAGE_DAYS = 366;
/** Most days one `GET /api/Usage` answers in hour buckets (31 × 24 = 744 buckets per protocol). */
export const MAX_USAGE_HOUR_DAYS = 31;
const DAY_MS = 86_400_000;

const INSTANT_EXAMPLE = "2026-12-01T00:00:00Z";
/** Usage is counted per UTC hour (src/tenancy/stores/usage-store.ts), so a range starts and ends on one. */
const WHOLE_HOUR = ":00:00.000Z";
const MIDNIGHT = "T00:00:00.000Z";

/** `from` or `to`: an ISO 8601 instant, as UTC with milliseconds (json-fields.ts `isoInstant`). */
function rangeBound(name: "from" | "to", meaning: string | false) {
  return v.pipe(
    instant(`${name} must be an ISO 8601 date and time with an offset, e.g. ${INSTANT_EXAMPLE}`),
    openApiMetadata(meaning !== false && { description: meaning }),
  );
}

/** A missing `from` or `to` is named with its form. */
function requiredBound(issue: v.BaseIssue<unknown>): string {
  const name = String(issue.path?.[0]?.key ?? "");
  return `${name} is required: an ISO 8601 date and time with an offset, e.g. ${INSTANT_EXAMPLE}`;
}

/** `from` and `to`, described for a query with day buckets (`GET /api/Usage`) or without. */
function rangeEntries(dayBuckets: boolean) {
  const boundary = dayBuckets ? "on a whole UTC hour; at midnight UTC for day buckets" : "on a whole UTC hour";
  return {
    from: rangeBound("from", __OPENAPI__ && `Start of the range (included), ${boundary}`),
    to: rangeBound("to", __OPENAPI__ && `End of the range (excluded), ${boundary}`),
  };
}

type RangeInput = { readonly from: string; readonly to: string };

/**
 * The range rules every usage query shares: on the buckets' boundary, `from` before `to`, at most `maxDays` apart;
 * `condition` says when that maximum applies (`GET /api/Usage` has one per interval).
 */
function rangeChecks(range: RangeInput, interval: UsageInterval, maxDays: number, condition = ""): string | undefined {
  const [boundary, rule] = interval === "day" ? [MIDNIGHT, "at midnight UTC when interval is day"] : [WHOLE_HOUR, "on a whole hour (UTC)"];
  for (const name of ["from", "to"] as const) if (!range[name].endsWith(boundary)) return `${name} must be ${rule}`;
  if (range.to <= range.from) return "to must be after from";
  if (Date.parse(range.to) - Date.parse(range.from) > maxDays * DAY_MS) return `to may be at most ${maxDays} days after from${condition}`;
  return undefined;
}

/** A check whose message is the first broken rule's sentence (valibot's `check` takes one fixed message). */
function firstBrokenRule<T>(rule: (value: T) => string | undefined) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const message = rule(dataset.value);
    if (message !== undefined) addIssue({ message });
  });
}

const INTERVAL = optional(
  v.pipe(
    v.picklist(["hour", "day"], "interval must be hour or day"),
    openApiMetadata(__OPENAPI__ && { description: "Bucket width (UTC); default day" }),
  ),
);

/** `GET /api/Usage`: `from`, `to` and `interval` (hour or day, default day); each problem names the parameter. */
export const USAGE_QUERY = v.pipe(
  v.object({ ...rangeEntries(true), interval: INTERVAL }, requiredBound),
  v.transform((query): UsageRange & { readonly interval: UsageInterval } => ({
    from: query.from,
    to: query.to,
    interval: query.interval ?? "day",
  })),
  firstBrokenRule((query: UsageRange & { readonly interval: UsageInterval }) =>
    query.interval === "hour"
      ? rangeChecks(query, "hour", MAX_USAGE_HOUR_DAYS, " when interval is hour")
      : rangeChecks(query, "day", MAX_USAGE_DAYS),
  ),
);

/**
 * `GET /admin/usage`: `from` and `to` on whole hours, at most MAX_USAGE_DAYS apart, beside the route's own parameters
 * (its page: `limit`, `cursor`).
 */
export function usageTotalsQuery<const Entries extends v.ObjectEntries>(pageEntries: Entries) {
  const object = v.object({ ...rangeEntries(false), ...pageEntries }, requiredBound);
  return v.pipe(
    object,
    firstBrokenRule((query: v.InferOutput<typeof object>) => rangeChecks(query as unknown as RangeInput, "hour", MAX_USAGE_DAYS)),
  );
}
