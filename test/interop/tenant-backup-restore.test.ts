/// <reference types="node" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { fromBase64, toBase64, utf8 } from "../../src/domain/bytes";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { TEST_BINDINGS } from "../test-bindings";
import { startService, type RunningService } from "./service";

/**
 * Issue 29's proof: two local deployments with different key-encryption keys (deployment B's under another version)
 * and storage of their own. A tenant made in A with a seed, stored content keys, a Widevine signer, a credential
 * limited to SPEKE v2 and settings is backed up for B's restore certificate and restored in B; acquisitions with the
 * old credentials then answer the same keys and IVs there. Changed bytes anywhere in the backup, a cut one, or one
 * made for another certificate are refused and leave B without a trace of the tenant.
 */

const ADMIN = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };
const BACKUP_TYPE = "application/vnd.edge-key-service.backup+json";
/** B's key-encryption key: other bytes (0x40..0x5f), under version 3 (A's test key is version 1). */
const B_KEK = `3:${toBase64(Uint8Array.from({ length: 32 }, (_, index) => 0x40 + index))}`;
const STORED_RANDOM_KID = "5e1a2b3c-4d5e-4f60-8a7b-8c9d0e1f2a3b";
const STORED_IMPORTED_KID = "6f2b3c4d-5e6f-4071-9b8c-9d0e1f2a3b4c";
const DERIVED_KID = "7a3c4d5e-6f70-4182-ac9d-ae0f1a2b3c4d";
const IMPORTED_IV = Uint8Array.from({ length: 16 }, (_, index) => 0xa0 + index);

let a: RunningService;
let b: RunningService;

