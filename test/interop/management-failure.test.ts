/**
 * A management failure is data (issue 26): each reason carries the values its message names, and
 * src/http/management-errors.ts alone chooses the words. No reason may carry a prepared `message`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ManagementFailure } from "../../src/tenancy/tenant-types";

/** `true` only when no member of the union has a `message` field: `tsc --noEmit` fails on the line below otherwise. */
type HasNoMessage<Union> = [Extract<Union, { readonly message: unknown }>] extends [never] ? true : false;
const managementFailureHasNoMessage: HasNoMessage<ManagementFailure> = true;

const TENANT_TYPES = join(import.meta.dirname, "..", "..", "src", "tenancy", "tenant-types.ts");

/** The source text of `export type ManagementFailure = …;`. */
function managementFailureSource(): string {
  const text = readFileSync(TENANT_TYPES, "utf8");
  const start = text.indexOf("export type ManagementFailure =");
  expect(start).toBeGreaterThanOrEqual(0);
  return text.slice(start, text.indexOf(";\n", start) + 1);
}

describe("ManagementFailure", () => {
  it("has no member with a message (checked by the type system)", () => {
    expect(managementFailureHasNoMessage).toBe(true);
  });

  it("declares no message field and no free-text reason such as invalid or conflict", () => {
    const source = managementFailureSource();
    expect(source).toContain('reason: "not-found"');
    expect(source).not.toMatch(/\bmessage\b\??\s*:/);
    expect(source).not.toMatch(/reason: "(invalid|conflict)"/);
  });
});
