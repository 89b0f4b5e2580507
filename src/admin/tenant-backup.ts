import * as v from "valibot";
import { BACKUP_CONTENT_TYPE, openBackup, sealBackup } from "../backup/backup-document";
import { restoreKey } from "../backup/restore-key";
import { tenantStore } from "../http/auth";
import { readBodyBytes, requestMediaType } from "../http/body";
import { jsonBodyFailureResponse } from "../http/body-failure";
import { jsonObject, parseJson, requiredText } from "../http/json-fields";
import type { LazyRouteDoc } from "../http/route-doc";
import { error, json } from "../http/route-doc-parts";
import { routeGroup } from "../http/route-group";
import { parseBody } from "../management/responses";
import { tenantObject } from "../tenancy/tenant-client";
import { tenantDirectory } from "../tenancy/tenant-directory";
import { parseCertificate } from "../x509/certificate";
import { certificateFingerprint } from "../x509/certificate-fingerprint";
import { backupFailureResponse } from "./backup-failure-wire";
import { operatorRequestFailureResponse } from "./operator-request-failure";
import { tenantBackupFailureResponse } from "./tenant-backup-wire";
import { operatorActor, tenantFailureResponse, tenantIdParam } from "./tenant-lifecycle";
import { openApiDescription } from "../http/schema-doc";

/**
 * `POST /admin/tenants/{id}/backup` and `POST /admin/tenants/restore` (issue 29; README "Backup and restore",
 * docs/backup.md, docs/storage.md §Backup and restore): a tenant's whole object sealed for another deployment's restore
 * certificate, and such a backup restored here with the same tenant id, its credentials and signers working as before.
 */
export const tenantBackupRoutes = routeGroup({ kind: "operator" });

/**
 * The largest backup document a restore reads (bytes), and so the largest a backup may be. Chosen from the restore's
 * measured memory against an isolate's 128 MB (Cloudflare Workers limits, "Memory"; docs/backup.md §Size,
 * `node scripts/restore-memory.mjs`): the route holds the document, its text, the parsed ciphertext member, the decoded
 * ciphertext and the payload at once, about 5 times the document at its peak, and at 32 MiB passed 128 MB; at 16 MiB
 * it peaks near 80 MB and the tenant object (payload, text, parsed rows) near 50 MB. Its payload (about three quarters
 * of it: the ciphertext is base64) crosses to the tenant object in one RPC, which Workers bound at 32 MiB per message.
 */
export const MAX_BACKUP_BYTES = 16 * 1024 * 1024;

/** A PEM certificate's longest accepted text: an RSA 16384 certificate with long names stays far under it. */
const MAX_CERTIFICATE_PEM_LENGTH = 65_536;

/** The body of `POST /admin/tenants/{id}/backup`: `{"Certificate": "<PEM>"}`, the target's restore certificate. */
export const BACKUP_REQUEST = jsonObject({
  Certificate: v.pipe(
    requiredText("Certificate", MAX_CERTIFICATE_PEM_LENGTH),
    openApiDescription(__OPENAPI__ && "The restoring deployment's GET /admin/restore-certificate (PEM)"),
  ),
});

const backupDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Operator",
    summary: "Back up a tenant for another deployment's restore certificate",
    description:
      "Everything the tenant object holds (seeds, stored content keys, settings, credentials, Widevine signers, signing " +
      "keys, trusted requesters, the CPIX URL secret, audit and issuance logs), encrypted and authenticated for the " +
      "certificate (docs/backup.md): only the deployment holding its private key restores it. Recorded in the tenant's " +
      "log (BackupTenant, naming the certificate's SHA-256 fingerprint).",
    pathParameters: { id: "The tenant id (a UUID)" },
    body: { kind: "json", schema: BACKUP_REQUEST },
    responses: {
      200: {
        kind: "xml",
        mediaType: BACKUP_CONTENT_TYPE,
        description: "The backup document, as an attachment named <tenantId>.eks-backup",
      },
      404: error("No tenant with that id"),
      422: error("The backup would be larger than a restore reads"),
    },
  }));

