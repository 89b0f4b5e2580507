/**
 * `POST /api/Export/KeySeeds` `{Ids?, Password? | Certificate?}`: the tenant's key seeds as a PSKC document
 * (RFC 6030) that a license service imports. There is no plain export: the seeds leave encrypted with a password
 * (§6.2) or to a certificate (§6.3). Not mounted here; the route loads the opened seeds, calls `exportKeySeeds`,
 * writes the audit record it returns, then answers:
 * @example
 * routes.post("/export/keyseeds", async (c) => {
 *   const { response, audit } = await exportKeySeeds(c.req.raw, await openedSeeds(c), new Date());
 *   if (audit) await recordAudit(c, audit); // before the document leaves; a failed write answers 503 instead
 *   return response;
 * });
 */
import * as v from "valibot";
import { fromBase64 } from "../domain/bytes";
import { managementFailureResponse } from "../http/management-errors";
import type { PskcSeed } from "../pskc/model";
import { PSKC_MEDIA_TYPE } from "../pskc/pskc-uris";
import { writePskcCertificatePackage, writePskcPasswordPackage } from "../pskc/writer";
import { MAX_EXPORT_PASSWORD_LENGTH, MIN_EXPORT_PASSWORD_LENGTH, exportPasswordProblem } from "../domain/export-password";
import { MAX_CERTIFICATE_TEXT } from "./certificate-input";
import { ITEM_INDEX, distinctItems, jsonObject, optional, parseJson, uuid } from "../http/json-fields";
import { MAX_IMPORT_ITEMS } from "./key-seed-input";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseBody } from "./responses";
import { openApiDescription, openApiMetadata } from "../http/schema-doc";

/** The Issuer of every exported key (RFC 6030 §4.3.2). */
const ISSUER = "edge-key-service";

export type KeySeedExportProtection =
  { readonly kind: "password"; readonly password: string } | { readonly kind: "certificate"; readonly der: Uint8Array };

export interface KeySeedExportRequest {
  /** Canonical lower-case seed ids; absent = every seed of the tenant. */
  readonly ids?: readonly string[];
  readonly protection: KeySeedExportProtection;
}

/** What an export gave away, for its audit record: ids and how they were protected, never a value. */
export interface KeySeedExportAudit {
  readonly seedIds: readonly string[];
  readonly protection: KeySeedExportProtection["kind"];
  /** SHA-256 (hex) of the recipient certificate's DER, for a certificate export. */
  readonly recipientCertificateSha256?: string;
}

export interface KeySeedExportOutcome {
  readonly response: Response;
  /** Present exactly when `response` carries a document: the record to write before answering. */
  readonly audit?: KeySeedExportAudit;
}

/**
 * Parses the request and answers the PSKC document of the asked seeds (`seeds`: every opened seed of the tenant,
 * loaded by the caller), or the error: 400 naming the field or the certificate's problem, 404 naming an unknown Id.
 */
export async function exportKeySeeds(request: Request, seeds: readonly PskcSeed[], now: Date): Promise<KeySeedExportOutcome> {
  const input = await parseBody(request, parseKeySeedExport);
  if (input instanceof Response) return { response: input };
  const byId = new Map(seeds.map((seed) => [seed.id.toLowerCase(), seed]));
  const missing = input.ids?.find((id) => !byId.has(id));
  if (missing) return { response: managementFailureResponse({ reason: "not-found", what: "key seed", id: missing }) };
  const chosen = input.ids ? input.ids.map((id) => byId.get(id)!) : [...seeds];
  if (chosen.length === 0) return { response: managementRequestFailureResponse({ reason: "nothing-to-export", what: "key seeds" }) };
  const seedIds = chosen.map((seed) => seed.id);
  if (input.protection.kind === "password") {
    const xml = await writePskcPasswordPackage(chosen, input.protection.password, { issuer: ISSUER });
    return { response: pskcResponse(xml), audit: { seedIds, protection: "password" } };
  }
  const written = await writePskcCertificatePackage(chosen, input.protection.der, { now, issuer: ISSUER });
  if (!written.ok) return { response: managementRequestFailureResponse({ reason: "seed-export-certificate", problem: written.problem }) };
  return {
    response: pskcResponse(written.xml),
    audit: { seedIds, protection: "certificate", recipientCertificateSha256: written.recipient.sha256 },
  };
}

/** RFC 6030 §12.1: `application/pskc+xml`, file extension `.pskcxml`. */
function pskcResponse(xml: string): Response {
  return new Response(xml, {
    headers: {
      "Content-Type": `${PSKC_MEDIA_TYPE}; charset=utf-8`,
      "Content-Disposition": 'attachment; filename="key-seeds.pskcxml"',
    },
  });
}

