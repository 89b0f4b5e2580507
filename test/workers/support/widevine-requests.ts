import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { fromBase64, fromHex, toBase64, utf8 } from "../../../src/domain/bytes";
import { aesRequestSignature } from "../../../src/protocols/widevine-cenc/signature";
import { BASE, api, type TestTenant } from "./api";

/** The inner answer of the Widevine CENC API: its `status`, and its message when it is not OK. */
export interface WidevineAnswer {
  status: string;
  status_message?: string;
}

/**
 * A new Widevine CENC API signer of the tenant and a key request it signed, as Shaka Packager sends one (one SD track
 * of `contentId`); calling the answer sends it again and reads the inner answer.
 */
export async function signedWidevineRequest(tenant: TestTenant, contentId: string): Promise<() => Promise<WidevineAnswer>> {
  const created = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` });
  expect(created.status).toBe(201);
  const signer = await created.json<{ ProviderName: string; SigningKeyHex: string; SigningIvHex: string }>();
  const request = JSON.stringify({
    content_id: btoa(contentId),
    tracks: [{ type: "SD" }],
    drm_types: ["WIDEVINE"],
    protection_scheme: "CENC",
  });
  const signature = toBase64(await aesRequestSignature(utf8(request), fromHex(signer.SigningKeyHex)!, fromHex(signer.SigningIvHex)!));
  return async () => {
    const response = await SELF.fetch(`${BASE}/api/WidevineProtectionInfo`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ request: toBase64(utf8(request)), signature, signer: signer.ProviderName }),
    });
    expect(response.status).toBe(200);
    const { response: inner } = await response.json<{ response: string }>();
    return JSON.parse(new TextDecoder().decode(fromBase64(inner)!)) as WidevineAnswer;
  };
}
