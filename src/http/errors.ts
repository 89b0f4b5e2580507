/**
 * One error shape for the Management and Operator APIs (Axinom Key Service docs, Key Acquisition API,
 * errors: the shape its clients already read): the status, a JSON body `{"error": message}`, and the same text in
 * `X-AxDRM-ErrorMessage`, which browsers may read thanks to `Access-Control-Expose-Headers`. Messages never
 * carry keys or secrets.
 */
export const ERROR_MESSAGE_HEADER = "X-AxDRM-ErrorMessage";

/** Headers that every error carries, whatever its body. */
export function errorHeaders(message: string): Record<string, string> {
  return {
    [ERROR_MESSAGE_HEADER]: headerSafe(message),
    "Access-Control-Expose-Headers": ERROR_MESSAGE_HEADER,
  };
}

/** A JSON error response in the Axinom shape. */
export function jsonError(status: number, message: string, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...errorHeaders(message), ...extraHeaders },
  });
}

/** Header values must be visible ASCII without line breaks (RFC 9110 §5.5). */
function headerSafe(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, "?").slice(0, 1000);
}
