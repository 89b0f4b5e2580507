/**
 * What the service writes is well-formed XML: character references outside XML 1.0 §2.2 Char, namespace
 * declarations Namespaces in XML 1.0 forbids, and names that cannot be written back as qualified names are refused
 * with 400 saying where; every value that is echoed (contentId, ids, labels, attributes of usage rules and
 * DRMSystems, extension text) is escaped so the answer reads back to the same values; the writer itself refuses
 * a character no XML can carry. Property: whatever the reader accepts of a mutated real sample, the writer's
 * output reads back to the same document.
 */
import { describe, expect, it } from "vitest";
import { utf8 } from "../../src/domain/bytes";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { playReadyLaUrlProblem } from "../../src/drm/playready";
import { readCpix } from "../../src/cpix/reader";
import { writeCpix } from "../../src/cpix/writer";
import { decodeXmlBytes } from "../../src/xml/decode";
import { api, BASE } from "./support/api";
import { KID } from "./support/cpix-requests";
import { SAMPLES } from "./support/samples";
import { sharedTenants } from "./support/shared-tenant";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";
import { SELF } from "cloudflare:test";

/** A plain CPIX request; `root` adds root attributes, `key` ContentKey attributes, `inside` children of the DRMSystem. */
function request({ root = "", key = "", inside = "" }: { root?: string; key?: string; inside?: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" contentId="c"${root}>
  <cpix:ContentKeyList><cpix:ContentKey kid="${KID}"${key}/></cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="${KID}" systemId="${SYSTEM_IDS.widevine}"><cpix:PSSH/>${inside}</cpix:DRMSystem>
  </cpix:DRMSystemList>
</cpix:CPIX>`;
}

/** "line L, column C" of `index` in `xml`, as the reader reports positions. */
function position(xml: string, index: number): string {
  const lineStart = xml.lastIndexOf("\n", index - 1) + 1;
  return `line ${xml.slice(0, index).split("\n").length}, column ${index - lineStart + 1}`;
}

/** The position of the first `needle` in `xml`. */
function at(xml: string, needle: string): string {
  const index = xml.indexOf(needle);
  if (index === -1) throw new Error(`${needle} not in the request`);
  return position(xml, index);
}

/** The position where the value of the first `name="…"` attribute starts. */
function valueOf(xml: string, name: string): string {
  return at(xml, `${name}="`).replace(/\d+$/, (column) => String(Number(column) + name.length + 2));
}

/** Refusals and round trips do not depend on what the tenant answered before: tenants are shared (support/shared-tenant.ts). */
const tenants = sharedTenants();

async function post(body: string): Promise<Response> {
  return postCpix(await tenants.next(), "/api/Cpix", body);
}

describe("character references outside XML's Char production are refused with 400 saying where", () => {
  it.each([
    ["NUL in an attribute", "&#x0;", (ref: string) => request({ root: ` name="a${ref}b"` })],
    ["a lone high surrogate in an attribute", "&#xD800;", (ref: string) => request({ key: ` id="k${ref}"` })],
    ["a lone low surrogate in text", "&#xDFFF;", (ref: string) => request({ inside: `<x:e xmlns:x="urn:x">t${ref}</x:e>` })],
    ["U+FFFE in text", "&#xFFFE;", (ref: string) => request({ inside: `<x:e xmlns:x="urn:x">${ref}</x:e>` })],
    ["U+FFFF in an attribute", "&#65535;", (ref: string) => request({ root: ` name="${ref}"` })],
    ["a C0 control in decimal", "&#8;", (ref: string) => request({ key: ` contentId="${ref}"` })],
    ["the first code point past Unicode", "&#x110000;", (ref: string) => request({ root: ` name="${ref}"` })],
    ["a number past any code point", "&#99999999999999999999;", (ref: string) => request({ root: ` name="${ref}"` })],
  ])("%s", async (_case, reference, build) => {
    const xml = build(reference);
    const response = await post(xml);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      `Malformed XML: ${at(xml, reference)}: character reference ${reference} is not an XML character (XML 1.0 §2.2 Char)`,
    );
  });

  it("reads the Char boundaries and writes them back: tab, LF, CR, U+D7FF, U+E000, U+FFFD, U+10000, U+10FFFF", async () => {
    const value = "&#x9;&#xA;&#xD;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;";
    const response = await post(request({ root: ` name="${value}"` }));
    expect(response.status).toBe(200);
    const read = readCpix(utf8(await response.text()));
    expect(read.ok && read.document.name).toBe("\t\n\r\uD7FF\uE000\uFFFD\u{10000}\u{10FFFF}");
  });
});

