#!/usr/bin/env node
// `npm start`: writes .dev.vars with fresh secrets on first run, then runs `wrangler dev` on 127.0.0.1:8787.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const devVars = join(root, ".dev.vars");
const port = process.env.PORT ?? "8787";

if (!existsSync(devVars)) {
  const lines = [
    "# Local secrets for `wrangler dev`, written by `npm start`. Git-ignored. Never reuse them in production.",
    `ADMIN_TOKEN=${randomBytes(32).toString("base64url")}`,
    `KEY_ENCRYPTION_KEY=${randomBytes(32).toString("base64")}`,
    "# A local dev server is a single location, so a new default seed can take effect at once.",
    "DEFAULT_SEED_SWITCH_DELAY_SECONDS=0",
    "",
  ];
  writeFileSync(devVars, lines.join("\n"), { mode: 0o600 });
  console.log("Wrote .dev.vars with a fresh ADMIN_TOKEN and KEY_ENCRYPTION_KEY.");
}

const adminToken = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(devVars, "utf8"))?.[1]?.trim();
console.log(`
Edge Key Service: http://127.0.0.1:${port}
Create a tenant:
  curl -s -X POST http://127.0.0.1:${port}/admin/tenants \\
    -H "Authorization: Bearer ${adminToken}" -H "Content-Type: application/json" -d '{"name":"my-tenant"}'
(The admin token is in .dev.vars.)
Tenant console: http://127.0.0.1:${port}/console/ — sign in with the tenantId and managementKey that command prints.
Check it is up: curl http://127.0.0.1:${port}/healthz   Stop it: Ctrl-C.   Another port: PORT=8788 npm start
`);

const wrangler = join(root, "node_modules", ".bin", "wrangler");
// wrangler starts workerd as its own child. Both run in a process group of their own, so that a signal to this
// script (Ctrl-C, or `kill` of the npm process, which npm forwards) ends the whole group, not wrangler alone.
const child = spawn(wrangler, ["dev", "--port", port, "--ip", "127.0.0.1", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  detached: true,
  env: { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", ...process.env },
});

function stopGroup(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group has already exited.
  }
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stopGroup(signal));
// `kill <npm pid>`: npm passes the signal to the shell that runs this script, which dies without passing it on,
// and this process is re-parented. Seeing the parent change is the only notice it gets, so it watches for it.
const launcher = process.ppid;
setInterval(() => process.ppid !== launcher && stopGroup("SIGTERM"), 500).unref();
process.on("exit", () => stopGroup("SIGTERM"));
child.on("exit", (code, signal) => {
  stopGroup("SIGTERM");
  process.exit(code ?? (signal ? 1 : 0));
});