const FIELDS = ["Ids", "Password", "Certificate"];
const UNREADABLE_CERTIFICATE = 'Certificate must be one X.509 certificate: PEM "BEGIN CERTIFICATE", or base64 of its DER';

/** `POST /api/Export/KeySeeds` body `{Ids?, Password? | Certificate?}`: exactly one protection; messages name the field, never its value. */
export const KEY_SEED_EXPORT = v.pipe(
  jsonObject(
    {
      Ids: optional(
        v.pipe(
          v.array(
            uuid("Ids[]", `Ids[${ITEM_INDEX}] must be a UUID such as 40531d9f-806b-4bd6-bb2b-977ce3a78890`),
            "Ids must be a non-empty array of key seed UUIDs, or left out to export every seed",
          ),
          v.minLength(1, "Ids must be a non-empty array of key seed UUIDs, or left out to export every seed"),
          v.maxLength(MAX_IMPORT_ITEMS, (issue) => `Ids may list at most ${MAX_IMPORT_ITEMS} key seeds, got ${issue.received}`),
          distinctItems(
            (id) => id,
            (id, index) => `Ids[${index}]: Id ${id} appears twice`,
          ),
          openApiDescription(__OPENAPI__ && "The seeds to export; left out, every seed of the tenant"),
        ),
      ),
      Password: optional(
        v.pipe(
          v.string("Password must be a string"),
          v.rawCheck(({ dataset, addIssue }) => {
            const problem = dataset.typed ? exportPasswordProblem(dataset.value) : undefined;
            if (problem !== undefined) addIssue({ message: problem });
          }),
          openApiMetadata(
            __OPENAPI__ && {
              minLength: MIN_EXPORT_PASSWORD_LENGTH,
              maxLength: MAX_EXPORT_PASSWORD_LENGTH,
              description:
                "Encrypts the seeds with PBKDF2 and AES-256-CBC (RFC 6030 §6.2); not one character repeated or a simple sequence (1234…, abcd…)",
            },
          ),
        ),
      ),
      Certificate: optional(
        exportCertificateField(
          certificateDer,
          __OPENAPI__ && "The recipient's X.509 certificate (PEM or base64 DER): seeds are encrypted to its RSA key (RFC 6030 §6.3)",
        ),
      ),
    },
    { unknownField: (name) => `Unknown field ${name.slice(0, 64)}; send ${FIELDS[0]}, and ${FIELDS[1]} or ${FIELDS[2]}` },
  ),
  v.check(
    (body) => (body.Password === undefined) !== (body.Certificate === undefined),
    "Send exactly one of Password and Certificate: seeds are only exported encrypted (RFC 6030 §6.2 or §6.3)",
  ),
);

/** The typed export request. */
export function parseKeySeedExport(value: unknown): KeySeedExportRequest {
  const body = parseJson(KEY_SEED_EXPORT, value);
  const protection: KeySeedExportProtection =
    body.Password !== undefined ? { kind: "password", password: body.Password } : { kind: "certificate", der: body.Certificate! };
  return { protection, ...(body.Ids && { ids: body.Ids }) };
}

/**
 * The `Certificate` field of an export body (key seeds and content keys): text of at most MAX_CERTIFICATE_TEXT
 * characters that `read` turns into its value or a one-sentence problem, which the 400 names.
 */
export function exportCertificateField<T extends object>(read: (text: string) => T | string, description: string | false) {
  return v.pipe(
    v.string(UNREADABLE_CERTIFICATE),
    v.maxLength(MAX_CERTIFICATE_TEXT, `Certificate must be at most ${MAX_CERTIFICATE_TEXT} characters`),
    v.rawTransform<string, T>(({ dataset, addIssue, NEVER }) => {
      const value = read(dataset.value);
      if (typeof value === "string") addIssue({ message: value });
      return typeof value === "string" ? NEVER : value;
    }),
    openApiDescription(description),
  );
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/**
 * `Certificate` of an export (key seeds and content keys): one PEM block (RFC 7468 §5) or the base64 of its DER, or
 * the problem. The certificate checks come later.
 */
export function certificateDer(value: string): Uint8Array | string {
  const text = value.trim();
  if (!text.includes("-----BEGIN")) return fromBase64(text) ?? UNREADABLE_CERTIFICATE;
  const blocks = [...text.matchAll(PEM_CERTIFICATE)];
  if (blocks.length !== 1) return `${UNREADABLE_CERTIFICATE} (send one PEM block, not a chain)`;
  return fromBase64(blocks[0]![1]!) ?? UNREADABLE_CERTIFICATE;
}
