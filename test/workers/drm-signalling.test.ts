/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import playReadyVectors from "../fixtures/vectors/playready-header.json";
import complexCpix from "../fixtures/cpix/samples/dashif-cpix-test-vectors/Complex.xml?raw";
import { fromBase64, fromHex, toBase64, toHex, utf8 } from "../../src/domain/bytes";
import { contentKeyFromBytes, ivFromBytes } from "../../src/domain/content-key";
import type { ProtectionScheme } from "../../src/domain/protection-scheme";
import { KeyId } from "../../src/domain/key-id";
import { SystemIds, type SystemId } from "../../src/domain/system-id";
import type { PsshBox } from "../../src/drm/pssh";
import { parsePsshBox } from "./support/pssh-parser";
import {
  isDrmSignallingFailure,
  signalDrmSystem,
  type DrmSignalling,
  type DrmSignallingFailure,
  type DrmSignallingInput,
} from "../../src/drm/signalling";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { parsePlayReadyObject, type PlayReadyObject } from "./support/playready-object-parser";
import { parseWidevinePsshData } from "./support/widevine-pssh-data-parser";

const kid = KeyId.require("8ba94ade-6eb9-449d-b44f-a5beefaf43b0");
const key = contentKeyFromBytes(fromHex("dbfd6922c321c4bb486f4a1c44097ed6")!);
const iv16 = ivFromBytes(fromHex("0123456789abcdef0123456789abcdef")!);
const iv8 = ivFromBytes(fromHex("0123456789abcdef")!);
const SCHEMES: ProtectionScheme[] = ["cenc", "cbcs", "cens", "cbc1"];

function input(systemId: SystemId, scheme: ProtectionScheme | undefined, overrides: Partial<DrmSignallingInput> = {}): DrmSignallingInput {
  return { systemId, kid, key, iv: iv16, scheme, settings: {}, ...overrides };
}

async function signal(...args: Parameters<typeof input>): Promise<DrmSignalling> {
  const result = await signalDrmSystem(input(...args));
  if (isDrmSignallingFailure(result)) throw new Error(`unexpected ${result.reason}`);
  return result;
}

async function failure(...args: Parameters<typeof input>): Promise<DrmSignallingFailure> {
  const result = await signalDrmSystem(input(...args));
  if (!isDrmSignallingFailure(result)) throw new Error("expected a failure");
  return result;
}

function box(bytes: Uint8Array | undefined): PsshBox {
  const parsed = parsePsshBox(bytes!);
  if ("reason" in parsed) throw new Error(parsed.detail);
  return parsed;
}

function pro(bytes: Uint8Array | undefined): PlayReadyObject {
  const parsed = parsePlayReadyObject(bytes!);
  if ("reason" in parsed) throw new Error(parsed.detail);
  return parsed;
}

