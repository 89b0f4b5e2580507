/**
 * readCpix failures: a matrix that removes or corrupts one mandatory piece of a valid SPEKE v2 request at a time
 * and expects the failure that names it, plus malformed XML a lenient parser would accept.
 */
import { describe, expect, it } from "vitest";
import { utf8 } from "../../src/domain/bytes";
import { describeCpixReadFailure, type CpixReadFailure } from "../../src/cpix/failure";
import { readCpix } from "../../src/cpix/reader";

const KID = "0f083e4e-b831-4a3d-917e-ce78076e54aa";
const KEY_VALUE = "WADwG2qCqkq5TVml+U5PXw==";
/** A complete, valid CPIX 2.3 document in the SPEKE v2 shape; each matrix row breaks one thing in it. */
const VALID = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX contentId="content-1" version="2.3" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="${KID}" commonEncryptionScheme="cbcs" explicitIV="OFj2IjCsPJFfMAxmQxLGPw==">
      <cpix:Data><pskc:Secret><pskc:PlainValue>${KEY_VALUE}</pskc:PlainValue></pskc:Secret></cpix:Data>
    </cpix:ContentKey>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="${KID}" systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed">
      <cpix:PSSH>AAAAP3Bzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAAB8SEAEjRWeJASNFZ4kBI0VniQEaBWV6ZHJtSOPclZsG</cpix:PSSH>
      <cpix:HLSSignalingData playlist="media"/>
      <cpix:HLSSignalingData playlist="master"/>
    </cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList>
    <cpix:ContentKeyPeriod id="period-1" index="1" start="2024-01-01T00:00:00Z" end="2024-01-01T01:00:00Z"/>
  </cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="${KID}" intendedTrackType="VIDEO">
      <cpix:KeyPeriodFilter periodId="period-1"/>
      <cpix:VideoFilter minPixels="0" maxPixels="921600" hdr="false"/>
    </cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>
