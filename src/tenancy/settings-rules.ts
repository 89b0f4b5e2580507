import {
  MAX_ALLOWED_ORIGINS,
  MAX_LOG_RETENTION_DAYS,
  MAX_RECIPIENT_CERTIFICATES,
  MAX_SETTING_LENGTH,
  MIN_LOG_RETENTION_DAYS,
  type TenantSettings,
} from "./settings";

/*
 * What a stored settings row may hold: the rules `PUT /api/Settings` (src/management/settings-input.ts) applies to its
 * JSON and a restore (operations/backup-operations.ts) applies to a backup's rows, in one place. Each rule's words
 * follow the setting's name in both. The signalling rules of the string settings (PlayReady LA_URL, key URI templates)
 * live in src/drm/, which this layer does not import: the PUT applies them, and acquisition applies them again to
 * what is stored (src/drm/signalling.ts), so a restored value that breaks one fails only its own tenant's answers.
 */

/** HLS writes the string settings into quoted-strings (RFC 8216 §4.2), and PlayReady into XML attributes. */
export const MANIFEST_TEXT_RULE = "must not contain quotes or line breaks (it is written into manifests)";
export const isManifestText = (value: string): boolean => !/[\r\n"]/.test(value);

export const ORIGIN_RULE = "must be an origin: scheme, host and optional port, e.g. https://console.example.com";
/** A serialized origin (RFC 6454 §6.2) such as `https://console.example.com`, no path. */
export function isOrigin(origin: string): boolean {
  const url = URL.canParse(origin) ? new URL(origin) : undefined;
  return url !== undefined && (url.protocol === "https:" || url.protocol === "http:") && url.origin === origin;
}
/** The CORS preflight directory is deployment-wide (allowed-origins-directory.ts): one KV entry per origin. */
export const MAX_ORIGINS_RULE = `may hold at most ${MAX_ALLOWED_ORIGINS} origins`;

export const RETENTION_RULE = `must be a whole number of days from ${MIN_LOG_RETENTION_DAYS} to ${MAX_LOG_RETENTION_DAYS}`;

/** A recipient certificate's SHA-256 fingerprint as stored: lowercase hex of the DER certificate, no colons. */
export const STORED_FINGERPRINT = /^[0-9a-f]{64}$/;
export const MAX_FINGERPRINTS_RULE = `may hold at most ${MAX_RECIPIENT_CERTIFICATES} fingerprints`;

/** A stored setting's problem, as a sentence that starts with its name, or undefined. */
type StoredSettingRule = (name: string, value: unknown) => string | undefined;

const storedText: StoredSettingRule = (name, value) =>
  typeof value !== "string" || value === "" || value.length > MAX_SETTING_LENGTH
    ? `${name} must be a string of 1 to ${MAX_SETTING_LENGTH} characters`
    : isManifestText(value)
      ? undefined
      : `${name} ${MANIFEST_TEXT_RULE}`;

// A PUT stores a switch only when it is on.
const storedSwitch: StoredSettingRule = (name, value) => (value === true ? undefined : `${name} must be true`);

/** A non-empty list of at most `max` entries, each passing `item`; a PUT stores no empty list. */
function storedList(max: number, maxRule: string, item: (entry: string) => boolean, itemRule: string): StoredSettingRule {
  return (name, value) => {
    if (!Array.isArray(value) || value.length === 0) return `${name} must be a non-empty list`;
    if (value.length > max) return `${name} ${maxRule}`;
    const bad = value.findIndex((entry) => typeof entry !== "string" || !item(entry));
    // A repeated entry is let be: a PUT accepts one (and keeps it once), and a directory entry written twice is one.
    return bad < 0 ? undefined : `${name}[${bad}] ${itemRule}`;
  };
}

const STORED_SETTING_RULES: Readonly<Record<keyof TenantSettings, StoredSettingRule>> = {
  widevineProvider: storedText,
  playReadyLaUrl: storedText,
  fairPlayUriTemplate: storedText,
  clearKeyUriTemplate: storedText,
  allowedOrigins: storedList(MAX_ALLOWED_ORIGINS, MAX_ORIGINS_RULE, isOrigin, ORIGIN_RULE),
  logRetentionDays: (name, value) =>
    Number.isInteger(value) && (value as number) >= MIN_LOG_RETENTION_DAYS && (value as number) <= MAX_LOG_RETENTION_DAYS
      ? undefined
      : `${name} ${RETENTION_RULE}`,
  requireEncryption: storedSwitch,
  recipientCertificates: storedList(
    MAX_RECIPIENT_CERTIFICATES,
    MAX_FINGERPRINTS_RULE,
    (entry) => STORED_FINGERPRINT.test(entry),
    "must be 64 lowercase hex digits",
  ),
  signResponses: storedSwitch,
  // The caller checks that it names a stored signing key, which no value but a key's id does.
  signingKeyId: () => undefined,
  requireSignedRequests: storedSwitch,
  allowPlainContentKeyExport: storedSwitch,
  harmonicRequireSignatures: storedSwitch,
  harmonicEncryptContentKeys: storedSwitch,
};

/** Settings a PUT (or `PUT /api/HarmonicConfiguration`) stores only together with another. */
const SETTINGS_NEEDED: readonly (readonly [keyof TenantSettings, keyof TenantSettings])[] = [
  ["signResponses", "signingKeyId"],
  ["harmonicRequireSignatures", "signingKeyId"],
  ["harmonicEncryptContentKeys", "harmonicRequireSignatures"],
];

/**
 * Why stored settings are not ones a PUT (and `/api/HarmonicConfiguration`) could have written, naming the setting,
 * or undefined. Whether `signingKeyId` names a stored key is the caller's to check.
 */
export function storedSettingsProblem(settings: TenantSettings): string | undefined {
  for (const [name, value] of Object.entries(settings)) {
    const problem = Object.hasOwn(STORED_SETTING_RULES, name)
      ? STORED_SETTING_RULES[name as keyof TenantSettings](name, value)
      : `${name} is not a setting`;
    if (problem) return problem;
  }
  for (const [setting, needed] of SETTINGS_NEEDED) {
    if (settings[setting] && settings[needed] === undefined) return `${setting} needs ${needed}`;
  }
  return undefined;
}
