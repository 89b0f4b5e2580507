import type { DocumentSecurityPolicy, TenantPolicy } from "../../tenancy/tenant-policy";
import type { LoadedTenant } from "../../tenancy/loaded-tenant";
import type { DocumentSecurity } from "./acquire";
import { signAnswer } from "./document-signatures";
import type { AnswerSigningSetting } from "./document-security-failure";

/** The setting a Harmonic refusal or signing failure names when `/api/HarmonicConfiguration` is what required it. */
const HARMONIC_REQUIRE_SIGNATURES = "RequireSignatures (/api/HarmonicConfiguration)" as const;

/** How a CPIX answer is signed (CPIX 2.3 §Digital Signature): with which key, under which setting's name. */
export interface AnswerSigning {
  /** The setting a signing failure names. */
  readonly setting: AnswerSigningSetting;
  /** The signing key; undefined when none is named, which signing then reports. */
  readonly signingKeyId: string | undefined;
}

/** What one CPIX acquisition enforces: its request's document security (judged at `now`) and how its answer is signed. */
export interface CpixSecurity {
  readonly request: Omit<DocumentSecurity, "now">;
  /** Undefined when the answer is not signed. */
  readonly signing: AnswerSigning | undefined;
}

/** Picks an endpoint's security from the tenant's policy and its trusted requesters' fingerprints. */
export type CpixSecurityOf = (policy: TenantPolicy, trustedRequesters: readonly string[]) => CpixSecurity;

/** Every CPIX endpoint but Harmonic: the tenant's document-security settings as they are. */
export const cpixSecurity: CpixSecurityOf = (policy, trustedRequesters) => ({
  request: requestSecurity(policy.documentSecurity, trustedRequesters),
  signing: responseSigning(policy.documentSecurity),
});

/**
 * Harmonic v2: the tenant settings plus `/api/HarmonicConfiguration` (Axinom Key Service docs, Harmonic).
 * `RequireSignatures` requires a trusted request signature and signs the answer with `SigningKeyId` even without
 * `SignResponses`; `EncryptContentKeys` (only with it) encrypts the keys for that signer's certificate.
 */
export const harmonicSecurity: CpixSecurityOf = (policy, trustedRequesters) => {
  const settings = cpixSecurity(policy, trustedRequesters);
  if (!policy.harmonic.requireSignatures) return settings;
  const security = policy.documentSecurity;
  return {
    request: {
      ...settings.request,
      requireSignedRequests: true,
      ...(!security.requireSignedRequests && { requirementName: HARMONIC_REQUIRE_SIGNATURES }),
      ...(policy.harmonic.encryptContentKeys && { encryptForSigner: true }),
    },
    signing: settings.signing ?? { setting: HARMONIC_REQUIRE_SIGNATURES, signingKeyId: security.signingKeyId },
  };
};

/** `RequireEncryption`, `RecipientCertificates`, `RequireSignedRequests` and the trusted requesters. */
function requestSecurity(security: DocumentSecurityPolicy, trustedRequesters: readonly string[]): CpixSecurity["request"] {
  return {
    requireEncryption: security.requireEncryption,
    ...(security.recipientFingerprints !== undefined && { recipientFingerprints: security.recipientFingerprints }),
    requireSignedRequests: security.requireSignedRequests,
    trustedRequesters,
  };
}

/** `SignResponses` signs only while `SigningKeyId` names a key (PUT /api/Settings refuses one without the other). */
function responseSigning(security: DocumentSecurityPolicy): AnswerSigning | undefined {
  if (!security.signResponses || security.signingKeyId === undefined) return undefined;
  return { setting: "SignResponses", signingKeyId: security.signingKeyId };
}

/** The answer as `signing` says: enveloped-signed whole (CPIX 2.3 §Digital Signature), or as it is when unsigned. */
export async function signedAnswer(
  tenant: LoadedTenant,
  xml: string,
  signing: AnswerSigning | undefined,
  now: Date,
): ReturnType<typeof signAnswer> {
  if (!signing) return { ok: true, xml };
  const key = signing.signingKeyId === undefined ? undefined : await tenant.signingKey(signing.signingKeyId);
  return signAnswer(xml, key, now, signing.setting);
}
