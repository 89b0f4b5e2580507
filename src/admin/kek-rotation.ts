import * as v from "valibot";
import { fromUtf8 } from "../domain/bytes";
import { readBodyBytes } from "../http/body";
import { routeGroup } from "../http/route-group";
import { jsonError } from "../http/errors";
import { InputError, jsonObject, optional, parseJson, text } from "../http/json-fields";
import { ROTATION_BATCH_DEFAULT, ROTATION_BATCH_MAX, rotateKeyEncryptionKeyStep } from "../tenancy/kek-rotation";
import { readKeyEncryptionKeys } from "../tenancy/key-encryption-keys";
import { stoppedResponse } from "./kek-rotation-wire";

/**
 * `POST /admin/kek-rotation` (README "Rotating the key-encryption key"): re-wraps the next batch of tenants' data keys
 * under the current key-encryption key and answers the progress; call again with the returned cursor until `done`.
 * Body (optional): `{"cursor": "<tenant id>", "limit": 1..40}`. Behind adminAuth.
 */
export const kekRotationRoutes = routeGroup({ kind: "operator" });
const routes = kekRotationRoutes.routes;

routes.post("/kek-rotation", async (c) => {
  const body = await readBodyBytes(c.req.raw);
  if (!body.ok) return jsonError(413, "Request body exceeds 1 MiB");
  let request: { cursor: string | null; limit: number };
  try {
    request = parseRotationRequest(fromUtf8(body.bytes));
  } catch (error) {
    if (error instanceof InputError) return jsonError(400, error.message);
    return jsonError(400, 'Malformed JSON: expected {"cursor": "<tenant id>", "limit": <1 to 40>} or an empty body');
  }
  const keys = readKeyEncryptionKeys(c.env);
  // requireConfiguration answered 503 already when the keys are not configured.
  if (!keys.ok) return jsonError(503, `Service not configured: ${keys.problem}`);
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
      v.description("The cursor the previous call returned; left out, rotation starts at the first tenant"),
    ),
  ),
  limit: optional(
    v.pipe(v.number(LIMIT_RULE), v.integer(LIMIT_RULE), v.minValue(1, LIMIT_RULE), v.maxValue(ROTATION_BATCH_MAX, LIMIT_RULE)),
  ),
});

function parseRotationRequest(text: string): { cursor: string | null; limit: number } {
  if (text.trim() === "") return { cursor: null, limit: ROTATION_BATCH_DEFAULT };
  const body = parseJson(ROTATION_REQUEST, JSON.parse(text));
  return { cursor: body.cursor ?? null, limit: body.limit ?? ROTATION_BATCH_DEFAULT };
}
