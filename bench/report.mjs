import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "./service.mjs";

/** Rendering of one bench run as Markdown, and the machine facts that go with it. */

export function machineFacts() {
  const version = (name) => JSON.parse(readFileSync(join(PROJECT_ROOT, "node_modules", name, "package.json"), "utf8")).version;
  let nproc;
  try {
    nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
  } catch {
    nproc = String(cpus().length);
  }
  const git = (...args) => {
    try {
      return execFileSync("git", args, { cwd: PROJECT_ROOT, encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const dirty = git("status", "--porcelain", "--", "src", "wrangler.toml") !== "";
  return {
    commit: `${git("rev-parse", "--short", "HEAD") || "unknown"}${dirty ? " + uncommitted changes in src/" : ""}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cores: nproc,
    cpu: cpus()[0]?.model?.trim() ?? "unknown",
    node: process.version,
    wrangler: version("wrangler"),
    miniflare: version("miniflare"),
    workerd: version("workerd"),
    autocannon: version("autocannon"),
  };
}

export const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");

const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const thousands = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–");
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The reason a row is not a clean number, or undefined. */
function flagOf(row) {
  if (row.checkError) return `**check failed: ${row.checkError}**`;
  const { non2xx, errors, mismatches } = row.load;
  if (non2xx + errors + mismatches === 0) return undefined;
  const unexpected = row.expectStatus === undefined ? "non-2xx" : `not ${Math.floor(row.expectStatus / 100)}xx`;
  return `**FLAGGED: ${non2xx} ${unexpected}, ${errors} socket errors/timeouts, ${mismatches} wrong bodies of ${row.load.total}**`;
}

function verdict(row, ceiling, rows) {
  if (row.notBuilt)
    return { ratio: "–", outcome: row.checkError ? `${row.notBuilt}; probe: ${row.checkError}` : `${row.notBuilt} (service answers 422)` };
  const flag = flagOf(row);
  if (!row.load) return { ratio: "–", outcome: flag };
  const ratio = row.load.requestsPerSecond / ceiling;
  if (flag) return { ratio: `(${fixed(ratio)})`, outcome: flag };
  if (row.maxP50Ms !== undefined) return { ratio: fixed(ratio), outcome: row.load.p50 < row.maxP50Ms ? "met" : "**missed**" };
  if (row.withinOf !== undefined) {
    const reference = rows[row.withinOf.scenario]?.load;
    if (!reference) return { ratio: fixed(ratio), outcome: "no reference run" };
    const met = row.load.requestsPerSecond >= (1 - row.withinOf.fraction) * reference.requestsPerSecond;
    return { ratio: fixed(ratio), outcome: met ? "met" : "**missed**" };
  }
  if (row.target === undefined) return { ratio: fixed(ratio), outcome: "" };
  return { ratio: fixed(ratio), outcome: ratio >= row.target ? "met" : "**missed**" };
}

/** The Markdown block of one run: conditions, load table, micro-benchmark, bundle and cold start. */
export function renderRun({
  machine,
  loadBefore,
  loadAfter,
  durationSeconds,
  connections,
  rows,
  ceiling,
  trivialRuns,
  micro,
  bundle,
  cold,
}) {
  const lines = [];
  lines.push(
    `Run ${machine.date} on ${machine.commit} · ${machine.cores} cores (${machine.cpu}) · Node ${machine.node} · wrangler ${machine.wrangler} (workerd ${machine.workerd}, miniflare ${machine.miniflare}) · autocannon ${machine.autocannon}`,
    "",
    `Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}. Miniflare on 127.0.0.1, autocannon in the same Node process, ${connections} connections, ${durationSeconds} s per scenario, no warm-up run, scenarios one after another.`,
    "",
    "| Scenario | req/s | p50 ms | p99 ms | ratio to /healthz | target | result |",
    "|---|---:|---:|---:|---:|---:|---|",
  );
  for (const row of rows) {
    const { ratio, outcome } = verdict(row, ceiling, rows);
    const load = row.load;
    const target =
      row.maxP50Ms !== undefined
        ? `p50 < ${row.maxP50Ms} ms`
        : row.withinOf !== undefined
          ? `≥ ${1 - row.withinOf.fraction} × derived`
          : row.target === undefined
            ? ""
            : `≥ ${row.target}`;
    lines.push(
      `| ${row.name} | ${load ? thousands(load.requestsPerSecond) : "–"} | ${load ? fixed(load.p50) : "–"} | ${load ? fixed(load.p99) : "–"} | ${ratio} | ${target} | ${outcome ?? ""} |`,
    );
  }
  lines.push(
    "",
    `Ceiling = mean of the two /healthz runs (${trivialRuns.map((run) => thousands(run.requestsPerSecond)).join(" and ")} req/s), measured first and last in this run.`,
    "",
    "| Other measure | value | target | result |",
    "|---|---:|---:|---|",
    `| Key derivations/s inside workerd (median of ${micro.rounds} × ${micro.milliseconds} ms) | ${thousands(micro.medians.derivation)} | | |`,
    `| 3 raw SHA-256 (46, 76, 92 B)/s: awaited together / one after another | ${thousands(micro.medians.rawParallel)} / ${thousands(micro.medians.rawSequential)} | | |`,
    `| Derivation ÷ raw SHA-256 floor (the faster raw variant) | ${fixed(micro.ratio)} | ≥ 0.8 | ${micro.ratio >= 0.8 ? "met" : "**missed**"} |`,
    `| Bundle \`wrangler deploy --dry-run\` index.js, raw / gzip (node:zlib, level 9) | ${kib(bundle.raw)} / ${kib(bundle.gzip)} | ≤ 100 KiB gzip | ${bundle.gzip <= 100 * 1024 ? "met" : "**missed**"} |`,
    `| … wrangler's own "Total Upload" line | ${bundle.wranglerLine ?? "–"} | | |`,
    `| … the same built with \`--minify\` (explicitly; wrangler.toml already sets minify), raw / gzip | ${kib(bundle.minifiedRaw)} / ${kib(bundle.minifiedGzip)} | | |`,
    `| Cold: \`new Miniflare()\` → accepting requests (process start + compile; median of ${cold.repeats}) | ${fixed(cold.startMs, 0)} ms | | |`,
    `| Cold: first /healthz of a fresh instance | ${fixed(cold.firstHealthzMs)} ms | | |`,
    `| Cold: first SPEKE v2 1-key request (cold code + KV read + KEK import + data-key unwrap) | ${fixed(cold.firstSpekeMs)} ms | | ${cold.ok ? "" : `**statuses ${JSON.stringify(cold.statuses)}**`} |`,
    `| Cold: first request of a second tenant (warm code; KV read + unwrap only) | ${fixed(cold.secondTenantFirstSpekeMs)} ms | | |`,
    `| Warm: the same SPEKE v2 1-key request, sequential (median) | ${fixed(cold.warmSpekeMs)} ms | | |`,
  );
  return lines.join("\n");
}
