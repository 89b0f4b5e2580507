import { describe, expect, it } from "vitest";
import vectors from "../fixtures/vectors/pssh-boxes.json";
import { concatBytes, fromBase64, fromHex, toHex, utf8 } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { buildPsshBox, type PsshBox } from "../../src/drm/pssh";
import { parsePsshBox, parsePsshBoxes } from "./support/pssh-parser";
import { SYSTEM_IDS } from "../../src/drm/system-ids";

const kidOf = (ascii: string) => KeyId.fromBytes(utf8(ascii));
const vector = (name: string) => vectors.vectors.find((v) => v.name === name)!;

describe("PSSH box (ISO/IEC 23001-7 §8.1)", () => {
  it.each(["shaka_common_pssh_v1_two_key_ids", "w3c_common_pssh_example"])("builds the Common PSSH v1 box of %s byte for byte", (name) => {
    const v = vector(name);
    const box = buildPsshBox({
      version: 1,
      systemId: SYSTEM_IDS.commonPssh,
      kids: v.input.key_ids_ascii!.map(kidOf),
      data: new Uint8Array(0),
    });
    expect(toHex(box)).toBe(v.box_hex);
  });

  it.each(vectors.vectors.filter((v) => v.box_hex).map((v) => [v.name, v.box_hex!] as const))(
    "parses %s and builds the same bytes back",
    (_name, hex) => {
      const parsed = parsePsshBox(fromHex(hex)!);
      if ("reason" in parsed) throw new Error(parsed.detail);
      expect(toHex(buildPsshBox(parsed))).toBe(hex);
    },
  );

  it("reads size, version, system id, KIDs and data from a v1 box", () => {
    const parsed = parsePsshBox(fromBase64(vector("w3c_common_pssh_example").box_b64!)!) as PsshBox;
    expect(parsed.version).toBe(1);
    expect(parsed.systemId.equals(SYSTEM_IDS.commonPssh)).toBe(true);
    expect(parsed.version === 1 && parsed.kids.map((k) => k.toHex())).toEqual([
      toHex(utf8("0123456789012345")),
      toHex(utf8("ABCDEFGHIJKLMNOP")),
    ]);
    expect(parsed.data.length).toBe(0);
  });

  it.each<PsshBox>([
    { version: 0, systemId: SYSTEM_IDS.widevine, data: Uint8Array.of(1, 2, 3) },
    { version: 0, systemId: SYSTEM_IDS.playReady, data: new Uint8Array(0) },
    { version: 1, systemId: SYSTEM_IDS.commonPssh, kids: [], data: new Uint8Array(0) },
    { version: 1, systemId: SYSTEM_IDS.playReady, kids: [kidOf("keyid1~~~~~~~~~~"), kidOf("keyid2~~~~~~~~~~")], data: Uint8Array.of(9) },
  ])("round-trips parse(build(x)) for a v$version box", (box) => {
    expect(parsePsshBox(buildPsshBox(box))).toEqual(box);
  });

  it("splits concatenated boxes, as a Widevine CENC API `boxes` field may hold", () => {
    const a = fromHex(vector("shaka_widevine_pssh_from_two_key_ids").box_hex!)!;
    const b = fromHex(vector("w3c_common_pssh_example").box_hex!)!;
    const boxes = parsePsshBoxes(concatBytes(a, b));
    if ("reason" in boxes) throw new Error(boxes.detail);
    expect(boxes.map((box) => toHex(buildPsshBox(box)))).toEqual([toHex(a), toHex(b)]);
  });

  describe("malformed input is a typed failure, never an exception", () => {
    const good = fromHex(vector("w3c_common_pssh_example").box_hex!)!;
    const patched = (offset: number, ...bytes: number[]) => {
      const copy = Uint8Array.from(good);
      copy.set(bytes, offset);
      return copy;
    };
    it.each<[string, Uint8Array, RegExp]>([
      ["no bytes", new Uint8Array(0), /at least 32 bytes, got 0/],
      ["a size larger than the bytes", patched(0, 0, 0, 0, 0x45), /box size 69/],
      ["a size smaller than the header", patched(0, 0, 0, 0, 0x10), /box size 16/],
      ["size 1 (64-bit largesize)", patched(0, 0, 0, 0, 1), /largesize/],
      ["another box type", patched(4, 0x6d, 0x6f, 0x6f, 0x76), /not 'pssh'/],
      ["version 2", patched(8, 2), /version must be 0 or 1, got 2/],
      ["a KID_count past the end", patched(28, 0, 0, 0, 9), /KID_count 9/],
      ["a DataSize that does not fill the box", patched(64, 0, 0, 0, 1), /DataSize 1/],
      ["trailing bytes", concatBytes(good, Uint8Array.of(0)), /does not match the 69 bytes/],
    ])("rejects %s", (_case, bytes, detail) => {
      const result = parsePsshBox(bytes);
      expect(result).toMatchObject({ reason: "malformed-pssh" });
      expect("reason" in result && result.detail).toMatch(detail);
    });

    it("survives every truncation and every single-byte corruption of a valid box", () => {
      for (let length = 0; length < good.length; length++) {
        expect(parsePsshBox(good.subarray(0, length))).toMatchObject({ reason: "malformed-pssh" });
      }
      for (let i = 0; i < good.length; i++) {
        for (const value of [0x00, 0x7f, 0xff]) expect(() => parsePsshBox(patched(i, value))).not.toThrow();
      }
    });

    it("reads a box that sits inside a larger buffer at an offset", () => {
      const padded = concatBytes(Uint8Array.of(0xaa, 0xbb), good);
      const parsed = parsePsshBox(padded.subarray(2));
      expect("reason" in parsed).toBe(false);
    });
  });
});
