/**
 * Running the command-line tools the interop tests check our output with (openssl, xmlsec1), and making test
 * certificates with openssl. A missing tool fails the test with the install step, never skips it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ToolResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a command with optional standard input; resolves with its exit code and output. */
export function runTool(command: string, args: readonly string[], options: { cwd?: string; input?: Uint8Array } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const input = options.input;
    const child = spawn(command, args, { cwd: options.cwd, stdio: [input ? "pipe" : "ignore", "pipe", "pipe"], timeout: 60_000 });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString() }));
    if (input) {
      // A tool may exit before reading all its input (e.g. on a usage error): EPIPE then, not an uncaught error.
      child.stdin!.on("error", () => {});
      child.stdin!.end(input);
    }
  });
}

/** Throws naming the install step unless `command --version`-style probing succeeds. */
export async function requireTool(command: string, probe: readonly string[], install: string): Promise<void> {
  const result = await runTool(command, probe).catch(() => undefined);
  if (result?.code !== 0) throw new Error(`${command} is not installed: ${install}`);
}

/** Like runTool, but a non-zero exit fails with the tool's stderr. */
export async function mustRun(
  command: string,
  args: readonly string[],
  options: { cwd?: string; input?: Uint8Array } = {},
): Promise<Buffer> {
  const result = await runTool(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args[0]} exited with ${result.code}: ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

/** A fresh scratch folder; call the returned function to remove it. */
export function scratchFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "eks-interop-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface OpensslCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certDer: Uint8Array;
  readonly certPath: string;
  readonly keyPath: string;
}

/** A self-signed certificate from `openssl req -x509`: `rsa:2048`, `rsa:1024` or `ec` (prime256v1); `days` of validity. */
export async function opensslCertificate(dir: string, name: string, key: string, days = 30): Promise<OpensslCertificate> {
  const keyPath = join(dir, `${name}.key.pem`);
  const certPath = join(dir, `${name}.cert.pem`);
  const newkey = key === "ec" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"] : ["-newkey", key];
  await mustRun("openssl", [
    "req",
    "-x509",
    ...newkey,
    "-sha256",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    String(days),
    "-subj",
    `/CN=${name}`,
  ]);
  const certDer = await mustRun("openssl", ["x509", "-in", certPath, "-outform", "DER"]);
  return {
    certPem: readFileSync(certPath, "utf8"),
    keyPem: readFileSync(keyPath, "utf8"),
    certDer: new Uint8Array(certDer),
    certPath,
    keyPath,
  };
}

/** RSA-OAEP-MGF1P decryption by openssl (XML Encryption §5.4.2: SHA-1 digest, MGF1 with SHA-1) with `recipient`'s key. */
export function opensslUnwrap(recipient: OpensslCertificate, wrapped: Uint8Array): Promise<Uint8Array> {
  return mustRun(
    "openssl",
    [
      "pkeyutl",
      "-decrypt",
      "-inkey",
      recipient.keyPath,
      "-pkeyopt",
      "rsa_padding_mode:oaep",
      "-pkeyopt",
      "rsa_oaep_md:sha1",
      "-pkeyopt",
      "rsa_mgf1_md:sha1",
    ],
    { input: wrapped },
  );
}

/** HMAC-SHA512 by openssl (the CPIX 2.3 MAC of encrypted keys). */
export function opensslHmac(macKey: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const hexKey = Buffer.from(macKey).toString("hex");
  return mustRun("openssl", ["dgst", "-sha512", "-mac", "HMAC", "-macopt", `hexkey:${hexKey}`, "-binary"], { input: data });
}