describe("namespace declarations and names that cannot be written back are refused with 400 naming them", () => {
  const URI_RULE =
    'must be a URI reference, without spaces, controls or any of " < > \\ ^ ` { | } (Namespaces in XML 1.0 §2.2, RFC 3986 §2)';
  it.each([
    ["a URI with }", 'xmlns:e="urn:a}b"', `namespace declaration xmlns:e ${URI_RULE}`],
    ["a URI with { written as a reference", 'xmlns:e="urn:&#x7B;b"', `namespace declaration xmlns:e ${URI_RULE}`],
    ["a URI with < written as an entity", 'xmlns:e="urn:&lt;b"', `namespace declaration xmlns:e ${URI_RULE}`],
    ["a URI with a space", 'xmlns:e="urn:a b"', `namespace declaration xmlns:e ${URI_RULE}`],
    ["an empty URI for a prefix", 'xmlns:e=""', "namespace declaration xmlns:e must not be empty for a prefix (Namespaces in XML 1.0 §3)"],
    [
      "the xmlns prefix declared",
      'xmlns:xmlns="urn:x" xmlns:e="urn:e"',
      "namespace declaration xmlns:xmlns declares the reserved prefix xmlns (Namespaces in XML 1.0 §3)",
    ],
    [
      "the xml prefix bound elsewhere",
      'xmlns:xml="urn:x" xmlns:e="urn:e"',
      "namespace declaration xmlns:xml may only bind the prefix xml to http://www.w3.org/XML/1998/namespace (Namespaces in XML 1.0 §3)",
    ],
    [
      "the xmlns namespace bound to a prefix",
      'xmlns:e="http://www.w3.org/2000/xmlns/"',
      "namespace declaration xmlns:e binds a reserved namespace name (Namespaces in XML 1.0 §3)",
    ],
  ])("%s", async (_case, declarations, problem) => {
    const xml = request({ inside: `<e:x ${declarations}/>` });
    const response = await post(xml);
    expect(response.status).toBe(400);
    // Reported where the offending declaration's value starts.
    expect(await response.text()).toBe(`Malformed XML: ${valueOf(xml, declarations.split("=")[0]!)}: ${problem}`);
  });

  it.each([
    [
      "two colons in an element name",
      '<e:x:y xmlns:e="urn:e"/>',
      "<e:x:y",
      "element name e:x:y must be a prefix and a local name around one colon (Namespaces in XML 1.0 §3 QName)",
    ],
    [
      "an element name starting with a colon",
      "<:x/>",
      "<:x",
      "element name :x must be a prefix and a local name around one colon (Namespaces in XML 1.0 §3 QName)",
    ],
    [
      "a local name starting with a digit",
      '<e:1x xmlns:e="urn:e"/>',
      "<e:1x",
      "element name e:1x is not an XML name (XML 1.0 §2.3 Name, Namespaces in XML 1.0 §3 NCName)",
    ],
    [
      "a local name starting with a combining mark",
      '<e:\u0300x xmlns:e="urn:e"/>',
      "<e:\u0300x",
      "element name e:\u0300x is not an XML name (XML 1.0 §2.3 Name, Namespaces in XML 1.0 §3 NCName)",
    ],
    [
      "two colons in an attribute name",
      '<e:x xmlns:e="urn:e" e:y:z="1"/>',
      "e:y:z",
      "attribute name e:y:z must be a prefix and a local name around one colon (Namespaces in XML 1.0 §3 QName)",
    ],
  ])("%s", async (_case, element, needle, problem) => {
    const xml = request({ inside: element });
    const response = await post(xml);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(`Malformed XML: ${at(xml, needle)}: ${problem}`);
  });

  it("refuses two attributes with one expanded name (Namespaces in XML 1.0 §6.3), saying where", async () => {
    const xml = request({ inside: '<e:x xmlns:e="urn:e" xmlns:f="urn:e" e:y="1" f:y="2"/>' });
    const response = await post(xml);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      `Malformed XML: ${at(xml, "<e:x")}: two attributes of e:x have the expanded name of f:y (Namespaces in XML 1.0 §6.3)`,
    );
  });

  // The reader once sat on txml, which skipped an attribute name's first character unless it was a letter and read
  // script and style elements as raw text; those refusals went with it. One parser (src/xml/parse.ts) now reads
  // them as XML 1.0 does.
  it("reads an attribute name starting with an underscore like any other name (XML 1.0 §2.3 NameStartChar)", async () => {
    const response = await post(request({ key: ' _kid="00000000-0000-4000-8000-000000000000"' }));
    expect(response.status).toBe(200);
  });

  it.each(["<script></script >", '<style xmlns="urn:x"><a/></style>'])("reads %s as an element like any other", async (element) => {
    const response = await post(request({ inside: element }));
    expect(response.status).toBe(200);
  });
});

