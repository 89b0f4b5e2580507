/**
 * How much memory a restore of a backup of a given size takes on each side (docs/backup.md §Size): makes a backup
 * document of a synthetic large tenant, then runs the route's part (`openBackup` and the RPC's copy of the payload) and
 * the tenant object's part (`parseTenantDump` and the rows as `restoreTables` amends them) in fresh Node processes,
 * each printing its peak RSS above the input alone. Node lacks workerd's native base64, which scripts/restore-memory/
 * native.ts stands in for.
 *
 * Usage: node scripts/restore-memory.mjs [document MiB, default 16] [content keys, default 100000]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

const [mib = "16", keys = "100000"] = process.argv.slice(2);
const folder = mkdtempSync(join(tmpdir(), "restore-memory-"));
try {
  for (const name of ["make", "measure"]) {
    const entry = join(import.meta.dirname, "restore-memory", `${name}.ts`);
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: join(folder, `${name}.mjs`),
      logLevel: "warning",
    });
  }
  const node = (...args) => execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  console.log(node(join(folder, "make.mjs"), folder, String(Number(mib) * 1024 * 1024), keys));
  // Unbounded, V8 lets garbage pile up; the smallest old space a side completes in is its heap's real need, and its
  // peak RSS there (heap, ArrayBuffers, strings outside the heap) what an isolate under pressure would hold.
  for (const side of ["worker", "object"]) {
    for (const heapMib of [16, 24, 32, 40, 48, 56, 64, 72, 80, 96, 112, 128]) {
      try {
        const measured = node(
          "--expose-gc",
          `--max-old-space-size=${heapMib}`,
          "--max-semi-space-size=1",
          join(folder, "measure.mjs"),
          side,
          folder,
        );
        console.log(JSON.stringify({ ...JSON.parse(measured), smallestOldSpace: heapMib }));
        break;
      } catch {
        // Out of memory at this size: try the next.
      }
    }
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
