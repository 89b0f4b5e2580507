import { fromUtf8 } from "../domain/bytes";
import { MAX_BODY_BYTES } from "../domain/request-limits";

export { MAX_BODY_BYTES };

export type BodyRead = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly reason: "too-large" };

/**
 * Reads a request body up to `limit` bytes, chunked or not (Shaka Packager sends `Transfer-Encoding:
 * chunked`), and stops reading as soon as the limit is passed.
 */
export async function readBodyBytes(request: Request, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  const declared = Number(request.headers.get("Content-Length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) return { ok: false, reason: "too-large" };
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  // With a declared length within the limit, the runtime's own reader is faster than a chunk loop.
  if (Number.isFinite(declared)) return { ok: true, bytes: new Uint8Array(await request.arrayBuffer()) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return { ok: false, reason: "too-large" };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

export type JsonRead = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly failure: JsonBodyFailure };

/** Why a JSON body was not read; body-failure.ts turns each into its status and message. */
export type JsonBodyFailure =
  | { readonly reason: "not-json-media-type" }
  | { readonly reason: "too-large"; readonly limit: number }
  | { readonly reason: "empty" }
  /** `position` is the parser's offset when it gave one; the parser's own message is never kept (it quotes the body). */
  | { readonly reason: "malformed"; readonly position: string | undefined };

/** The request's media type (RFC 9110 §8.3.1): its Content-Type without parameters, lower-case; "" when absent. */
export function requestMediaType(request: Request): string {
  return request.headers.get("Content-Type")?.split(";")[0]!.trim().toLowerCase() ?? "";
}

/**
 * Reads and parses a JSON body; the failure message says why without echoing the body. Only
 * `Content-Type: application/json` is read: the types an HTML form or a "simple" cross-site fetch may send
 * (`text/plain`, `application/x-www-form-urlencoded`, `multipart/form-data`) are refused with 415, so a
 * browser cannot be made to send a management write without a CORS preflight.
 */
export async function readJsonBody(request: Request): Promise<JsonRead> {
  if (requestMediaType(request) !== "application/json") {
    return { ok: false, failure: { reason: "not-json-media-type" } };
  }
  const body = await readBodyBytes(request);
  if (!body.ok) return { ok: false, failure: { reason: "too-large", limit: MAX_BODY_BYTES } };
  const text = fromUtf8(body.bytes);
  if (text.trim() === "") return { ok: false, failure: { reason: "empty" } };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    // Never echo the parser's message: V8 quotes the body around the error, which may hold a secret.
    const position = error instanceof SyntaxError ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    return { ok: false, failure: { reason: "malformed", position } };
  }
}
