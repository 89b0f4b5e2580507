import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { api } from "./support/api";
import { TEST_SEED, tenantWithTestSeed } from "./support/tenant-with-seed";

describe("GET /api/Cpix/{contentId} for readers that only GET (Unified Streaming)", () => {
  it("returns a complete CPIX 2.3 document for the given KIDs, systems and scheme", async () => {
    const tenant = await tenantWithTestSeed();
    const kid = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";
    const response = await api(tenant, "GET", `/api/cpix/Movie-1?kid=${kid}&drm=${SYSTEM_IDS.widevine}&drm=playready&scheme=cenc`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/xml; charset=utf-8");
    const read = readCpix(new TextEncoder().encode(await response.text()));
    if (!read.ok) throw new Error("unreadable");
    expect(read.document).toMatchObject({ contentId: "Movie-1", version: "2.3" });
    const key = read.document.contentKeyList!.items[0]!;
    expect(key.kid.toString()).toBe(kid);
    expect(key.commonEncryptionScheme).toBe("cenc");
    expect(key.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(kid))).bytes);
    expect(read.document.drmSystemList!.items.map((system) => system.systemId.toString())).toEqual([
      SYSTEM_IDS.widevine.toString(),
      SYSTEM_IDS.playReady.toString(),
    ]);
    expect(read.document.drmSystemList!.items.every((system) => system.pssh && system.contentProtectionData)).toBe(true);
  });

  it("chooses a stable Key ID per content when none is given", async () => {
    const tenant = await tenantWithTestSeed();
    const kidOf = async (path: string) => {
      const read = readCpix(new TextEncoder().encode(await (await api(tenant, "GET", path)).text()));
      if (!read.ok) throw new Error("unreadable");
      return read.document.contentKeyList!.items[0]!.kid.toString();
    };
    expect(await kidOf("/api/Cpix/movie-2")).toBe(await kidOf("/api/Cpix/movie-2"));
    expect(await kidOf("/api/Cpix/movie-2")).not.toBe(await kidOf("/api/Cpix/movie-3"));
  });

  it.each([
    ["a kid that is not a UUID", "?kid=abc", /Each kid must be a UUID/],
    ["an unknown scheme", "?scheme=ctr", /scheme must be one of/],
    ["an unknown drm", "?drm=marlinx", /Each drm must be/],
    ["FairPlay with cenc", "?drm=fairplay&scheme=cenc", /non compatible with DRMSystem 94ce86fb/],
  ])("refuses %s with 422", async (_case, query, message) => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "GET", `/api/Cpix/movie-1${query}`);
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(message);
  });

  it("requires tenant credentials", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await api({ ...tenant, authorization: "Basic Zm9vOmJhcg==" }, "GET", "/api/Cpix/movie-1");
    expect(response.status).toBe(401);
  });

  it("replaces Key IDs stably with overrideKeyIds=true on plain CPIX too", async () => {
    const tenant = await tenantWithTestSeed();
    const kid = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";
    const kidOf = async () => {
      const read = readCpix(
        new TextEncoder().encode(await (await api(tenant, "GET", `/api/Cpix/movie-7?kid=${kid}&overrideKeyIds=true`)).text()),
      );
      if (!read.ok) throw new Error("unreadable");
      return read.document.contentKeyList!.items[0]!.kid.toString();
    };
    const overridden = await kidOf();
    expect(overridden).not.toBe(kid);
    expect(await kidOf()).toBe(overridden);
  });
});
