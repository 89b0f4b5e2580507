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
 * const xml = await writeContentKeyExport(selectedKeys, chosen.protection); // the audit record is written before it is answered
 * return contentKeyExportResponse(xml);
 */
import * as v from "valibot";
import { KeyId } from "../domain/key-id";
import { MAX_CONTENT_KEY_TRANSFER } from "../domain/request-limits";
import type { ContentKeyExportProtection } from "../cpix/content-key-export";
import { parseCertificate, type X509Certificate } from "../x509/certificate";
import { describeCertificateProblem } from "../x509/certificate-failure";
import { recipientForCertificate } from "../cpix/security/delivery-encryption";
import type { ContentKeyCondition } from "../tenancy/content-key-types";
import { parseFilter } from "./content-key-query";
import { certificateDer, exportCertificateField } from "./export-key-seeds";
import { ITEM_INDEX, distinctItems, jsonObject, optional, parseJson, uuid } from "../http/json-fields";
import { managementRequestFailureResponse } from "./management-request-failure";
import { openApiDescription } from "../http/schema-doc";

/**
 * Longest `Filter`: a $filter over Name, Created and CreationMethod (the fields GET /api/ContentKeys filters on) fits
 * in far less; the bound keeps what reaches the store's filter parser small.
 */
export const MAX_EXPORT_FILTER_LENGTH = 1024;

export interface ContentKeyExportRequest {
  /** The KIDs to export, distinct, in the order given; absent with `filter` absent = every stored key. */
  readonly ids?: readonly KeyId[];
  /** The conditions of a $filter (content-key-query.ts), checked here so a bad one is a 400 before any key is read. */
  readonly filter?: readonly ContentKeyCondition[];
  /** The recipient, parsed (DER structure, RFC 5280 §4.1); the policy is checked by contentKeyExportProtection. */
  readonly certificate?: X509Certificate;
}

export type ContentKeyExportChoice =
  { readonly ok: true; readonly protection: ContentKeyExportProtection } | { readonly ok: false; readonly response: Response };

const IDS_RULE = "Ids must be a non-empty array of content key KIDs, or left out to export by Filter or every key";
const FILTER_RULE = `Filter must be a $filter expression of 1 to ${MAX_EXPORT_FILTER_LENGTH} characters`;

/** `POST /api/Export/ContentKeys` body `{Ids?, Filter?, Certificate?}`; messages name the field and rule, never a value. */
export const CONTENT_KEY_EXPORT = v.pipe(
  jsonObject(
    {
      Ids: optional(
        v.pipe(
          v.array(uuid("Ids[]", `Ids[${ITEM_INDEX}]: must be a KID (UUID) such as 40531d9f-806b-4bd6-bb2b-977ce3a78890`), IDS_RULE),
          v.minLength(1, IDS_RULE),
          v.maxLength(
            MAX_CONTENT_KEY_TRANSFER,
            (issue) => `Ids may list at most ${MAX_CONTENT_KEY_TRANSFER} content keys, got ${issue.received}`,
          ),
          distinctItems(
            (id) => id,
            (_id, index, first) => `Ids[${index}]: the same KID as Ids[${first}]`,
          ),
          openApiDescription(__OPENAPI__ && "The KIDs to export"),
        ),
      ),
      Filter: optional(
        v.pipe(
          v.string(FILTER_RULE),
          v.check((text) => text.trim() !== "" && text.length <= MAX_EXPORT_FILTER_LENGTH, FILTER_RULE),
          v.rawTransform(({ dataset, addIssue, NEVER }) => {
            const conditions = parseFilter(dataset.value);
            if (typeof conditions === "string") addIssue({ message: `Filter: ${conditions}` });
            return typeof conditions === "string" ? NEVER : conditions;
          }),
          openApiDescription(__OPENAPI__ && "A $filter as GET /api/ContentKeys takes it: the keys it selects"),
        ),
      ),
      Certificate: optional(
        exportCertificateField(
          parseRecipient,
          __OPENAPI__ && "The recipient's X.509 certificate (PEM or base64 DER): keys are encrypted to its RSA key (CPIX 2.3 DeliveryData)",
        ),
      ),
    },
    { unknownField: (name) => `Unknown field ${name.slice(0, 64)}; send Ids or Filter, and Certificate` },
  ),
  v.check((body) => body.Ids === undefined || body.Filter === undefined, "Send Ids or Filter, not both (neither exports every key)"),
);

/** The typed export request; an InputError names the field and rule, never a value. */
export function parseContentKeyExport(value: unknown): ContentKeyExportRequest {
  const body = parseJson(CONTENT_KEY_EXPORT, value);
  return {
    ...(body.Ids && { ids: body.Ids.map((id) => KeyId.require(id)) }),
    ...(body.Filter && { filter: body.Filter }),
    ...(body.Certificate && { certificate: body.Certificate }),
  };
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
    if (plainExportAllowed) return { ok: true, protection: { kind: "plain" } };
    return { ok: false, response: managementRequestFailureResponse({ reason: "plain-export-forbidden" }) };
  }
  const accepted = await recipientForCertificate(request.certificate, { id: "recipient" }, now);
  if (!accepted.ok) return { ok: false, response: managementRequestFailureResponse({ reason: "certificate", problem: accepted.problem }) };
  return { ok: true, protection: { kind: "encrypted", recipient: accepted.recipient } };
}

/** The export document as a download (CPIX has no registered media type; Axinom's CPIX endpoints use XML). */
export function contentKeyExportResponse(xml: string): Response {
  return new Response(xml, {
    headers: { "Content-Type": "application/xml; charset=utf-8", "Content-Disposition": 'attachment; filename="content-keys.cpix.xml"' },
  });
}

/** PEM or base64 DER (certificateDer), then the X.509 structure; the policy needs `now` and comes later. */
function parseRecipient(text: string): X509Certificate | string {
  const der = certificateDer(text);
  if (typeof der === "string") return der;
  const parsed = parseCertificate(der);
  return parsed.ok ? parsed.certificate : describeCertificateProblem(parsed.problem, "Certificate");
}
