import fc from "fast-check";

/**
 * Odd values the fuzz generators put into attributes, text, JSON fields, query parameters and paths. Each carries
 * a `label` that describes it without repeating it, so a failure report names the kind of value, never the value.
 */
export interface WeirdText {
  readonly label: string;
  readonly text: string;
}

function fixed(kind: string, texts: readonly string[]): fc.Arbitrary<WeirdText> {
  return fc.constantFrom(...texts.map((text) => ({ label: `${kind}:${JSON.stringify(text).slice(0, 40)}`, text })));
}

function generated(kind: string, arbitrary: fc.Arbitrary<string>): fc.Arbitrary<WeirdText> {
  return arbitrary.map((text) => ({ label: `${kind}(${text.length})`, text }));
}

/** Integers past every bound: uint32, 2^53, 20 digits, signs, exponents, hex, blanks. */
export const weirdNumber: fc.Arbitrary<WeirdText> = fc.oneof(
  fixed("number", [
    "0",
    "-1",
    "1.5",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "99999999999999999999",
    "-99999999999999999999",
    "1e309",
    "-0",
    "NaN",
    "Infinity",
    "0x10",
    "+1",
    " 1 ",
    "",
  ]),
  generated("integer", fc.integer().map(String)),
  generated("bigint", fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String)),
);

function base64Of(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** Base64 that is not what a field wants: wrong lengths, bad padding, URL-safe, blanks, not base64 at all. */
export const weirdBase64: fc.Arbitrary<WeirdText> = fc.oneof(
  fixed("base64", [
    "",
    "=",
    "A",
    "AA",
    "AAA",
    "AA==",
    "A===",
    "====",
    "@@@@",
    "AAAA AAAA",
    "AAAA\nAAAA",
    "-_-_",
    "AAAA=AAA",
    "\u00e9\u00e9\u00e9\u00e9",
  ]),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ label: `base64-of-bytes(${bytes.length})`, text: base64Of(bytes) })),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => ({
    label: `base64url-of-bytes(${bytes.length})`,
    text: base64Of(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""),
  })),
);

/** UUID look-alikes: braces, case, no hyphens, the nil UUID, too short, too long. */
export const weirdUuid: fc.Arbitrary<WeirdText> = fc.oneof(
  generated("uuid", fc.uuid()),
  generated(
    "uuid-upper-braced",
    fc.uuid().map((uuid) => `{${uuid.toUpperCase()}}`),
  ),
  generated(
    "uuid-hex",
    fc.uuid().map((uuid) => uuid.replaceAll("-", "")),
  ),
  fixed("uuid", [
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "00000000-0000-0000-0000-00000000000",
    "00000000-0000-0000-0000-0000000000000",
    "g0000000-0000-0000-0000-000000000000",
    "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",
    "9a04f079-9840-4286-ab92-e65be0885f95",
    "94ce86fb-07ff-4f43-adb8-93d2fa968ca2",
    "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b",
  ]),
);

/** Character and entity references, markup characters, control characters and unpaired surrogates. */
export const weirdReference: fc.Arbitrary<WeirdText> = fixed("reference", [
  "&#0;",
  "&#x0;",
  "&#xD800;",
  "&#xFFFE;",
  "&#1114112;",
  "&#x110000;",
  "&#99999999999999999999;",
  "&#x41;",
  "&#65;",
  "&amp;",
  "&lt;",
  "&foo;",
  "&",
  "<",
  ">",
  "]]>",
  '"',
  "'",
  "\u0000",
  "\u0001",
  "\ud800",
  "\ufeff",
  "\r\n",
]);

/** Dates from far past and future, and not dates. */
export const weirdDate: fc.Arbitrary<WeirdText> = fixed("date", [
  "2024-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "0000-01-01T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.001Z",
  "2024-13-45T99:99:99Z",
  "2024-01-01",
  "yesterday",
]);

/** Words the protocols know, so mutations also land on valid-looking but mismatched values. */
export const protocolWord: fc.Arbitrary<WeirdText> = fixed("word", [
  "cenc",
  "cbcs",
  "cens",
  "cbc1",
  "CENC",
  "CBCS",
  "true",
  "false",
  "TRUE",
  "1",
  "2.0",
  "2.1",
  "2.3",
  "2.4",
  "PRESET-VIDEO-1",
  "PRESET-AUDIO-1",
  "SD",
  "HD",
  "UHD1",
  "AUDIO",
  "WIDEVINE",
  "PLAYREADY",
  "FAIRPLAY",
  "widevine",
  "playready",
  "fairplay",
  "clearkey",
]);

/** Random unicode (whole graphemes, or any UTF-16 code units including lone surrogates). */
export const randomUnicode: fc.Arbitrary<WeirdText> = fc.oneof(
  generated("unicode", fc.string({ unit: "grapheme", maxLength: 40 })),
  generated("code-units", fc.string({ unit: "binary", maxLength: 40 })),
  generated("ascii", fc.string({ maxLength: 40 })),
);

/** Very long text: over the 256-character name bounds, over 8 KiB (URL and header limits), now and then over 64 KiB. */
export const longText: fc.Arbitrary<WeirdText> = fc
  .oneof({ weight: 6, arbitrary: fc.constantFrom(257, 8193) }, { weight: 1, arbitrary: fc.constant(70_000) })
  .chain((length) =>
    fc.constantFrom("A", "\u00e9", "\ud83d\ude00").map((unit) => ({ label: `long(${length})`, text: unit.repeat(length) })),
  );

const shortKinds = [
  { weight: 3, arbitrary: weirdNumber },
  { weight: 3, arbitrary: weirdBase64 },
  { weight: 2, arbitrary: weirdUuid },
  { weight: 2, arbitrary: weirdReference },
  { weight: 1, arbitrary: weirdDate },
  { weight: 2, arbitrary: protocolWord },
  { weight: 3, arbitrary: randomUnicode },
];

/** Any of the above but the long texts: for URLs, where a long value only meets the URL limit. */
export const weirdShortText: fc.Arbitrary<WeirdText> = fc.oneof(...shortKinds);

/** Any of the above. */
export const weirdText: fc.Arbitrary<WeirdText> = fc.oneof(...shortKinds, { weight: 1, arbitrary: longText });

/** Visible ASCII only, as header values must be (RFC 9110 §5.5): fetch clients refuse anything else. */
export const weirdHeaderText: fc.Arbitrary<WeirdText> = fc.oneof(
  weirdNumber,
  protocolWord,
  generated(
    "ascii",
    fc.string({ maxLength: 40 }).map((text) => text.replace(/[^\x20-\x7e]/g, "?")),
  ),
);

/** Object keys beyond an endpoint's fields: prototype names, case variants, unicode. */
export const weirdKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "", " ", "id", "ID", "data", "isDefault"),
  fc.string({ maxLength: 12 }),
);
