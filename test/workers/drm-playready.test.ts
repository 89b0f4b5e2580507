/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import vectors from "../fixtures/vectors/playready-header.json";
import complexCpix from "../fixtures/cpix/samples/dashif-cpix-test-vectors/Complex.xml?raw";
import { fromBase64, fromHex, toBase64, toHex, utf8 } from "../../src/domain/bytes";
import { contentKeyFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import {
  playReadyAlgorithmFor,
  playReadyKeyChecksum,
  playReadyKidValue,
  playReadyLaUrlProblem,
  wrmHeaderV4_0,
  wrmHeaderV4_3Cbc,
} from "../../src/drm/playready";
import { buildPlayReadyObject, buildPlayReadyPsshBox, utf16le } from "../../src/drm/playready-object";
import type { PsshBox } from "../../src/drm/pssh";
import { parsePsshBox } from "./support/pssh-parser";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { parsePlayReadyObject, type PlayReadyObject } from "./support/playready-object-parser";

const vector = (name: string) => vectors.vectors.find((v) => v.name === name)!;
const pycpix = vector("pycpix_wrmheader_4_2_with_checksum");
const shaka = vector("shaka_playready_pssh_wrmheader_4_0");
const microsoft = vector("microsoft_spec_pro_wrmheader_4_0_sample");
const shakaKid = KeyId.fromBytes(utf8(shaka.input!.kid_ascii!));
const shakaKey = contentKeyFromBytes(utf8(shaka.input!.content_key_ascii!));

function parsedPro(bytes: Uint8Array): PlayReadyObject {
  const pro = parsePlayReadyObject(bytes);
  if ("reason" in pro) throw new Error(pro.detail);
  return pro;
}

describe("PlayReady key checksum and KID VALUE (PlayReady Header spec §5, §3.6)", () => {
  it("reproduces pycpix's published CHECKSUM and VALUE", async () => {
    const kid = KeyId.require(pycpix.input!.kid_uuid!);
    const checksum = await playReadyKeyChecksum(kid, contentKeyFromBytes(fromHex(pycpix.input!.content_key_hex!)!));
    expect(toBase64(checksum)).toBe(pycpix.checksum_b64);
    expect(playReadyKidValue(kid)).toBe(pycpix.kid_value_b64);
  });

  it("reproduces Shaka's published CHECKSUM and VALUE", async () => {
    expect(toBase64(await playReadyKeyChecksum(shakaKid, shakaKey))).toBe(shaka.checksum_b64);
    expect(playReadyKidValue(shakaKid)).toBe(shaka.kid_value_b64);
  });

  it("writes VALUE as the little-endian GUID of Microsoft's KID representation table", () => {
    const table = vector("microsoft_kid_representation_table");
    expect(playReadyKidValue(KeyId.require(table.uuid!))).toBe(table.pro_kid_b64_guid_le);
  });

  it("differs from the checksum of the big-endian KID bytes", async () => {
    const bigEndianAsGuid = KeyId.fromGuidBytes(shakaKid.bytes);
    expect(toBase64(await playReadyKeyChecksum(bigEndianAsGuid, shakaKey))).not.toBe(shaka.checksum_b64);
  });
});

describe("WRMHEADER", () => {
  it("builds Shaka's 4.0.0.0 header exactly (KEYLEN, ALGID, KID, CHECKSUM)", async () => {
    const header = wrmHeaderV4_0({ kid: shakaKid, checksum: await playReadyKeyChecksum(shakaKid, shakaKey) });
    expect(header).toBe(shaka.wrmheader_xml);
  });

  it("puts LA_URL after CHECKSUM, as the Microsoft sample PRO does", () => {
    const sample = microsoft.decoded_wrmheader_xml!;
    const kid = KeyId.fromGuidBytes(fromBase64(/<KID>([^<]+)<\/KID>/.exec(sample)![1]!)!);
    const checksum = fromBase64(/<CHECKSUM>([^<]+)<\/CHECKSUM>/.exec(sample)![1]!)!;
    const laUrl = /<LA_URL>([^<]+)<\/LA_URL>/.exec(sample)![1]!;
    const withoutCustomAttributes = sample.replace(/<CUSTOMATTRIBUTES>.*<\/CUSTOMATTRIBUTES>/, "");
    expect(wrmHeaderV4_0({ kid, checksum, laUrl })).toBe(withoutCustomAttributes);
  });

  it("builds a 4.3.0.0 AESCBC header without CHECKSUM, shaped like the spec's §3.3.2 example", () => {
    const kid = KeyId.fromGuidBytes(fromBase64("PV1LM/VEVk+kEOB8qqcWDg==")!);
    expect(wrmHeaderV4_3Cbc({ kid, laUrl: "http://rm.contoso.com/rightsmanager.asmx" })).toBe(
      '<WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.3.0.0"><DATA><PROTECTINFO><KIDS>' +
        '<KID ALGID="AESCBC" VALUE="PV1LM/VEVk+kEOB8qqcWDg=="></KID></KIDS></PROTECTINFO>' +
        "<LA_URL>http://rm.contoso.com/rightsmanager.asmx</LA_URL></DATA></WRMHEADER>",
    );
  });

  it("escapes XML markup in LA_URL", () => {
    expect(wrmHeaderV4_0({ kid: shakaKid, laUrl: "https://lic.example/?a=1&b=<2>" })).toContain(
      "<LA_URL>https://lic.example/?a=1&amp;b=&lt;2&gt;</LA_URL>",
    );
  });

  it("maps cenc, cens and no scheme to AESCTR, and cbcs, cbc1 to AESCBC", () => {
    expect([undefined, "cenc", "cens", "cbcs", "cbc1"].map((s) => playReadyAlgorithmFor(s as never))).toEqual([
      "AESCTR",
      "AESCTR",
      "AESCTR",
      "AESCBC",
      "AESCBC",
    ]);
  });

  it.each<[string, string | undefined]>([
    ["https://test.playready.microsoft.com/service/rightsmanager.asmx", undefined],
    ["http://rm.contoso.com/rightsmanager.asmx", undefined],
    ["/relative/path", "absolute URL"],
    ["ftp://example.com/x", "http or https"],
    [" https://example.com", "whitespace"],
    [`https://example.com/${"a".repeat(2048)}`, "at most 2048"],
  ])("judges LA_URL %s", (url, problem) => {
    const found = playReadyLaUrlProblem(url);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe("PlayReady Object (PRH spec §2) and PlayReady PSSH", () => {
  it("frames the Microsoft spec's sample PRO byte for byte from its header XML", () => {
    const pro = buildPlayReadyObject(microsoft.decoded_wrmheader_xml!);
    expect(toBase64(pro)).toBe(microsoft.pro_b64);
    const parsed = parsedPro(fromBase64(microsoft.pro_b64!)!);
    expect(parsed.records).toHaveLength(1);
    expect(parsed.records[0]!.value.length).toBe(microsoft.record_length);
    expect(parsed.wrmHeader).toBe(microsoft.decoded_wrmheader_xml);
  });

  it("frames pycpix's PRO and its v1 and v0 PSSH boxes byte for byte", () => {
    const pro = buildPlayReadyObject(pycpix.wrmheader_xml!);
    expect(toBase64(pro)).toBe(vector("pycpix_playready_object").pro_b64);
    expect(toHex(pro.subarray(0, 10))).toBe(vector("pycpix_playready_object").pro_header_hex);
    const kid = KeyId.require(pycpix.input!.kid_uuid!);
    expect(toBase64(buildPlayReadyPsshBox(pro, { version: 1, kids: [kid] }))).toBe(vector("pycpix_playready_pssh_v1").box_b64);
    expect(toBase64(buildPlayReadyPsshBox(pro, { version: 0 }))).toBe(vector("pycpix_playready_pssh_v0").box_b64);
  });

  it("encodes the header as UTF-16LE (pycpix's wrmheader_utf16le_b64)", () => {
    expect(toBase64(utf16le(pycpix.wrmheader_xml!))).toBe(pycpix.wrmheader_utf16le_b64);
  });

  it("builds Shaka's PRO and its v1 and v0 PSSH boxes from the key alone", async () => {
    const pro = buildPlayReadyObject(wrmHeaderV4_0({ kid: shakaKid, checksum: await playReadyKeyChecksum(shakaKid, shakaKey) }));
    expect(toBase64(pro)).toBe(shaka.pro_b64);
    expect(toBase64(buildPlayReadyPsshBox(pro, { version: 1, kids: [shakaKid] }))).toBe(shaka.box_v1_b64);
    expect(toBase64(buildPlayReadyPsshBox(pro, { version: 0 }))).toBe(shaka.box_v0_b64);
  });

  it("rebuilds every PlayReady PSSH of the DASH-IF CPIX test vector Complex.xml (4.0 header without CHECKSUM, v0 box)", () => {
    const systems = [
      ...complexCpix.matchAll(/<DRMSystem systemId="9a04f079-9840-4286-ab92-e65be0885f95" kid="([^"]+)"><ContentProtectionData>([^<]+)</g),
    ];
    expect(systems.length).toBe(4);
    for (const [, kidText, cpd] of systems) {
      const [, psshB64, proB64] =
        /<pssh xmlns="urn:mpeg:cenc:2013">([^<]+)<\/pssh><pro xmlns="urn:microsoft:playready">([^<]+)<\/pro>/.exec(
          new TextDecoder().decode(fromBase64(cpd!)),
        )!;
      const box = parsePsshBox(fromBase64(psshB64!)!) as PsshBox;
      expect(box.version).toBe(0);
      expect(box.systemId.equals(SYSTEM_IDS.playReady)).toBe(true);
      expect(toBase64(box.data)).toBe(proB64);
      const pro = buildPlayReadyObject(wrmHeaderV4_0({ kid: KeyId.require(kidText!) }));
      expect(toBase64(pro)).toBe(proB64);
      expect(toBase64(buildPlayReadyPsshBox(pro, { version: 0 }))).toBe(psshB64);
    }
  });

  it("round-trips parse(build(x)) for a header with non-ASCII text", () => {
    const header = wrmHeaderV4_3Cbc({ kid: shakaKid, laUrl: "https://lizenz.example/schlüssel" });
    expect(parsedPro(buildPlayReadyObject(header)).wrmHeader).toBe(header);
  });

  it("finds the header record after other records, such as an empty Embedded License Store (type 3)", () => {
    const header = utf16le("<WRMHEADER></WRMHEADER>");
    const bytes = new Uint8Array(6 + 4 + 4 + header.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, bytes.length, true);
    view.setUint16(4, 2, true);
    view.setUint16(6, 3, true);
    view.setUint16(10, 1, true);
    view.setUint16(12, header.length, true);
    bytes.set(header, 14);
    const parsed = parsedPro(bytes);
    expect(parsed.records.map((r) => r.type)).toEqual([3, 1]);
    expect(parsed.wrmHeader).toBe("<WRMHEADER></WRMHEADER>");
  });

  it("refuses to build a PRO over the 15 KB limit", () => {
    expect(() => buildPlayReadyObject("x".repeat(8 * 1024))).toThrow(/must not exceed 15360 bytes/);
  });

  describe("malformed PRO bytes are a typed failure", () => {
    const good = fromBase64(shaka.pro_b64!)!;
    const patched = (offset: number, ...bytes: number[]) => {
      const copy = Uint8Array.from(good);
      copy.set(bytes, offset);
      return copy;
    };
    it.each<[string, Uint8Array, RegExp]>([
      ["fewer than 6 bytes", good.subarray(0, 5), /at least 6 bytes/],
      ["a Length that does not match", patched(0, 0xff), /Length 767 does not match/],
      ["a record count beyond the records", patched(4, 2), /record 2 of 2 runs past the end/],
      ["a record length beyond the end", patched(8, 0xff, 0xff), /record 1 length 65535/],
      ["bytes after the last record", patched(4, 0), /bytes follow the last record/],
      ["an odd-length header record", fromHex("0b00000001000100010041")!, /whole UTF-16 code units/],
    ])("rejects %s", (_case, bytes, detail) => {
      const result = parsePlayReadyObject(bytes);
      expect(result).toMatchObject({ reason: "malformed-playready-object" });
      expect("reason" in result && result.detail).toMatch(detail);
    });
  });
});
