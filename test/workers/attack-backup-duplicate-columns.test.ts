/**
 * Security review of issue 29, attacker position (a): anyone holding the public restore certificate seals a crafted
 * backup and gets an operator to restore it. A crafted backup restores the attacker's own tenant (by design); it must
 * not reach another tenant. The payload's checks read a column by its first occurrence, while the insert reads each row
 * as an object of column names (the last occurrence wins): a table that names a column twice would pass the checks
 * with one value and write another.
 */
import { SELF, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signerKey, snapshotKey } from "../../src/tenancy/snapshot";
import type { DumpValue, TenantDump } from "../../src/tenancy/tenant-dump";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { BASE, api } from "./support/api";
import { CPIX_PROTOCOLS } from "./support/cpix-requests";
import { attackerDump, expectNotRestored, restoreCrafted, tenantObjectStub } from "./support/crafted-backups";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

/** `dump` with `column` named a second time in `table`, every row carrying `value` there. */
function withSecondColumn(dump: TenantDump, table: string, column: string, value: (row: readonly DumpValue[]) => DumpValue): TenantDump {
  const original = dump.tables[table]!;
  return {
    ...dump,
    tables: {
      ...dump.tables,
      [table]: { columns: [...original.columns, column], rows: original.rows.map((row) => [...row, value(row)]) },
    },
  };
}

async function spekeStatus(authorization: string): Promise<number> {
  const speke = CPIX_PROTOCOLS[0]!;
  const response = await SELF.fetch(`${BASE}${speke.path}`, {
    method: "POST",
    headers: { Authorization: authorization, "Content-Type": "application/xml", ...speke.headers },
    body: speke.valid,
  });
  await response.arrayBuffer();
  return response.status;
}

describe("a crafted backup naming a column twice", () => {
  it("whose tenant row names another tenant's id is refused with 422, and that tenant's snapshot stays its own", async () => {
    const victim = await tenantWithTestSeed();
    expect(await spekeStatus(victim.authorization)).toBe(200);
    const victimSnapshot = await env.SNAPSHOTS.get(snapshotKey(victim.tenantId));
    const dump = await attackerDump();

    const response = await restoreCrafted(withSecondColumn(dump, "tenant", "id", () => victim.tenantId));

    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: "The backup cannot be restored: table tenant names column id twice" });
    expect(await env.SNAPSHOTS.get(snapshotKey(victim.tenantId))).toBe(victimSnapshot);
    TenantStore.clear(); // a fresh isolate: it reads the victim's snapshot from KV
    expect(await spekeStatus(victim.authorization)).toBe(200);
    // Nothing of the attacker's tenant was written either.
    await expectNotRestored(dump.tenantId);
  });

  it("whose Widevine signer claims one provider name and stores another tenant's is refused, the name staying that tenant's", async () => {
    const victim = await tenantWithTestSeed();
    const providerName = `victim-${crypto.randomUUID()}`;
    expect((await api(victim, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: providerName })).status).toBe(201);
    const dump = await attackerDump();
    // A signer row of the victim's shape (sealed material need not open), a decoy name where the check reads it.
    const victimRows = await runInDurableObject(tenantObjectStub(victim.tenantId), (_instance, state) => {
      const cursor = state.storage.sql.exec("SELECT * FROM widevine_credentials");
      return { columns: cursor.columnNames, rows: [...cursor.raw()] as DumpValue[][] };
    });
    const nameIndex = victimRows.columns.indexOf("provider_name");
    const crafted = withSecondColumn(
      {
        ...dump,
        tables: {
          ...dump.tables,
          widevine_credentials: {
            columns: victimRows.columns,
            rows: victimRows.rows.map((row) => row.map((value, index) => (index === nameIndex ? `decoy-${crypto.randomUUID()}` : value))),
          },
        },
      },
      "widevine_credentials",
      "provider_name",
      () => providerName,
    );

    const response = await restoreCrafted(crafted);

    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: "The backup cannot be restored: table widevine_credentials names column provider_name twice",
    });
    expect(await env.SNAPSHOTS.get(signerKey(providerName))).toBe(victim.tenantId);
    await expectNotRestored(dump.tenantId);
  });
});
