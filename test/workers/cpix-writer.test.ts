/**
 * writeCpix: `readCpix(writeCpix(doc))` equals `doc` for every sample, and the output has the shape
 * consumers expect (cpix:/pskc: prefixes, XSD order, keys in Data/Secret/PlainValue, base64 values).
 * XSD validity of the output is checked in Node: test/interop/cpix-xsd.test.ts.
 */
import { describe, expect, it } from "vitest";
import { Base64Value } from "../../src/domain/base64-value";
import { toBase64, utf8, utf8Base64 } from "../../src/domain/bytes";
import { contentKeyFromBytes, ivFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import type { CpixAnswerDocument, CpixAnswerDrmSystem, CpixDocument } from "../../src/cpix/model";
import { readCpix } from "../../src/cpix/reader";
import { SAMPLES } from "./support/samples";
import { drmSystemValueLength, writeCpix } from "../../src/cpix/writer";

function read(bytes: Uint8Array): CpixDocument {
  const result = readCpix(bytes);
  if (!result.ok) throw new Error(JSON.stringify(result.failure));
  return result.document;
}

const readSample = (name: string) => read(SAMPLES.get(name)!);
const roundTrip = (doc: CpixDocument, pretty = true) => read(utf8(writeCpix(doc, { pretty })));
const KID = KeyId.require("11111111-2222-4333-8444-555555555555");

describe("round trip: readCpix(writeCpix(doc)) equals doc", () => {
  it.each([...SAMPLES.keys()])("%s", (name) => {
    const doc = readSample(name);
    expect(roundTrip(doc)).toEqual(doc);
    expect(roundTrip(doc, false)).toEqual(doc);
  });

  it("a CPIX 2.4 document with start/end and offset periods, multiVariant, HDCP data and extensions", () => {
    const doc: CpixDocument = {
      contentId: "live-event",
      version: "2.4",
      contentKeyList: {
        items: [
          {
            kid: KID,
            commonEncryptionScheme: "SAMPLE-AES",
            contentId: "live-event",
            explicitIV: ivFromBytes(new Uint8Array(8).fill(7)),
            hdcpData: { hlsHdcpLevel: "TYPE-1", outputProtectionData: Uint8Array.of(1, 2, 3) },
            value: contentKeyFromBytes(new Uint8Array(16).fill(9)),
          },
        ],
      },
      drmSystemList: {
        items: [
          {
            systemId: SYSTEM_IDS.fairPlay,
            kid: KID,
            hlsAllowedCpc: "com.apple.streamingkeydelivery=AppleMain",
            contentProtectionDataRobustness: "HW_SECURE_ALL",
            contentProtectionData: utf8("<x/>"),
            hlsSignalingData: [
              { playlist: "media", data: utf8("#EXT-X-KEY:METHOD=SAMPLE-AES") },
              { playlist: "multiVariant", allowedCpc: "x", data: utf8("#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES") },
            ],
            extensions: [
              {
                namespace: "urn:example:drm",
                localName: "Extra",
                attributes: [
                  { namespace: "", localName: "level", value: "2" },
                  { namespace: "urn:example:other", localName: "flag", value: "a&b" },
                  { namespace: "http://www.w3.org/XML/1998/namespace", localName: "lang", value: "en" },
                ],
                children: [{ namespace: "urn:example:drm", localName: "Inner", attributes: [], children: [], text: "t<1>" }],
                text: "",
              },
            ],
          },
        ],
      },
      contentKeyPeriodList: {
        id: "periods",
        items: [
          { id: "p1", index: 1, start: "2024-05-01T10:00:00Z", end: "2024-05-01T11:00:00Z", label: "first" },
          { id: "p2", startOffset: "PT0S", endOffset: "PT10M", duration: "PT10M" },
        ],
      },
      contentKeyUsageRuleList: {
        items: [
          {
            kid: KID,
            intendedTrackType: "ALL",
            keyPeriodFilters: [{ periodId: "p1" }, { periodId: "p2" }],
            labelFilters: [],
            videoFilters: [{}],
            audioFilters: [{}],
            bitrateFilters: [],
            extensions: [],
          },
        ],
      },
      updateHistoryItemList: { items: [{ updateVersion: 1, index: "1", source: "encoder", date: "2024-05-01T09:00:00Z" }] },
    };
    expect(roundTrip(doc)).toEqual(doc);
  });

  it("attribute and text values with markup characters, quotes, tabs and newlines", () => {
    const awkward = `a&b <c> "d" 'e'\n\tf\r`;
    const doc: CpixDocument = {
      contentId: awkward,
      name: awkward,
      contentKeyUsageRuleList: {
        items: [
          {
            kid: KID,
            intendedTrackType: awkward,
            keyPeriodFilters: [],
            labelFilters: [{ label: awkward }],
            videoFilters: [],
            audioFilters: [],
            bitrateFilters: [],
            extensions: [],
          },
        ],
      },
    };
    expect(roundTrip(doc)).toEqual(doc);
  });
});

describe("output shape", () => {
  it("starts with the UTF-8 XML declaration and a cpix:CPIX root declaring cpix and pskc", () => {
    const xml = writeCpix(readSample("unified-streaming/pycpix-readme-simple.xml"));
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">\n/,
    );
  });

  it("puts each key in cpix:Data/pskc:Secret/pskc:PlainValue and explicitIV in base64", () => {
    const xml = writeCpix(readSample("aws-speke-docs-v1/v1-live-response.xml"), { pretty: false });
    expect(xml).toContain(
      '<cpix:ContentKey kid="98ee5596-cd3e-a20d-163a-e382420c6eff" explicitIV="OFj2IjCsPJFfMAxmQxLGPw=="><cpix:Data><pskc:Secret><pskc:PlainValue>5dGAgwGuUYu4dHeHtNlxJw==</pskc:PlainValue></pskc:Secret></cpix:Data></cpix:ContentKey>',
    );
  });

  it("answers SPEKE v1 with speke: elements after cpix:PSSH, in the XSD's extension slot", () => {
    const xml = writeCpix(readSample("aws-speke-docs-v1/v1-live-response.xml"));
    expect(xml).toContain('xmlns:speke="urn:aws:amazon:com:speke"');
    expect(xml.indexOf("<cpix:PSSH>AAADMHBzc2g")).toBeLessThan(xml.indexOf("<speke:ProtectionHeader>"));
    expect(xml).toContain("<speke:KeyFormat>aWRlbnRpdHk=</speke:KeyFormat>");
  });

  it("writes no speke namespace for a document without speke elements", () => {
    expect(writeCpix(readSample("aws-speke-reference-server/tests/server_api_body_spekev2.xml"))).not.toContain("speke");
  });

  it("writes DRMSystem children in XSD order whatever the request's order, empty placeholders self-closed", () => {
    const xml = writeCpix(readSample("aws-speke-docs-v2/v2-kid-override-request.xml"));
    const order = [
      "<cpix:PSSH/>",
      "<cpix:ContentProtectionData/>",
      '<cpix:HLSSignalingData playlist="media"/>',
      '<cpix:HLSSignalingData playlist="master"/>',
    ];
    const positions = order.map((element) => xml.indexOf(element));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("writes system ids and kids in canonical lower case", () => {
    const xml = writeCpix(readSample("vendor-pallycon/live-dash-request.xml"));
    expect(xml).toContain('systemId="9a04f079-9840-4286-ab92-e65be0885f95"');
    expect(xml).not.toContain("9A04F079");
  });

  it("writes a UUID-looking explicitIV back as base64 of its bytes", () => {
    const xml = writeCpix(readSample("dashif-cpix-test-vectors/KeyRotationMultiKeyMulitPeriod.xml"));
    expect(xml).toContain('explicitIV="9FvOu/DfSjS/TsJO389iiQ=="');
  });

  it("keeps a 2.2-style document (no version attribute) without one", () => {
    const xml = writeCpix(readSample("unified-streaming/cpix-gen-readme-example.xml"));
    expect(xml).not.toMatch(/<cpix:CPIX[^>]* version="/);
  });

  it("writes encrypted keys and recipients with enc: and ds: prefixes, MACMethod in the shape it was read", () => {
    const xml = writeCpix(readSample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"), { pretty: false });
    expect(xml).toContain('xmlns:ds="http://www.w3.org/2000/09/xmldsig#"');
    expect(xml).toContain('xmlns:enc="http://www.w3.org/2001/04/xmlenc#"');
    expect(xml).toContain("<cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>MIIF");
    expect(xml).toMatch(/<cpix:MACMethod Algorithm="[^"]+"><cpix:Key><enc:EncryptionMethod /);
    expect(xml).toMatch(/<\/pskc:EncryptedValue><pskc:ValueMAC>[^<]+<\/pskc:ValueMAC><\/pskc:Secret>/);
  });

  it("answers a request by adding key values to the model read from it", () => {
    const request = readSample("aws-speke-reference-server/tests/server_api_body_spekev2.xml");
    const response: CpixDocument = {
      ...request,
      contentKeyList: {
        ...request.contentKeyList!,
        items: request.contentKeyList!.items.map((key) => ({ ...key, value: contentKeyFromBytes(new Uint8Array(16)) })),
      },
    };
    const xml = writeCpix(response);
    expect(xml.match(/<pskc:PlainValue>AAAAAAAAAAAAAAAAAAAAAA==<\/pskc:PlainValue>/g)).toHaveLength(2);
    expect(request.contentKeyList!.items[0]!.value).toBeUndefined();
  });
});

describe("signalling already in base64 (Base64Value) in an answer", () => {
  const texts = ["", "<x/>", '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://a?b=c&d"', "caf\u00e9 \u00ff", "\u20ac \u{1d11e}", "\u0000\u007f"];

  it.each(texts)("gives the same base64 as encoding the UTF-8 bytes of %j", (text) => {
    expect(Base64Value.ofUtf8(text).base64).toBe(toBase64(utf8(text)));
    expect(utf8Base64(text)).toBe(toBase64(utf8(text)));
  });

  it("writes the same XML as the bytes would, counts the same length, and reads back as those bytes", () => {
    const system = (value: (text: string) => Uint8Array | Base64Value): CpixAnswerDrmSystem => ({
      systemId: SYSTEM_IDS.widevine,
      kid: KID,
      contentProtectionData: value('<pssh xmlns="urn:mpeg:cenc:2013">AAAA</pssh>'),
      hlsSignalingData: [
        { playlist: "media", data: value('#EXT-X-KEY:METHOD=SAMPLE-AES,KEYFORMAT="caf\u00e9"') },
        { playlist: "master", data: value("") },
      ],
      extensions: [],
    });
    const asBytes = system(utf8);
    const asBase64 = system((text) => Base64Value.ofUtf8(text));
    const document = (drm: CpixAnswerDrmSystem): CpixAnswerDocument => ({ version: "2.3", drmSystemList: { items: [drm] } });
    const xml = writeCpix(document(asBase64));
    expect(xml).toBe(writeCpix(document(asBytes)));
    expect(drmSystemValueLength(asBase64)).toBe(drmSystemValueLength(asBytes));
    expect(read(utf8(xml)).drmSystemList!.items[0]).toEqual(asBytes);
  });
});
