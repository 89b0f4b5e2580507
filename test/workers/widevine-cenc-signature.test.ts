import { describe, expect, it } from "vitest";
import signing from "../fixtures/vectors/widevine-cenc-api-signing.json";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import type { SignerCredential } from "../../src/domain/signer-credential";
import { parseSignedRequest } from "../../src/protocols/widevine-cenc/envelope";
import { failureResponse } from "../../src/protocols/widevine-cenc/failure";
import { aesRequestSignature, verifyRequestSignature } from "../../src/protocols/widevine-cenc/signature";

/** Public Widevine UAT test credential (Shaka docs, tutorials/widevine.rst), used by both vectors. */
const SIGNING_KEY = fromHex(signing.widevine_test_credentials.aes_signing_key_hex)!;
const SIGNING_IV = fromHex(signing.widevine_test_credentials.aes_signing_iv_hex)!;
const widevineTest: SignerCredential = { kind: "aes", signingKey: SIGNING_KEY, signingIv: SIGNING_IV };

/** The vector made from Shaka's unit-test request (compact JSON, the signed message as Shaka sends it). */
const shakaVector = signing.vectors[1] as { request_json: string; request_b64: string; signature_b64: string; signed_message: string };

function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index]! ^= 0x01;
  return copy;
}

async function wireStatus(request: Uint8Array, signature: Uint8Array, credential: SignerCredential): Promise<string> {
  const verdict = await verifyRequestSignature(request, signature, credential);
  return verdict.ok ? "OK" : failureResponse(verdict.failure).status;
}

describe.each(signing.vectors)("AES request signature: vector $name", (vector) => {
  const request = fromBase64(vector.request_b64)!;
  const signature = fromBase64(vector.signature_b64)!;

  it("verifies over the exact decoded request bytes", async () => {
    expect(await wireStatus(request, signature, widevineTest)).toBe("OK");
  });

  it("is reproduced by signing the request the way Shaka does", async () => {
    expect(toBase64(await aesRequestSignature(request, SIGNING_KEY, SIGNING_IV))).toBe(vector.signature_b64);
  });

  it.each([0, 1, 17, -1])("fails with SIGNATURE_FAILED when request byte %i changes", async (index) => {
    const at = index < 0 ? request.length + index : index;
    expect(await wireStatus(flipByte(request, at), signature, widevineTest)).toBe("SIGNATURE_FAILED");
  });

  it.each([0, 15, 16, 31])("fails with SIGNATURE_FAILED when signature byte %i changes", async (index) => {
    expect(await wireStatus(request, flipByte(signature, index), widevineTest)).toBe("SIGNATURE_FAILED");
  });

  it("fails with SIGNATURE_FAILED under a different signing key or IV", async () => {
    const wrongKey: SignerCredential = { kind: "aes", signingKey: flipByte(SIGNING_KEY, 31), signingIv: SIGNING_IV };
    const wrongIv: SignerCredential = { kind: "aes", signingKey: SIGNING_KEY, signingIv: flipByte(SIGNING_IV, 0) };
    expect(await wireStatus(request, signature, wrongKey)).toBe("SIGNATURE_FAILED");
    expect(await wireStatus(request, signature, wrongIv)).toBe("SIGNATURE_FAILED");
  });

  it.each([
    ["truncated to 31 bytes", (s: Uint8Array) => s.subarray(0, 31)],
    ["extended to 33 bytes", (s: Uint8Array) => Uint8Array.of(...s, 0)],
    ["only the first block", (s: Uint8Array) => s.subarray(0, 16)],
    ["empty", () => new Uint8Array()],
  ])("fails with SIGNATURE_FAILED when the signature is %s", async (_, alter) => {
    expect(await wireStatus(request, alter(signature), widevineTest)).toBe("SIGNATURE_FAILED");
  });

  it("fails with SIGNATURE_FAILED when the request is re-serialised instead of used as sent", async () => {
    const reserialised = utf8(JSON.stringify(JSON.parse(new TextDecoder().decode(request)), null, 1));
    expect(await wireStatus(reserialised, signature, widevineTest)).toBe("SIGNATURE_FAILED");
  });
});

