/**
 * Security review of issue 29, attacker position (a): a crafted backup whose rows fit SQLite's constraints but not
 * what the stores read back. Its restore must answer 422 and write nothing, never commit a tenant and answer 5xx (the
 * operator left with a listed tenant no reader can load).
 */
import { describe, expect, it } from "vitest";
import { attackerDump, expectNotRestored, restoreCrafted, withRows } from "./support/crafted-backups";

describe("a crafted backup whose rows do not read back", () => {
  it("with a setting that is not JSON is refused with 422 and restores nothing", async () => {
    const dump = await attackerDump();
    const crafted = {
      ...dump,
      tables: { ...dump.tables, settings: { columns: ["name", "value"], rows: [["WidevineProvider", "{"]] } },
    };

    const response = await restoreCrafted(crafted);

    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: "The backup cannot be restored: its rows do not read back as its schema version's" });
    await expectNotRestored(dump.tenantId);
  });

  it("with a snapshot version past 2^53 is refused with 422 and restores nothing", async () => {
    const dump = await attackerDump();
    const crafted = withRows(dump, "meta", (row) => (row.name === "snapshot_version" ? { ...row, value: "9223372036854775807" } : row));
    expect(crafted.tables.meta!.rows.map((row) => row[0])).toContain("snapshot_version");

    const response = await restoreCrafted(crafted);

    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: "The backup cannot be restored: its tenant does not read back (version missing)" });
    await expectNotRestored(dump.tenantId);
  });
});
