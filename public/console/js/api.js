import { basicAuthorization, currentSession } from "./session.js";

/** A refusal by the service, carrying its own message (`{"error": …}` or `X-AxDRM-ErrorMessage`). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Called when the service no longer accepts the session's credential (revoked, expired). */
let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/**
 * One request to this origin's API with the session's credential (or `credential` when given).
 * @returns {Promise<Response>} only for 2xx answers; otherwise throws ApiError with the service's message.
 */
export async function request(method, path, { json, body, contentType, credential, accept, headers: extra } = {}) {
  const session = credential ?? currentSession();
  const headers = { ...extra };
  if (session) headers.Authorization = basicAuthorization(session.tenantId, session.secret);
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (contentType) headers["Content-Type"] = contentType;
  if (accept) headers.Accept = accept;
  const response = await fetch(path, { method, headers, body, credentials: "omit", cache: "no-store" });
  if (response.ok) return response;
  const message = await errorMessage(response);
  if (response.status === 401 && !credential) onUnauthorized(message);
  throw new ApiError(response.status, message);
}

/** A JSON answer (null for 204). */
export async function getJson(path) {
  return (await request("GET", path)).json();
}

export async function sendJson(method, path, json) {
  const response = await request(method, path, { json });
  return response.status === 204 ? null : response.json();
}

/** Every item of a paged list (`$top` at most 100, Axinom's paging). */
export async function listAll(path) {
  const items = [];
  for (let skip = 0; ; skip += 100) {
    const page = await getJson(`${path}${path.includes("?") ? "&" : "?"}$top=100&$skip=${skip}`);
    items.push(...page);
    if (page.length < 100) return items;
  }
}

async function errorMessage(response) {
  const header = response.headers.get("X-AxDRM-ErrorMessage");
  const text = await response.text();
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed.error === "string") return parsed.error;
  } catch {
    // Not JSON: acquisition errors are text/plain.
  }
  return header || text.slice(0, 500) || `HTTP ${response.status}`;
}