describe("AES request signature: the signed envelope", () => {
  const golden = shakaVector;

  it("parses Shaka's signed message into request bytes, signature and signer", () => {
    const envelope = parseSignedRequest(utf8(golden.signed_message));
    expect(envelope.ok && envelope.value.signer).toBe("widevine_test");
    expect(envelope.ok && new TextDecoder().decode(envelope.value.request)).toBe(golden.request_json);
    expect(envelope.ok && toBase64(envelope.value.signature)).toBe(golden.signature_b64);
  });

  it.each([
    ["not base64", "%%%not-base64%%%"],
    ["a number", 42],
  ])("answers a signature that is %s with SIGNATURE_FAILED", (_, signature) => {
    const body = { request: golden.request_b64, signature, signer: "widevine_test" };
    const envelope = parseSignedRequest(utf8(JSON.stringify(body)));
    expect(envelope.ok || failureResponse(envelope.failure).status).toBe("SIGNATURE_FAILED");
  });

  it.each([
    ["without signature", "SIGNATURE_FAILED", "signature", { request: shakaVector.request_b64, signer: "widevine_test" }],
    ["without signer", "SIGNATURE_FAILED", "signer", { request: shakaVector.request_b64, signature: shakaVector.signature_b64 }],
    ["without request", "MALFORMED_REQUEST", "request", { signature: shakaVector.signature_b64, signer: "widevine_test" }],
    [
      "with a request that is not base64",
      "MALFORMED_REQUEST",
      "request",
      { request: "***", signature: shakaVector.signature_b64, signer: "x" },
    ],
  ])("refuses an envelope %s with %s naming %s", (_, status, field, body) => {
    const envelope = parseSignedRequest(utf8(JSON.stringify(body)));
    if (envelope.ok) throw new Error("expected a refusal");
    expect(failureResponse(envelope.failure)).toMatchObject({ status });
    expect(failureResponse(envelope.failure).status_message).toContain(field);
  });

  it("refuses a body that is not a JSON object as MALFORMED_REQUEST", () => {
    const envelope = parseSignedRequest(utf8("request=abc"));
    expect(envelope.ok || failureResponse(envelope.failure).status).toBe("MALFORMED_REQUEST");
  });
});

describe("RSA request signature (Shaka --rsa_signing_key_path: RSASSA-PSS, SHA-1, salt 20)", () => {
  async function rsaSigner() {
    const pair = (await crypto.subtle.generateKey(
      { name: "RSA-PSS", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-1" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
    const sign = async (data: Uint8Array, saltLength = 20) =>
      new Uint8Array(await crypto.subtle.sign({ name: "RSA-PSS", saltLength }, pair.privateKey, data));
    return { credential: { kind: "rsa", publicKeySpki: spki } as const, sign };
  }

  const request = utf8(shakaVector.request_json);

  it("verifies a PSS signature made with the matching private key and fails every tampering", async () => {
    const { credential, sign } = await rsaSigner();
    const signature = await sign(request);
    expect(await wireStatus(request, signature, credential)).toBe("OK");
    expect(await wireStatus(flipByte(request, 5), signature, credential)).toBe("SIGNATURE_FAILED");
    expect(await wireStatus(request, flipByte(signature, 100), credential)).toBe("SIGNATURE_FAILED");
    expect(await wireStatus(request, signature.subarray(1), credential)).toBe("SIGNATURE_FAILED");
  });

  it("fails with SIGNATURE_FAILED under another key pair", async () => {
    const [first, second] = await Promise.all([rsaSigner(), rsaSigner()]);
    expect(await wireStatus(request, await first.sign(request), second.credential)).toBe("SIGNATURE_FAILED");
  });
});
