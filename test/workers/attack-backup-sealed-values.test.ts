/**
 * Security review, attacker position (a) of issue 29: a crafted backup (anyone holding the public restore certificate
 * can seal one) whose signing key, named by `signingKeyId` with `signResponses` on, does not open under the data key
 * the backup carries. The restore opened every key seed under that key, but not the signing keys: such a tenant was
 * restored (201), and then every CPIX answer it signs met a sealed value that does not open, which the service answers
 * 503 and logs as "stored value does not open", the sign of a key-encryption key missing here. It is refused with 422
 * naming the signing key, as a seed is, and nothing is restored.
 */
import { describe, expect, it } from "vitest";
import type { TenantDump } from "../../src/tenancy/tenant-dump";
import { attackerDump, expectNotRestored, restoreCrafted } from "./support/crafted-backups";

const SIGNING_KEY_COLUMNS = ["id", "subject", "fingerprint", "not_after", "certificate", "sealed_private_key", "created"];

/** The dump with one signing key sealed as `sealed`, which signs every answer. */
function withSigningKey(dump: TenantDump, signingKeyId: string, sealed: string): TenantDump {
  const created = new Date().toISOString();
  const row = [signingKeyId, "CN=signer", "ab".repeat(32), "2030-01-01T00:00:00.000Z", "MAA=", sealed, created];
  const settings = [
    ["signResponses", "true"],
    ["signingKeyId", JSON.stringify(signingKeyId)],
  ];
  return {
    ...dump,
    tables: {
      ...dump.tables,
      signing_keys: { columns: SIGNING_KEY_COLUMNS, rows: [row] },
      settings: { columns: ["name", "value"], rows: settings },
    },
  };
}

describe("a crafted backup whose signing key does not open under its data key", () => {
  it("is refused with 422 naming the signing key, and restores nothing", async () => {
    const attacker = await dump();
    // Sealed under the data key the backup carries, but for a key seed: its additional data names another purpose and id.
    const seeds = attacker.tables["key_seeds"]!;
    const sealedSeed = String(seeds.rows[0]![seeds.columns.indexOf("sealed_value")]);
    const signingKeyId = crypto.randomUUID();
    const response = await restoreCrafted(withSigningKey(attacker, signingKeyId, sealedSeed));
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: `The backup cannot be restored: signing key ${signingKeyId} does not open under the data key the backup carries`,
    });
    await expectNotRestored(attacker.tenantId);
  });
});

const dump = attackerDump;