beforeAll(async () => {
  [a, b] = await Promise.all([startService(), startService({ bindings: { KEY_ENCRYPTION_KEY: B_KEK } })]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

interface Tenant {
  readonly tenantId: string;
  readonly manage: string;
  readonly packager: string;
  readonly signer: { readonly ProviderName: string; readonly SigningKeyHex: string; readonly SigningIvHex: string };
}

async function call(url: string, method: string, path: string, authorization: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: { Authorization: authorization, ...(body !== undefined && { "Content-Type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

async function expectStatus(response: Promise<Response>, status: number): Promise<Response> {
  const answered = await response;
  if (answered.status !== status) throw new Error(`expected ${status}, got ${answered.status}: ${await answered.text()}`);
  return answered;
}

/** A tenant in A holding one of each thing a move must keep. */
async function tenantInA(): Promise<Tenant> {
  const created = (await (
    await expectStatus(call(a.url, "POST", "/admin/tenants", ADMIN.Authorization, { name: "moving" }), 201)
  ).json()) as {
    tenantId: string;
    managementKey: string;
  };
  const manage = `Basic ${btoa(`${created.tenantId}:${created.managementKey}`)}`;
  const seedId = crypto.randomUUID();
  const seed = toBase64(crypto.getRandomValues(new Uint8Array(30)));
  await expectStatus(call(a.url, "POST", "/api/Import/KeySeeds", manage, [{ Id: seedId, Data: seed }]), 200);
  await expectStatus(call(a.url, "PUT", `/api/KeySeeds/${seedId}`, manage, { IsDefault: true }), 200);
  await expectStatus(call(a.url, "POST", "/api/ContentKeys", manage, { Id: STORED_RANDOM_KID, Name: "random" }), 201);
  const imported = toBase64(crypto.getRandomValues(new Uint8Array(16)));
  await expectStatus(
    call(a.url, "POST", "/api/Import/ContentKeys", manage, [
      { Id: STORED_IMPORTED_KID, Name: "imported", Data: imported, Iv: toBase64(IMPORTED_IV) },
    ]),
    200,
  );
  const signer = await expectStatus(
    call(a.url, "POST", "/api/WidevineProtectionInfoCredentials", manage, { ProviderName: `moving-${crypto.randomUUID()}` }),
    201,
  );
  const credential = await expectStatus(
    call(a.url, "POST", "/api/Credentials", manage, { Name: "packager", Scopes: ["acquire"], Protocols: ["SpekeV2"] }),
    201,
  );
  const { Secret } = (await credential.json()) as { Secret: string };
  await expectStatus(call(a.url, "PUT", "/api/Settings", manage, { WidevineProvider: "acme", LogRetentionDays: 30 }), 200);
  return {
    tenantId: created.tenantId,
    manage,
    packager: `Basic ${btoa(`${created.tenantId}:${Secret}`)}`,
    signer: (await signer.json()) as Tenant["signer"],
  };
}

/** What SPEKE v2.0 answers for each stored KID (as the video key) with DERIVED_KID (as the audio key): each KID's key and IV, base64. */
async function spekeAnswer(url: string, tenant: Tenant): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  for (const video of [STORED_RANDOM_KID, STORED_IMPORTED_KID]) {
    const keys = [
      [video, "VIDEO", "VideoFilter"],
      [DERIVED_KID, "AUDIO", "AudioFilter"],
    ] as const;
    const request =
      `<?xml version="1.0" encoding="UTF-8"?><cpix:CPIX contentId="movie-1" version="2.3" xmlns:cpix="urn:dashif:org:cpix">` +
      `<cpix:ContentKeyList>${keys.map(([kid]) => `<cpix:ContentKey kid="${kid}" commonEncryptionScheme="cenc"/>`).join("")}</cpix:ContentKeyList>` +
      `<cpix:DRMSystemList>${keys.map(([kid]) => `<cpix:DRMSystem kid="${kid}" systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"><cpix:PSSH/></cpix:DRMSystem>`).join("")}</cpix:DRMSystemList>` +
      `<cpix:ContentKeyUsageRuleList>${keys.map(([kid, track, filter]) => `<cpix:ContentKeyUsageRule kid="${kid}" intendedTrackType="${track}"><cpix:${filter}/></cpix:ContentKeyUsageRule>`).join("")}</cpix:ContentKeyUsageRuleList>` +
      `</cpix:CPIX>`;
    const response = await fetch(`${url}/api/SpekeV2`, {
      method: "POST",
      headers: { Authorization: tenant.packager, "Content-Type": "application/xml", "X-Speke-Version": "2.0" },
      body: request,
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const read = readCpix(utf8(text));
    if (!read.ok) throw new Error("unreadable SPEKE answer");
    for (const key of read.document.contentKeyList?.items ?? []) {
      answers[key.kid.toString()] = `${toBase64(key.value!.bytes)} iv ${key.explicitIV ? toBase64(key.explicitIV.bytes) : "-"}`;
    }
  }
  expect(Object.keys(answers).sort()).toEqual([STORED_RANDOM_KID, STORED_IMPORTED_KID, DERIVED_KID].sort());
  return answers;
}

/** The tracks (keys, KIDs, IVs, PSSH) a Widevine CENC API request signed by the tenant's AES signer answers. */
async function widevineTracks(url: string, tenant: Tenant): Promise<unknown> {
  const request = utf8(JSON.stringify({ content_id: btoa("movie-1"), tracks: [{ type: "SD" }, { type: "AUDIO" }] }));
  const { ProviderName, SigningKeyHex, SigningIvHex } = tenant.signer;
  const signature = await aesRequestSignature(request, Buffer.from(SigningKeyHex, "hex"), Buffer.from(SigningIvHex, "hex"));
  const response = await fetch(`${url}/api/WidevineProtectionInfo`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ request: toBase64(request), signature: toBase64(signature), signer: ProviderName }),
  });
  expect(response.status).toBe(200);
  const inner = JSON.parse(Buffer.from(fromBase64(((await response.json()) as { response: string }).response)!).toString("utf8"));
  expect(inner.status).toBe("OK");
  return inner.tracks;
}

function restore(url: string, document: Uint8Array, contentType = BACKUP_TYPE): Promise<Response> {
  return fetch(`${url}/admin/tenants/restore`, { method: "POST", headers: { ...ADMIN, "Content-Type": contentType }, body: document });
}

/** B holds no trace of the tenant: its object answers 404, its directory does not list it, KV has no snapshot (401). */
async function expectAbsentInB(tenant: Tenant): Promise<void> {
  expect((await call(b.url, "GET", `/admin/tenants/${tenant.tenantId}`, ADMIN.Authorization)).status).toBe(404);
  const listed = (await (await call(b.url, "GET", "/admin/tenants", ADMIN.Authorization)).json()) as { items: { tenantId: string }[] };
  expect(listed.items.map((item) => item.tenantId)).not.toContain(tenant.tenantId);
  expect((await call(b.url, "GET", "/api/KeySeeds", tenant.manage)).status).toBe(401);
}

describe("a tenant moved between two deployments with different KEKs", () => {
  it("answers every acquisition identically with its old credentials; tampered, cut and foreign backups are refused whole", async () => {
    const tenant = await tenantInA();
    const spekeInA = await spekeAnswer(a.url, tenant);
    const tracksInA = await widevineTracks(a.url, tenant);
    expect(spekeInA[STORED_IMPORTED_KID]).toMatch(new RegExp(` iv ${toBase64(IMPORTED_IV).replace(/[+/]/g, "\\$&")}$`));

    const certificateOfB = await (await expectStatus(call(b.url, "GET", "/admin/restore-certificate", ADMIN.Authorization), 200)).text();
    const backup = await expectStatus(
      call(a.url, "POST", `/admin/tenants/${tenant.tenantId}/backup`, ADMIN.Authorization, { Certificate: certificateOfB }),
      200,
    );
    expect(backup.headers.get("Content-Type")).toBe(BACKUP_TYPE);
    expect(backup.headers.get("Content-Disposition")).toBe(`attachment; filename="${tenant.tenantId}.eks-backup"`);
    const document = new Uint8Array(await backup.arrayBuffer());
    // Nothing secret in the clear: no key the tenant answers appears in the document.
    const documentText = Buffer.from(document).toString("latin1");
    for (const answer of Object.values(spekeInA)) expect(documentText).not.toContain(answer.split(" ")[0]);

    // Audited in the source: the backup, naming the certificate's fingerprint, never its content.
    const logs = (await (await call(a.url, "GET", "/api/Logs?$top=1", tenant.manage)).json()) as { Action: string; ObjectId: string }[];
    expect(logs[0]).toMatchObject({ Action: "BackupTenant", ObjectId: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // Changed bytes at a sample of positions (header, wrapped keys, IV, ciphertext, MAC), cut documents, another
    // deployment's certificate, another media type: each refused, nothing written in B.
    const positions = [0, 10, 40, 120, 300, 600, 900, Math.floor(document.length / 2), document.length - 60, document.length - 3];
    for (const position of positions) {
      const changed = document.slice();
      changed[position] = changed[position]! ^ 0x01;
      const refused = await restore(b.url, changed);
      expect([400, 422], `byte ${position} of ${document.length}`).toContain(refused.status);
    }
    for (const length of [0, 1, 100, document.length - 70, document.length - 1]) {
      expect([400, 422], `cut at ${length}`).toContain((await restore(b.url, document.slice(0, length))).status);
    }
    const certificateOfA = await (await call(a.url, "GET", "/admin/restore-certificate", ADMIN.Authorization)).text();
    const forA = await expectStatus(
      call(a.url, "POST", `/admin/tenants/${tenant.tenantId}/backup`, ADMIN.Authorization, { Certificate: certificateOfA }),
      200,
    );
    expect((await restore(b.url, new Uint8Array(await forA.arrayBuffer()))).status).toBe(422);
    expect((await restore(b.url, document, "application/json")).status).toBe(415);
    await expectAbsentInB(tenant);

    const restored = await expectStatus(restore(b.url, document), 201);
    expect(await restored.json()).toMatchObject({
      tenantId: tenant.tenantId,
      keySeeds: 2,
      contentKeys: 2,
      widevineCredentials: 1,
      credentials: 2,
    });
    expect((await restore(b.url, document)).status).toBe(409);

    expect(await spekeAnswer(b.url, tenant)).toEqual(spekeInA);
    expect(await widevineTracks(b.url, tenant)).toEqual(tracksInA);
    expect((await call(b.url, "GET", "/api/KeySeeds", tenant.manage)).status).toBe(200);
    const settings = (await (await call(b.url, "GET", "/api/Settings", tenant.manage)).json()) as Record<string, unknown>;
    expect(settings).toMatchObject({ WidevineProvider: "acme", LogRetentionDays: 30 });
    const listed = (await (await call(b.url, "GET", "/admin/tenants", ADMIN.Authorization)).json()) as {
      items: { tenantId: string; name: string }[];
    };
    expect(listed.items).toContainEqual(expect.objectContaining({ tenantId: tenant.tenantId, name: "moving" }));
  });
});
