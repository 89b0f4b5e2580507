import { writeContentKeyExport } from "../cpix/content-key-export";
import type { CpixImportRecipient } from "../cpix/content-key-import";
import { fromBase64 } from "../domain/bytes";
import { KeyId } from "../domain/key-id";
import { ivFromBytes } from "../domain/content-key";
import { managementFailureResponse } from "../http/management-errors";
import { requestActor } from "../http/request-actor";
import { routeGroup } from "../http/route-group";
import type { ContentKeySelection } from "../tenancy/content-key-types";
import { openSigningKeyPkcs8 } from "../tenancy/signing-key-material";
import { openStoredContentKey } from "../tenancy/stored-content-keys";
import { tenantObject } from "../tenancy/tenant-client";
import { resolveTenantPolicy } from "../tenancy/tenant-policy";
import type { LoadedTenant } from "../tenancy/loaded-tenant";
import {
  CONTENT_KEY_EXPORT,
  contentKeyExportProtection,
  contentKeyExportResponse,
  parseContentKeyExport,
} from "./content-key-export-input";
import { CONTENT_KEY_IMPORTS, readContentKeyImport } from "./content-key-import-input";
import { contentKeyJson } from "./content-key-input";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseBody, respond } from "./responses";
import type { LazyRouteDoc } from "../http/route-doc";
import * as v from "valibot";
import { error, json } from "../http/route-doc-parts";
import { CONTENT_KEYS } from "./content-keys";
import { responseShapes } from "./response-shapes";

/**
 * Content keys in and out of the tenant (Axinom Key Service API help, POST api/Import/ContentKeys and
 * api/Export/ContentKeys): import from a JSON array or a CPIX document, export as a CPIX 2.3 document. Both take the
 * `manage` scope; neither answer nor error ever carries a key value.
 */
export const contentKeyTransferRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = contentKeyTransferRoutes;

const importContentKeysDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: CONTENT_KEYS,
    summary: "Import content keys (all or nothing)",
    body: {
      kind: "json-or-xml",
      schema: CONTENT_KEY_IMPORTS,
      description:
        "A JSON array, or a CPIX document (application/xml) whose keys are plain or encrypted for one of the tenant's signing-key certificates (CPIX 2.3 DeliveryData)",
    },
    responses: {
      200: json("The imported keys", v.array(responseShapes().contentKey)),
      409: error("A KID is already stored, or was deleted less than 110 s ago"),
    },
  }));

/**
 * All or nothing: the body is read whole (400 naming the entry and rule), then stored in one transaction (409 naming
 * a KID the tenant already stores). 200 with the imported keys' metadata, as Axinom answers.
 */
routes.declare("post", "/api/Import/ContentKeys", importContentKeysDoc, async (c) => {
  const tenant = c.var.tenant;
  const read = await readContentKeyImport(c.req.raw, importRecipients(tenant));
  if (!read.ok) return read.response;
  const entries = read.keys.map((key) => ({
    id: key.kid.toString(),
    ...(key.name !== undefined && { name: key.name }),
    key: key.key.bytes,
    ...(key.iv && { iv: key.iv.bytes }),
  }));
  const result = await tenantObject(c.env, tenant.tenantId).contentKeys().import(entries, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenant.tenantId, result, (keys) => c.json(keys.map(contentKeyJson)));
});

const exportContentKeysDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: CONTENT_KEYS,
    summary: "Export content keys as a CPIX 2.3 document",
    description:
      "Encrypted for Certificate (CPIX 2.3 DeliveryData); without one, plain only when AllowPlainContentKeyExport is set. Every export is recorded in the audit log (category 10).",
    body: { kind: "json", schema: CONTENT_KEY_EXPORT },
    responses: {
      200: { kind: "xml", description: "The CPIX document, as an attachment content-keys.cpix.xml" },
      403: error("Plain export is not allowed for this tenant"),
      404: error("No content key with one of the Ids, or none to export"),
    },
  }));

/**
 * `{Ids?, Filter?, Certificate?}`: the selected keys (every key when neither Ids nor Filter) as CPIX 2.3, encrypted
 * for the Certificate, or plain when the tenant allowed it (AllowPlainContentKeyExport). The export is recorded
 * (ExportContentKeys, category 10, one record per key) before the document leaves.
 */
routes.declare("post", "/api/Export/ContentKeys", exportContentKeysDoc, async (c) => {
  const tenant = c.var.tenant;
  const input = await parseBody(c.req.raw, parseContentKeyExport);
  if (input instanceof Response) return input;
  const now = new Date();
  const stub = tenantObject(c.env, tenant.tenantId);
  let plainExportAllowed = false;
  if (!input.certificate) {
    // The setting as the object holds it now, not this isolate's snapshot: a tenant that just forbade plain export
    // gets no plain document from a location that has not read the change yet.
    const settings = await stub.settings().get();
    if (!settings.ok) return managementFailureResponse(settings.failure);
    plainExportAllowed = resolveTenantPolicy(settings.value).export.allowPlainContentKeys;
  }
  const choice = await contentKeyExportProtection(input, plainExportAllowed, now);
  if (!choice.ok) return choice.response;
  const selection: ContentKeySelection = input.ids
    ? { ids: input.ids.map((id) => id.toString()) }
    : { query: { conditions: input.filter ?? [], orderBy: [] } };
  const selected = await stub.contentKeys().selectForExport(selection);
  if (!selected.ok) return managementFailureResponse(selected.failure);
  if (selected.value.length === 0) return managementRequestFailureResponse({ reason: "nothing-to-export", what: "content keys" });
  const keys = await Promise.all(
    selected.value.map(async (stored) => ({
      kid: KeyId.require(stored.id),
      key: await openStoredContentKey(tenant, stored),
      ...(stored.iv && { iv: ivFromBytes(stored.iv) }),
    })),
  );
  const xml = await writeContentKeyExport(keys, choice.protection);
  const recorded = await stub.contentKeys().recordExport(
    keys.map((key) => key.kid.toString()),
    requestActor(c, now),
  );
  return recorded.ok ? contentKeyExportResponse(xml) : managementFailureResponse(recorded.failure);
});

/** The tenant's CPIX signing keys, whose certificates an encrypted CPIX import may be addressed to. */
function importRecipients(tenant: LoadedTenant): CpixImportRecipient[] {
  return (tenant.snapshot.signingKeys ?? []).flatMap((stored) => {
    const certificateDer = fromBase64(stored.certificate);
    return certificateDer ? [{ certificateDer, openPrivateKey: () => openSigningKeyPkcs8(tenant, stored) }] : [];
  });
}