tenantBackupRoutes.declare("post", "/admin/tenants/{id}/backup", backupDoc, async (c) => {
  const tenantId = tenantIdParam(c.req.param("id"));
  if (!tenantId) return operatorRequestFailureResponse({ reason: "tenant-path-id" });
  const body = await parseBody(c.req.raw, (value) => parseJson(BACKUP_REQUEST, value));
  if (body instanceof Response) return body;
  const certificate = parseCertificate(body.Certificate);
  if (!certificate.ok) return backupFailureResponse({ reason: "certificate-invalid", problem: certificate.problem });
  const actor = operatorActor(c);
  const dumped = await tenantObject(c.env, tenantId).tenant().backup().dump(actor.time);
  if (!dumped.ok) return tenantFailureResponse(tenantId, dumped.failure);
  const { payload, schemaVersion, counts } = dumped.value;
  const header = { tenantId, created: actor.time.toISOString(), schemaVersion, counts };
  // The payload holds the tenant's data key opened: zeroed as soon as it is sealed.
  const sealed = await sealBackup(payload, header, body.Certificate).finally(() => payload.fill(0));
  if (!sealed.ok) return backupFailureResponse(sealed.failure);
  if (sealed.document.length > MAX_BACKUP_BYTES) {
    return tenantBackupFailureResponse({ outcome: "tenant-too-large", size: sealed.document.length, limit: MAX_BACKUP_BYTES });
  }
  // The log names which deployment's certificate the backup went to, never its content.
  const fingerprint = await certificateFingerprint(certificate.certificate.der);
  const recorded = await tenantObject(c.env, tenantId).tenant().backup().record(fingerprint, actor);
  if (!recorded.ok) return tenantFailureResponse(tenantId, recorded.failure);
  return new Response(sealed.document, {
    headers: { "Content-Type": BACKUP_CONTENT_TYPE, "Content-Disposition": `attachment; filename="${tenantId}.eks-backup"` },
  });
});

const restoreDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Operator",
    summary: "Restore a tenant from a backup made for this deployment's restore certificate",
    description:
      `The body is the backup document as POST /admin/tenants/{id}/backup answered it, Content-Type ${BACKUP_CONTENT_TYPE}, ` +
      `at most ${MAX_BACKUP_BYTES} bytes. It is checked whole before anything is written: a changed byte, a cut ` +
      "document or another deployment's certificate is refused and nothing is written. The tenant keeps its id, " +
      "credentials, Widevine signers and keys: acquisitions with its old credentials answer as before.",
    responses: {
      201: json(
        "The restored tenant's id and its rows per kind (keySeeds, contentKeys, credentials, auditLog, …)",
        // Built here, inside the documentation, so the Worker bundle does not carry it (issue 27's budget).
        v.looseObject({ tenantId: v.pipe(v.string(), v.description("The restored tenant's id: the id it had where the backup was made")) }),
      ),
      409: error("The tenant exists here, or one of its Widevine provider names is another tenant's here"),
      413: error(`The body is over ${MAX_BACKUP_BYTES} bytes`),
      415: error(`Content-Type is not ${BACKUP_CONTENT_TYPE}`),
      422: error("The backup does not authenticate, was made for another certificate, or is of a newer schema or format version"),
    },
  }));

tenantBackupRoutes.declare("post", "/admin/tenants/restore", restoreDoc, async (c) => {
  if (requestMediaType(c.req.raw) !== BACKUP_CONTENT_TYPE) return tenantBackupFailureResponse({ outcome: "not-backup-media-type" });
  const body = await readBodyBytes(c.req.raw, MAX_BACKUP_BYTES);
  if (!body.ok) return jsonBodyFailureResponse({ reason: "too-large", limit: MAX_BACKUP_BYTES });
  const opened = await openBackup(body.bytes, await restoreKey(c.env));
  if (!opened.ok) return backupFailureResponse(opened.failure);
  const { header, payload } = opened;
  const tenantId = header.tenantId;
  const actor = operatorActor(c);
  // Listed before it exists, as a creation is: no tenant is ever unlisted (tenant-directory.ts).
  await tenantDirectory(c.env).add(tenantId, actor.time.toISOString());
  const restored = await tenantObject(c.env, tenantId)
    .tenant()
    .backup()
    .restore(tenantId, payload, actor)
    .finally(() => payload.fill(0));
  if (restored.outcome !== "restored") {
    // A refusal writes nothing: the entry goes again unless the object holds the tenant (it existed, or another restore won).
    if (restored.outcome !== "tenant-exists" && !(await tenantObject(c.env, tenantId).tenant().snapshot()).ok) {
      await tenantDirectory(c.env).remove(tenantId);
    }
    return tenantBackupFailureResponse(restored, tenantId);
  }
  const snapshot = await tenantObject(c.env, tenantId).tenant().snapshot();
  if (snapshot.ok) {
    await tenantStore(c.env).prime(snapshot.value);
    await tenantDirectory(c.env).describe(tenantId, snapshot.value.name, snapshot.value.suspended === true);
  }
  return c.json({ tenantId, ...restored.counts }, 201);
});
