import * as v from "valibot";
import { keyUriTemplateProblem } from "../drm/key-uri-template";
import { playReadyLaUrlProblem } from "../drm/playready";
import {
  MAX_ALLOWED_ORIGINS,
  MAX_LOG_RETENTION_DAYS,
  MAX_RECIPIENT_CERTIFICATES,
  MAX_SETTING_LENGTH,
  MIN_LOG_RETENTION_DAYS,
  SETTINGS_FIELDS,
  type StringSettingName,
  type TenantSettings,
} from "../tenancy/settings";
import {
  MANIFEST_TEXT_RULE,
  MAX_FINGERPRINTS_RULE,
  MAX_ORIGINS_RULE,
  ORIGIN_RULE,
  RETENTION_RULE,
  STORED_FINGERPRINT,
  isManifestText,
  isOrigin,
} from "../tenancy/settings-rules";
import { ITEM_INDEX, flag, jsonObject, optional, parseJson, text, uuid } from "../http/json-fields";
import { openApiDescription, openApiMetadata } from "../http/schema-doc";

type StringSettingWire = keyof typeof SETTINGS_FIELDS;

/** A string setting: empty means unset; otherwise the checks acquisition applies, so a setting that would break every response is refused here. */
function stringSetting(wire: StringSettingWire) {
  return optional(
    v.pipe(
      text(wire, MAX_SETTING_LENGTH),
      v.check(isManifestText, `${wire} ${MANIFEST_TEXT_RULE}`),
      v.rawCheck(({ dataset, addIssue }) => {
        const problem = dataset.typed && dataset.value !== "" ? settingProblem(SETTINGS_FIELDS[wire], dataset.value) : undefined;
        if (problem) addIssue({ message: `${wire} ${problem}` });
      }),
    ),
  );
}

// The words of each rule are the stored form's (src/tenancy/settings-rules.ts), which a restore applies too.
const RETENTION = `LogRetentionDays ${RETENTION_RULE}`;
const ORIGIN = `AllowedOrigins[${ITEM_INDEX}] ${ORIGIN_RULE}`;
const FINGERPRINT_RULE = `RecipientCertificates[${ITEM_INDEX}] must be a SHA-256 fingerprint: 64 hex digits, colons allowed`;

const SETTINGS_ENTRIES = {
  WidevineProvider: stringSetting("WidevineProvider"),
  PlayReadyLaUrl: stringSetting("PlayReadyLaUrl"),
  FairPlayUriTemplate: stringSetting("FairPlayUriTemplate"),
  ClearKeyUriTemplate: stringSetting("ClearKeyUriTemplate"),
  AllowedOrigins: optional(
    v.pipe(
      v.array(
        v.pipe(v.string(ORIGIN), v.check(isOrigin, ORIGIN)),
        "AllowedOrigins must be an array of origins such as https://console.example.com",
      ),
      v.maxLength(MAX_ALLOWED_ORIGINS, `AllowedOrigins ${MAX_ORIGINS_RULE}`),
      openApiDescription(__OPENAPI__ && "Origins whose browsers may call the Management API (CORS)"),
    ),
  ),
  LogRetentionDays: optional(
    v.pipe(
      v.number(RETENTION),
      v.integer(RETENTION),
      v.minValue(MIN_LOG_RETENTION_DAYS, RETENTION),
      v.maxValue(MAX_LOG_RETENTION_DAYS, RETENTION),
    ),
  ),
  RequireEncryption: optional(flag("RequireEncryption")),
  // SHA-256 fingerprints of the DER certificates keys may be encrypted for, hex (colons allowed, as `openssl x509
  // -fingerprint -sha256` prints them); stored lowercase without colons. Absent, null or empty: any certificate the policy accepts.
  RecipientCertificates: optional(
    v.pipe(
      v.array(
        v.pipe(
          v.string(FINGERPRINT_RULE),
          v.rawTransform(({ dataset, addIssue, NEVER }) => {
            const hex = dataset.value.replace(/:/g, "").toLowerCase();
            if (!STORED_FINGERPRINT.test(hex)) addIssue({ message: FINGERPRINT_RULE });
            return STORED_FINGERPRINT.test(hex) ? hex : NEVER;
          }),
          openApiMetadata(__OPENAPI__ && { description: "SHA-256 of the DER certificate: 64 hex digits, colons allowed" }),
        ),
        "RecipientCertificates must be an array of SHA-256 certificate fingerprints (hex)",
      ),
      v.maxLength(MAX_RECIPIENT_CERTIFICATES, `RecipientCertificates ${MAX_FINGERPRINTS_RULE}`),
    ),
  ),
  SignResponses: optional(flag("SignResponses")),
  SigningKeyId: optional(uuid("SigningKeyId")),
  RequireSignedRequests: optional(flag("RequireSignedRequests")),
  /** POST /api/Export/ContentKeys without a Certificate answers keys in PlainValue only when this is true. */
  AllowPlainContentKeyExport: optional(flag("AllowPlainContentKeyExport")),
};
const KNOWN_SETTINGS = Object.keys(SETTINGS_ENTRIES);

/** `PUT /api/Settings`: every field optional; unknown fields are refused so a typo is not silently dropped. */
export const TENANT_SETTINGS = v.pipe(
  jsonObject(SETTINGS_ENTRIES, { unknownField: (name) => `Unknown setting ${name}; allowed: ${KNOWN_SETTINGS.join(", ")}` }),
  v.check(
    (body) => !body.SignResponses || body.SigningKeyId !== undefined,
    "SignResponses needs SigningKeyId: the Id of a key added with POST /api/SigningKeys",
  ),
);

/** The typed settings of a PUT: unset, empty and false fields are left out. */
export function parseSettings(value: unknown): TenantSettings {
  const body = parseJson(TENANT_SETTINGS, value);
  const settings: { -readonly [K in keyof TenantSettings]: TenantSettings[K] } = {};
  for (const [wire, field] of Object.entries(SETTINGS_FIELDS)) {
    const text = body[wire as StringSettingWire];
    if (text) settings[field] = text;
  }
  if (body.AllowedOrigins?.length) settings.allowedOrigins = [...new Set(body.AllowedOrigins)];
  if (body.LogRetentionDays !== undefined) settings.logRetentionDays = body.LogRetentionDays;
  if (body.RequireEncryption) settings.requireEncryption = true;
  if (body.RecipientCertificates?.length) settings.recipientCertificates = [...new Set(body.RecipientCertificates)];
  if (body.SignResponses) settings.signResponses = true;
  if (body.SigningKeyId !== undefined) settings.signingKeyId = body.SigningKeyId;
  if (body.RequireSignedRequests) settings.requireSignedRequests = true;
  if (body.AllowPlainContentKeyExport) settings.allowPlainContentKeyExport = true;
  return settings;
}

function settingProblem(field: StringSettingName, value: string): string | undefined {
  switch (field) {
    case "widevineProvider":
      return undefined;
    case "playReadyLaUrl":
      return playReadyLaUrlProblem(value);
    case "fairPlayUriTemplate":
      return keyUriTemplateProblem(value) ?? (value.startsWith("skd://") ? undefined : "must start with skd://");
    case "clearKeyUriTemplate":
      return keyUriTemplateProblem(value);
  }
}
