import { SELF, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { BACKUP_CONTENT_TYPE, sealBackup } from "../../../src/backup/backup-document";
import { fromUtf8, utf8 } from "../../../src/domain/bytes";
import { tenantObject } from "../../../src/tenancy/tenant-client";
import type { DumpValue, TenantDump } from "../../../src/tenancy/tenant-dump";
import type { TenantObject } from "../../../src/tenancy/tenant-object";
import { TEST_BINDINGS } from "../../test-bindings";
import { BASE } from "./api";
import { tenantWithTestSeed } from "./tenant-with-seed";

/**
 * Crafted backups (issue 29's security review, attacker position (a)): the restore certificate is public, so anyone can
 * seal any payload for it and ask an operator to restore it.
 */
const ADMIN = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" };

export function tenantObjectStub(tenantId: string): DurableObjectStub<TenantObject> {
  return env.TENANTS.get(env.TENANTS.idFromName(tenantId));
}

export function admin(path: string, method = "GET", body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { method, headers: ADMIN, ...(body !== undefined && { body: JSON.stringify(body) }) });
}

/** The attacker's tenant dumped (as their own deployment would), then erased here so its id is free to restore. */
export async function attackerDump(): Promise<TenantDump> {
  const attacker = await tenantWithTestSeed();
  const answer = await tenantObject(env, attacker.tenantId).tenant().backup().dump(new Date());
  if (!answer.ok) throw new Error(answer.failure.reason);
  const dump = JSON.parse(fromUtf8(answer.value.payload)) as TenantDump;
  expect((await admin(`/admin/tenants/${attacker.tenantId}`, "PUT", { suspended: true })).status).toBe(200);
  expect((await admin(`/admin/tenants/${attacker.tenantId}?confirm=${attacker.tenantId}`, "DELETE")).status).toBe(202);
  await runInDurableObject(tenantObjectStub(attacker.tenantId), (_instance, state) => {
    state.storage.sql.exec("UPDATE tenant SET delete_at = ?", new Date(Date.now() - 1000).toISOString());
  });
  expect(await runDurableObjectAlarm(tenantObjectStub(attacker.tenantId))).toBe(true);
  return dump;
}

/** `dump` with `table`'s rows changed by `change` (given each row as an object of its columns). */
export function withRows(
  dump: TenantDump,
  table: string,
  change: (row: Record<string, DumpValue>) => Record<string, DumpValue>,
): TenantDump {
  const { columns, rows } = dump.tables[table]!;
  const changed = rows.map((row) => change(Object.fromEntries(columns.map((column, index) => [column, row[index]!]))));
  return { ...dump, tables: { ...dump.tables, [table]: { columns, rows: changed.map((row) => columns.map((column) => row[column]!)) } } };
}

/** Seals `dump` for this deployment's public restore certificate and posts it to the restore route. */
export async function restoreCrafted(dump: TenantDump): Promise<Response> {
  const certificate = await (await admin("/admin/restore-certificate")).text();
  const header = { tenantId: dump.tenantId, created: new Date().toISOString(), schemaVersion: dump.schemaVersion, counts: {} };
  const sealed = await sealBackup(utf8(JSON.stringify(dump)), header, certificate);
  if (!sealed.ok) throw new Error(sealed.failure.reason);
  return SELF.fetch(`${BASE}/admin/tenants/restore`, {
    method: "POST",
    headers: { Authorization: ADMIN.Authorization, "Content-Type": BACKUP_CONTENT_TYPE },
    body: sealed.document,
  });
}

/** Expects no trace of the tenant: its object holds none, the Operator API does not find it, KV holds no snapshot. */
export async function expectNotRestored(tenantId: string): Promise<void> {
  expect((await tenantObject(env, tenantId).tenant().snapshot()).ok).toBe(false);
  expect((await admin(`/admin/tenants/${tenantId}`)).status).toBe(404);
  expect(await env.SNAPSHOTS.get(`tenant/${tenantId}/snapshot`)).toBeNull();
}
