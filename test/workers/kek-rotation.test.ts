import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { KeyId } from "../../src/domain/key-id";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { tenantObject as tenantClient } from "../../src/tenancy/tenant-client";
import type { TenantObject } from "../../src/tenancy/tenant-object";
import { TEST_BINDINGS } from "../test-bindings";
import { basic, type TestTenant } from "./support/api";
import { Deployment } from "./support/deployment";
import { TEST_SEED, TEST_SEED_BASE64, tenantWithTestSeed } from "./support/tenant-with-seed";
import { readPublishedSnapshot } from "./support/kv-values";

/** The test bindings' key is version 1; the new key is the bytes 0x20..0x3f. */
const OLD_KEY = TEST_BINDINGS.KEY_ENCRYPTION_KEY;
const NEW_KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
const ADMIN = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" };
const KID = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";

interface Signers {
  readonly aes: { ProviderName: string; SigningKeyHex: string; SigningIvHex: string };
  readonly rsa: { providerName: string; privateKey: CryptoKey };
}

type Tenant = TestTenant & Signers;

function tenantObject(tenantId: string): DurableObjectStub<TenantObject> {
  return env.TENANTS.get(env.TENANTS.idFromName(tenantId));
}

function call(deployment: Deployment, tenant: TestTenant, method: string, path: string, body?: unknown): Promise<Response> {
  return deployment.fetch(path, {
    method,
    headers: { Authorization: tenant.authorization, ...(body !== undefined && { "Content-Type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

/** An AES signer and an RSA signer for the tenant, made through the credentials API. */
async function addSigners(deployment: Deployment, tenant: TestTenant): Promise<Signers> {
  const aes = await call(deployment, tenant, "POST", "/api/WidevineProtectionInfoCredentials", {
    ProviderName: `aes-${crypto.randomUUID()}`,
  });
  expect(aes.status).toBe(201);
  const pair = (await crypto.subtle.generateKey(
    { name: "RSA-PSS", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-1" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
  const providerName = `rsa-${crypto.randomUUID()}`;
  const rsa = await call(deployment, tenant, "POST", "/api/WidevineProtectionInfoCredentials", {
    ProviderName: providerName,
    RsaPublicKey: toBase64(spki),
  });
  expect(rsa.status).toBe(201);
  return { aes: await aes.json(), rsa: { providerName, privateKey: pair.privateKey } };
}

/** A tenant made as the Operator API made them before the tenant directory existed: its object alone, no directory entry. */
async function tenantFromBeforeTheDirectory(deployment: Deployment): Promise<TestTenant> {
  const tenantId = crypto.randomUUID();
  const created = await tenantClient(env, tenantId).tenant().create({ tenantId, name: "older" }, new Date());
  if (!created.ok) throw new Error(created.failure.reason);
  const tenant = { tenantId, managementKey: created.value.managementKey, keySeedId: created.value.keySeedId };
  const authorized = { ...tenant, authorization: basic(tenantId, tenant.managementKey) };
  const seedId = crypto.randomUUID();
  expect((await call(deployment, authorized, "POST", "/api/Import/KeySeeds", [{ Id: seedId, Data: TEST_SEED_BASE64 }])).status).toBe(200);
  expect((await call(deployment, authorized, "PUT", `/api/KeySeeds/${seedId}`, { IsDefault: true })).status).toBe(200);
  return authorized;
}

/** The key CPIX GET answers for KID, checked against the derivation from the tenant's seed. */
async function expectCpixKeyDerives(deployment: Deployment, tenant: TestTenant): Promise<void> {
  const response = await call(deployment, tenant, "GET", `/api/Cpix/movie-1?kid=${KID}`);
  expect(response.status).toBe(200);
  const read = readCpix(utf8(await response.text()));
  if (!read.ok) throw new Error("unreadable CPIX answer");
  expect(read.document.contentKeyList!.items[0]!.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(KID))).bytes);
}

/** Both signers' requests answered OK, the AES signer's key equal to the derivation. */
async function expectSignersVerify(deployment: Deployment, signers: Signers): Promise<void> {
  const keyRequest = utf8(JSON.stringify({ content_id: btoa(KID), tracks: [{ type: "SD" }] }));
  const aesSignature = await aesRequestSignature(keyRequest, fromHex(signers.aes.SigningKeyHex)!, fromHex(signers.aes.SigningIvHex)!);
  const rsaSignature = new Uint8Array(await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 20 }, signers.rsa.privateKey, keyRequest));
  for (const [signer, signature] of [
    [signers.aes.ProviderName, aesSignature],
    [signers.rsa.providerName, rsaSignature],
  ] as const) {
    const response = await deployment.fetch("/api/WidevineProtectionInfo", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ request: toBase64(keyRequest), signature: toBase64(signature), signer }),
    });
    expect(response.status).toBe(200);
    const inner = JSON.parse(new TextDecoder().decode(fromBase64((await response.json<{ response: string }>()).response)!));
    expect(inner.status).toBe("OK");
    expect(fromBase64(inner.tracks[0].key)).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(KID))).bytes);
  }
}

