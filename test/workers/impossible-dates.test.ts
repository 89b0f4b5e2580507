import { describe, expect, it } from "vitest";
import { isoInstant } from "../../src/http/json-fields";
import { api, createTenant, type TestTenant } from "./support/api";
import { encodeQuery } from "./support/content-keys";

/**
 * A day the month does not have (RFC 3339 §5.7: date-mday is bounded by the month and, for February, the leap year)
 * is not a date. Date.parse rolls it over (2026-02-30 reads as 2 March), so every field read with isoInstant took a
 * date the client never wrote: a credential's or signed URL's expiry, a content-key query's bound, a usage range.
 */

/** The next 30 February still ahead (within a signed URL's 366-day lifetime); Date.parse reads it as 1 or 2 March. */
function nextFebruary30(now = new Date()): string {
  const year = now.getTime() < Date.UTC(now.getUTCFullYear(), 1, 27) ? now.getUTCFullYear() : now.getUTCFullYear() + 1;
  return `${year}-02-30T00:00:00Z`;
}

let shared: Promise<TestTenant> | undefined;
const tenant = () => (shared ??= createTenant());

describe("isoInstant", () => {
  it("refuses a day its month does not have, leap years read right", () => {
    for (const text of [
      "2026-02-30T00:00:00Z",
      "2026-02-29T00:00:00Z",
      "2100-02-29T00:00:00Z",
      "2026-04-31T12:00:00Z",
      "2026-02-29T00:30:00+01:00",
    ]) {
      expect(isoInstant(text), text).toBeUndefined();
    }
    expect(isoInstant("2028-02-29T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    expect(isoInstant("2000-02-29T12:00:00Z")).toBe("2000-02-29T12:00:00.000Z");
    expect(isoInstant("2026-01-31T23:59:59Z")).toBe("2026-01-31T23:59:59.000Z");
  });

  it("still moves an instant across a day by its offset", () => {
    expect(isoInstant("2026-02-28T23:30:00-01:00")).toBe("2026-03-01T00:30:00.000Z");
    expect(isoInstant("2028-03-01T00:30:00+01:00")).toBe("2028-02-29T23:30:00.000Z");
  });
});

describe("a route refuses a day the month does not have with 400 in its own shape", () => {
  it("POST /api/Credentials: ExpiresAt", async () => {
    const response = await api(await tenant(), "POST", "/api/Credentials", {
      Name: "x",
      Scopes: ["acquire"],
      ExpiresAt: "2099-02-30T00:00:00Z",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "ExpiresAt must be an ISO 8601 date and time with an offset, e.g. 2027-01-31T12:00:00Z",
    });
  });

  it("POST /api/CpixUrls: ExpiresAt", async () => {
    const response = await api(await tenant(), "POST", "/api/CpixUrls", { ContentId: "movie", ExpiresAt: nextFebruary30() });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "ExpiresAt must be an ISO 8601 instant with a time zone, e.g. 2030-01-01T00:00:00Z" });
  });

  it("GET /api/ContentKeys: a Created bound in $filter", async () => {
    const refused = await api(await tenant(), "GET", `/api/ContentKeys${encodeQuery("?$filter=Created gt 2026-04-31T00:00:00Z")}`);
    expect(refused.status).toBe(400);
    expect(refused.headers.get("X-AxDRM-ErrorMessage")).toBe(
      '$filter: Created is compared with a date and time with an offset such as 2026-11-23T18:00:00Z, got "2026-04-31T00:00:00Z"',
    );
    const leapDay = await api(await tenant(), "GET", `/api/ContentKeys${encodeQuery("?$filter=Created gt 2028-02-29T00:00:00Z")}`);
    expect(leapDay.status).toBe(200);
  });

  it("GET /api/Usage: from and to", async () => {
    const refused = await api(await tenant(), "GET", "/api/Usage?from=2027-02-29T00:00:00Z&to=2027-03-05T00:00:00Z");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: "from must be an ISO 8601 date and time with an offset, e.g. 2026-12-01T00:00:00Z" });
    const to = await api(await tenant(), "GET", "/api/Usage?from=2100-02-01T00:00:00Z&to=2100-02-29T00:00:00Z");
    expect(await to.json()).toEqual({ error: "to must be an ISO 8601 date and time with an offset, e.g. 2026-12-01T00:00:00Z" });
    const leapDay = await api(await tenant(), "GET", "/api/Usage?from=2028-02-29T00:00:00Z&to=2028-03-01T00:00:00Z");
    expect(leapDay.status).toBe(200);
  });
});
