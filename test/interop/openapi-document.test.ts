/// <reference types="node" />
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type RunningService } from "./service";
import { createServiceTenant } from "./walkthrough";

/**
 * The served OpenAPI document, checked outside our code: an OpenAPI 3.1 validator from npm validates it, Ajv
 * compiles every schema in it as JSON Schema 2020-12, and for a sample of routes a request the document calls
 * invalid is refused by the running service with 400 and the JSON error, while its own examples are accepted.
 */
interface Operation {
  readonly parameters?: readonly { name: string; in: string; schema: object }[];
  readonly requestBody?: { content: Record<string, { schema: object }> };
  readonly responses: Record<string, unknown>;
}
interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Operation>>;
}

let service: RunningService;
let authorization: string;
let document: OpenApiDocument;
const ajv = new Ajv2020({ strict: true, allErrors: false });
addFormats.default(ajv);

beforeAll(async () => {
  service = await startService({ unlimitedRates: true });
  ({ authorization } = await createServiceTenant(service.url));
  document = (await (await fetch(`${service.url}/api/openapi.json`)).json()) as OpenApiDocument;
}, 120_000);

afterAll(async () => service?.stop());

function bodySchema(method: string, path: string): ValidateFunction {
  return ajv.compile(document.paths[path]![method]!.requestBody!.content["application/json"]!.schema);
}

async function send(method: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${service.url}${path}`, {
    method: method.toUpperCase(),
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Objects over the documented fields: good values, any JSON, left out, or an unknown field besides. */
function bodies(validate: ValidateFunction, good: Record<string, readonly unknown[]>): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(
    Object.entries(good).map(([name, values]) => [name, fc.oneof(fc.constantFrom(...values), fc.jsonValue({ maxDepth: 1 }))]),
  );
  return fc
    .oneof(
      fc.record(fields, { requiredKeys: [] }),
      fc.record({ ...fields, Unlisted: fc.jsonValue({ maxDepth: 0 }) }, { requiredKeys: ["Unlisted"] }),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .filter((body) => !validate(body));
}

describe("the OpenAPI document", () => {
  it("validates as OpenAPI 3.1 (@seriousme/openapi-schema-validator)", async () => {
    const result = await new Validator().validate(document as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((document as unknown as { openapi: string }).openapi).toBe("3.1.0");
  });

  it("holds only schemas that Ajv compiles as JSON Schema 2020-12 in strict mode", () => {
    let compiled = 0;
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations)) {
        for (const parameter of operation.parameters ?? []) (ajv.compile(parameter.schema), compiled++);
        for (const media of Object.values(operation.requestBody?.content ?? {})) (ajv.compile(media.schema), compiled++);
      }
    }
    expect(compiled).toBeGreaterThan(40);
  });
});

/** Sample routes: valid examples, and good values per field to build near-misses from. */
const SAMPLES = [
  {
    method: "post",
    path: "/api/KeySeeds",
    examples: [{ Name: "seed" }, { Name: "seed", IsDefault: false, Id: null }],
    good: { Name: ["a", "x".repeat(256)], IsDefault: [true, false], Id: ["0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"] },
  },
  {
    method: "put",
    path: "/api/Settings",
    examples: [{}, { WidevineProvider: "acme", LogRetentionDays: 30, AllowedOrigins: ["https://console.example.com"] }],
    good: {
      WidevineProvider: ["acme", ""],
      LogRetentionDays: [1, 3650],
      AllowedOrigins: [["https://console.example.com"], []],
      RecipientCertificates: [["ab".repeat(32)]],
      RequireEncryption: [true, false],
    },
  },
  {
    method: "put",
    path: "/api/HarmonicConfiguration",
    examples: [{}, { RequireSignatures: false, EncryptContentKeys: false }],
    good: { RequireSignatures: [false, null], EncryptContentKeys: [false, null] },
  },
  {
    method: "post",
    path: "/api/Export/KeySeeds",
    examples: [{ Password: "a long enough password" }],
    good: { Password: ["a long enough password"], Ids: [["0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"]] },
  },
] as const;

describe.each(SAMPLES)("$method $path against its documented body schema", ({ method, path, examples, good }) => {
  it("accepts the requests the document calls valid", async () => {
    const validate = bodySchema(method, path);
    for (const example of examples) {
      expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
      const response = await send(method, path, example);
      expect(response.status, await response.clone().text()).toBeLessThan(300);
    }
  });

  it("refuses every request the document calls invalid with 400 and the JSON error naming the problem", async () => {
    const validate = bodySchema(method, path);
    expect(Object.keys(document.paths[path]![method]!.responses)).toContain("400");
    await fc.assert(
      fc.asyncProperty(bodies(validate, good), async (body) => {
        const response = await send(method, path, body);
        const error = (await response.json()) as { error: string };
        expect(response.status).toBe(400);
        expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(error.error);
      }),
      { numRuns: 40 },
    );
  });
});

describe("GET /api/Logs against its documented query parameters", () => {
  it("refuses a parameter value the document calls invalid with 400, and accepts the valid ones", async () => {
    const parameters = document.paths["/api/Logs"]!.get!.parameters!;
    const byName = new Map(parameters.map((parameter) => [parameter.name, ajv.compile(parameter.schema)]));
    const single = ["$top", "$skip", "from", "to", "contentId", "kid"];
    const values = fc.oneof(
      fc.constantFrom(
        ...["1", "100", "0", "007", "1e2", "x", "", "3f2f6a14-7b3c-4b5e-9d7a-1c2b3d4e5f60", "3F2F6A147B3C4B5E9D7A1C2B3D4E5F60"],
        ...["2026-01-01T00:00:00Z", "2026-01-01T00:00Z", "2026-01-01t00:00:00.5+01:00", "2026-01-01 00:00:00Z"],
      ),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...single), values, async (name, value) => {
        const valid = byName.get(name)!(value);
        const response = await fetch(`${service.url}/api/Logs?${new URLSearchParams({ [name]: value })}`, {
          headers: { Authorization: authorization },
        });
        if (!valid) expect(response.status).toBe(400);
        // Valid by the schema yet refused: only by a rule the schema cannot say (an integer's range, a real UUID or date).
        else if (response.status !== 200) expect((await response.json()) as object).toHaveProperty("error");
      }),
      { numRuns: 60 },
    );
  });
});
