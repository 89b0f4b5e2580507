import { readCpix } from "../../src/cpix/reader";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { KeyId } from "../../src/domain/key-id";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { TEST_BINDINGS } from "../test-bindings";
import { decodeBase64, type Fetcher } from "./checks";
import { CPIX_CORPUS } from "./corpus";
import type { FuzzTenant } from "./generators";
import { TEST_SEED, TEST_SEED_BASE64 } from "./test-seed";

/**
 * The fuzz tenant (its default seed is the published test seed, plus a Widevine signer bound to that seed), and
 * the known-good requests that must still be answered with keys equal to the derivation after any fuzzing.
 */

/** Creates the tenant through the Operator and Management APIs, as a client would. */
export async function setUpFuzzTenant(fetcher: Fetcher): Promise<FuzzTenant> {
  const json = { "Content-Type": "application/json" };
  const created = await fetcher("/admin/tenants", {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, ...json },
    body: JSON.stringify({ name: "fuzz" }),
  });
  if (created.status !== 201) throw new Error(`tenant creation answered ${created.status}`);
  const { tenantId, managementKey } = await created.json<{ tenantId: string; managementKey: string }>();
  const authorization = `Basic ${btoa(`${tenantId}:${managementKey}`)}`;
  const headers = { Authorization: authorization, ...json };
  const seedId = crypto.randomUUID();
  const steps: [string, string, unknown][] = [
    ["POST", "/api/Import/KeySeeds", [{ Id: seedId, Data: TEST_SEED_BASE64 }]],
    ["PUT", `/api/KeySeeds/${seedId}`, { IsDefault: true }],
  ];
  for (const [method, path, body] of steps) {
    const response = await fetcher(path, { method, headers, body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}`);
  }
  const providerName = `fuzz-${tenantId}`;
  const credential = await fetcher("/api/WidevineProtectionInfoCredentials", {
    method: "POST",
    headers,
    body: JSON.stringify({ ProviderName: providerName, KeySeedId: seedId }),
  });
  if (credential.status !== 201) throw new Error(`credential creation answered ${credential.status}`);
  const { SigningKeyHex, SigningIvHex } = await credential.json<{ SigningKeyHex: string; SigningIvHex: string }>();
  return {
    tenantId,
    managementKey,
    authorization,
    seedId,
    providerName,
    signingKey: fromHex(SigningKeyHex)!,
    signingIv: fromHex(SigningIvHex)!,
  };
}

const KNOWN_KID = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";
const SPEKE_V2_EXAMPLE = "examples/speke-v2-preset-video-3-audio-1.xml";

/**
 * Known-good requests on three protocols (CPIX GET, SPEKE v2.0, the Widevine CENC API), each with keys compared to
 * the derivation from the test seed. Returns what failed, in words, without any key.
 */
export async function knownGoodProblems(fetcher: Fetcher, tenant: FuzzTenant): Promise<string[]> {
  const problems: string[] = [];
  const expectKeys = async (what: string, keys: readonly { kid: KeyId; key: Uint8Array | undefined }[]) => {
    if (keys.length === 0) problems.push(`${what}: no keys`);
    for (const { kid, key } of keys) {
      const expected = (await deriveContentKey(TEST_SEED, kid)).bytes;
      if (!key || toBase64(key) !== toBase64(expected)) problems.push(`${what}: the key for ${kid} is not the derivation from the seed`);
    }
  };
  const authorization = { Authorization: tenant.authorization };

  const get = await fetcher(
    `/api/Cpix/fuzz-known-good?kid=${KNOWN_KID}&drm=widevine&drm=playready&scheme=cenc&keySeedId=${tenant.seedId}`,
    {
      headers: authorization,
    },
  );
  const getRead = get.status === 200 ? readCpix(new Uint8Array(await get.arrayBuffer())) : undefined;
  if (!getRead?.ok) problems.push(`GET /api/Cpix answered ${get.status}${getRead ? " with an unreadable document" : ""}`);
  else await expectKeys("GET /api/Cpix", cpixKeys(getRead.document));

  const example = CPIX_CORPUS.find((document) => document.name === SPEKE_V2_EXAMPLE)!;
  const speke = await fetcher(`/api/SpekeV2?keySeedId=${tenant.seedId}`, {
    method: "POST",
    headers: { ...authorization, "Content-Type": "application/xml", "X-Speke-Version": "2.0" },
    body: example.bytes,
  });
  const spekeRead = speke.status === 200 ? readCpix(new Uint8Array(await speke.arrayBuffer())) : undefined;
  if (!spekeRead?.ok) problems.push(`POST /api/SpekeV2 answered ${speke.status}${spekeRead ? " with an unreadable document" : ""}`);
  else await expectKeys("POST /api/SpekeV2", cpixKeys(spekeRead.document));

  const request = utf8(
    JSON.stringify({ content_id: btoa(KNOWN_KID), tracks: [{ type: "SD" }, { type: "AUDIO" }], drm_types: ["WIDEVINE"] }),
  );
  const signature = await aesRequestSignature(request, tenant.signingKey, tenant.signingIv);
  const widevine = await fetcher(`/cenc/getcontentkey/${tenant.providerName}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ request: toBase64(request), signature: toBase64(signature), signer: tenant.providerName }),
  });
  const inner = widevine.status === 200 ? widevineResponse(await widevine.text()) : undefined;
  if (inner?.status !== "OK") problems.push(`POST /cenc/getcontentkey answered ${widevine.status} ${inner?.status ?? ""}`.trim());
  else
    await expectKeys(
      "POST /cenc/getcontentkey",
      (inner.tracks ?? []).map((track) => ({ kid: KeyId.fromBytes(fromBase64(track.key_id)!), key: fromBase64(track.key) })),
    );
  return problems;
}

function cpixKeys(document: { contentKeyList?: { items: readonly { kid: KeyId; value?: { bytes: Uint8Array } }[] } }) {
  return (document.contentKeyList?.items ?? []).map((item) => ({ kid: item.kid, key: item.value?.bytes }));
}

function widevineResponse(text: string): { status?: string; tracks?: { key_id: string; key: string }[] } | undefined {
  try {
    const outer = JSON.parse(text) as { response: string };
    return JSON.parse(new TextDecoder().decode(decodeBase64(outer.response)!));
  } catch {
    return undefined;
  }
}