const attributeNames = (line: string | undefined) => [...line!.matchAll(/(?:^#[A-Z-]+:|,)([A-Z0-9-]+)=/g)].map((m) => m[1]);
const method = (line: string | undefined) => /METHOD=([A-Z0-9-]+)/.exec(line!)![1];

describe("signalDrmSystem", () => {
  describe("Widevine", () => {
    it("gives a v0 PSSH with the KID and scheme, its data, ContentProtectionData and HLS lines", async () => {
      const s = await signal(SYSTEM_IDS.widevine, "cbcs");
      const pssh = box(s.pssh);
      expect(pssh).toMatchObject({ version: 0, data: s.psshData });
      expect(pssh.systemId.equals(SYSTEM_IDS.widevine)).toBe(true);
      expect(parseWidevinePsshData(s.psshData!)).toEqual({ keyIds: [kid], protectionScheme: "cbcs" });
      expect(s.contentProtectionData).toBe(`<pssh xmlns="urn:mpeg:cenc:2013">${toBase64(s.pssh!)}</pssh>`);
      expect(s.hlsMediaLine).toBe(
        `#EXT-X-KEY:METHOD=SAMPLE-AES,URI="data:text/plain;base64,${toBase64(s.pssh!)}",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",KEYFORMATVERSIONS="1"`,
      );
      expect(s.hlsMasterLine).toBe(s.hlsMediaLine!.replace("#EXT-X-KEY:", "#EXT-X-SESSION-KEY:"));
      expect(s).toMatchObject({
        hlsKeyFormat: "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",
        hlsKeyFormatVersions: "1",
        hlsUri: `data:text/plain;base64,${toBase64(s.pssh!)}`,
      });
      expect(s.smoothStreamingProtectionHeader).toBeUndefined();
    });

    it("gives the same PSSH as the DASH-IF Complex.xml vector for a cenc key", async () => {
      const [, kidText, media] =
        /<DRMSystem systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed" kid="([^"]+)">.*?playlist="media">([^<]+)</.exec(complexCpix)!;
      const expectedUri = /URI="([^"]+)"/.exec(new TextDecoder().decode(fromBase64(media!)))![1];
      const s = await signal(SYSTEM_IDS.widevine, "cenc", { kid: KeyId.require(kidText!) });
      expect(s.hlsUri).toBe(expectedUri);
      expect(method(s.hlsMediaLine)).toBe("SAMPLE-AES-CTR");
    });

    it("adds the tenant's provider and content_id", async () => {
      const s = await signal(SYSTEM_IDS.widevine, "cenc", {
        settings: { widevineProvider: "widevine_test", widevineContentId: utf8("uspwvtest3") },
      });
      expect(parseWidevinePsshData(s.psshData!)).toEqual({
        keyIds: [kid],
        provider: "widevine_test",
        contentId: utf8("uspwvtest3"),
        protectionScheme: "cenc",
      });
    });

    it("leaves protection_scheme out when no scheme is given (plain CPIX) and signals HLS as cenc", async () => {
      const s = await signal(SYSTEM_IDS.widevine, undefined);
      expect(parseWidevinePsshData(s.psshData!)).toEqual({ keyIds: [kid] });
      expect(method(s.hlsMediaLine)).toBe("SAMPLE-AES-CTR");
    });

    it.each<ProtectionScheme>(["cens", "cbc1"])("gives no HLS lines for %s, which HLS cannot carry", async (scheme) => {
      const s = await signal(SYSTEM_IDS.widevine, scheme);
      expect(s.pssh).toBeDefined();
      expect([s.hlsMediaLine, s.hlsMasterLine, s.hlsUri]).toEqual([undefined, undefined, undefined]);
    });
  });

  describe("PlayReady", () => {
    it.each<ProtectionScheme | undefined>(["cenc", "cens", undefined])("uses WRMHEADER 4.0 AESCTR with CHECKSUM for %s", async (scheme) => {
      const s = await signal(SYSTEM_IDS.playReady, scheme);
      const header = pro(s.smoothStreamingProtectionHeader).wrmHeader!;
      expect(header).toContain('version="4.0.0.0"');
      expect(header).toContain("<ALGID>AESCTR</ALGID>");
      expect(header).toContain("<CHECKSUM>Me48z71nuqY=</CHECKSUM>");
      expect(header).toContain("<KID>3kqpi7lunUS0T6W+769DsA==</KID>");
      expect(toBase64(s.playReadyChecksum!)).toBe("Me48z71nuqY=");
    });

    it.each<ProtectionScheme>(["cbcs", "cbc1"])("uses WRMHEADER 4.3 AESCBC without any checksum for %s", async (scheme) => {
      const s = await signal(SYSTEM_IDS.playReady, scheme);
      const header = pro(s.smoothStreamingProtectionHeader).wrmHeader!;
      expect(header).toContain('version="4.3.0.0"');
      expect(header).toContain('<KID ALGID="AESCBC" VALUE="3kqpi7lunUS0T6W+769DsA=="></KID>');
      expect(header).not.toContain("CHECKSUM");
      expect(s.playReadyChecksum).toBeUndefined();
    });

    it("gives Shaka's v0 PlayReady PSSH byte for byte for Shaka's key", async () => {
      const shaka = playReadyVectors.vectors.find((v) => v.name === "shaka_playready_pssh_wrmheader_4_0")!;
      const s = await signal(SYSTEM_IDS.playReady, "cenc", {
        kid: KeyId.fromBytes(utf8(shaka.input!.kid_ascii!)),
        key: contentKeyFromBytes(utf8(shaka.input!.content_key_ascii!)),
      });
      expect(toBase64(s.pssh!)).toBe(shaka.box_v0_b64);
      expect(toBase64(s.smoothStreamingProtectionHeader!)).toBe(shaka.pro_b64);
    });

    it("carries the PRO as PSSH data, in ContentProtectionData after the pssh, and as the Smooth header", async () => {
      const s = await signal(SYSTEM_IDS.playReady, "cenc");
      const pssh = box(s.pssh);
      expect(pssh.version).toBe(0);
      expect(pssh.systemId.equals(SYSTEM_IDS.playReady)).toBe(true);
      expect(toHex(pssh.data)).toBe(toHex(s.smoothStreamingProtectionHeader!));
      expect(toHex(s.psshData!)).toBe(toHex(pssh.data));
      expect(s.contentProtectionData).toBe(
        `<pssh xmlns="urn:mpeg:cenc:2013">${toBase64(s.pssh!)}</pssh><pro xmlns="urn:microsoft:playready">${toBase64(s.smoothStreamingProtectionHeader!)}</pro>`,
      );
    });

    it("writes HLS lines as METHOD, KEYFORMAT, KEYFORMATVERSIONS, URI with a UTF-16 data URI", async () => {
      const s = await signal(SYSTEM_IDS.playReady, "cbcs");
      expect(attributeNames(s.hlsMediaLine)).toEqual(["METHOD", "KEYFORMAT", "KEYFORMATVERSIONS", "URI"]);
      expect(attributeNames(s.hlsMasterLine)).toEqual(["METHOD", "KEYFORMAT", "KEYFORMATVERSIONS", "URI"]);
      expect(method(s.hlsMediaLine)).toBe("SAMPLE-AES");
      expect(s.hlsUri).toBe(`data:text/plain;charset=UTF-16;base64,${toBase64(s.smoothStreamingProtectionHeader!)}`);
      expect(s.hlsKeyFormat).toBe("com.microsoft.playready");
    });

    it("adds the tenant's LA_URL and refuses one that is not an absolute http(s) URL", async () => {
      const laUrl = "https://test.playready.microsoft.com/service/rightsmanager.asmx";
      const s = await signal(SYSTEM_IDS.playReady, "cenc", { settings: { playReadyLaUrl: laUrl } });
      expect(pro(s.smoothStreamingProtectionHeader).wrmHeader).toContain(`<CHECKSUM>Me48z71nuqY=</CHECKSUM><LA_URL>${laUrl}</LA_URL>`);
      expect(await failure(SYSTEM_IDS.playReady, "cenc", { settings: { playReadyLaUrl: "rightsmanager.asmx" } })).toMatchObject({
        reason: "setting-invalid",
        setting: "playReadyLaUrl",
        rule: expect.stringContaining("absolute URL"),
      });
    });
  });

  describe("FairPlay", () => {
    it.each<ProtectionScheme | undefined>(["cbcs", undefined])("gives the skd URI and HLS lines for %s, and no PSSH", async (scheme) => {
      const s = await signal(SYSTEM_IDS.fairPlay, scheme);
      expect(s.skdUri).toBe("skd://8ba94ade-6eb9-449d-b44f-a5beefaf43b0:0123456789ABCDEF0123456789ABCDEF");
      expect(s.hlsMediaLine).toBe(
        `#EXT-X-KEY:METHOD=SAMPLE-AES,URI="${s.skdUri}",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"`,
      );
      expect(s.hlsMasterLine).toBe(s.hlsMediaLine!.replace("#EXT-X-KEY:", "#EXT-X-SESSION-KEY:"));
      expect(s).toMatchObject({ hlsUri: s.skdUri, hlsKeyFormat: "com.apple.streamingkeydelivery", hlsKeyFormatVersions: "1" });
      expect([s.pssh, s.contentProtectionData]).toEqual([undefined, undefined]);
    });

    it.each<ProtectionScheme>(["cenc", "cens", "cbc1"])("refuses %s (SPEKE v2 suite: FairPlay with cenc is an error)", async (scheme) => {
      expect(await failure(SYSTEM_IDS.fairPlay, scheme)).toEqual({
        reason: "scheme-not-supported-by-system",
        systemId: SYSTEM_IDS.fairPlay,
        scheme,
      });
    });

    it("uses the tenant's template", async () => {
      const s = await signal(SYSTEM_IDS.fairPlay, "cbcs", { settings: { fairPlayUriTemplate: "skd://drm.example/{kidHex}" } });
      expect(s.skdUri).toBe("skd://drm.example/8ba94ade6eb9449db44fa5beefaf43b0");
    });

    it("refuses an 8-byte IV when the URI carries the IV, and accepts it when it does not", async () => {
      expect(await failure(SYSTEM_IDS.fairPlay, "cbcs", { iv: iv8 })).toMatchObject({
        reason: "iv-size-not-supported-by-system",
        ivLength: 8,
        required: 16,
      });
      expect((await signal(SYSTEM_IDS.fairPlay, "cbcs", { iv: iv8, settings: { fairPlayUriTemplate: "skd://{kid}" } })).skdUri).toBe(
        `skd://${kid}`,
      );
    });

    it.each(["https://{kid}", "skd://{kid}:{iv}", 'skd://"{kid}"'])("refuses the template %j", async (fairPlayUriTemplate) => {
      expect(await failure(SYSTEM_IDS.fairPlay, "cbcs", { settings: { fairPlayUriTemplate } })).toMatchObject({
        reason: "setting-invalid",
        setting: "fairPlayUriTemplate",
      });
    });
  });

  describe("Common PSSH (W3C 1077efec)", () => {
    it.each<ProtectionScheme | undefined>([...SCHEMES, undefined])(
      "gives a v1 box listing the KID with no data, for %s",
      async (scheme) => {
        const s = await signal(SYSTEM_IDS.commonPssh, scheme);
        const pssh = box(s.pssh);
        expect(pssh.version === 1 && pssh.kids).toEqual([kid]);
        expect(pssh.data.length).toBe(0);
        expect(s.contentProtectionData).toBe(`<pssh xmlns="urn:mpeg:cenc:2013">${toBase64(s.pssh!)}</pssh>`);
        expect(s.hlsMediaLine).toBeUndefined();
      },
    );
  });

  describe.each([
    ["Clear Key AES-128 (3ea8778f)", SYSTEM_IDS.clearKeyAes128],
    ["SPEKE v1 HLS AES-128 (81376844)", SYSTEM_IDS.hlsAes128Speke],
  ])("%s", (_name, systemId) => {
    it("gives only METHOD=AES-128 identity lines from the tenant's template", async () => {
      const s = await signal(systemId, "cbc1", { settings: { clearKeyUriTemplate: "https://keys.example/t1/{kid}" } });
      expect(s.hlsMediaLine).toBe(
        `#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/t1/${kid}",KEYFORMAT="identity",KEYFORMATVERSIONS="1"`,
      );
      expect(s.hlsMasterLine).toBe(
        `#EXT-X-SESSION-KEY:METHOD=AES-128,URI="https://keys.example/t1/${kid}",KEYFORMAT="identity",KEYFORMATVERSIONS="1"`,
      );
      expect(s).toMatchObject({ hlsUri: `https://keys.example/t1/${kid}`, hlsKeyFormat: "identity", hlsKeyFormatVersions: "1" });
      expect([s.pssh, s.contentProtectionData, s.skdUri]).toEqual([undefined, undefined, undefined]);
    });

    it("needs a key URI template", async () => {
      expect(await failure(systemId, "cbc1")).toEqual({ reason: "setting-required", systemId, setting: "clearKeyUriTemplate" });
    });
  });

  it.each([
    ["Marlin", SystemIds.require("5e629af5-38da-4063-8977-97ffbd9902d4")],
    ["the legacy FairPlay id", SystemIds.require("29701fe4-3cc7-4a34-8c5b-ae90c7439a47")],
    ["Clear Key DASH-IF", SYSTEM_IDS.clearKeyDashIf],
  ])("refuses %s as unsupported", async (_name, systemId) => {
    expect(await failure(systemId, "cenc")).toEqual({ reason: "unsupported-system", systemId });
  });

  it.each([
    ["Widevine", SYSTEM_IDS.widevine],
    ["PlayReady", SYSTEM_IDS.playReady],
  ])("keeps the %s pssh inside ContentProtectionData equal to the PSSH field (SPEKE v2 rule)", async (_name, systemId) => {
    for (const scheme of SCHEMES) {
      const s = await signal(systemId, scheme);
      expect(/<pssh xmlns="urn:mpeg:cenc:2013">([^<]+)<\/pssh>/.exec(s.contentProtectionData!)![1]).toBe(toBase64(s.pssh!));
    }
  });

  it("says its text is ASCII only when it is, and not when a key URI template has a non-ASCII character", async () => {
    const isAscii = (text: string | undefined) => text === undefined || /^[\x00-\x7f]*$/.test(text);
    const settings = { playReadyLaUrl: "https://licence.example/caf\u00e9?x=\u20ac", clearKeyUriTemplate: "https://keys.example/{kid}" };
    for (const systemId of [
      SYSTEM_IDS.widevine,
      SYSTEM_IDS.playReady,
      SYSTEM_IDS.fairPlay,
      SYSTEM_IDS.commonPssh,
      SYSTEM_IDS.clearKeyAes128,
    ]) {
      for (const scheme of ["cenc", "cbcs", undefined] as const) {
        const result = await signalDrmSystem(input(systemId, scheme, { settings }));
        if (isDrmSignallingFailure(result)) continue;
        expect(result.textIsAscii).toBe(true);
        expect([result.contentProtectionData, result.hlsMediaLine, result.hlsMasterLine].every(isAscii)).toBe(true);
      }
    }
    const fairPlay = await signal(SYSTEM_IDS.fairPlay, "cbcs", { settings: { fairPlayUriTemplate: "skd://caf\u00e9/{kid}" } });
    expect(fairPlay.textIsAscii).toBe(false);
    expect(isAscii(fairPlay.hlsMediaLine)).toBe(false);
    const clearKey = await signal(SYSTEM_IDS.clearKeyAes128, "cbcs", {
      settings: { clearKeyUriTemplate: "https://k\u00e9ys.example/{kid}" },
    });
    expect(clearKey.textIsAscii).toBe(false);
  });

  it("builds the same binary forms and skd URI without any text form when asked to omit text", async () => {
    for (const systemId of [SYSTEM_IDS.widevine, SYSTEM_IDS.playReady, SYSTEM_IDS.fairPlay]) {
      for (const scheme of ["cenc", "cbcs", undefined] as const) {
        const full = await signalDrmSystem(input(systemId, scheme));
        const binaryOnly = await signalDrmSystem(input(systemId, scheme, { omitText: true }));
        if (isDrmSignallingFailure(full)) {
          expect(binaryOnly).toEqual(full);
          continue;
        }
        const { contentProtectionData, hlsMediaLine, hlsMasterLine, hlsKeyFormat, hlsKeyFormatVersions, hlsUri, textIsAscii, ...binary } =
          full;
        expect(binaryOnly).toEqual(binary);
      }
    }
  });

  it("answers the same input with the same bytes", async () => {
    for (const systemId of [SYSTEM_IDS.widevine, SYSTEM_IDS.playReady, SYSTEM_IDS.fairPlay, SYSTEM_IDS.commonPssh]) {
      expect(await signal(systemId, "cbcs")).toEqual(await signal(systemId, "cbcs"));
    }
  });
});
