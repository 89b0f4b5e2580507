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
`);

const wrangler = join(root, "node_modules", ".bin", "wrangler");
const child = spawn(wrangler, ["dev", "--port", port, "--ip", "127.0.0.1", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
