import { describe, expect, it } from "vitest";
import { isoInstant } from "../../src/http/json-fields";
import { api, createTenant, type TestTenant } from "./support/api";
import { encodeQuery } from "./support/content-keys";

/**
 * Security review of isoInstant (src/http/json-fields.ts): an offset moves an instant across a year too. Written
 * `9999-12-31T23:30:00-01:00`, it is 00:30 on 1 January 10000 UTC, which toISOString writes with a six-digit year
 * (`+010000-01-01T00:30:00.000Z`, ECMA-262 §21.4.1.32.1). That is no RFC 3339 date-time (§5.6: date-fullyear is four
 * digits), the form every stored instant is published in, and as text it sorts before every other stored instant
 * (`+` is 0x2B), so the bounds that stores compare as text turned over: a Logs `from` after every record answered
 * every record. Likewise `0000-01-01T00:30:00+01:00` is in year -1 (`-000001-…`).
 */

let shared: Promise<TestTenant> | undefined;
const tenant = () => (shared ??= createTenant());

/** Half past midnight on 1 January 10000 UTC, written in a four-digit year with an offset. */
const PAST_YEAR_9999 = "9999-12-31T23:30:00-01:00";

describe("isoInstant", () => {
  it("refuses an instant its offset moves out of the years 0000 to 9999 UTC", () => {
    for (const text of [PAST_YEAR_9999, "9999-12-31T23:59:59-23:59", "0000-01-01T00:30:00+01:00", "0000-01-01T00:00:00.5+00:01"]) {
      expect(isoInstant(text), text).toBeUndefined();
    }
  });

  it("keeps the first and last instants of those years", () => {
    expect(isoInstant("9999-12-31T23:59:59.999Z")).toBe("9999-12-31T23:59:59.999Z");
    expect(isoInstant("9999-12-31T22:30:00-01:00")).toBe("9999-12-31T23:30:00.000Z");
    expect(isoInstant("0000-01-01T00:00:00Z")).toBe("0000-01-01T00:00:00.000Z");
    expect(isoInstant("0000-01-01T00:30:00-01:00")).toBe("0000-01-01T01:30:00.000Z");
  });
});

describe("a route refuses an instant past year 9999 UTC with 400 in its own shape", () => {
  it("POST /api/Credentials: ExpiresAt (it was stored and listed as +010000-01-01T00:30:00.000Z)", async () => {
    const response = await api(await tenant(), "POST", "/api/Credentials", { Name: "x", Scopes: ["acquire"], ExpiresAt: PAST_YEAR_9999 });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "ExpiresAt must be an ISO 8601 date and time with an offset, e.g. 2027-01-31T12:00:00Z",
    });
  });

  it("GET /api/Logs: from (a bound after every record answered every record)", async () => {
    const response = await api(await tenant(), "GET", `/api/Logs?from=${encodeURIComponent(PAST_YEAR_9999)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "from must be an ISO 8601 date and time with an offset, e.g. 2026-11-23T18:00:00Z" });
  });

  it("GET /api/ContentKeys: a Created bound in $filter (after every key, it matched every key)", async () => {
    const response = await api(await tenant(), "GET", `/api/ContentKeys${encodeQuery(`?$filter=Created gt ${PAST_YEAR_9999}`)}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(
      `$filter: Created is compared with a date and time with an offset such as 2026-11-23T18:00:00Z, got "${PAST_YEAR_9999}"`,
    );
  });
});
