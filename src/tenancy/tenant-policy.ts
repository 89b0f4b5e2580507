import { DEFAULT_LOG_RETENTION_DAYS, type HarmonicConfiguration, type TenantSettings } from "./settings";

/**
 * A tenant's settings resolved once, grouped by concern, every default applied here and nowhere else. Derived, never
 * stored: the snapshot and the tenant object keep `TenantSettings` as it was written (only what is set), and
 * `GET /api/Settings` renders that form; this is what the read path and the object act on.
 */
export interface TenantPolicy {
  readonly signalling: SignallingPolicy;
  readonly cors: CorsPolicy;
  readonly retention: RetentionPolicy;
  readonly documentSecurity: DocumentSecurityPolicy;
  readonly export: ExportPolicy;
  readonly harmonic: HarmonicPolicy;
}

/**
 * The values written into DRM signalling. Each is absent when unset, because absence is itself the rule there: no
 * PlayReady LA_URL, the FairPlay default template, Clear Key refused without a template (src/drm/signalling.ts).
 */
export interface SignallingPolicy {
  readonly widevineProvider?: string;
  readonly playReadyLaUrl?: string;
  readonly fairPlayUriTemplate?: string;
  readonly clearKeyUriTemplate?: string;
}

/** Browser origins allowed to call the tenant API cross-origin; none by default. */
export interface CorsPolicy {
  readonly allowedOrigins: readonly string[];
}

/** How long log records are kept; DEFAULT_LOG_RETENTION_DAYS by default. */
export interface RetentionPolicy {
  readonly logDays: number;
}

/** The CPIX document-security settings; every switch off by default. */
export interface DocumentSecurityPolicy {
  /** `RequireEncryption`. */
  readonly requireEncryption: boolean;
  /** `RecipientCertificates`: the only fingerprints keys may be encrypted for; undefined = any the policy accepts. */
  readonly recipientFingerprints: readonly string[] | undefined;
  /** `SignResponses` as set (it signs only while `signingKeyId` names a key). */
  readonly signResponses: boolean;
  /** `SigningKeyId`: the signing key answers are signed with; undefined when none is named. */
  readonly signingKeyId: string | undefined;
  /** `RequireSignedRequests`. */
  readonly requireSignedRequests: boolean;
}

/** `POST /api/Export/ContentKeys`. */
export interface ExportPolicy {
  /** `AllowPlainContentKeyExport`: keys may leave in clear when no certificate is given; off by default. */
  readonly allowPlainContentKeys: boolean;
}

/** `/api/HarmonicConfiguration` as set; both off by default. */
export interface HarmonicPolicy {
  readonly requireSignatures: boolean;
  readonly encryptContentKeys: boolean;
}

/** The policy these settings put in force: the one place a setting's default is applied. */
export function resolveTenantPolicy(settings: TenantSettings): TenantPolicy {
  return {
    signalling: {
      ...(settings.widevineProvider !== undefined && { widevineProvider: settings.widevineProvider }),
      ...(settings.playReadyLaUrl !== undefined && { playReadyLaUrl: settings.playReadyLaUrl }),
      ...(settings.fairPlayUriTemplate !== undefined && { fairPlayUriTemplate: settings.fairPlayUriTemplate }),
      ...(settings.clearKeyUriTemplate !== undefined && { clearKeyUriTemplate: settings.clearKeyUriTemplate }),
    },
    cors: { allowedOrigins: settings.allowedOrigins ?? [] },
    retention: { logDays: settings.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS },
    documentSecurity: {
      requireEncryption: settings.requireEncryption ?? false,
      recipientFingerprints: settings.recipientCertificates,
      signResponses: settings.signResponses ?? false,
      signingKeyId: settings.signingKeyId,
      requireSignedRequests: settings.requireSignedRequests ?? false,
    },
    export: { allowPlainContentKeys: settings.allowPlainContentKeyExport ?? false },
    harmonic: {
      requireSignatures: settings.harmonicRequireSignatures ?? false,
      encryptContentKeys: settings.harmonicEncryptContentKeys ?? false,
    },
  };
}

/** The Harmonic configuration in force, in the form `/api/HarmonicConfiguration` and the tenant object exchange. */
export function harmonicConfiguration(policy: TenantPolicy): HarmonicConfiguration {
  return {
    harmonicRequireSignatures: policy.harmonic.requireSignatures,
    harmonicEncryptContentKeys: policy.harmonic.encryptContentKeys,
  };
}