async function rotate(deployment: Deployment, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await deployment.fetch("/admin/kek-rotation", { method: "POST", headers: ADMIN, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

async function wrappedDataKeys(tenantId: string): Promise<{ row: string; snapshot: string }> {
  const row = await runInDurableObject(tenantObject(tenantId), (_instance, state) =>
    state.storage.sql.exec<{ wrapped_data_key: string }>("SELECT wrapped_data_key FROM tenant").one(),
  );
  const snapshot = (await readPublishedSnapshot(tenantId))!;
  return { row: row.wrapped_data_key, snapshot: snapshot.wrappedDataKey };
}

describe("rotating the key-encryption key", () => {
  it("re-wraps every tenant's data key under the new key, and without the old key every key still derives and every signer verifies", async () => {
    // Version 1 alone, as deployed before the rotation: tenants with seeds and signers, one of them older than the directory.
    const before = await Deployment.roll({});
    const tenants: Tenant[] = [];
    for (const tenant of [await tenantWithTestSeed(), await tenantWithTestSeed(), await tenantFromBeforeTheDirectory(before)]) {
      tenants.push({ ...tenant, ...(await addSigners(before, tenant)) });
    }
    for (const tenant of tenants) expect((await wrappedDataKeys(tenant.tenantId)).row).toMatch(/^v1\.1\./);

    // Control: a Worker given only the new key cannot open them yet: a storage fault (issue 25: 503, never a key).
    const tooEarly = await Deployment.roll({ KEY_ENCRYPTION_KEY: `2:${NEW_KEY}` });
    expect((await call(tooEarly, tenants[0]!, "GET", `/api/Cpix/movie-1?kid=${KID}`)).status).toBe(503);

    // The new key current, the old one still listed: everything works before any data key is re-wrapped.
    const rotating = await Deployment.roll({ KEY_ENCRYPTION_KEY: `2:${NEW_KEY},1:${OLD_KEY}` });
    for (const tenant of tenants) await expectCpixKeyDerives(rotating, tenant);

    // A call cut off after one object re-wrapped but before the directory recorded it: that tenant counts as already current.
    expect(await tenantClient(env, tenants[1]!.tenantId).tenant().rewrapDataKey(2)).toEqual({ outcome: "rewrapped", fromKeyVersion: 1 });
    expect(await tenantClient(env, tenants[1]!.tenantId).tenant().rewrapDataKey(2)).toEqual({ outcome: "already-current" });

    const answers: Record<string, unknown>[] = [];
    let cursor: unknown = null;
    for (let calls = 0; calls < 10; calls++) {
      const { status, json } = await rotate(rotating, { cursor, limit: 2 });
      expect(status).toBe(200);
      answers.push(json);
      cursor = json.cursor;
      if (json.done) break;
    }
    const total = (field: string) => answers.reduce((sum, answer) => sum + (answer[field] as number), 0);
    expect({ rewrapped: total("rewrapped"), alreadyCurrent: total("alreadyCurrent"), absent: total("absent") }).toEqual({
      rewrapped: 2,
      alreadyCurrent: 1,
      absent: 0,
    });
    expect(answers.map((answer) => answer.remaining)).toEqual([1, 0]);
    expect(answers.at(-1)).toMatchObject({ keyVersion: 2, remaining: 0, cursor: null, done: true });
    for (const tenant of tenants) {
      const wrapped = await wrappedDataKeys(tenant.tenantId);
      expect(wrapped.row).toMatch(/^v1\.2\./);
      expect(wrapped.snapshot).toBe(wrapped.row);
    }
    // Idempotent: once done, another call finds nothing left.
    expect(await rotate(rotating, {})).toEqual({
      status: 200,
      json: { keyVersion: 2, rewrapped: 0, alreadyCurrent: 0, absent: 0, remaining: 0, cursor: null, done: true },
    });

    // The old key removed from the Worker and the objects.
    const after = await Deployment.roll({ KEY_ENCRYPTION_KEY: `2:${NEW_KEY}` });
    for (const tenant of tenants) {
      await expectCpixKeyDerives(after, tenant);
      await expectSignersVerify(after, tenant);
      // The object opens the data key under the new key alone: a new seed and a new signer are sealed under it.
      expect((await call(after, tenant, "POST", "/api/KeySeeds", { Name: "after rotation" })).status).toBe(201);
      await expectSignersVerify(after, { ...tenant, aes: (await addSigners(after, tenant)).aes });
    }
  });
});
