import "./native";
// Peak memory of one side of a restore, as the same code runs it: `worker` (the route: the body, openBackup, the
// payload serialized for the RPC) or `object` (the tenant object: the payload received, parseTenantDump, the rows
// as restoreTables amends them). Prints the peak RSS above the baseline taken with the input alone loaded.
import { readFileSync } from "node:fs";
import { openBackup } from "../../src/backup/backup-document";
import { parseTenantDump } from "../../src/tenancy/tenant-dump";

const gc = (globalThis as { gc?: () => void }).gc!;
const mib = (n: number) => Math.round((n / 1048576) * 10) / 10;
const [side, folder = "."] = process.argv.slice(2);
const input = new Uint8Array(readFileSync(side === "worker" ? `${folder}/document` : `${folder}/payload`));
const key =
  side === "worker"
    ? {
        certificateDer: new Uint8Array(readFileSync(`${folder}/der`)),
        privateKey: await crypto.subtle.importKey("pkcs8", readFileSync(`${folder}/pkcs8`), { name: "RSA-OAEP", hash: "SHA-256" }, false, [
          "decrypt",
        ]),
      }
    : undefined;
gc();
const base = process.memoryUsage();
const baseRss = process.resourceUsage().maxRSS * 1024;
let kept: unknown;
if (side === "worker") {
  const opened = await openBackup(input, key!);
  if (!opened.ok) throw new Error(opened.failure.reason);
  // The RPC serializes its argument (structured clone) while the route still holds the body and the payload.
  kept = [structuredClone(opened.payload), opened.payload];
} else {
  const parsed = parseTenantDump(input);
  if (!parsed.ok) throw new Error(parsed.problem);
  let rows = 0;
  for (const table of Object.values(parsed.dump.tables)) {
    for (const row of table.rows) {
      const amended = Object.fromEntries(table.columns.map((column, index) => [column, row[index] ?? null]));
      rows += Object.keys(amended).length > 0 ? 1 : 0;
    }
  }
  kept = [parsed, rows];
}
const after = process.memoryUsage();
gc();
const live = process.memoryUsage();
console.log(
  JSON.stringify({
    side,
    input: mib(input.length),
    baselineRss: mib(base.rss),
    peakRssAboveBaseline: mib(process.resourceUsage().maxRSS * 1024 - Math.max(baseRss, base.rss)),
    peakRssTotal: mib(process.resourceUsage().maxRSS * 1024),
    heapUsedAfter: mib(after.heapUsed),
    liveHeapAfterGc: mib(live.heapUsed),
    liveArrayBuffersAfterGc: mib(live.arrayBuffers),
  }),
);
void kept;
