/**
 * `POST /api/Export/ContentKeys` `{Ids?, Filter?, Certificate?}`: which stored keys leave and how. With a
 * Certificate the keys are encrypted for it (CPIX 2.3 §Key Management, the certificate policy of every CPIX
 * recipient); without one they leave in plain, which only a tenant that allowed it may ask for. The route selects the
 * keys (Ids, or the store's $filter syntax in Filter, or every key), at most MAX_CONTENT_KEY_TRANSFER so the
 * document can be imported back in one request, then writes it with `writeContentKeyExport`:
 * @example
 * const input = await parseBody(c.req.raw, parseContentKeyExport);
 * if (input instanceof Response) return input;
 * const chosen = await contentKeyExportProtection(input, settings.allowPlainContentKeyExport, new Date());
 * if (!chosen.ok) return chosen.response;
 * const xml = await writeContentKeyExport(selectedKeys, chosen.protection); // after the audit record is written
 * return contentKeyExportResponse(xml);
 */
import { toHex } from "../domain/bytes";
import { KeyId } from "../domain/key-id";
import { MAX_CONTENT_KEY_TRANSFER } from "../domain/request-limits";
import type { ContentKeyExportProtection } from "../cpix/content-key-export";
import { describeCertificateProblem, parseCertificate, type X509Certificate } from "../cpix/security/certificate";
import { recipientForCertificate } from "../cpix/security/delivery-encryption";
import { jsonError } from "../http/errors";
import { parseCertificateField } from "./export-key-seeds";
import { InputError, asObject, optionalUuid } from "./json-fields";

/**
 * Longest `Filter`: a $filter over Name, Created and CreationMethod (the fields GET /api/ContentKeys filters on) fits
 * in far less; the bound keeps what reaches the store's filter parser small.
 */
export const MAX_EXPORT_FILTER_LENGTH = 1024;
const FIELDS = new Set(["Ids", "Filter", "Certificate"]);

export interface ContentKeyExportRequest {
  /** The KIDs to export, distinct, in the order given; absent with `filter` absent = every stored key. */
  readonly ids?: readonly KeyId[];
  /** A $filter expression, passed as it is to the store. */
  readonly filter?: string;
  /** The recipient, parsed (DER structure, RFC 5280 §4.1); the policy is checked by contentKeyExportProtection. */
  readonly certificate?: X509Certificate;
}

/** What an export gave away, for its audit record: the KIDs and how they left, never a value. */
export interface ContentKeyExportAudit {
  readonly kids: readonly string[];
  readonly protection: "plain" | "certificate";
  /** Lower-case hex SHA-256 of the recipient certificate's DER, for an encrypted export. */
  readonly recipientCertificateSha256?: string;
}

export type ContentKeyExportChoice =
  | {
      readonly ok: true;
      readonly protection: ContentKeyExportProtection;
      /** The audit record's protection fields; the route adds the exported KIDs. */
      readonly audit: Omit<ContentKeyExportAudit, "kids">;
    }
  | { readonly ok: false; readonly response: Response };

/** The body `{Ids?, Filter?, Certificate?}`; an InputError names the field and rule, never a value. */
export function parseContentKeyExport(value: unknown): ContentKeyExportRequest {
  const body = asObject(value);
  const unknown = Object.keys(body).find((field) => !FIELDS.has(field));
  if (unknown !== undefined) throw new InputError(`Unknown field ${unknown.slice(0, 64)}; send Ids or Filter, and Certificate`);
  const ids = parseIds(body.Ids);
  const filter = parseFilter(body.Filter);
  if (ids && filter !== undefined) throw new InputError("Send Ids or Filter, not both (neither exports every key)");
  const certificate = body.Certificate === undefined || body.Certificate === null ? undefined : parseRecipient(body.Certificate);
  return { ...(ids && { ids }), ...(filter !== undefined && { filter }), ...(certificate && { certificate }) };
}

/**
 * Encrypted for the request's certificate once it passes the certificate policy (400 naming the rule), else plain
 * when `plainExportAllowed` (the tenant's setting), else 403.
 */
export async function contentKeyExportProtection(
  request: ContentKeyExportRequest,
  plainExportAllowed: boolean,
  now: Date,
): Promise<ContentKeyExportChoice> {
  if (!request.certificate) {
    if (plainExportAllowed) return { ok: true, protection: { kind: "plain" }, audit: { protection: "plain" } };
    return {
      ok: false,
      response: jsonError(
        403,
        "Plain export of content keys is not allowed for this tenant: send Certificate to receive them encrypted, or allow plain export in /api/Settings",
      ),
    };
  }
  const accepted = await recipientForCertificate(request.certificate, { id: "recipient" }, now);
  if (!accepted.ok) return { ok: false, response: jsonError(400, describeCertificateProblem(accepted.problem, "Certificate")) };
  const sha256 = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", request.certificate.der)));
  return {
    ok: true,
    protection: { kind: "encrypted", recipient: accepted.recipient },
    audit: { protection: "certificate", recipientCertificateSha256: sha256 },
  };
}

/** The export document as a download (CPIX has no registered media type; Axinom's CPIX endpoints use XML). */
export function contentKeyExportResponse(xml: string): Response {
  return new Response(xml, {
    headers: { "Content-Type": "application/xml; charset=utf-8", "Content-Disposition": 'attachment; filename="content-keys.cpix.xml"' },
  });
}

function parseIds(value: unknown): KeyId[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new InputError("Ids must be a non-empty array of content key KIDs, or left out to export by Filter or every key");
  }
  if (value.length > MAX_CONTENT_KEY_TRANSFER) {
    throw new InputError(`Ids may list at most ${MAX_CONTENT_KEY_TRANSFER} content keys, got ${value.length}`);
  }
  const firstIndexOf = new Map<string, number>();
  return value.map((item, index) => {
    let id: string | undefined;
    try {
      id = optionalUuid({ Id: item }, "Id");
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
    if (id === undefined) throw new InputError(`Ids[${index}]: must be a KID (UUID) such as 40531d9f-806b-4bd6-bb2b-977ce3a78890`);
    const first = firstIndexOf.get(id);
    if (first !== undefined) throw new InputError(`Ids[${index}]: the same KID as Ids[${first}]`);
    firstIndexOf.set(id, index);
    return KeyId.require(id);
  });
}

function parseFilter(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "" || value.length > MAX_EXPORT_FILTER_LENGTH) {
    throw new InputError(`Filter must be a $filter expression of 1 to ${MAX_EXPORT_FILTER_LENGTH} characters`);
  }
  return value;
}

/** PEM or base64 DER (parseCertificateField), then the X.509 structure; the policy needs `now` and comes later. */
function parseRecipient(value: unknown): X509Certificate {
  const parsed = parseCertificate(parseCertificateField(value));
  if (!parsed.ok) throw new InputError(describeCertificateProblem(parsed.problem, "Certificate"));
  return parsed.certificate;
}