describe("every echoed value is escaped and reads back the same", () => {
  /** Every character XML treats specially, a CDATA end, and an astral character, written as references. */
  const TRICKY = "a&quot;b&lt;c&gt;d&amp;e&apos;f&#9;g&#10;h&#13;i]]&gt;j&#x1F600;k";
  const DECODED = "a\"b<c>d&e'f\tg\nh\ri]]>j\u{1F600}k";

  it("in CPIX@contentId and @name, ContentKey@id and @contentId, DRMSystem attributes, usage-rule labels and extension text", async () => {
    const xml = request({ root: ` name="${TRICKY}"`, key: ` id="${TRICKY}" contentId="${TRICKY}"` })
      .replace('contentId="c"', `contentId="${TRICKY}"`)
      .replace("<cpix:PSSH/>", `<cpix:PSSH/><x:e xmlns:x="urn:x" x:a="${TRICKY}">${TRICKY}<![CDATA[ ]]]]><![CDATA[> ]]></x:e>`)
      .replace(`systemId="${SYSTEM_IDS.widevine}"`, `systemId="${SYSTEM_IDS.widevine}" name="${TRICKY}" HLSAllowedCPC="${TRICKY}"`)
      .replace(
        "</cpix:CPIX>",
        `<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p" label="${TRICKY}"/></cpix:ContentKeyPeriodList>` +
          `<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="${KID}" intendedTrackType="${TRICKY}"><cpix:LabelFilter label="${TRICKY}"/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList></cpix:CPIX>`,
      );
    const response = await post(xml);
    expect(response.status).toBe(200);
    const answer = await response.text();
    expect(answer).not.toContain("]]>");
    const read = readCpix(utf8(answer));
    if (!read.ok) throw new Error(JSON.stringify(read.failure));
    const document = read.document;
    expect([document.contentId, document.name]).toEqual([DECODED, DECODED]);
    expect(document.contentKeyList!.items[0]).toMatchObject({ id: DECODED, contentId: DECODED });
    const system = document.drmSystemList!.items[0]!;
    expect([system.name, system.hlsAllowedCpc]).toEqual([DECODED, DECODED]);
    expect(system.extensions[0]).toMatchObject({
      attributes: [{ namespace: "urn:x", localName: "a", value: DECODED }],
      text: `${DECODED} ]]> `.trim(),
    });
    expect(document.contentKeyPeriodList!.items[0]!.label).toBe(DECODED);
    const rule = document.contentKeyUsageRuleList!.items[0]!;
    expect([rule.intendedTrackType, rule.labelFilters[0]!.label]).toEqual([DECODED, DECODED]);
  });

  it("GET /api/Cpix refuses a contentId no XML can carry with 422 naming the rule", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await SELF.fetch(`${BASE}/api/Cpix/a%00b`, { headers: { Authorization: tenant.authorization } });
    expect(response.status).toBe(422);
    expect(await response.text()).toBe("contentId must hold only characters XML allows (XML 1.0 §2.2 Char)");
  });

  it("PUT /api/Settings refuses a PlayReady LA_URL the WRMHEADER XML could not carry", async () => {
    expect(playReadyLaUrlProblem("https://license.example.com/\u0000")).toBe("must hold only characters XML allows (XML 1.0 §2.2 Char)");
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "PUT", "/api/Settings", { PlayReadyLaUrl: "https://license.example.com/\u0001" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "PlayReadyLaUrl must hold only characters XML allows (XML 1.0 §2.2 Char)" });
  });

  it.each([
    ["a NUL in an attribute", { contentId: "a\u0000b" }, "U+0000"],
    ["a lone surrogate in an attribute", { contentId: "a\uD800b" }, "U+D800"],
    ["U+FFFF in an attribute", { name: "\uFFFF" }, "U+FFFF"],
  ])("the writer refuses %s rather than write malformed XML", (_case, document, name) => {
    expect(() => writeCpix(document)).toThrow(new RangeError(`${name} cannot be written in XML (XML 1.0 §2.2 Char)`));
  });
});

