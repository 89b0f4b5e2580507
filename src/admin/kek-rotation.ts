import * as v from "valibot";
import { resealRestoreKey } from "../backup/restore-key";
import type { LazyRouteDoc } from "../http/route-doc";
import { error, json } from "../http/route-doc-parts";
import { routeGroup } from "../http/route-group";
import { jsonObject, optional, text } from "../http/json-fields";
import { requestFailureResponse } from "../http/request-errors";
import { ROTATION_BATCH_DEFAULT, ROTATION_BATCH_MAX, rotateKeyEncryptionKeyStep } from "../tenancy/kek-rotation";
import { readKeyEncryptionKeys } from "../tenancy/key-encryption-keys";
import { responseShapes } from "../management/response-shapes";
import { stoppedResponse } from "./kek-rotation-wire";
import { readOptionalJsonBody } from "./optional-json-body";
import { openApiDescription } from "../http/schema-doc";

/**
 * `POST /admin/kek-rotation` (README "Rotating the key-encryption key"): re-wraps the next batch of tenants' data keys
 * under the current key-encryption key and answers the progress; call again with the returned cursor until `done`.
 * Body (optional): `{"cursor": "<tenant id>", "limit": 1..40}`. Behind adminAuth.
 */
export const kekRotationRoutes = routeGroup({ kind: "operator" });

const rotationDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Operator",
    summary: "Re-wrap the next batch of tenants' data keys under the current key-encryption key",
    description: "Call again with the returned cursor until done (README, Rotating the key-encryption key).",
    body: { kind: "json", schema: ROTATION_REQUEST, optional: true },
    responses: {
      200: json("The progress", responseShapes().rotationProgress),
      409: error("A data key no configured key-encryption key opens; the body also carries the progress"),
    },
  }));

kekRotationRoutes.declare("post", "/admin/kek-rotation", rotationDoc, async (c) => {
  const body = await readOptionalJsonBody(c.req.raw, ROTATION_REQUEST, "kek-rotation");
  if (!body.ok) return body.response;
  const request = { cursor: body.value?.cursor ?? null, limit: body.value?.limit ?? ROTATION_BATCH_DEFAULT };
  const keys = readKeyEncryptionKeys(c.env);
  // requireConfiguration answered 503 already when the keys are not configured.
  if (!keys.ok) return requestFailureResponse({ reason: "not-configured", problem: keys.problem });
  // The restore key first (docs/backup.md): a rotation never answers done while it is under an earlier version.
  await resealRestoreKey(c.env);
  const step = await rotateKeyEncryptionKeyStep(c.env, keys.entries[0].version, request, new Date().toISOString());
  return step.stop ? stoppedResponse(step) : c.json(step.progress);
});

const LIMIT_RULE = `limit must be an integer from 1 to ${ROTATION_BATCH_MAX}`;

/** The optional body `{"cursor"?, "limit"?}` of `POST /admin/kek-rotation` (an empty body is allowed too). */
export const ROTATION_REQUEST = jsonObject({
  cursor: optional(
    v.pipe(
      text("cursor", 64),
      v.regex(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        "cursor must be the cursor a previous call returned (a tenant id)",
      ),
      openApiDescription(__OPENAPI__ && "The cursor the previous call returned; left out, rotation starts at the first tenant"),
    ),
  ),
  limit: optional(
    v.pipe(v.number(LIMIT_RULE), v.integer(LIMIT_RULE), v.minValue(1, LIMIT_RULE), v.maxValue(ROTATION_BATCH_MAX, LIMIT_RULE)),
  ),
});
