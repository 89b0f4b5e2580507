import { api, type TestTenant } from "./api";

/** An audit entry of `GET /api/Logs`. */
export interface AuditEntryJson {
  Id: string;
  Category: number;
  Timestamp: string;
  Action: string;
  ObjectId: string | null;
  RequestPath: string;
  AuthenticationCredentialId: string;
}

/** An issuance entry of `GET /api/Logs`. */
export interface IssuanceEntryJson {
  Id: string;
  Category: 100;
  Timestamp: string;
  Protocol: string;
  ContentId: string | null;
  KeyIds: string[];
  KeySeedId: string;
  AuthenticationCredentialId: string;
}

/** `GET /api/Logs` with a query, as JSON (throws on anything but 200). */
export async function logs(tenant: TestTenant, query = ""): Promise<(AuditEntryJson | IssuanceEntryJson)[]> {
  const response = await api(tenant, "GET", `/api/Logs${query}`);
  if (response.status !== 200) throw new Error(`GET /api/Logs${query}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The audit entries, newest first (at most 100). */
export async function auditEntries(tenant: TestTenant): Promise<AuditEntryJson[]> {
  return (await logs(tenant)).filter((entry): entry is AuditEntryJson => "Action" in entry);
}
