import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { api, createTenant } from "./support/api";
import { parsePlayReadyObject } from "./support/playready-object-parser";
import { tenantWithTestSeed } from "./support/tenant-with-seed";
import { parseWidevinePsshData } from "./support/widevine-pssh-data-parser";

/** The document-security settings when nothing is set (tested in cpix-document-security-settings.test.ts). */
const DOCUMENT_SECURITY_DEFAULTS = {
  RequireEncryption: false,
  RecipientCertificates: null,
  SignResponses: false,
  SigningKeyId: null,
  RequireSignedRequests: false,
};

/** The content-key export setting when nothing is set (its effect is tested in content-key-transfer.test.ts). */
const EXPORT_DEFAULTS = { AllowPlainContentKeyExport: false };

describe("tenant settings", () => {
  it("starts empty, stores what is PUT and returns it in PascalCase", async () => {
    const tenant = await createTenant();
    expect(await (await api(tenant, "GET", "/api/Settings")).json()).toEqual({
      WidevineProvider: null,
      PlayReadyLaUrl: null,
      FairPlayUriTemplate: null,
      ClearKeyUriTemplate: null,
      AllowedOrigins: [],
      LogRetentionDays: 90,
      ...DOCUMENT_SECURITY_DEFAULTS,
      ...EXPORT_DEFAULTS,
    });
    const settings = {
      WidevineProvider: "acme",
      PlayReadyLaUrl: "https://pr.example.com/rightsmanager.asmx",
      FairPlayUriTemplate: "skd://acme/{kid}",
      ClearKeyUriTemplate: null,
      AllowedOrigins: ["https://console.example.com"],
    };
    const put = await api(tenant, "PUT", "/api/Settings", settings);
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ ...settings, LogRetentionDays: 90, ...DOCUMENT_SECURITY_DEFAULTS, ...EXPORT_DEFAULTS });
    expect(await (await api(tenant, "GET", "/api/Settings")).json()).toEqual({
      ...settings,
      LogRetentionDays: 90,
      ...DOCUMENT_SECURITY_DEFAULTS,
      ...EXPORT_DEFAULTS,
    });
  });

  it("puts the provider, LA_URL and skd template into the signalling at once", async () => {
    const tenant = await tenantWithTestSeed();
    await api(tenant, "PUT", "/api/Settings", {
      WidevineProvider: "acme",
      PlayReadyLaUrl: "https://pr.example.com/rm",
      FairPlayUriTemplate: "skd://acme/{kid}",
    });
    const response = await api(
      tenant,
      "GET",
      "/api/Cpix/c1?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b&drm=widevine&drm=playready&drm=fairplay&scheme=cbcs",
    );
    const read = readCpix(new TextEncoder().encode(await response.text()));
    if (!read.ok) throw new Error("unreadable");
    const [widevine, playReady, fairPlay] = read.document.drmSystemList!.items;
    const psshData = parseWidevinePsshData(widevine!.pssh!.subarray(32));
    expect("reason" in psshData ? psshData.detail : psshData.provider).toBe("acme");
    const pro = parsePlayReadyObject(playReady!.smoothStreamingProtectionHeaderData!);
    expect("reason" in pro ? pro.detail : pro.wrmHeader).toContain("<LA_URL>https://pr.example.com/rm</LA_URL>");
    expect(fairPlay!.systemId.equals(SYSTEM_IDS.fairPlay)).toBe(true);
    expect(new TextDecoder().decode(fairPlay!.hlsSignalingData[0]!.data)).toContain(
      'URI="skd://acme/339c45b5-fb6d-4bd9-994c-eabd9d41c95b"',
    );
  });

  it.each([
    ["an unknown setting", { LaUrl: "x" }, /Unknown setting LaUrl/],
    ["a number", { WidevineProvider: 5 }, /WidevineProvider must be a string/],
    ["a line break", { WidevineProvider: "a\nb" }, /line breaks/],
  ])("refuses %s with 400 and keeps the old settings", async (_case, body, message) => {
    const tenant = await createTenant();
    await api(tenant, "PUT", "/api/Settings", { WidevineProvider: "kept" });
    const response = await api(tenant, "PUT", "/api/Settings", body);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(message);
    expect(await (await api(tenant, "GET", "/api/Settings")).json()).toMatchObject({ WidevineProvider: "kept" });
  });

  it.each([
    ["an LA_URL that is not a URL", { PlayReadyLaUrl: "not a url" }, /PlayReadyLaUrl must be an absolute URL/],
    ["an skd template without skd://", { FairPlayUriTemplate: "https://x/{kid}" }, /FairPlayUriTemplate must start with skd:\/\//],
    ["an unknown placeholder", { ClearKeyUriTemplate: "https://x/{contentId}" }, /ClearKeyUriTemplate placeholders must be one of/],
  ])("refuses %s at PUT, where acquisition would later fail", async (_case, body, message) => {
    const tenant = await createTenant();
    const response = await api(tenant, "PUT", "/api/Settings", body);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(message);
  });
});

describe("issuance log", () => {
  it("pages newest first with $top and $skip", async () => {
    const tenant = await tenantWithTestSeed();
    for (const id of ["a", "b", "c"]) expect((await api(tenant, "GET", `/api/Cpix/${id}`)).status).toBe(200);
    let logs: { ContentId: string }[] = [];
    for (let attempt = 0; attempt < 50 && logs.length < 3; attempt++) {
      logs = await (await api(tenant, "GET", "/api/Logs?category=100")).json();
      if (logs.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(logs.map((log) => log.ContentId)).toEqual(["c", "b", "a"]);
    expect(
      (await (await api(tenant, "GET", "/api/Logs?category=100&$top=1&$skip=1")).json<{ ContentId: string }[]>()).map(
        (log) => log.ContentId,
      ),
    ).toEqual(["b"]);
  });
});
