/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import complexCpix from "../fixtures/cpix/samples/dashif-cpix-test-vectors/Complex.xml?raw";
import gpacCpix from "../fixtures/cpix/samples/gpac/crypt-info-load-cpix-unittest.xml?raw";
import { fromBase64, toBase64 } from "../../src/domain/bytes";
import { ivFromBytes } from "../../src/domain/content-key";
import type { ProtectionScheme } from "../../src/domain/protection-scheme";
import { KeyId } from "../../src/domain/key-id";
import {
  clearKeyAes128HlsKey,
  fairPlayHlsKey,
  hlsSampleMethodFor,
  playReadyHlsKey,
  renderHlsKeyTags,
  widevineHlsKey,
  type HlsKeySignal,
} from "../../src/drm/hls";
import { DEFAULT_FAIRPLAY_URI_TEMPLATE, keyUriTemplateProblem, renderKeyUriTemplate, templateUsesIv } from "../../src/drm/key-uri-template";

/** Parses a key tag by the RFC 8216 §4.2 attribute-list grammar; throws on anything else. */
function parseKeyTag(line: string): { tag: string; attributes: Array<[name: string, value: string, quoted: boolean]> } {
  const head = /^#(EXT-X-KEY|EXT-X-SESSION-KEY):/.exec(line);
  if (!head) throw new Error(`not a key tag: ${line}`);
  const attributes: Array<[string, string, boolean]> = [];
  const attribute = /([A-Z0-9-]+)=(?:"([^"\r\n]*)"|([^",\s]+))(,|$)/y;
  attribute.lastIndex = head[0].length;
  while (attribute.lastIndex < line.length) {
    const match = attribute.exec(line);
    if (!match) throw new Error(`bad attribute list at ${attribute.lastIndex}: ${line}`);
    attributes.push([match[1]!, match[2] ?? match[3]!, match[2] !== undefined]);
    if (match[4] === "" && attribute.lastIndex < line.length) throw new Error("attributes after the end");
  }
  return { tag: head[1]!, attributes };
}

const decodeSignalling = (b64: string) => new TextDecoder().decode(fromBase64(b64));
const kid = KeyId.require("72ea9ec1-abb4-40d8-b3a9-e0bd1833bd58");
const iv = ivFromBytes(Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]));
const box = Uint8Array.of(0, 0, 0, 32, 0x70, 0x73, 0x73, 0x68);

