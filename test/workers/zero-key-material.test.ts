/**
 * An all-zero key seed or content key is refused on import (issue 24): it is a placeholder (an unfilled template, a
 * zeroed buffer), never a secret, and every key served from it would be known to anyone. Each import form (key
 * seeds as JSON; content keys as JSON and as CPIX) answers 400 naming the entry and the rule, and stores nothing.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, api, createTenant, randomBase64 } from "./support/api";

const ZERO_SEED = btoa(String.fromCharCode(...new Uint8Array(30)));
const ZERO_KEY = btoa(String.fromCharCode(...new Uint8Array(16)));
const KID_A = "40d02dd1-61a3-4787-a155-572325d47b80";
const KID_B = "0a30ea4f-539d-4b02-94b2-2b3fba2576d3";

const cpixImport = (...values: string[]) =>
  `<CPIX xmlns="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"><ContentKeyList>${values
    .map(
      (value, i) =>
        `<ContentKey kid="${[KID_A, KID_B][i]}"><Data><pskc:Secret><pskc:PlainValue>${value}</pskc:PlainValue></pskc:Secret></Data></ContentKey>`,
    )
    .join("")}</ContentKeyList></CPIX>`;

describe("all-zero key material", () => {
  it("is refused as a key seed import with 400 naming the item and the rule, storing no seed", async () => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/Import/KeySeeds", [{ Data: randomBase64(30) }, { Data: ZERO_SEED }]);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "Item 1: Data is all zero bytes; a key seed must be secret random bytes" });
    expect(await (await api(tenant, "GET", "/api/KeySeeds")).json()).toHaveLength(1);
  });

  it("is refused as a JSON content key import with 400 naming the entry and the rule, storing no key", async () => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/Import/ContentKeys", [
      { Id: KID_A, Data: randomBase64(16) },
      { Id: KID_B, Data: ZERO_KEY },
    ]);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "Entry 1: the key is all zero bytes; a content key must be secret random bytes" });
    expect(await (await api(tenant, "GET", "/api/ContentKeys")).json()).toEqual([]);
  });

  it("is refused as a CPIX content key import with 400 naming the entry and the rule, storing no key", async () => {
    const tenant = await createTenant();
    const response = await SELF.fetch(`${BASE}/api/Import/ContentKeys`, {
      method: "POST",
      headers: { Authorization: tenant.authorization, "Content-Type": "application/xml" },
      body: cpixImport(randomBase64(16), ZERO_KEY),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "Entry 1: the key is all zero bytes; a content key must be secret random bytes" });
    expect(await (await api(tenant, "GET", "/api/ContentKeys")).json()).toEqual([]);
  });

  it("is not what a key with one non-zero byte is: such a seed and key are imported", async () => {
    const tenant = await createTenant();
    const seed = new Uint8Array(30);
    seed[29] = 1;
    const key = new Uint8Array(16);
    key[0] = 1;
    const seeds = await api(tenant, "POST", "/api/Import/KeySeeds", [{ Data: btoa(String.fromCharCode(...seed)) }]);
    expect(seeds.status).toBe(200);
    const keys = await api(tenant, "POST", "/api/Import/ContentKeys", [{ Id: KID_A, Data: btoa(String.fromCharCode(...key)) }]);
    expect(keys.status).toBe(200);
  });
});
