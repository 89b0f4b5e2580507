/**
 * `cpixSecurity` and `harmonicSecurity` (src/protocols/cpix/acquisition-security.ts): what a CPIX acquisition enforces
 * and how its answer is signed, from the resolved tenant policy. The routes' behaviour is pinned end to end by
 * acquisition-policy, cpix-document-security-settings and the Harmonic tests; this pins each combination here.
 */
import { describe, expect, it } from "vitest";
import { cpixSecurity, harmonicSecurity } from "../../src/protocols/cpix/acquisition-security";
import type { TenantSettings } from "../../src/tenancy/settings";
import { resolveTenantPolicy } from "../../src/tenancy/tenant-policy";

const TRUSTED = ["cd".repeat(32)];
const SIGNING_KEY_ID = "1d2c3b4a-0000-4000-8000-000000000001";
const HARMONIC_SETTING = "RequireSignatures (/api/HarmonicConfiguration)";

const securityOf = (settings: TenantSettings) => cpixSecurity(resolveTenantPolicy(settings), TRUSTED);
const harmonicOf = (settings: TenantSettings) => harmonicSecurity(resolveTenantPolicy(settings), TRUSTED);

describe("cpixSecurity", () => {
  it("requires nothing and signs nothing when no setting is set", () => {
    expect(securityOf({})).toStrictEqual({
      request: { requireEncryption: false, requireSignedRequests: false, trustedRequesters: TRUSTED },
      signing: undefined,
    });
  });

  it("carries RequireEncryption, RecipientCertificates and RequireSignedRequests", () => {
    const fingerprints = ["ab".repeat(32)];
    expect(securityOf({ requireEncryption: true, recipientCertificates: fingerprints, requireSignedRequests: true }).request).toStrictEqual(
      {
        requireEncryption: true,
        recipientFingerprints: fingerprints,
        requireSignedRequests: true,
        trustedRequesters: TRUSTED,
      },
    );
  });

  it("signs with SigningKeyId under SignResponses", () => {
    expect(securityOf({ signResponses: true, signingKeyId: SIGNING_KEY_ID }).signing).toStrictEqual({
      setting: "SignResponses",
      signingKeyId: SIGNING_KEY_ID,
    });
  });

  it("does not sign with SignResponses on and no SigningKeyId, nor with a SigningKeyId and SignResponses off", () => {
    expect(securityOf({ signResponses: true }).signing).toBeUndefined();
    expect(securityOf({ signingKeyId: SIGNING_KEY_ID }).signing).toBeUndefined();
  });

  it("ignores the Harmonic configuration", () => {
    expect(securityOf({ harmonicRequireSignatures: true, harmonicEncryptContentKeys: true, signingKeyId: SIGNING_KEY_ID })).toStrictEqual(
      securityOf({ signingKeyId: SIGNING_KEY_ID }),
    );
  });
});

describe("harmonicSecurity", () => {
  it("is the tenant settings alone while RequireSignatures is off", () => {
    const settings: TenantSettings = { requireEncryption: true, signResponses: true, signingKeyId: SIGNING_KEY_ID };
    expect(harmonicOf(settings)).toStrictEqual(securityOf(settings));
  });

  it("with RequireSignatures requires a signature named after it and signs under it with SigningKeyId", () => {
    expect(harmonicOf({ harmonicRequireSignatures: true, signingKeyId: SIGNING_KEY_ID })).toStrictEqual({
      request: { requireEncryption: false, requireSignedRequests: true, requirementName: HARMONIC_SETTING, trustedRequesters: TRUSTED },
      signing: { setting: HARMONIC_SETTING, signingKeyId: SIGNING_KEY_ID },
    });
  });

  it("with RequireSignatures and no SigningKeyId still signs, so signing reports the missing key", () => {
    expect(harmonicOf({ harmonicRequireSignatures: true }).signing).toStrictEqual({ setting: HARMONIC_SETTING, signingKeyId: undefined });
  });

  it("names RequireSignedRequests, not RequireSignatures, when the tenant setting requires signatures too", () => {
    const request = harmonicOf({ harmonicRequireSignatures: true, requireSignedRequests: true, signingKeyId: SIGNING_KEY_ID }).request;
    expect(request.requireSignedRequests).toBe(true);
    expect(request.requirementName).toBeUndefined();
  });

  it("signs under SignResponses when that is on too", () => {
    const security = harmonicOf({ harmonicRequireSignatures: true, signResponses: true, signingKeyId: SIGNING_KEY_ID });
    expect(security.signing).toStrictEqual({ setting: "SignResponses", signingKeyId: SIGNING_KEY_ID });
  });

  it("encrypts for the signer only with EncryptContentKeys and RequireSignatures both on", () => {
    expect(harmonicOf({ harmonicRequireSignatures: true, harmonicEncryptContentKeys: true }).request.encryptForSigner).toBe(true);
    expect(harmonicOf({ harmonicRequireSignatures: true }).request.encryptForSigner).toBeUndefined();
    expect(harmonicOf({ harmonicEncryptContentKeys: true }).request.encryptForSigner).toBeUndefined();
  });
});
