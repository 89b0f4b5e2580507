/**
 * Per-tenant settings as stored and as `GET/PUT /api/Settings` exchange them (issue: CPIX acquisition §4). All optional;
 * `resolveTenantPolicy` (tenant-policy.ts) applies their defaults.
 */
export interface TenantSettings {
  /** Widevine `provider` in WidevinePsshData (Shaka Packager `packager/media/base/widevine_pssh_data.proto`). */
  readonly widevineProvider?: string;
  /** PlayReady LA_URL written into the WRMHEADER (PlayReady header spec §3). */
  readonly playReadyLaUrl?: string;
  /** FairPlay key URI template; placeholders `{kid}`, `{kidHex}`, `{kidBase64}`, `{ivHex}`. Default `skd://{kid}:{ivHex}`. */
  readonly fairPlayUriTemplate?: string;
  /** HLS AES-128 / Clear Key key URI template; placeholders `{kid}`, `{kidHex}`, `{kidBase64}`, `{ivHex}`. */
  readonly clearKeyUriTemplate?: string;
  /** Browser origins allowed to call the tenant API cross-origin (CSRF guard and CORS); none by default. */
  readonly allowedOrigins?: readonly string[];
  /** Days `GET /api/Logs` keeps issuance and audit records; DEFAULT_LOG_RETENTION_DAYS when unset. */
  readonly logRetentionDays?: number;
  /**
   * `RequireEncryption`: CPIX acquisitions must ask for their keys encrypted (CPIX 2.3 §DeliveryDataList Element); a
   * request without DeliveryData is refused rather than answered in PlainValue. Off when unset.
   */
  readonly requireEncryption?: boolean;
  /**
   * `RecipientCertificates`: SHA-256 fingerprints (lowercase hex of the DER certificate) of the only certificates keys
   * may be encrypted for; any certificate the policy accepts when unset.
   */
  readonly recipientCertificates?: readonly string[];
  /** `SignResponses`: every CPIX answer carries an enveloped signature by `signingKeyId` (CPIX 2.3 §Digital Signature). */
  readonly signResponses?: boolean;
  /** `SigningKeyId`: the signing key (`/api/SigningKeys`) that signs answers. */
  readonly signingKeyId?: string;
  /**
   * `RequireSignedRequests`: only CPIX requests whose document signature verifies with a certificate on the tenant's
   * trusted list (`/api/TrustedRequesters`) are answered.
   */
  readonly requireSignedRequests?: boolean;
  /**
   * `AllowPlainContentKeyExport`: `POST /api/Export/ContentKeys` may answer keys in clear (PlainValue) when no
   * certificate is given; off by default, so an export without a certificate is refused.
   */
  readonly allowPlainContentKeyExport?: boolean;
  /**
   * Harmonic `RequireSignatures` (`/api/HarmonicConfiguration`, not part of `/api/Settings`): `POST /api/Harmonic/v2`
   * answers only requests signed by a trusted requester and signs its answers with `signingKeyId`, which must be set.
   */
  readonly harmonicRequireSignatures?: boolean;
  /** Harmonic `EncryptContentKeys`: keys encrypted for the request signer's certificate; only with `harmonicRequireSignatures`. */
  readonly harmonicEncryptContentKeys?: boolean;
}

/** The settings `/api/HarmonicConfiguration` owns; `PUT /api/Settings` keeps them as they are. */
export type HarmonicConfiguration = Required<Pick<TenantSettings, "harmonicRequireSignatures" | "harmonicEncryptContentKeys">>;

/** The settings with the Harmonic configuration replaced; an option that is off is not stored. */
export function withHarmonicConfiguration(settings: TenantSettings, configuration: HarmonicConfiguration): TenantSettings {
  const { harmonicRequireSignatures: _require, harmonicEncryptContentKeys: _encrypt, ...rest } = settings;
  return {
    ...rest,
    ...(configuration.harmonicRequireSignatures && { harmonicRequireSignatures: true }),
    ...(configuration.harmonicEncryptContentKeys && { harmonicEncryptContentKeys: true }),
  };
}

/** The settings whose value is one string. */
export type StringSettingName = "widevineProvider" | "playReadyLaUrl" | "fairPlayUriTemplate" | "clearKeyUriTemplate";

/** String settings' names as the Management API spells them (PascalCase, like every Axinom JSON field). */
export const SETTINGS_FIELDS = {
  WidevineProvider: "widevineProvider",
  PlayReadyLaUrl: "playReadyLaUrl",
  FairPlayUriTemplate: "fairPlayUriTemplate",
  ClearKeyUriTemplate: "clearKeyUriTemplate",
} as const satisfies Record<string, StringSettingName>;

/** Most origins one tenant may allow. */
export const MAX_ALLOWED_ORIGINS = 32;

/** Most recipient certificate fingerprints one tenant may list. */
export const MAX_RECIPIENT_CERTIFICATES = 32;

/** Longest accepted setting value; they end up in headers and manifests. */
export const MAX_SETTING_LENGTH = 2048;

/** How long log records are kept when the tenant sets nothing. */
export const DEFAULT_LOG_RETENTION_DAYS = 90;
/** Bounds of `LogRetentionDays`: at least a day, at most ten years. */
export const MIN_LOG_RETENTION_DAYS = 1;
export const MAX_LOG_RETENTION_DAYS = 3650;
