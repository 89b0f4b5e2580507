/**
 * readCpix against every collected real CPIX document (test/fixtures/cpix/samples, provenance in test/fixtures/cpix/SOURCES.md),
 * with spot checks of parsed values against the sample text and the quirks each sample shows.
 */
import { describe, expect, it } from "vitest";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import type { CpixDocument } from "../../src/cpix/model";
import { readCpix } from "../../src/cpix/reader";
import { SAMPLES, sample } from "./support/samples";

function read(name: string): CpixDocument {
  const result = readCpix(sample(name));
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.failure)}`);
  return result.document;
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const kid = (uuid: string) => KeyId.require(uuid);

describe("readCpix on every collected sample", () => {
  it("finds all 88 sample documents", () => {
    expect(SAMPLES.size).toBe(88);
  });

  it.each([...SAMPLES.keys()])("reads %s", (name) => {
    const result = readCpix(sample(name));
    expect(result.ok ? "ok" : result.failure).toBe("ok");
  });
});

describe("SPEKE v1 (AWS docs live workflow)", () => {
  it("reads the request: resource id, one key with explicitIV, empty placeholders, speke: elements before PSSH", () => {
    const doc = read("aws-speke-docs-v1/v1-live-request.xml");
    expect(doc.id).toBe("abc123");
    expect(doc.version).toBeUndefined();
    const [key] = doc.contentKeyList!.items;
    expect(key!.kid).toEqual(kid("98ee5596-cd3e-a20d-163a-e382420c6eff"));
    expect(toBase64(key!.explicitIV!.bytes)).toBe("OFj2IjCsPJFfMAxmQxLGPw==");
    expect(key!.value).toBeUndefined();
    const drms = doc.drmSystemList!.items;
    expect(drms.map((d) => d.systemId)).toEqual([
      SYSTEM_IDS.hlsAes128Speke,
      SYSTEM_IDS.fairPlay,
      SYSTEM_IDS.widevine,
      SYSTEM_IDS.playReady,
    ]);
    expect(drms[0]).toMatchObject({
      uriExtXKey: new Uint8Array(),
      speke: { keyFormat: new Uint8Array(), keyFormatVersions: new Uint8Array() },
    });
    expect(drms[3]).toMatchObject({ pssh: new Uint8Array(), speke: { protectionHeader: new Uint8Array() } });
    expect(drms[2]!.speke).toBeUndefined();
    expect(doc.contentKeyPeriodList!.items).toEqual([{ id: "keyPeriod_0909829f-40ff-4625-90fa-75da3e53278f", index: 1 }]);
    expect(doc.contentKeyUsageRuleList!.items[0]!.keyPeriodFilters).toEqual([
      { periodId: "keyPeriod_0909829f-40ff-4625-90fa-75da3e53278f" },
    ]);
  });

  it("reads the response: plain key, base64 speke:KeyFormat and URIExtXKey", () => {
    const doc = read("aws-speke-docs-v1/v1-live-response.xml");
    expect(toBase64(doc.contentKeyList!.items[0]!.value!.bytes)).toBe("5dGAgwGuUYu4dHeHtNlxJw==");
    const [aes, fairPlay] = doc.drmSystemList!.items;
    expect(text(aes!.speke!.keyFormat)).toBe("identity");
    expect(text(aes!.speke!.keyFormatVersions)).toBe("1");
    expect(text(fairPlay!.speke!.keyFormat)).toBe("com.apple.streamingkeydelivery");
    expect(text(aes!.uriExtXKey)).toMatch(/^https:\/\/.*\/client\/abc123\/98ee5596-cd3e-a20d-163a-e382420c6eff$/);
  });

  it("reads MediaPackage v1's all-placeholders DRMSystem and a resource id that is not an xs:ID", () => {
    const doc = read("aws-speke-reference-server/tests/server_api_body.xml");
    expect(doc.id).toBe("5E99137A-BD6C-4ECC-A24D-A3EE04B4E011");
    expect(doc.drmSystemList!.items[0]).toMatchObject({
      contentProtectionData: new Uint8Array(),
      pssh: new Uint8Array(),
      uriExtXKey: new Uint8Array(),
      speke: { keyFormat: new Uint8Array(), keyFormatVersions: new Uint8Array(), protectionHeader: new Uint8Array() },
    });
    expect(doc.contentKeyPeriodList!.items[0]!.index).toBe(11425);
  });
});

describe("SPEKE v2", () => {
  it("reads the reference server's v2 body: contentId, version, schemes, HLS playlists, encryption contract", () => {
    const doc = read("aws-speke-reference-server/tests/server_api_body_spekev2.xml");
    expect(doc).toMatchObject({ contentId: "cenc_test_001", version: "2.3" });
    expect(doc.contentKeyList!.items.map((k) => [k.kid.toString(), k.commonEncryptionScheme])).toEqual([
      ["0f083e4e-b831-4a3d-917e-ce78076e54aa", "cenc"],
      ["041fdd3a-7f5e-4848-a7cb-65e97758e9a0", "cenc"],
    ]);
    const playReady = doc.drmSystemList!.items[2]!;
    expect(playReady.systemId).toEqual(SYSTEM_IDS.playReady);
    expect(playReady.hlsSignalingData).toEqual([
      { playlist: "media", data: new Uint8Array() },
      { playlist: "master", data: new Uint8Array() },
    ]);
    expect(doc.contentKeyUsageRuleList!.items).toMatchObject([
      { intendedTrackType: "VIDEO", videoFilters: [{}], audioFilters: [] },
      { intendedTrackType: "AUDIO", videoFilters: [], audioFilters: [{}] },
    ]);
  });

  it("reads the kid-override example whose DRMSystem children are not in XSD order", () => {
    const doc = read("aws-speke-docs-v2/v2-kid-override-request.xml");
    const [widevine] = doc.drmSystemList!.items;
    expect(widevine).toMatchObject({ pssh: new Uint8Array(), contentProtectionData: new Uint8Array() });
    expect(widevine!.hlsSignalingData.map((h) => h.playlist)).toEqual(["media", "master"]);
    expect(doc.contentKeyList!.items[0]!.commonEncryptionScheme).toBe("cbcs");
  });

  it("keeps a version it does not support for the protocol to refuse (verification suite's 4.0)", () => {
    expect(read("aws-speke-reference-server/spekev2_requests/general/3_negative_wrong_version_spekev2_dash_widevine.xml").version).toBe(
      "4.0",
    );
  });

  it("reads signalling PallyCon's docs elided (`qAUAAAEAAQCeB...A=`) as empty placeholders, keeping the rest", () => {
    const doc = read("vendor-pallycon/live-dash-response.xml");
    const [playReady, widevine] = doc.drmSystemList!.items;
    expect(playReady!.contentProtectionData).toEqual(new Uint8Array());
    expect(playReady!.speke!.protectionHeader).toEqual(new Uint8Array());
    expect(playReady!.pssh!.length).toBeGreaterThan(800);
    expect(toBase64(widevine!.pssh!)).toMatch(/^AAAAaHBzc2gAAAAA7e\+LqXnWSs6jyCfc1R0h7Q/);
    expect(toBase64(doc.contentKeyList!.items[0]!.value!.bytes)).toBe("OlRFK6LSytFr2HnN1HqwWw==");
  });

  it("reads PallyCon's upper-case system ids and a VideoFilter range", () => {
    const doc = read("vendor-pallycon/live-dash-request.xml");
    expect(doc.drmSystemList!.items.map((d) => d.systemId)).toEqual([SYSTEM_IDS.playReady, SYSTEM_IDS.widevine]);
    expect(doc.contentKeyUsageRuleList!.items[0]).toMatchObject({
      intendedTrackType: "HD",
      videoFilters: [{ minPixels: 921600, maxPixels: 2073600 }],
    });
    expect(doc.contentKeyPeriodList!.items[0]!.index).toBe(128);
  });
});

describe("DASH-IF test vectors", () => {
  it("reads Complex.xml: recipients, encrypted keys, DRM signalling, every filter kind", () => {
    const doc = read("dashif-cpix-test-vectors/Complex.xml");
    const recipients = doc.deliveryDataList!.items;
    expect(recipients).toHaveLength(2);
    expect(recipients[0]!.deliveryKey.x509Certificates[0]!.length).toBeGreaterThan(1000);
    expect(recipients[0]!.documentKeys[0]).toMatchObject({
      algorithm: "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
      value: { encryptionMethod: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p" },
    });
    expect(recipients[0]!.macMethod).toMatchObject({ algorithm: "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512", keyShape: "xmlenc" });
    const [first] = doc.contentKeyList!.items;
    expect(first!.value).toBeUndefined();
    expect(first!.encryptedValue!.cipherValue).toHaveLength(48); // IV(16) ‖ AES-256-CBC(16-byte key + padding)
    expect(first!.encryptedValue!.valueMac).toHaveLength(64); // HMAC-SHA512
    const playReady = doc.drmSystemList!.items[1]!;
    expect(text(playReady.contentProtectionData)).toMatch(/^<pssh xmlns="urn:mpeg:cenc:2013">/);
    expect(playReady.smoothStreamingProtectionHeaderData!.length).toBeGreaterThan(0);
    const [audioRule, videoRule] = doc.contentKeyUsageRuleList!.items;
    expect(audioRule!.labelFilters.map((f) => f.label)).toContain("滆 柦柋牬 趉軨鄇 鶊鵱, 緳廞徲 鋑鋡髬 溮煡煟 綡蒚");
    expect(audioRule!.audioFilters).toEqual([
      { minChannels: 1, maxChannels: 2 },
      { minChannels: 8, maxChannels: 10 },
    ]);
    expect(videoRule!.videoFilters[0]).toEqual({ minPixels: 1000, maxPixels: 2073600, hdr: true, wcg: false, minFps: 10, maxFps: 30 });
    expect(videoRule!.bitrateFilters[1]).toEqual({ minBitrate: 10000000, maxBitrate: 32000000 });
  });

  it("reads EvenMoreComplex.xml (UTF-16LE, prefixes aa:/bb:/cc:, a default namespace of ⚽, comments) like Complex.xml", () => {
    const doc = read("dashif-cpix-test-vectors/EvenMoreComplex.xml");
    expect(doc.contentKeyList!.id).toBe("_id_for_content_keys");
    expect(doc.contentKeyList!.items.map((k) => k.kid.toString())).toEqual([
      "152ae2e0-f455-486e-81d1-6df5fc5d7179",
      "0cbe1c84-5c54-4ce8-8893-ff77f7d793e1",
      "486a8d08-29f7-42f5-9a9a-a1ab9b0685ad",
      "84044421-a871-4999-8931-289aa6f4a607",
    ]);
    expect(doc.deliveryDataList).toMatchObject({ id: "id-for-recipients----", items: [{ macMethod: { keyShape: "xmlenc" } }, {}] });
    expect(doc.drmSystemList!.items).toHaveLength(12);
    expect(doc.contentKeyUsageRuleList!.items[0]!.labelFilters).toHaveLength(3);
  });

  it("reads the kids of EncryptedContentKeys.xml listed in the vectors' Readme", () => {
    const kids = read("dashif-cpix-test-vectors/EncryptedContentKeys.xml").contentKeyList!.items.map((k) => k.kid.toString());
    expect(kids).toEqual([
      "bd5adf51-cf04-410f-aac3-ec63a69e929e",
      "d2920429-87ab-41e6-a4c5-a8c836b6312e",
      "e17ba4b8-faff-4d30-bcba-7485e3f2e884",
      "0ae6b9ad-92d2-4ebe-882b-1d07dee70715",
    ]);
  });

  it("reads a UUID written as explicitIV (KeyRotation vectors) as the UUID's 16 bytes, and the period ids", () => {
    const doc = read("dashif-cpix-test-vectors/KeyRotationMultiKeyMulitPeriod.xml");
    expect(doc.contentKeyList!.items[0]!.explicitIV!.bytes).toEqual(kid("f45bcebb-f0df-4a34-bf4e-c24edfcf6289").bytes);
    expect(doc.contentKeyPeriodList!.items).toEqual([
      { id: "now", index: 1 },
      { id: "next", index: 2 },
    ]);
    expect(doc.contentKeyUsageRuleList!.items.map((r) => r.keyPeriodFilters[0]!.periodId)).toEqual(["now", "now", "next", "next"]);
  });

  it("reads EmptyDocument.xml as a document with no lists", () => {
    const doc = read("dashif-cpix-test-vectors/EmptyDocument.xml");
    expect(doc.contentKeyList).toBeUndefined();
    expect(doc.drmSystemList).toBeUndefined();
  });
});

describe("other producers", () => {
  it("reads GPAC's 2.3 document: scheme, explicitIV, key, media playlist", () => {
    const doc = read("gpac/crypt-info-load-cpix-unittest.xml");
    const [key] = doc.contentKeyList!.items;
    expect(key).toMatchObject({ commonEncryptionScheme: "cenc" });
    expect(toBase64(key!.explicitIV!.bytes)).toBe("ASNFZ4kBI0VniQEjRWeJAQ==");
    expect(toBase64(key!.value!.bytes)).toBe("Fzsa6fC/yLr6IPmeug0H2Q==");
    expect(text(doc.drmSystemList!.items[1]!.hlsSignalingData[0]!.data)).toMatch(/^#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd:\/\//);
  });

  it("reads pycpix's default-namespace 2.2 document with a ContentProtection fragment", () => {
    const doc = read("unified-streaming/pycpix-test-full-document-v2.2.xml");
    expect(text(doc.drmSystemList!.items[0]!.contentProtectionData)).toMatch(/^<!-- Widevine -->/);
    expect(doc.contentKeyUsageRuleList!.items[1]!.videoFilters).toEqual([{ maxPixels: 38912 }]);
  });

  it("reads self-closing ContentKey and DRMSystem elements (Axinom seed request, BuyDRM)", () => {
    expect(read("axinom-seed/request.cpix").drmSystemList!.items).toHaveLength(3);
    expect(read("vendor-buydrm/widevine-request.xml").contentKeyList!.items[0]).toEqual({
      kid: kid("af1ed63c-5784-460b-9e51-309dd47b7d9c"),
    });
  });
});

describe("encodings and namespaces", () => {
  const reference = read("aws-speke-docs-v1/v1-live-response.xml");
  const xml = text(sample("aws-speke-docs-v1/v1-live-response.xml"));

  it("reads the same document from UTF-8 with BOM, UTF-16LE and UTF-16BE with BOM", () => {
    const utf16 = (littleEndian: boolean) => {
      const bytes = new Uint8Array(2 + xml.length * 2);
      const view = new DataView(bytes.buffer);
      view.setUint16(0, 0xfeff, littleEndian);
      for (let i = 0; i < xml.length; i++) view.setUint16(2 + i * 2, xml.charCodeAt(i), littleEndian);
      return bytes;
    };
    for (const bytes of [Uint8Array.of(0xef, 0xbb, 0xbf, ...utf8(xml)), utf16(true), utf16(false)]) {
      expect(readCpix(bytes)).toEqual({ ok: true, document: reference });
    }
  });

  it("matches elements by namespace URI, whatever the prefixes", () => {
    const renamed = xml
      .replace(/cpix:/g, "c:")
      .replace(/xmlns:cpix/, "xmlns:c")
      .replace(/pskc:/g, "p:")
      .replace(/xmlns:pskc/, "xmlns:p");
    const defaulted = xml.replace(/cpix:/g, "").replace(/xmlns:cpix=/, "xmlns=");
    expect(readCpix(utf8(renamed))).toEqual({ ok: true, document: reference });
    expect(readCpix(utf8(defaulted))).toEqual({ ok: true, document: reference });
  });

  it("ignores elements of the cpix vocabulary in a foreign namespace", () => {
    const foreign = xml.replace("<cpix:PSSH>", '<x:PSSH xmlns:x="urn:example">').replace("</cpix:PSSH>", "</x:PSSH>");
    const widevine = (readCpix(utf8(foreign)) as { document: CpixDocument }).document.drmSystemList!.items[2]!;
    expect(widevine.pssh).toBeUndefined();
    expect(widevine.extensions.map((e) => [e.namespace, e.localName])).toEqual([["urn:example", "PSSH"]]);
  });

  it("reads base64 inside CDATA and split by comments", () => {
    const wrapped = xml.replace(/<cpix:PSSH>(AAAAanBz)([^<]*)</, "<cpix:PSSH><![CDATA[$1]]><!-- split -->$2<");
    expect(readCpix(utf8(wrapped))).toEqual({ ok: true, document: reference });
  });

  it("decodes entities and character references in attributes and text", () => {
    const doc = `<CPIX xmlns="urn:dashif:org:cpix" contentId="a&amp;b&#x20;&lt;c&gt;"><ContentKeyUsageRuleList><ContentKeyUsageRule kid="${reference.contentKeyList!.items[0]!.kid}"><LabelFilter label="&quot;x&apos;"/></ContentKeyUsageRule></ContentKeyUsageRuleList></CPIX>`;
    const parsed = readCpix(utf8(doc));
    expect(parsed.ok && parsed.document.contentId).toBe("a&b <c>");
    expect(parsed.ok && parsed.document.contentKeyUsageRuleList!.items[0]!.labelFilters).toEqual([{ label: `"x'` }]);
  });
});
