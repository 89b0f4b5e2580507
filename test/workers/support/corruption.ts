import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import { KeyId } from "../../../src/domain/key-id";
import { deriveContentKey } from "../../../src/domain/key-derivation";
import worker from "../../../src/index";
import { TenantStore } from "../../../src/tenancy/tenant-store";
import { BASE, api, type TestTenant } from "./api";
import { AUDIO_KID, CPIX_PROTOCOLS, KID } from "./cpix-requests";
import { storedKeyValue } from "./content-keys";
import { readResponse } from "./speke-v2-requests";
import { TEST_SEED } from "./tenant-with-seed";

/**
 * What the corruption tests share: a tenant storing a key for KID (AUDIO_KID derived), requests sent as a fresh isolate
 * would send them (its cache cleared, its background work, such as a republish request, awaited), and the check that
 * an answer is either a storage fault or the right keys.
 */

/** Sends a request to the Worker as a fresh isolate and waits for its background work (a republish request). */
export async function freshRequest(path: string, init: RequestInit = {}): Promise<Response> {
  TenantStore.clear();
  const context = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, init), env, context);
  await waitOnExecutionContext(context);
  return response;
}

/** A SPEKE v2.0 request for KID and AUDIO_KID, as a fresh isolate. */
export function acquire(tenant: TestTenant): Promise<Response> {
  const speke = CPIX_PROTOCOLS[0]!;
  return freshRequest(speke.path, {
    method: "POST",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/xml", ...speke.headers },
    body: speke.valid,
  });
}

/** A tenant with a random stored key for KID; answers the stored key. */
export async function tenantStoringKid(tenant: TestTenant): Promise<Uint8Array> {
  expect((await api(tenant, "POST", "/api/ContentKeys", { Id: KID, Name: "random" })).status).toBe(201);
  return storedKeyValue(tenant, KID);
}

/** The keys an acquisition answered, by KID; undefined when it is not a 200. */
export async function answeredKeys(response: Response): Promise<Map<string, Uint8Array> | undefined> {
  if (response.status !== 200) return undefined;
  const document = readResponse(await response.text());
  return new Map((document.contentKeyList?.items ?? []).map((key) => [key.kid.toString(), key.value!.bytes]));
}

/** Fails unless the answer is a storage fault (503 + Retry-After) or exactly the right keys: never 200 with another key. */
export async function expectFaultOrRight(response: Response, stored: Uint8Array): Promise<"fault" | "right"> {
  if (response.status === 503) {
    expect(response.headers.get("Retry-After")).toBe("5");
    return "fault";
  }
  const keys = await answeredKeys(response);
  expect(keys, `status ${response.status}`).toBeDefined();
  expect(keys!.get(KID)).toEqual(stored);
  expect(keys!.get(AUDIO_KID)).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(AUDIO_KID))).bytes);
  return "right";
}

/** Replaces one character of `text` at `index` by another of the same class (a base64 or name character stays one). */
export function changeCharacterAt(text: string, index: number): string {
  const current = text[index]!;
  const replacement = current === "A" ? "B" : /[A-Za-z0-9+/]/.test(current) ? "A" : current === "x" ? "y" : "x";
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

/** Flips one bit of one byte at a random position (the UTF-8 bytes of the value), so the value may stop being text. */
export function flipRandomByte(value: string, random: () => number = Math.random): string {
  const bytes = new TextEncoder().encode(value);
  const at = Math.floor(random() * bytes.length);
  bytes[at]! ^= 1 << Math.floor(random() * 8);
  return new TextDecoder().decode(bytes);
}
