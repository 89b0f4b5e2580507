/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import vectors from "../fixtures/vectors/pssh-boxes.json";
import complexCpix from "../fixtures/cpix/samples/dashif-cpix-test-vectors/Complex.xml?raw";
import { fromBase64, fromHex, toBase64, toHex, utf8 } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { PROTECTION_SCHEME_FOURCC } from "../../src/domain/protection-scheme";
import { buildWidevinePsshBox, encodeWidevinePsshData, type WidevinePsshData } from "../../src/drm/widevine";
import { parseWidevinePsshData } from "./support/widevine-pssh-data-parser";

const vector = (name: string) => vectors.vectors.find((v) => v.name === name)!;
const asciiKid = (ascii: string) => KeyId.fromBytes(utf8(ascii));
const shakaKids = ["keyid1~~~~~~~~~~", "keyid2~~~~~~~~~~"].map(asciiKid);

describe("WidevinePsshData and the Widevine PSSH box", () => {
  it("matches Shaka's kExpectedWidevinePssh (two key_ids, v0)", () => {
    const v = vector("shaka_widevine_pssh_from_two_key_ids");
    expect(toHex(encodeWidevinePsshData({ keyIds: shakaKids }))).toBe(v.pssh_data_hex);
    expect(toBase64(buildWidevinePsshBox({ keyIds: shakaKids }))).toBe(v.box_b64);
  });

  it("matches Shaka's kExpectedWidevinePsshCbcs (protection_scheme field 9 as the cbcs FourCC varint)", () => {
    const v = vector("shaka_widevine_pssh_from_two_key_ids_cbcs");
    const data: WidevinePsshData = { keyIds: shakaKids, protectionScheme: "cbcs" };
    expect(toHex(encodeWidevinePsshData(data))).toBe(v.pssh_data_hex);
    expect(toBase64(buildWidevinePsshBox(data))).toBe(v.box_b64);
  });

  it.each([
    ["pycpix_widevine_data_single_kid_provider_content_id", "pycpix_widevine_pssh_v0_single_kid"],
    ["pycpix_widevine_data_three_kids_provider_content_id", "pycpix_widevine_pssh_v0_three_kids"],
  ])("matches pycpix %s: key_ids, then provider, then content_id", (dataName, boxName) => {
    const v = vector(dataName);
    const data: WidevinePsshData = {
      keyIds: v.input.key_ids!.map((hex) => KeyId.require(hex)),
      provider: v.input.provider!,
      contentId: utf8(v.input.content_id_utf8!),
    };
    expect(toHex(encodeWidevinePsshData(data))).toBe(v.pssh_data_hex);
    expect(toBase64(buildWidevinePsshBox(data))).toBe(vector(boxName).box_b64);
  });

  it("matches Shaka's kRequestPsshBox (content_id only)", () => {
    expect(toHex(buildWidevinePsshBox({ keyIds: [], contentId: utf8("ContentFoo") }))).toBe(
      vector("shaka_widevine_key_source_request_pssh_box").box_hex,
    );
  });

  it("reproduces every Widevine PSSH of the DASH-IF CPIX test vector Complex.xml from its KID and cenc", () => {
    const systems = [
      ...complexCpix.matchAll(/<DRMSystem systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed" kid="([^"]+)"><ContentProtectionData>([^<]+)</g),
    ];
    expect(systems.length).toBe(4);
    for (const [, kid, cpd] of systems) {
      const pssh = /<pssh xmlns="urn:mpeg:cenc:2013">([^<]+)<\/pssh>/.exec(new TextDecoder().decode(fromBase64(cpd!)))![1];
      expect(toBase64(buildWidevinePsshBox({ keyIds: [KeyId.require(kid!)], protectionScheme: "cenc" }))).toBe(pssh);
    }
  });

  it("uses the ISO/IEC 23001-7 scheme_type FourCCs", () => {
    expect(PROTECTION_SCHEME_FOURCC).toEqual({ cenc: 0x63656e63, cbc1: 0x63626331, cens: 0x63656e73, cbcs: 0x63626373 });
  });

  describe("parsing", () => {
    it.each<WidevinePsshData>([
      { keyIds: shakaKids },
      { keyIds: [], contentId: utf8("ContentFoo") },
      {
        keyIds: [KeyId.require("c2faf66e-2852-cc4c-4a75-1f0a2a941fdb")],
        provider: "widevine_test",
        contentId: utf8("uspwvtest3"),
        protectionScheme: "cbcs",
      },
      ...(["cenc", "cbc1", "cens", "cbcs"] as const).map((protectionScheme) => ({ keyIds: shakaKids, protectionScheme })),
    ])("round-trips parse(encode(x)) (case %#)", (data) => {
      expect(parseWidevinePsshData(encodeWidevinePsshData(data))).toEqual(data);
    });

    it("reads a Shaka CENC API pssh_data (IgpDb250ZW50Rm9v = content_id 'ContentFoo')", () => {
      expect(parseWidevinePsshData(fromBase64("IgpDb250ZW50Rm9v")!)).toEqual({ keyIds: [], contentId: utf8("ContentFoo") });
    });

    it("skips fields it does not use (algorithm=1, policy=6, crypto_period_index=7)", () => {
      const data = fromHex("0801" + "3203706f6c" + "3807" + toHex(encodeWidevinePsshData({ keyIds: shakaKids })))!;
      expect(parseWidevinePsshData(data)).toEqual({ keyIds: shakaKids });
    });

    it.each<[string, string, RegExp]>([
      ["a truncated key_id", "1210" + "6b6579", /well-formed/],
      ["a 15-byte key_id", "120f" + "6b65796964317e7e7e7e7e7e7e7e7e", /must be 16 bytes, got 15/],
      ["an unknown protection_scheme FourCC", "4801", /FourCC of cenc, cbc1, cens or cbcs, got 1/],
      ["key_ids sent as a varint", "1001", /field 2 has the wrong wire type/],
      ["provider that is not UTF-8", "1a01ff", /provider is not UTF-8/],
      ["a varint that never ends", "48ffffffffffffffffffff", /well-formed/],
      ["field number 0", "0001", /well-formed/],
    ])("rejects %s with a typed failure", (_case, hex, detail) => {
      const result = parseWidevinePsshData(fromHex(hex)!);
      expect(result).toMatchObject({ reason: "malformed-widevine-pssh-data" });
      expect("reason" in result && result.detail).toMatch(detail);
    });
  });
});
