import { fromBase64, toBase64, toHex } from "../../src/domain/bytes";
import { TEST_BINDINGS } from "../test-bindings";
import { TEST_SEED_BASE64 } from "./test-seed";
import type { ErrorStyle, FuzzRequest, FuzzTenant } from "./generators";

/**
 * The property every fuzzed request must keep: no 5xx (for the Widevine API, no `INTERNAL_ERROR`, its 5xx), an
 * answer within the time limit, every error with a body and `X-AxDRM-ErrorMessage`, and no secret of the tenant or
 * the service anywhere in the answer. Violations are short sentences that never quote a body or a secret.
 */

/** Calls the Worker: `SELF.fetch` inside workerd, `fetch` against the Miniflare-served bundle in Node. */
export type Fetcher = (path: string, init: RequestInit) => Promise<Response>;

/** A request must be answered within this time; longer counts as a hang. */
export const ANSWER_TIMEOUT_MS = 15_000;

export interface Outcome {
  /** The HTTP status ("200 OK" and so on for the Widevine API, with its inner status), or "timeout". */
  readonly status: string;
  /** Characters in the response body. */
  readonly size: number;
  /** What was wrong, if anything (no values quoted). */
  readonly violation?: string;
}

/** Texts no response may contain, in every encoding a response uses (base64, hex). Never printed. */
export function secretsOf(tenant: FuzzTenant): string[] {
  const seed = fromBase64(TEST_SEED_BASE64)!;
  return [
    TEST_SEED_BASE64,
    toHex(seed),
    tenant.managementKey,
    toBase64(tenant.signingKey),
    toHex(tenant.signingKey),
    TEST_BINDINGS.ADMIN_TOKEN,
    TEST_BINDINGS.KEY_ENCRYPTION_KEY,
  ];
}

/** Sends one request and checks its answer against the property. */
export async function sendAndCheck(
  fetcher: Fetcher,
  request: FuzzRequest,
  style: ErrorStyle,
  secrets: readonly string[],
): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ANSWER_TIMEOUT_MS);
  });
  try {
    const answer = await Promise.race([
      (async () => {
        const response = await fetcher(request.path, {
          method: request.method,
          headers: request.headers,
          ...(request.body !== undefined && { body: request.body }),
        });
        return { response, text: await response.text() };
      })(),
      timeout,
    ]);
    if (answer === "timeout") return { status: "timeout", size: 0, violation: `no answer within ${ANSWER_TIMEOUT_MS / 1000} s` };
    const { response, text } = answer;
    const inner = style === "widevine" && response.status === 200 ? widevineInner(text) : undefined;
    const violation = violationOf(response, text, style, secrets, inner);
    const status = inner?.status ? `${response.status} ${inner.status}` : String(response.status);
    return { status, size: text.length, ...(violation && { violation }) };
  } finally {
    clearTimeout(timer);
  }
}

function violationOf(
  response: Response,
  text: string,
  style: ErrorStyle,
  secrets: readonly string[],
  inner: WidevineInner | undefined,
): string | undefined {
  const status = response.status;
  if (status >= 500) return `status ${status}`;
  const headerText = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
  for (const haystack of [text, headerText, inner?.text ?? ""]) {
    if (secrets.some((secret) => haystack.includes(secret)))
      return `status ${status} answer contains a secret of the tenant or the service`;
  }
  if (inner) return inner.violation;
  if (status < 400) return undefined;
  if (text.length === 0) return `status ${status} without a body`;
  if (!response.headers.get("X-AxDRM-ErrorMessage")) return `status ${status} without X-AxDRM-ErrorMessage`;
  if (style === "json") {
    let error: unknown;
    try {
      error = (JSON.parse(text) as { error?: unknown }).error;
    } catch {
      return `status ${status} body is not JSON`;
    }
    if (typeof error !== "string" || error === "") return `status ${status} body is not {"error": "…"}`;
  }
  return undefined;
}

interface WidevineInner {
  readonly text: string;
  readonly status?: string;
  readonly violation?: string;
}

/** The Widevine API answers HTTP 200 with `{"response": base64(JSON with status)}`; INTERNAL_ERROR is its 5xx. */
function widevineInner(text: string): WidevineInner {
  try {
    const outer = JSON.parse(text) as { response?: unknown };
    const bytes = typeof outer.response === "string" ? decodeBase64(outer.response) : undefined;
    if (!bytes) return { text: "", violation: 'status 200 without {"response": base64}' };
    const innerText = new TextDecoder().decode(bytes);
    const status = (JSON.parse(innerText) as { status?: unknown }).status;
    if (typeof status !== "string") return { text: innerText, violation: "inner response without a status" };
    if (status === "INTERNAL_ERROR") return { text: innerText, status, violation: "inner status INTERNAL_ERROR (the Widevine API's 5xx)" };
    return { text: innerText, status };
  } catch (error) {
    // The error's name and the size only: a JSON parser's message quotes the text it failed on.
    const name = error instanceof Error ? error.name : "unknown";
    return { text: "", violation: `status 200 whose response is not base64 of JSON (${name}, ${text.length} characters)` };
  }
}

/**
 * Base64 to bytes through `atob`, which copes with responses of many megabytes; the service's own `fromBase64`
 * checks its input with a regular expression that runs out of stack on such sizes in Node (fine for requests,
 * which are at most 1 MiB).
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  // One preallocated array: `Uint8Array.from(string, map)` goes through an iterator and holds tens of MB twice.
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
