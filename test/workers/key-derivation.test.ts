import { describe, expect, it } from "vitest";
import vectors from "../fixtures/vectors/playready-key-seed.json";
import { fromBase64, fromHex, toHex } from "../../src/domain/bytes";
import { keySeedFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey, deriveContentKeyAndIv, deriveIv } from "../../src/domain/key-derivation";

describe("PlayReady key-seed derivation", () => {
  it.each(vectors.vectors)("reproduces the published key for KID $kid_uuid", async (vector) => {
    const seed = keySeedFromBytes(fromBase64(vector.key_seed_b64)!);
    const kid = KeyId.require(vector.kid_uuid);
    expect(toHex(kid.guidBytes())).toBe(vector.kid_guid_le_hex);
    const key = await deriveContentKey(seed, kid);
    expect(toHex(key.bytes)).toBe(vector.content_key_hex.toLowerCase());
  });

  it("differs from the key a big-endian KID would give (the published negative check)", async () => {
    const seed = keySeedFromBytes(fromBase64(vectors.test_key_seed.b64)!);
    const key = await deriveContentKey(seed, KeyId.require(vectors.negative_check.kid_uuid));
    expect(toHex(key.bytes)).not.toBe(vectors.negative_check.wrong_key_if_big_endian_hex);
    const bigEndianAsGuid = KeyId.fromGuidBytes(KeyId.require(vectors.negative_check.kid_uuid).bytes);
    expect(toHex((await deriveContentKey(seed, bigEndianAsGuid)).bytes)).toBe(vectors.negative_check.wrong_key_if_big_endian_hex);
  });

  it("refuses a seed that is not exactly 30 bytes", () => {
    expect(() => keySeedFromBytes(new Uint8Array(29))).toThrow(/exactly 30 bytes, got 29/);
    expect(() => keySeedFromBytes(new Uint8Array(32))).toThrow(/exactly 30 bytes, got 32/);
  });

  it("derives the same IV for the same seed and KID, of the asked length, unrelated to the key", async () => {
    const seed = keySeedFromBytes(fromHex(vectors.test_key_seed.hex)!);
    const kid = KeyId.require(vectors.vectors[0]!.kid_uuid);
    const first = await deriveIv(seed, kid);
    expect(first.bytes).toEqual((await deriveIv(seed, kid)).bytes);
    expect(first.bytes.length).toBe(16);
    expect((await deriveIv(seed, kid, 8)).bytes).toEqual(first.bytes.subarray(0, 8));
    expect(toHex(first.bytes)).not.toBe(vectors.vectors[0]!.content_key_hex.toLowerCase());
  });

  it("pins the derived IV to SHA-256(label‖seed‖big-endian KID), so no change to the derivation moves it", async () => {
    const seed = keySeedFromBytes(fromHex(vectors.test_key_seed.hex)!);
    const kid = KeyId.require(vectors.vectors[0]!.kid_uuid);
    // Computed outside the Worker: node:crypto SHA-256 of "edge-key-service/iv/v1" ‖ seed ‖ KID bytes, first 16 bytes.
    expect(toHex((await deriveIv(seed, kid)).bytes)).toBe("64e2e356d0a791491de12a7dcf77627e");
  });

  it.each(vectors.vectors)("derives key and IV together exactly as apart, for KID $kid_uuid", async (vector) => {
    const seed = keySeedFromBytes(fromBase64(vector.key_seed_b64)!);
    const kid = KeyId.require(vector.kid_uuid);
    for (const ivLength of [8, 16] as const) {
      const both = await deriveContentKeyAndIv(seed, kid, ivLength);
      expect(toHex(both.key.bytes)).toBe(vector.content_key_hex.toLowerCase());
      expect(toHex(both.iv.bytes)).toBe(toHex((await deriveIv(seed, kid, ivLength)).bytes));
      expect(both.iv.bytes.length).toBe(ivLength);
    }
  });
});

describe("KeyId", () => {
  const canonical = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";
  it.each([
    ["upper case", "339C45B5-FB6D-4BD9-994C-EABD9D41C95B"],
    ["no hyphens", "339c45b5fb6d4bd9994ceabd9d41c95b"],
    ["braces", "{339c45b5-fb6d-4bd9-994c-eabd9d41c95b}"],
    ["base64 of the 16 bytes", "M5xFtfttS9mZTOq9nUHJWw=="],
  ])("parses the %s form", (_form, text) => {
    expect(KeyId.parse(text)?.toString()).toBe(canonical);
  });

  it.each([
    ["too short", "339c45b5-fb6d"],
    ["not hex", "zz9c45b5-fb6d-4bd9-994c-eabd9d41c95b"],
    ["base64 of 15 bytes", "AAAAAAAAAAAAAAAAAAAA"],
  ])("rejects %s", (_case, text) => expect(KeyId.parse(text)).toBeUndefined());

  it("gives big- and little-endian bytes and round-trips the GUID layout", () => {
    const kid = KeyId.require(canonical);
    expect(kid.toHex()).toBe("339c45b5fb6d4bd9994ceabd9d41c95b");
    expect(toHex(kid.guidBytes())).toBe("b5459c336dfbd94b994ceabd9d41c95b");
    expect(KeyId.fromGuidBytes(kid.guidBytes()).equals(kid)).toBe(true);
    expect(kid.toBase64()).toBe("M5xFtfttS9mZTOq9nUHJWw==");
  });
});
