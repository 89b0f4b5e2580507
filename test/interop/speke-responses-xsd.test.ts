import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { startService, type RunningService } from "./service";
import { validateCpixXml, validateCpixXmlBatch, type CpixSchemaVersion, type CpixXsdResult } from "./xsd";

/**
 * Every response the running service gives to a real request validates against the CPIX XSD of its version
 * (SPEKE v2.0 → 2.3, v2.1 → 2.4, plain CPIX → the request's own version; version-less CPIX 2.2-style
 * documents against 2.2), checked with libxml2.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SAMPLES = join(ROOT, "test", "fixtures", "cpix", "samples");

function listXml(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? listXml(path) : /\.(xml|cpix)$/.test(name) ? [path] : [];
  });
}

let service: RunningService;
let authorization: string;

beforeAll(async () => {
  service = await startService();
  const created = await fetch(`${service.url}/admin/tenants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` },
  });
  const { tenantId, managementKey } = (await created.json()) as { tenantId: string; managementKey: string };
  authorization = `Basic ${Buffer.from(`${tenantId}:${managementKey}`).toString("base64")}`;
  await fetch(`${service.url}/api/Settings`, {
    method: "PUT",
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    body: JSON.stringify({
      ClearKeyUriTemplate: "https://keys.example.com/{kid}",
      PlayReadyLaUrl: "https://pr.example.com/rightsmanager.asmx?a=1&b=2",
    }),
  });
});

afterAll(async () => {
  await service?.stop();
});

/** Where a sender posts a document, and which XSD its answer must satisfy. */
function routeFor(text: string): { path: string; headers: Record<string, string>; schema: CpixSchemaVersion | undefined } {
  const version = /<(?:\w+:)?CPIX\b[^>]*\sversion="([^"]+)"/.exec(text)?.[1];
  const contentId = /<(?:\w+:)?CPIX\b[^>]*\scontentId="/.test(text);
  if (text.includes("urn:aws:amazon:com:speke")) return { path: "/api/Speke", headers: {}, schema: undefined }; // CPIX 2.0 + speke: has no XSD here
  if (contentId && version === "2.4") return { path: "/api/SpekeV2", headers: { "X-Speke-Version": "2.1" }, schema: "2.4" };
  if (contentId) return { path: "/api/SpekeV2", headers: { "X-Speke-Version": "2.0" }, schema: "2.3" };
  const schema = (["2.1", "2.2", "2.3", "2.4"] as const).find((known) => known === version) ?? "2.2";
  return { path: "/api/Cpix", headers: {}, schema };
}

const requests = [
  ...listXml(SAMPLES),
  join(ROOT, "examples", "speke-v2-preset-video-3-audio-1.xml"),
  join(ROOT, "examples", "request.cpix"),
];

/** The service's answer to one request file, and the XSD verdict on it when it is a CPIX answer with an XSD here. */
interface Answer {
  readonly requestText: string;
  readonly schema: CpixSchemaVersion | undefined;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
  verdict?: CpixXsdResult;
}

async function answerTo(path: string): Promise<Answer> {
  const bytes = readFileSync(path);
  const requestText = bytes.toString(bytes[0] === 0xff && bytes[1] === 0xfe ? "utf16le" : "utf8");
  const { path: endpoint, headers, schema } = routeFor(requestText);
  const response = await fetch(`${service.url}${endpoint}`, {
    method: "POST",
    headers: { Authorization: authorization, "Content-Type": "application/xml", ...headers },
    body: bytes,
  });
  return { requestText, schema, status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
}

describe("responses validate against the CPIX XSD", () => {
  const answers = new Map<string, Answer>();

  // Every request is sent first, then the answers of each CPIX version are validated in one xmllint run (xsd.ts):
  // one WASM start per version instead of one per answer.
  beforeAll(async () => {
    for (const path of requests) answers.set(path, await answerTo(path));
    for (const version of ["2.1", "2.2", "2.3", "2.4"] as const) {
      const validated = [...answers.values()].filter((answer) => answer.status === 200 && answer.schema === version);
      const verdicts = await validateCpixXmlBatch(
        validated.map((answer) => answer.body),
        version,
      );
      validated.forEach((answer, index) => (answer.verdict = verdicts[index]));
    }
  }, 120_000);

  it.each(requests.map((path) => [relative(join(ROOT, ".."), path), path]))("%s", async (_name, path) => {
    const { requestText, schema, status, contentType, body, verdict } = answers.get(path)!;
    if (status !== 200) {
      // Refusals are covered (with their reasons) by test/workers/cpix-samples.test.ts; here they must be 4xx.
      expect(status, body).toBeGreaterThanOrEqual(400);
      expect(status, body).toBeLessThan(500);
      return;
    }
    expect(contentType).toBe("application/xml; charset=utf-8");
    if (!schema) {
      // SPEKE v1 (CPIX 2.0 + speke:) has no XSD here; it must still be a CPIX document without v2-only parts.
      expect(body).toContain('xmlns:cpix="urn:dashif:org:cpix"');
      expect(body).not.toContain("HLSSignalingData");
      return;
    }
    if (verdict!.valid) return;
    // A response echoes the request's periods and usage rules unchanged (SPEKE: "must not change"), so a
    // request that is itself invalid in those parts (a DASH-IF vector's duplicate periodId, pycpix's
    // commonEncryptionScheme in a 2.2 document) gives the same errors back, and only those.
    const [requestVerdict] = await validateCpixXmlBatch([requestText], schema);
    const requestErrors = new Set(requestVerdict!.errors);
    expect(requestErrors.size, "the response is invalid although the request was valid").toBeGreaterThan(0);
    expect(verdict!.errors.filter((error) => !requestErrors.has(error))).toEqual([]);
  });
});

describe("an encrypted answer validates against the CPIX XSD", () => {
  it("SPEKE v2.0 with DeliveryData for the DASH-IF Cert1 (CPIX 2.3)", async () => {
    const certificate = readFileSync(join(SAMPLES, "dashif-cpix-test-vectors", "Cert1.cer")).toString("base64");
    const request = readFileSync(join(ROOT, "examples", "speke-v2-preset-video-3-audio-1.xml"), "utf8").replace(
      /(<cpix:CPIX[^>]*?)>/,
      `$1 xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><cpix:DeliveryDataList><cpix:DeliveryData id="packager"><cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData></cpix:DeliveryDataList>`,
    );
    const response = await fetch(`${service.url}/api/SpekeV2`, {
      method: "POST",
      headers: { Authorization: authorization, "Content-Type": "application/xml", "X-Speke-Version": "2.0" },
      body: request,
    });
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(body).toContain("EncryptedValue");
    expect(body).not.toContain("PlainValue");
    expect(await validateCpixXml(body, "2.3")).toEqual({ valid: true, errors: [] });
  });
});