describe("HLS key tags", () => {
  const cases: Array<[string, HlsKeySignal, string[]]> = [
    ["Widevine", widevineHlsKey(box, "SAMPLE-AES-CTR"), ["METHOD", "URI", "KEYFORMAT", "KEYFORMATVERSIONS"]],
    ["PlayReady", playReadyHlsKey(box, "SAMPLE-AES"), ["METHOD", "KEYFORMAT", "KEYFORMATVERSIONS", "URI"]],
    ["FairPlay", fairPlayHlsKey("skd://x"), ["METHOD", "URI", "KEYFORMAT", "KEYFORMATVERSIONS"]],
    ["Clear Key AES-128", clearKeyAes128HlsKey("https://keys.example/k"), ["METHOD", "URI", "KEYFORMAT", "KEYFORMATVERSIONS"]],
  ];

  it.each(cases)("writes %s as an RFC 8216 attribute list with the MediaPackage v2 attribute order", (_name, signal, order) => {
    const media = parseKeyTag(renderHlsKeyTags(signal).media);
    expect(media.tag).toBe("EXT-X-KEY");
    expect(media.attributes.map(([name]) => name)).toEqual(order);
    expect(media.attributes.filter(([, , quoted]) => !quoted).map(([name]) => name)).toEqual(["METHOD"]);
    expect(media.attributes.map(([name]) => name)).not.toContain("SCHEME");
  });

  it.each(cases)("gives %s the same attributes in the master playlist, only the tag differs", (_name, signal) => {
    const media = renderHlsKeyTags(signal).media;
    const master = renderHlsKeyTags(signal).master;
    expect(parseKeyTag(master).tag).toBe("EXT-X-SESSION-KEY");
    expect(master.replace("#EXT-X-SESSION-KEY:", "")).toBe(media.replace("#EXT-X-KEY:", ""));
  });

  it("carries the Widevine PSSH box and the PlayReady Object as data URIs", () => {
    const attrs = (signal: HlsKeySignal) =>
      Object.fromEntries(parseKeyTag(renderHlsKeyTags(signal).media).attributes.map(([n, v]) => [n, v]));
    expect(attrs(widevineHlsKey(box, "SAMPLE-AES"))).toEqual({
      METHOD: "SAMPLE-AES",
      URI: `data:text/plain;base64,${toBase64(box)}`,
      KEYFORMAT: "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",
      KEYFORMATVERSIONS: "1",
    });
    expect(attrs(playReadyHlsKey(box, "SAMPLE-AES-CTR"))).toEqual({
      METHOD: "SAMPLE-AES-CTR",
      KEYFORMAT: "com.microsoft.playready",
      KEYFORMATVERSIONS: "1",
      URI: `data:text/plain;charset=UTF-16;base64,${toBase64(box)}`,
    });
    expect(attrs(clearKeyAes128HlsKey("https://keys.example/k"))).toMatchObject({ METHOD: "AES-128", KEYFORMAT: "identity" });
  });

  it("writes the FairPlay line of GPAC's CPIX sample byte for byte (default template, KID and IV)", () => {
    const [, kidText, ivB64] = /ContentKey kid="([^"]+)" explicitIV="([^"]+)"/.exec(gpacCpix)!;
    const expected = decodeSignalling(/HLSSignalingData playlist="media">([^<]+)</.exec(gpacCpix)![1]!);
    const skd = renderKeyUriTemplate(DEFAULT_FAIRPLAY_URI_TEMPLATE, KeyId.require(kidText!), ivFromBytes(fromBase64(ivB64!)!));
    expect(renderHlsKeyTags(fairPlayHlsKey(skd)).media).toBe(expected);
  });

  it("writes the FairPlay media and master lines of the DASH-IF Complex.xml vector byte for byte (template skd://{kid})", () => {
    const systems = [
      ...complexCpix.matchAll(/<DRMSystem systemId="94ce86fb-07ff-4f43-adb8-93d2fa968ca2" kid="([^"]+)">(.*?)<\/DRMSystem>/g),
    ];
    expect(systems.length).toBe(4);
    for (const [, kidText, body] of systems) {
      const signal = fairPlayHlsKey(renderKeyUriTemplate("skd://{kid}", KeyId.require(kidText!), iv));
      for (const playlist of ["media", "master"] as const) {
        const expected = decodeSignalling(new RegExp(`HLSSignalingData playlist="${playlist}">([^<]+)<`).exec(body!)![1]!);
        expect(renderHlsKeyTags(signal)[playlist]).toBe(expected);
      }
    }
  });

  it.each<[ProtectionScheme, string | undefined]>([
    ["cbcs", "SAMPLE-AES"],
    ["cenc", "SAMPLE-AES-CTR"],
    ["cens", undefined],
    ["cbc1", undefined],
  ])("uses METHOD %s → %s (RFC 8216bis: fMP4 SAMPLE-AES is cbcs, SAMPLE-AES-CTR is cenc)", (scheme, method) => {
    expect(hlsSampleMethodFor(scheme)).toBe(method);
  });

  it("refuses to write a quoted-string holding a double quote", () => {
    expect(() => renderHlsKeyTags(fairPlayHlsKey('skd://a"b'))).toThrow(/RFC 8216 §4.2/);
  });
});

describe("key URI templates", () => {
  it("fills the default FairPlay template as Axinom's skd://<KID GUID>:<IV 32 hex> example", () => {
    expect(renderKeyUriTemplate(DEFAULT_FAIRPLAY_URI_TEMPLATE, kid, iv)).toBe(
      "skd://72ea9ec1-abb4-40d8-b3a9-e0bd1833bd58:0123456789ABCDEF0123456789ABCDEF",
    );
  });

  it("fills {kidHex} and {kidBase64} and leaves the rest of the text alone", () => {
    expect(renderKeyUriTemplate("https://k.example/{kidHex}?b={kidBase64}&x=1", kid, iv)).toBe(
      `https://k.example/72ea9ec1abb440d8b3a9e0bd1833bd58?b=${kid.toBase64()}&x=1`,
    );
  });

  it("knows whether a template carries the IV", () => {
    expect(templateUsesIv(DEFAULT_FAIRPLAY_URI_TEMPLATE)).toBe(true);
    expect(templateUsesIv("skd://{kid}")).toBe(false);
  });

  it.each<[string, string | undefined]>([
    ["skd://{kid}:{ivHex}", undefined],
    ["https://keys.example/{kidHex}", undefined],
    ["skd://{KID}", "placeholders must be one of {kid}, {kidHex}, {kidBase64}, {ivHex}, got {KID}"],
    ['skd://"{kid}"', "double quote"],
    ["skd://{kid}\n", "CR or LF"],
    ["  ", "must not be empty"],
  ])("judges template %j", (template, problem) => {
    const found = keyUriTemplateProblem(template);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});
