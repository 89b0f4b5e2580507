/// <reference types="node" />
import { spawn } from "node:child_process";
import { mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_BINDINGS } from "../test-bindings";

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * A folder laid out like a person's clone after `npm install && npm start`: `examples/`, `scripts/` and
 * `node_modules/` linked from the project, and a `.dev.vars` holding the test service's admin token. Commands run
 * there write only inside it.
 */
export async function cloneLikeFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "eks-walkthrough-"));
  for (const name of ["examples", "scripts", "node_modules"]) await symlink(join(PROJECT_ROOT, name), join(folder, name));
  await writeFile(join(folder, ".dev.vars"), `ADMIN_TOKEN=${TEST_BINDINGS.ADMIN_TOKEN}\n`);
  return folder;
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command with a time limit, collecting its output. */
export function runCommand(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }));
  });
}

/** Creates a tenant on a running service through the Operator API: its id, management key and Basic header value. */
export async function createServiceTenant(url: string): Promise<{ tenantId: string; managementKey: string; authorization: string }> {
  const created = await fetch(`${url}/admin/tenants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: "{}",
  });
  if (created.status !== 201) throw new Error(`tenant creation failed: ${created.status} ${await created.text()}`);
  const { tenantId, managementKey } = (await created.json()) as { tenantId: string; managementKey: string };
  return { tenantId, managementKey, authorization: `Basic ${Buffer.from(`${tenantId}:${managementKey}`).toString("base64")}` };
}