describe("property: whatever the reader accepts of a mutated sample, the writer's output reads back to the same document", () => {
  /** Inserted into attribute values and text: references at and past Char's edges, markup characters, a CDATA end. */
  const VALUE_TOKENS = [
    "&#x0;",
    "&#x9;",
    "&#xA;",
    "&#xD;",
    "&#x1F;",
    "&#x20;",
    "&#x85;",
    "&#xA0;",
    "&#x2028;",
    "&#xD7FF;",
    "&#xD800;",
    "&#xDFFF;",
    "&#xE000;",
    "&#xFEFF;",
    "&#xFFFD;",
    "&#xFFFE;",
    "&#xFFFF;",
    "&#x10000;",
    "&#x10FFFF;",
    "&#x110000;",
    "&#1114111;",
    "&lt;",
    "&gt;",
    "&amp;",
    "&quot;",
    "&apos;",
    "]]&gt;",
    "]]>",
    "'",
    ">",
    "\t",
    "\r\n",
    "\u00A0",
    "\u{1F600}",
    "&",
    "<",
  ];
  /** Inserted before a DRMSystem's end tag: foreign elements with odd namespaces, names and content. */
  const ELEMENT_TOKENS = [
    '<q:x xmlns:q="urn:q}"/>',
    '<q:x xmlns:q="urn:q"/>',
    '<q:x xmlns:q="urn:&#x7D;"/>',
    '<q:x xmlns:q="urn:a b"/>',
    '<q:x xmlns:q=""/>',
    '<x xmlns=""/>',
    '<x xmlns="urn:d"><y a="1"/></x>',
    '<q:x:y xmlns:q="urn:q"/>',
    '<q:é xmlns:q="urn:q"/>',
    '<q:\u0300 xmlns:q="urn:q"/>',
    '<q:x xmlns:q="urn:q" q:a="1" b="&#x1F600;"/>',
    '<q:x xmlns:q="urn:q"><![CDATA[a]]>b]]></q:x>',
    '<q:x xmlns:q="urn:q" xmlns:r="urn:q" q:a="1" r:a="2"/>',
    '<q:x xmlns:q="urn:q" _a="1"/>',
    "<script></script >",
    '<q:x xmlns:q="http://www.w3.org/XML/1998/namespace"/>',
    '<q:x xmlns:q="urn:q" xml:lang="en"/>',
  ];

  /** A small deterministic generator (mulberry32), so a failure reproduces. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** One mutation of a sample: a token inserted into an attribute value, a text node, or a DRMSystem. */
  function mutate(text: string, next: () => number): string {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const kind = next();
    const sites =
      kind < 0.4
        ? [...text.matchAll(/="[^"]*"/g)].map((m) => m.index! + 2 + Math.floor(next() * (m[0].length - 2)))
        : kind < 0.7
          ? [...text.matchAll(/>[^<]+</g)].map((m) => m.index! + 1 + Math.floor(next() * (m[0].length - 1)))
          : [...text.matchAll(/<\/(?:\w+:)?DRMSystem>/g)].map((m) => m.index!);
    if (sites.length === 0) return text;
    const site = pick(sites);
    return text.slice(0, site) + pick(kind < 0.7 ? VALUE_TOKENS : ELEMENT_TOKENS) + text.slice(site);
  }

  const ROUNDS = 24;
  const tally = { tried: 0, accepted: 0 };

  it.each([...SAMPLES.keys()])("%s", (name) => {
    // As UTF-8 text: a UTF-16 sample's declaration is rewritten to match.
    const text = decodeXmlBytes(SAMPLES.get(name)!).replace(/encoding=(["'])UTF-16\1/i, 'encoding="UTF-8"');
    const next = random([...name].reduce((hash, c) => (Math.imul(hash, 31) + c.charCodeAt(0)) | 0, 7));
    for (let round = 0; round < ROUNDS; round++) {
      let mutated = text;
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) mutated = mutate(mutated, next);
      tally.tried++;
      const first = readCpix(utf8(mutated));
      if (!first.ok) continue;
      tally.accepted++;
      const written = writeCpix(first.document);
      const again = readCpix(utf8(written));
      if (!again.ok) throw new Error(`round ${round}: the answer does not read back: ${JSON.stringify(again.failure)}`);
      expect(again.document).toEqual(first.document);
    }
  });

  it("is not vacuous: the reader accepts a good share of the mutations", () => {
    expect(tally.tried).toBe(SAMPLES.size * ROUNDS);
    expect(tally.accepted / tally.tried).toBeGreaterThan(0.2);
  });
});