`;

const CONTENT_KEY = "CPIX/ContentKeyList/ContentKey[1]";
const DRM_SYSTEM = "CPIX/DRMSystemList/DRMSystem[1]";
const RULE = "CPIX/ContentKeyUsageRuleList/ContentKeyUsageRule[1]";

function failureOf(xml: string): CpixReadFailure {
  const result = readCpix(utf8(xml));
  if (result.ok) throw new Error("expected a failure");
  return result.failure;
}

function edit(from: string | RegExp, to: string): string {
  const edited = VALID.replace(from, to);
  if (edited === VALID) throw new Error(`edit did not apply: ${from}`);
  return edited;
}

describe("the matrix's starting point", () => {
  it("is read without failure", () => {
    expect(readCpix(utf8(VALID)).ok).toBe(true);
  });
});

describe("a mandatory piece removed or corrupted is refused with a failure that names it", () => {
  it.each<[string, string, CpixReadFailure]>([
    [
      "ContentKey without kid",
      edit(`<cpix:ContentKey kid="${KID}"`, "<cpix:ContentKey"),
      { reason: "missing-attribute", element: "ContentKey", attribute: "kid", path: CONTENT_KEY },
    ],
    [
      "ContentKey kid not a UUID",
      edit(`ContentKey kid="${KID}"`, 'ContentKey kid="0f083e4e-b831"'),
      { reason: "invalid-attribute", element: "ContentKey", attribute: "kid", rule: "must be a UUID", path: CONTENT_KEY },
    ],
    [
      "ContentKey kid as base64",
      edit(`ContentKey kid="${KID}"`, 'ContentKey kid="M5xFtfttS9mZTOq9nUHJWw=="'),
      { reason: "invalid-attribute", element: "ContentKey", attribute: "kid", rule: "must be a UUID", path: CONTENT_KEY },
    ],
    [
      "DRMSystem without systemId",
      edit(' systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"', ""),
      { reason: "missing-attribute", element: "DRMSystem", attribute: "systemId", path: DRM_SYSTEM },
    ],
    [
      "DRMSystem systemId not a UUID",
      edit('systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"', 'systemId="widevine"'),
      { reason: "invalid-attribute", element: "DRMSystem", attribute: "systemId", rule: "must be a UUID", path: DRM_SYSTEM },
    ],
    [
      "DRMSystem without kid",
      edit(`<cpix:DRMSystem kid="${KID}"`, "<cpix:DRMSystem"),
      { reason: "missing-attribute", element: "DRMSystem", attribute: "kid", path: DRM_SYSTEM },
    ],
    [
      "ContentKeyUsageRule without kid",
      edit(`<cpix:ContentKeyUsageRule kid="${KID}"`, "<cpix:ContentKeyUsageRule"),
      { reason: "missing-attribute", element: "ContentKeyUsageRule", attribute: "kid", path: RULE },
    ],
    [
      "KeyPeriodFilter without periodId",
      edit('<cpix:KeyPeriodFilter periodId="period-1"/>', "<cpix:KeyPeriodFilter/>"),
      { reason: "missing-attribute", element: "KeyPeriodFilter", attribute: "periodId", path: `${RULE}/KeyPeriodFilter[1]` },
    ],
    [
      "PlainValue not base64",
      edit(KEY_VALUE, "not*base64!"),
      { reason: "invalid-element", element: "PlainValue", rule: "must be base64", path: `${CONTENT_KEY}/Data/Secret/PlainValue` },
    ],
    [
      "PlainValue of 15 bytes",
      edit(KEY_VALUE, "AAAAAAAAAAAAAAAAAAAA"),
      {
        reason: "invalid-element",
        element: "PlainValue",
        rule: "must be base64 of 16 bytes, got 15",
        path: `${CONTENT_KEY}/Data/Secret/PlainValue`,
      },
    ],
    [
      "explicitIV of 12 bytes",
      edit("OFj2IjCsPJFfMAxmQxLGPw==", "AAAAAAAAAAAAAAAA"),
      {
        reason: "invalid-attribute",
        element: "ContentKey",
        attribute: "explicitIV",
        rule: "must be 8 or 16 bytes, got 12",
        path: CONTENT_KEY,
      },
    ],
    [
      "explicitIV not base64",
      edit("OFj2IjCsPJFfMAxmQxLGPw==", "OFj2IjCsPJFf%AxmQxLGPw=="),
      { reason: "invalid-attribute", element: "ContentKey", attribute: "explicitIV", rule: "must be base64", path: CONTENT_KEY },
    ],
    [
      "X509Certificate not base64",
      edit(
        "<cpix:ContentKeyList>",
        '<cpix:DeliveryDataList><cpix:DeliveryData><cpix:DeliveryKey><ds:X509Data xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Certificate>MIIF...</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData></cpix:DeliveryDataList><cpix:ContentKeyList>',
      ),
      {
        reason: "invalid-element",
        element: "X509Certificate",
        rule: "must be base64",
        path: "CPIX/DeliveryDataList/DeliveryData[1]/DeliveryKey/X509Data[1]/X509Certificate[1]",
      },
    ],
    [
      "unknown commonEncryptionScheme",
      edit('commonEncryptionScheme="cbcs"', 'commonEncryptionScheme="abcd"'),
      {
        reason: "invalid-attribute",
        element: "ContentKey",
        attribute: "commonEncryptionScheme",
        rule: "must be one of cenc, cbc1, cens, cbcs, AES-128, SAMPLE-AES, SAMPLE-AES-CTR",
        path: CONTENT_KEY,
      },
    ],
    [
      "unknown HLS playlist",
      edit('playlist="master"', 'playlist="main"'),
      {
        reason: "invalid-attribute",
        element: "HLSSignalingData",
        attribute: "playlist",
        rule: "must be one of media, master, multiVariant, variant",
        path: `${DRM_SYSTEM}/HLSSignalingData[2]`,
      },
    ],
    [
      "the same HLS playlist twice",
      edit('playlist="master"', 'playlist="media"'),
      {
        reason: "invalid-attribute",
        element: "HLSSignalingData",
        attribute: "playlist",
        rule: "must differ between the HLSSignalingData of one DRMSystem",
        path: `${DRM_SYSTEM}/HLSSignalingData[2]`,
      },
    ],
    [
      "two PSSH in one DRMSystem",
      edit('<cpix:HLSSignalingData playlist="media"/>', '<cpix:PSSH/><cpix:HLSSignalingData playlist="media"/>'),
      { reason: "invalid-element", element: "PSSH", rule: "must occur at most once", path: `${DRM_SYSTEM}/PSSH[2]` },
    ],
    [
      "two ContentKeyLists",
      edit("<cpix:DRMSystemList>", "<cpix:ContentKeyList/><cpix:DRMSystemList>"),
      { reason: "invalid-element", element: "ContentKeyList", rule: "must occur at most once", path: "CPIX/ContentKeyList[2]" },
    ],
    [
      "VideoFilter minPixels not an integer",
      edit('minPixels="0"', 'minPixels="small"'),
      {
        reason: "invalid-attribute",
        element: "VideoFilter",
        attribute: "minPixels",
        rule: "must be an integer",
        path: `${RULE}/VideoFilter[1]`,
      },
    ],
    [
      "VideoFilter hdr not a boolean",
      edit('hdr="false"', 'hdr="no"'),
      {
        reason: "invalid-attribute",
        element: "VideoFilter",
        attribute: "hdr",
        rule: "must be true, false, 1 or 0",
        path: `${RULE}/VideoFilter[1]`,
      },
    ],
    [
      "ContentKeyPeriod index not an integer",
      edit('index="1"', 'index="one"'),
      {
        reason: "invalid-attribute",
        element: "ContentKeyPeriod",
        attribute: "index",
        rule: "must be an integer",
        path: "CPIX/ContentKeyPeriodList/ContentKeyPeriod[1]",
      },
    ],
    [
      "ContentKeyPeriod start not a dateTime",
      edit('start="2024-01-01T00:00:00Z"', 'start="2024-01-01"'),
      {
        reason: "invalid-attribute",
        element: "ContentKeyPeriod",
        attribute: "start",
        rule: "must be an xs:dateTime",
        path: "CPIX/ContentKeyPeriodList/ContentKeyPeriod[1]",
      },
    ],
    [
      "DeliveryData without DeliveryKey",
      edit("<cpix:ContentKeyList>", "<cpix:DeliveryDataList><cpix:DeliveryData/></cpix:DeliveryDataList><cpix:ContentKeyList>"),
      { reason: "missing-element", element: "DeliveryKey", path: "CPIX/DeliveryDataList/DeliveryData[1]/DeliveryKey" },
    ],
  ])("%s", (_case, xml, failure) => {
    expect(failureOf(xml)).toEqual(failure);
  });

  it("reads undecodable DRM signalling as an empty placeholder: the key provider fills it, never uses it", () => {
    const result = readCpix(utf8(edit(/<cpix:PSSH>[^<]*</, "<cpix:PSSH>AAAA...A=<")));
    expect(result.ok && result.document.drmSystemList!.items[0]!.pssh).toEqual(new Uint8Array());
  });

  it("never puts a key value or the body into a failure", () => {
    const failure = failureOf(edit(KEY_VALUE, "AAAAAAAAAAAAAAAAAAAA"));
    expect(JSON.stringify(failure)).not.toContain("AAAAAAAAAAAAAAAAAAAA");
    expect(describeCpixReadFailure(failure)).toBe(`PlainValue must be base64 of 16 bytes, got 15 (${CONTENT_KEY}/Data/Secret/PlainValue)`);
  });
});

describe("a document that is not CPIX", () => {
  it.each([
    [
      "another vocabulary",
      '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"/>',
      "the root element is {urn:mpeg:dash:schema:mpd:2011}MPD, expected {urn:dashif:org:cpix}CPIX",
    ],
    ["CPIX without its namespace", "<CPIX/>", "the root element is {}CPIX, expected {urn:dashif:org:cpix}CPIX"],
    [
      "CPIX in the SPEKE namespace",
      '<s:CPIX xmlns:s="urn:aws:amazon:com:speke"/>',
      "the root element is {urn:aws:amazon:com:speke}CPIX, expected {urn:dashif:org:cpix}CPIX",
    ],
  ])("refuses %s as not-cpix", (_case, xml, detail) => {
    expect(failureOf(xml)).toEqual({ reason: "not-cpix", detail });
  });
});

describe("malformed XML is refused, saying where", () => {
  it.each([
    [
      "an unterminated start tag",
      VALID.replace(/<\/cpix:CPIX>\s*$/, '<cpix:UpdateHistoryItemList id="x"'),
      /^line 24, column 1: malformed or unterminated start tag$/,
    ],
    [
      "an end tag that does not match",
      edit("</cpix:ContentKeyList>", "</cpix:ContentKeyLis>"),
      /^line 7, column 3: end tag <\/cpix:ContentKeyLis> does not match <cpix:ContentKeyList> opened at line 3, column 3$/,
    ],
    ["an element left open", VALID.replace(/<\/cpix:CPIX>\s*$/, ""), /is not closed$/],
    [
      "a bare ampersand",
      edit('contentId="content-1"', 'contentId="a&b"'),
      /^line 2, column 1: attribute contentId has a bare & or an undefined entity$/,
    ],
    ["an undefined entity", edit("<cpix:PSSH>", "<cpix:PSSH>&nbsp;"), /^line 10, column 18: a bare & or an undefined entity$/],
    ["a duplicated attribute", edit('version="2.3"', 'version="2.3" version="2.4"'), /attribute version appears twice$/],
    ["a second root element", `${VALID}<cpix:CPIX/>`, /a second root element$/],
    ["text after the root element", `${VALID}trailing`, /text outside the root element$/],
    [
      "an undeclared prefix",
      edit("<cpix:PSSH>", "<ds:PSSH>").replace("</cpix:PSSH>", "</ds:PSSH>"),
      /^line 10, column 7: namespace prefix "ds" of ds:PSSH is not declared$/,
    ],
    ["an empty body", "", /^line 1, column 1: the document has no root element$/],
    ["a control character", edit("content-1", "content\u0001"), /character U\+0001 is not allowed in XML$/],
    ["an XML declaration that is not first", ` ${VALID}`, /the XML declaration must be at the very start$/],
    [
      "an unterminated comment",
      edit("<cpix:DRMSystemList>", "<!-- <cpix:DRMSystemList>").replace(/<\/cpix:CPIX>\s*$/, ""),
      /unterminated comment$/,
    ],
  ])("refuses %s", (_case, xml, detail) => {
    const failure = failureOf(xml);
    expect(failure.reason).toBe("malformed-xml");
    expect(failure.reason === "malformed-xml" && failure.detail).toMatch(detail);
  });

  it("refuses bytes that are not UTF-8", () => {
    expect(readCpix(Uint8Array.of(...utf8('<CPIX a="'), 0xff, 0xfe, 0x00, ...utf8('"/>')))).toEqual({
      ok: false,
      failure: { reason: "malformed-xml", detail: "line 1, column 10: the body is not valid UTF-8" },
    });
  });
});

describe("well-formed XML using features the service refuses", () => {
  it.each([
    [
      "a DTD (entity expansion)",
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>`,
      "line 1, column 22: document type declarations (DTDs) are not accepted",
    ],
    [
      "a declared encoding other than UTF-8/UTF-16",
      `<?xml version="1.0" encoding="ISO-8859-1"?><x/>`,
      "declared encoding ISO-8859-1 is not supported (UTF-8 or UTF-16 only)",
    ],
    [
      "nesting deeper than 64 levels",
      `${"<a>".repeat(65)}${"</a>".repeat(65)}`,
      "line 1, column 193: elements are nested deeper than 64 levels",
    ],
  ])("refuses %s as unsupported-xml", (_case, xml, detail) => {
    expect(failureOf(xml)).toEqual({ reason: "unsupported-xml", detail });
  });
});
