/**
 * Security review, attacker position (a) of issue 29: a crafted backup (anyone holding the public restore certificate
 * can seal one) whose `settings` rows hold what `PUT /api/Settings` would refuse. The CORS preflight directory is
 * deployment-wide, so an origin list past the maximum cost KV subrequests at restore and erasure, and `null` or a
 * non-origin there is a CORS grant no tenant could make. Each is refused with 422 naming the table and the setting,
 * and nothing is restored; settings PUT accepts restore as they are.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TenantDump } from "../../src/tenancy/tenant-dump";
import { BASE } from "./support/api";
import { attackerDump, expectNotRestored, restoreCrafted } from "./support/crafted-backups";

/** One attacker's dump for every case: each refused restore leaves its tenant id free for the next. */
let shared: Promise<TenantDump> | undefined;
const dump = () => (shared ??= attackerDump());

function withSettings(dump: TenantDump, settings: Record<string, unknown>): TenantDump {
  const rows = Object.entries(settings).map(([name, value]) => [name, JSON.stringify(value)]);
  return { ...dump, tables: { ...dump.tables, settings: { columns: ["name", "value"], rows } } };
}

const FINGERPRINT = "ab".repeat(32);
const origins = (count: number) => Array.from({ length: count }, (_, index) => `https://console-${index}.example`);
const ORIGIN_RULE = "must be an origin: scheme, host and optional port, e.g. https://console.example.com";

describe("a crafted backup whose settings PUT /api/Settings would refuse", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["the origin null", { allowedOrigins: ["null"] }, `allowedOrigins[0] ${ORIGIN_RULE}`],
    ["an origin with a path", { allowedOrigins: ["https://a.example", "https://b.example/admin"] }, `allowedOrigins[1] ${ORIGIN_RULE}`],
    ["more origins than the maximum", { allowedOrigins: origins(1000) }, "allowedOrigins may hold at most 32 origins"],
    ["origins that are not a list", { allowedOrigins: "https://a.example" }, "allowedOrigins must be a non-empty list"],
    ["no origins", { allowedOrigins: [] }, "allowedOrigins must be a non-empty list"],
    ["a setting PUT does not know", { corsWildcard: true }, "corsWildcard is not a setting"],
    ["a retention of no days", { logRetentionDays: 0 }, "logRetentionDays must be a whole number of days from 1 to 3650"],
    ["a retention of half a day", { logRetentionDays: 1.5 }, "logRetentionDays must be a whole number of days from 1 to 3650"],
    ["a switch that is not true", { requireEncryption: "yes" }, "requireEncryption must be true"],
    [
      "a fingerprint that is not 64 hex digits",
      { recipientCertificates: ["AB:CD"] },
      "recipientCertificates[0] must be 64 lowercase hex digits",
    ],
    [
      "a text with a quote",
      { widevineProvider: 'acme" injected' },
      "widevineProvider must not contain quotes or line breaks (it is written into manifests)",
    ],
    [
      "a text too long",
      { playReadyLaUrl: `https://la.example/${"x".repeat(2048)}` },
      "playReadyLaUrl must be a string of 1 to 2048 characters",
    ],
    ["a signing key id that names no key", { signingKeyId: "../other" }, "signingKeyId names no row of table signing_keys"],
    ["a signing key id that is not a string", { signingKeyId: 5 }, "signingKeyId names no row of table signing_keys"],
    ["signed answers without a signing key", { signResponses: true }, "signResponses needs signingKeyId"],
    ["Harmonic signatures without a signing key", { harmonicRequireSignatures: true }, "harmonicRequireSignatures needs signingKeyId"],
    [
      "Harmonic key encryption without Harmonic signatures",
      { harmonicEncryptContentKeys: true },
      "harmonicEncryptContentKeys needs harmonicRequireSignatures",
    ],
    [
      "a signing key the backup does not hold",
      { signResponses: true, signingKeyId: "40531d9f-806b-4bd6-bb2b-977ce3a78890" },
      "signingKeyId names no row of table signing_keys",
    ],
  ])("with %s is refused with 422 naming the setting, and restores nothing", async (_case, settings, problem) => {
    const attacker = await dump();
    const response = await restoreCrafted(withSettings(attacker, settings));
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: `The backup cannot be restored: table settings: ${problem}` });
    await expectNotRestored(attacker.tenantId);
  });

  it("with a row named __proto__ (the prototype of what the store reads) is refused with 422, and restores nothing", async () => {
    const attacker = await dump();
    const rows = [["__proto__", JSON.stringify({ allowedOrigins: ["null"] })]];
    const response = await restoreCrafted({ ...attacker, tables: { ...attacker.tables, settings: { columns: ["name", "value"], rows } } });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: "The backup cannot be restored: table settings: __proto__ is not a setting" });
    await expectNotRestored(attacker.tenantId);
  });

  it("restores settings PUT accepts, every one at its bound, and answers a preflight from a restored origin", async () => {
    const attacker = await dump();
    const allowed = origins(32);
    const response = await restoreCrafted(
      withSettings(attacker, {
        widevineProvider: "acme",
        playReadyLaUrl: "https://la.example/rightsmanager.asmx",
        fairPlayUriTemplate: "skd://{kid}:{ivHex}",
        clearKeyUriTemplate: "https://keys.example/{kidHex}",
        allowedOrigins: allowed,
        logRetentionDays: 3650,
        requireEncryption: true,
        recipientCertificates: [FINGERPRINT],
        requireSignedRequests: true,
        allowPlainContentKeyExport: true,
      }),
    );
    expect(response.status).toBe(201);
    const preflight = await SELF.fetch(`${BASE}/api/Settings`, {
      method: "OPTIONS",
      headers: { Origin: allowed[31]!, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization" },
    });
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe(allowed[31]);
  });
});
