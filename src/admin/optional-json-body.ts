import { fromUtf8 } from "../domain/bytes";
import { readBodyBytes } from "../http/body";
import { InputError, parseJson, type JsonSchema } from "../http/json-fields";
import { operatorRequestFailureResponse, type OperatorBody } from "./operator-request-failure";

export type OptionalJsonBody<T> =
  { readonly ok: true; readonly value: T | undefined } | { readonly ok: false; readonly response: Response };

/**
 * The optional JSON body of an Operator API call: undefined when empty or blank, else the value `schema` reads; the
 * refusal for a body over the limit (MAX_BODY_BYTES), one that is not JSON, or a field that breaks its rule.
 * @example const body = await readOptionalJsonBody(c.req.raw, TENANT_NAME, "tenant-name"); if (!body.ok) return body.response;
 */
export async function readOptionalJsonBody<T>(
  request: Request,
  schema: JsonSchema<T>,
  expected: OperatorBody,
): Promise<OptionalJsonBody<T>> {
  const body = await readBodyBytes(request);
  if (!body.ok) return { ok: false, response: operatorRequestFailureResponse({ reason: "body-too-large" }) };
  const text = fromUtf8(body.bytes).trim();
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: parseJson(schema, JSON.parse(text)) };
  } catch (error) {
    return {
      ok: false,
      response: operatorRequestFailureResponse(
        error instanceof InputError ? { reason: "invalid-input", message: error.message } : { reason: "malformed-json", body: expected },
      ),
    };
  }
}
