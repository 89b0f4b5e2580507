/**
 * `resolveTenantPolicy` (src/tenancy/tenant-policy.ts): the one place a tenant setting's default is applied (issue 26
 * item 4). Every group with nothing set gives every default; every group with everything set gives the settings back
 * unchanged; the stored form is not touched.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LOG_RETENTION_DAYS, type TenantSettings } from "../../src/tenancy/settings";
import { harmonicConfiguration, resolveTenantPolicy } from "../../src/tenancy/tenant-policy";

const EVERY_SETTING: Required<TenantSettings> = {
  widevineProvider: "widevine_test",
  playReadyLaUrl: "https://playready.example.com/rightsmanager.asmx",
  fairPlayUriTemplate: "skd://fairplay/{kidHex}",
  clearKeyUriTemplate: "https://keys.example.com/{kid}",
  allowedOrigins: ["https://console.example.com"],
  logRetentionDays: 7,
  requireEncryption: true,
  recipientCertificates: ["ab".repeat(32)],
  signResponses: true,
  signingKeyId: "1d2c3b4a-0000-4000-8000-000000000001",
  requireSignedRequests: true,
  allowPlainContentKeyExport: true,
  harmonicRequireSignatures: true,
  harmonicEncryptContentKeys: true,
};

describe("resolveTenantPolicy with no setting set", () => {
  const policy = resolveTenantPolicy({});

  it("writes no signalling value: each is absent, so the DRM signalling's own rule for absence holds", () => {
    expect(policy.signalling).toStrictEqual({});
  });

  it("allows no cross-origin browser", () => {
    expect(policy.cors).toStrictEqual({ allowedOrigins: [] });
  });

  it("keeps logs DEFAULT_LOG_RETENTION_DAYS (90) days", () => {
    expect(DEFAULT_LOG_RETENTION_DAYS).toBe(90);
    expect(policy.retention).toStrictEqual({ logDays: 90 });
  });

  it("turns every document-security switch off and names no recipient list or signing key", () => {
    expect(policy.documentSecurity).toStrictEqual({
      requireEncryption: false,
      recipientFingerprints: undefined,
      signResponses: false,
      signingKeyId: undefined,
      requireSignedRequests: false,
    });
  });

  it("refuses plain content key export", () => {
    expect(policy.export).toStrictEqual({ allowPlainContentKeys: false });
  });

  it("turns both Harmonic options off", () => {
    expect(policy.harmonic).toStrictEqual({ requireSignatures: false, encryptContentKeys: false });
    expect(harmonicConfiguration(policy)).toStrictEqual({ harmonicRequireSignatures: false, harmonicEncryptContentKeys: false });
  });

  it("has exactly the six groups", () => {
    expect(Object.keys(policy).sort()).toStrictEqual(["cors", "documentSecurity", "export", "harmonic", "retention", "signalling"]);
  });
});

describe("resolveTenantPolicy with every setting set", () => {
  const policy = resolveTenantPolicy(EVERY_SETTING);

  it("carries the four signalling values as set", () => {
    expect(policy.signalling).toStrictEqual({
      widevineProvider: EVERY_SETTING.widevineProvider,
      playReadyLaUrl: EVERY_SETTING.playReadyLaUrl,
      fairPlayUriTemplate: EVERY_SETTING.fairPlayUriTemplate,
      clearKeyUriTemplate: EVERY_SETTING.clearKeyUriTemplate,
    });
  });

  it("carries the allowed origins, the retention, the export and Harmonic options as set", () => {
    expect(policy.cors).toStrictEqual({ allowedOrigins: EVERY_SETTING.allowedOrigins });
    expect(policy.retention).toStrictEqual({ logDays: 7 });
    expect(policy.export).toStrictEqual({ allowPlainContentKeys: true });
    expect(policy.harmonic).toStrictEqual({ requireSignatures: true, encryptContentKeys: true });
    expect(harmonicConfiguration(policy)).toStrictEqual({ harmonicRequireSignatures: true, harmonicEncryptContentKeys: true });
  });

  it("carries the document-security settings as set", () => {
    expect(policy.documentSecurity).toStrictEqual({
      requireEncryption: true,
      recipientFingerprints: EVERY_SETTING.recipientCertificates,
      signResponses: true,
      signingKeyId: EVERY_SETTING.signingKeyId,
      requireSignedRequests: true,
    });
  });

  it("keeps a setting set to its default's value, not just a set one: an empty recipient list stays a list", () => {
    expect(resolveTenantPolicy({ recipientCertificates: [] }).documentSecurity.recipientFingerprints).toStrictEqual([]);
    expect(resolveTenantPolicy({ requireEncryption: false }).documentSecurity.requireEncryption).toBe(false);
  });

  it("leaves the stored settings as they were", () => {
    const stored: TenantSettings = { requireEncryption: true };
    resolveTenantPolicy(stored);
    expect(stored).toStrictEqual({ requireEncryption: true });
  });
});
