import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantObject } from "../../src/tenancy/tenant-client";
import { TEST_BINDINGS } from "../test-bindings";
import { Deployment } from "./support/deployment";

const ADMIN = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" };
/** Keys per KV list page (Cloudflare KV `list()`), which the directory lists one of per call. */
const KV_LIST_PAGE = 1000;

describe("the tenant directory on a deployment older than it", () => {
  it("lists the existing tenants from KV one page per call, answering indexing until the last page, then rotates them", async () => {
    // A tenant made before the directory existed (its object alone), whose snapshot key sorts after a full page of
    // other keys under tenant/ (which list no tenant).
    const tenantId = `f${crypto.randomUUID().slice(1)}`;
    const created = await tenantObject(env, tenantId).tenant().create({ tenantId, name: "older" }, new Date());
    expect(created.ok).toBe(true);
    for (let start = 0; start < KV_LIST_PAGE; start += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => env.SNAPSHOTS.put(`tenant/${String(start + i).padStart(4, "0")}/note`, "x")));
    }
    const deployment = new Deployment({});
    const call = async () => (await deployment.fetch("/admin/kek-rotation", { method: "POST", headers: ADMIN, body: "{}" })).json();
    const counts = { keyVersion: 1, rewrapped: 0, alreadyCurrent: 0, absent: 0, cursor: null };
    expect(await call()).toEqual({ ...counts, remaining: 0, done: false, indexing: true });
    expect(await call()).toEqual({ ...counts, alreadyCurrent: 1, remaining: 0, done: true });
  });
});
