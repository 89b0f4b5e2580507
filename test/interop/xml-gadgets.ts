/**
 * Mutated real documents for the XML differential test (issue 24): every CPIX sample in test/fixtures/cpix/samples
 * and every other .xml, .cpix and .pskcxml fixture, with gadgets put at tag/text boundaries and inside start tags.
 * The gadgets aim at where two XML readers can build different trees from the same bytes: a processing instruction
 * ends at the first `?>` (XML 1.0 §2.6) whatever quotes its data holds, a comment holds no `--` (§2.5), CDATA ends
 * at the first `]]>` (§2.7), attribute values are normalised (§3.3.3), line ends are normalised (§2.11), attribute
 * names are unique after namespace expansion (Namespaces 1.0 §6.3); plus XML declarations in odd forms and places,
 * BOMs and UTF-16, and truncated or byte-damaged documents. A case is data: it shrinks and replays from a seed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";

/** A document the gadgets start from, decoded (BOM removed), with where gadgets may go. */
export interface GadgetFixture {
  readonly name: string;
  readonly text: string;
  /** Offsets before a `<` and after a `>` of markup: where content (PIs, comments, CDATA, text, elements) may go. */
  readonly boundaries: readonly number[];
  /** Offsets inside start tags (after the name, after each attribute): where attributes may go. */
  readonly inTag: readonly InTagPoint[];
  /** The XML declaration's extent, when the document has one. */
  readonly declaration?: { readonly start: number; readonly end: number };
}

export interface InTagPoint {
  readonly offset: number;
  /** The names of the attributes the start tag already has (for duplicates). */
  readonly attributes: readonly string[];
}

/** One mutated document. */
export interface XmlCase {
  readonly fixture: string;
  /** The document as text before encoding (for messages), and where its first gadget went. */
  readonly text: string;
  readonly focus: number;
  /** The bytes under test. */
  readonly bytes: Uint8Array;
  /** What was done, step by step, for messages. */
  readonly steps: readonly string[];
}

const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), "../fixtures");

/** Every .xml, .cpix and .pskcxml file under test/fixtures, in a fixed order (so a seed replays the same documents). */
export const GADGET_FIXTURES: readonly GadgetFixture[] = (readdirSync(FIXTURES_DIR, { recursive: true }) as string[])
  .filter((name) => /\.(xml|cpix|pskcxml)$/.test(name))
  .sort()
  .map((name) => fixtureOf(name, new Uint8Array(readFileSync(join(FIXTURES_DIR, name)))));

function decode(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  return new TextDecoder("utf-8").decode(bytes);
}

/** Scans a well-formed fixture for insertion points (a plain scan: the fixtures are well-formed). */
export function fixtureOf(name: string, bytes: Uint8Array): GadgetFixture {
  // Text, encoded again below as the case says: a UTF-16 fixture's declaration names UTF-8 like the others.
  const text = decode(bytes).replace(/^(<\?xml[^>]*encoding\s*=\s*["'])utf-16/i, "$1UTF-8");
  const boundaries: number[] = [];
  const inTag: InTagPoint[] = [];
  let declaration: { start: number; end: number } | undefined;
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("<", i);
    if (open < 0) break;
    boundaries.push(open);
    let end: number;
    if (text.startsWith("<!--", open)) end = text.indexOf("-->", open) + 3;
    else if (text.startsWith("<![CDATA[", open)) end = text.indexOf("]]>", open) + 3;
    else if (text.startsWith("<?", open)) {
      end = text.indexOf("?>", open) + 2;
      if (/^<\?xml[\s?]/.test(text.slice(open, open + 6))) declaration = { start: open, end };
    } else if (text.startsWith("<!", open)) end = text.indexOf(">", open) + 1;
    else if (text.startsWith("</", open)) end = text.indexOf(">", open) + 1;
    else end = scanStartTag(text, open, inTag);
    if (end <= open) throw new Error(`${name}: unterminated markup at ${open}`);
    boundaries.push(end);
    i = end;
  }
  return { name, text, boundaries, inTag, declaration };
}

function scanStartTag(text: string, open: number, inTag: InTagPoint[]): number {
  const attributes: string[] = [];
  const offsets: number[] = [];
  let i = open + 1;
  while (i < text.length && !/[\s/>]/.test(text[i]!)) i++;
  offsets.push(i);
  for (;;) {
    while (/\s/.test(text[i]!)) i++;
    if (text[i] === ">" || text[i] === "/") break;
    const nameStart = i;
    while (!/[\s=]/.test(text[i]!)) i++;
    attributes.push(text.slice(nameStart, i));
    i = text.indexOf("=", i) + 1;
    while (/\s/.test(text[i]!)) i++;
    i = text.indexOf(text[i]!, i + 1) + 1;
    offsets.push(i);
  }
  const end = text.indexOf(">", i) + 1;
  for (const offset of offsets) inTag.push({ offset, attributes });
  return end;
}

const piece = (safe: readonly string[], breaking: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ arbitrary: fc.constantFrom(...safe), weight: 14 }, { arbitrary: fc.constantFrom(...breaking), weight: 1 });
const run = (p: fc.Arbitrary<string>, maxLength = 5): fc.Arbitrary<string> => fc.array(p, { maxLength }).map((a) => a.join(""));

const SPACE = [" ", "\t", "\n", "\r", "\r\n", "  "] as const;
/** Characters outside XML Char (§2.2) or discouraged, as raw text. */
const BAD_CHARS = ["\u0001", "\u0000", "\uFFFE", "\uFFFF", "\u001F", "\uD800"] as const;
const TAG_LIKE = ["<cpix:X>", "</cpix:X>", "<x/>", "<x>", "</x>"] as const;

/** PI data (§2.6): anything but `?>`; quotes do not protect a `?>`. */
const piData = run(
  piece(
    [
      "'",
      '"',
      "b='",
      'b="',
      "?",
      ">",
      "<",
      "&",
      "&amp;",
      "-->",
      "<!--",
      "]]>",
      "<![CDATA[",
      "=",
      "x",
      "é",
      "\u{1F600}",
      ...TAG_LIKE,
      ...SPACE,
    ],
    ["?>", "'?>", '"?>', ...BAD_CHARS],
  ),
);
/** Comment text (§2.5): anything but `--`, and not ending in `-`. */
const commentData = run(
  piece(
    ["'", '"', "<", ">", "&", "?>", "<?", "]]>", "<![CDATA[", "- ", " -", "- -", "x", "é", ...TAG_LIKE, ...SPACE],
    ["--", "-->", "--->", "-", "---", ...BAD_CHARS],
  ),
);
/** CDATA text (§2.7): anything but `]]>`. */
const cdataData = run(
  piece(
    ["]]", "]", "] ]>", "<", "&", "&amp;", "?>", "-->", "<!--", "<![CDATA[", "'", '"', ">", "x", "é", ...TAG_LIKE, ...SPACE],
    ["]]>", "]]]>", ...BAD_CHARS],
  ),
);
/** Character data (§2.4) and references (§4.1). */
const textData = run(
  piece(
    [
      ...[
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&apos;",
        "&#9;",
        "&#10;",
        "&#13;",
        "&#x20;",
        "&#xD;&#xA;",
        "&#65;",
        "&#x10FFFF;",
        "&#x1F600;",
      ],
      ...[">", "]]", "]", "] ]>", "'", '"', "?>", "-->", "x", "é", "\u{1F600}", "\u0085", "\u2028"],
      ...SPACE,
    ],
    [
      ...["]]>", "&", "<", "&bogus;", "&#0;", "&#x1;", "&#xD800;", "&#xFFFE;", "&#x110000;", "&#99999999999;", "&#4294967306;"],
      ...["&#;", "&#x;", "&#X41;", "&#65", "&#x-1;", ...BAD_CHARS],
    ],
  ),
);
/** An attribute value's text between quotes `quote` (§2.3, §3.3.3). */
const attributeData = (quote: string): fc.Arbitrary<string> =>
  run(
    piece(
      [
        ...["\t", "\n", "\r", "\r\n", "  ", "&#9;", "&#10;", "&#13;", "&#x20;", "&#xD;&#xA;", "&#x9;", "&#32;"],
        ...[">", "]]>", "?>", "-->", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", quote === '"' ? "'" : '"', "x", "é", "urn:x"],
      ],
      [quote, "<", "&", "&bogus;", "&#0;", "&#xFFFE;", ...BAD_CHARS],
    ),
  );

const NAMES = ["a", "b", "x", "id", "kid", "é", "a.b", "_x", "a-b", "·x"] as const;
const BAD_NAMES = ["1a", "-a", ":a", "a:", "a:b:c", "xmlns:", "a b"] as const;
const URIS = [
  "urn:u",
  "urn:dashif:org:cpix",
  "http://www.w3.org/2000/09/xmldsig#",
  "urn:ietf:params:xml:ns:keyprov:pskc",
  "urn:U",
] as const;
const BAD_URIS = ["", "rel", "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2000/xmlns/", "a b", "#frag"] as const;

const quote = fc.constantFrom('"', "'");
const space = fc.constantFrom(...SPACE);
const optionalSpace = fc.constantFrom("", " ", "\t", "\n", "\r\n", "\r");

/** `name = "value"` with the spacing and quoting of §2.3/§3.1, the value drawn for its quote. */
const attribute = (name: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(fc.oneof({ arbitrary: space, weight: 8 }, { arbitrary: fc.constant(""), weight: 1 }), name, optionalSpace, optionalSpace, quote)
    .chain(([lead, n, before, after, q]) => attributeData(q).map((value) => `${lead}${n}${before}=${after}${q}${value}${q}`));

const plainAttribute = attribute(
  fc.oneof(
    { arbitrary: fc.constantFrom(...NAMES), weight: 6 },
    { arbitrary: fc.constantFrom("xml:lang", "xml:space", "xml:id", "p:x", "cpix:x"), weight: 2 },
    { arbitrary: fc.constantFrom(...BAD_NAMES, "q:x", "xmlns:xml", "xmlns:xmlns", "xml:x:y"), weight: 1 },
  ),
);

/** Namespace declarations and duplicates after expansion (Namespaces 1.0 §3, §6.3). */
const namespaceGadget: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...URIS), fc.constantFrom(...URIS)).map(([u, v]) => ` xmlns:a="${u}" xmlns:b="${v}" a:x="1" b:x="2"`),
  fc.constantFrom(...URIS).map((u) => ` xmlns:p="${u}" p:x="1"`),
  fc.constantFrom(...URIS).map((u) => ` xmlns:c2="${u}" c2:id="1" cpix:id="2"`),
  fc.constantFrom(...URIS, ...BAD_URIS).map((u) => ` xmlns="${u}"`),
  fc.constantFrom(...URIS, ...BAD_URIS).map((u) => ` xmlns:p="${u}"`),
  fc.constantFrom(...BAD_URIS).map((u) => ` xmlns:xml="${u}"`),
  fc.constant(` xmlns:xml="http://www.w3.org/XML/1998/namespace"`),
  fc.constant(` q:x="1"`),
  fc.constant(` xmlns:p="urn:p" xmlns:p="urn:q"`),
  fc.constant(` xmlns="urn:a" xmlns="urn:a"`),
);

/** Something for a start tag: an attribute, a namespace gadget, a duplicate of an attribute the tag has, or junk. */
const tagGadget: fc.Arbitrary<TagGadget> = fc.oneof(
  { arbitrary: plainAttribute.map((text) => ({ kind: "text" as const, text })), weight: 6 },
  { arbitrary: namespaceGadget.map((text) => ({ kind: "text" as const, text })), weight: 3 },
  { arbitrary: fc.nat().map((which) => ({ kind: "duplicate" as const, which })), weight: 2 },
  {
    arbitrary: fc
      .constantFrom(" /", " >", " <", " ?>", " -->", ' ""', " a", " a=", " a=b", ' ="x"')
      .map((text) => ({ kind: "text" as const, text })),
    weight: 1,
  },
);

type TagGadget = { readonly kind: "text"; readonly text: string } | { readonly kind: "duplicate"; readonly which: number };

const PI_TARGETS = ["a", "p", "target", "xml-stylesheet", "xml-foo", "é", "_"] as const;
const BAD_PI_TARGETS = ["xml", "XML", "Xml", "xMl", "a:b", "1a", ""] as const;

const processingInstruction = fc
  .tuple(
    fc.oneof({ arbitrary: fc.constantFrom(...PI_TARGETS), weight: 6 }, { arbitrary: fc.constantFrom(...BAD_PI_TARGETS), weight: 1 }),
    fc.constantFrom("", " ", "\t", "\n", "\r\n", "  "),
    piData,
  )
  .map(([target, sep, data]) => `<?${target}${sep}${data}?>`);

/** The reader-confusion family of the txml report: a quoted value in a PI, comment or CDATA that runs past its end. */
const SMUGGLERS = [
  "<?a b='?><cpix:X>'?></cpix:X>",
  '<?a b="?><cpix:X>"?></cpix:X>',
  "<?a b='?>'?>",
  "<?a '?><x/><?a '?>",
  "<!-- a='--><cpix:X>'--></cpix:X>",
  "<!-- '--><x/><!-- '-->",
  "<![CDATA[ ']]><x>' ]]></x>",
  "<![CDATA[ ]]]]><![CDATA[> ]]>",
  "<?a <!-- ?>--><x/>",
  "<!-- <?a --> ?><x/>",
  "<![CDATA[<?a ]]>?>",
  "<x a='?>'/>",
  "<x a='-->'/>",
  "<x a=']]>'/>",
] as const;

const ELEMENT_NAMES = ["x", "cpix:X", "é", "x.y", "p:e"] as const;

const element: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.constantFrom(...ELEMENT_NAMES), weight: 6 },
      { arbitrary: fc.constantFrom("q:e", "1x", "xmlns:e", ":e"), weight: 1 },
    ),
    fc.array(fc.oneof({ arbitrary: plainAttribute, weight: 3 }, { arbitrary: namespaceGadget, weight: 1 }), { maxLength: 3 }),
    fc.option(textData, { nil: undefined }),
    optionalSpace,
  )
  .map(([name, attributes, content, trailing]) =>
    content === undefined
      ? `<${name}${attributes.join("")}${trailing}/>`
      : `<${name}${attributes.join("")}${trailing}>${content}</${name}>`,
  );

/** XML declarations (§2.8, §4.3.1) in good, odd and wrong forms, and things that look like one. */
const DECLARATIONS = [
  '<?xml version="1.0"?>',
  "<?xml version='1.0' encoding='utf-8'?>",
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
  '<?xml version="1.0" standalone="no"?>',
  '<?xml version = "1.0" encoding = "UTF-8" ?>',
  '<?xml\tversion="1.0"\r\n?>',
  '<?xml\nversion="1.0"\nencoding="UTF-8"\n?>',
  '<?xml version="1.1"?>',
  '<?xml version="1.0" encoding="UTF-16"?>',
  '<?xml version="1.0" encoding="utf-16le"?>',
  '<?xml version="1.0" encoding="ISO-8859-1"?>',
  '<?xml version="1.0" encoding="US-ASCII"?>',
  '<?xml version="1.0" encoding="utf8"?>',
  '<?xml version="2.0"?>',
  '<?xml encoding="UTF-8"?>',
  '<?xml version="1.0" standalone="maybe"?>',
  '<?xml version="1.0" standalone="yes" encoding="UTF-8"?>',
  '<?xml version="1.0" encoding="UTF-8"',
  "<?xml version='1.0\"?>",
  "<?xml?>",
  "<?xml ?>",
  '<?XML version="1.0"?>',
  ' <?xml version="1.0"?>',
  '\r\n<?xml version="1.0"?>',
  '<?xml version="1.0"?><?xml version="1.0"?>',
  '<?xml version="1.0"?>\r\n',
  '<?xml-stylesheet type="text/xsl" href="a.xsl"?>',
  '<?xml version="1.0"?><!DOCTYPE CPIX>',
] as const;

const contentGadget: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: processingInstruction, weight: 5 },
  { arbitrary: commentData.map((d) => `<!--${d}-->`), weight: 4 },
  { arbitrary: cdataData.map((d) => `<![CDATA[${d}]]>`), weight: 4 },
  { arbitrary: textData, weight: 4 },
  { arbitrary: element, weight: 4 },
  { arbitrary: fc.constantFrom(...SMUGGLERS), weight: 3 },
  {
    arbitrary: fc
      .array(
        fc.oneof(
          processingInstruction,
          commentData.map((d) => `<!--${d}-->`),
          cdataData.map((d) => `<![CDATA[${d}]]>`),
        ),
        { minLength: 2, maxLength: 3 },
      )
      .map((a) => a.join("")),
    weight: 2,
  },
  { arbitrary: fc.constantFrom(...DECLARATIONS), weight: 1 },
);

type Gadget =
  | { readonly where: "content"; readonly at: number; readonly text: string }
  | { readonly where: "tag"; readonly at: number; readonly gadget: TagGadget }
  | { readonly where: "declaration"; readonly text: string };

const gadget: fc.Arbitrary<Gadget> = fc.oneof(
  { arbitrary: fc.tuple(fc.nat(), contentGadget).map(([at, text]) => ({ where: "content" as const, at, text })), weight: 5 },
  { arbitrary: fc.tuple(fc.nat(), tagGadget).map(([at, g]) => ({ where: "tag" as const, at, gadget: g })), weight: 4 },
  { arbitrary: fc.constantFrom("", ...DECLARATIONS).map((text) => ({ where: "declaration" as const, text })), weight: 1 },
);

type LineEnds = "as-is" | "LF" | "CRLF" | "CR";
type Encoding = "utf-8" | "utf-8-bom" | "utf-16le-bom" | "utf-16be-bom" | "utf-16le" | "utf-16be";
type Damage =
  | { readonly kind: "none" }
  | { readonly kind: "truncate" | "delete"; readonly at: number }
  | { readonly kind: "insert"; readonly at: number; readonly byte: number };

interface Recipe {
  readonly fixture: number;
  readonly gadgets: readonly Gadget[];
  readonly lineEnds: LineEnds;
  readonly encoding: Encoding;
  /** For UTF-16: the declaration's encoding rewritten to UTF-16, or kept as the fixture has it. */
  readonly declareUtf16: boolean;
  readonly damage: Damage;
}

const recipe: fc.Arbitrary<Recipe> = fc.record({
  fixture: fc.nat(),
  gadgets: fc.oneof(
    { arbitrary: fc.array(gadget, { minLength: 1, maxLength: 1 }), weight: 2 },
    fc.array(gadget, { minLength: 2, maxLength: 3 }),
  ),
  lineEnds: fc.constantFrom<LineEnds>("as-is", "as-is", "LF", "CRLF", "CR"),
  encoding: fc.oneof(
    { arbitrary: fc.constantFrom<Encoding>("utf-8", "utf-8-bom"), weight: 6 },
    { arbitrary: fc.constantFrom<Encoding>("utf-16le-bom", "utf-16be-bom", "utf-16le", "utf-16be"), weight: 1 },
  ),
  declareUtf16: fc.boolean(),
  damage: fc.oneof(
    { arbitrary: fc.constant<Damage>({ kind: "none" }), weight: 12 },
    {
      arbitrary: fc.tuple(fc.constantFrom("truncate" as const, "delete" as const), fc.nat()).map(([kind, at]) => ({ kind, at })),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => ({ kind: "insert" as const, at, byte })),
      weight: 1,
    },
  ),
});

/** Mutated fixture documents, each with its recipe written out (fixture, gadgets, line ends, encoding, damage). */
export const xmlCase: fc.Arbitrary<XmlCase> = recipe.map(build);

function build(r: Recipe): XmlCase {
  const fixture = GADGET_FIXTURES[r.fixture % GADGET_FIXTURES.length]!;
  const edits: { start: number; end: number; text: string; step: string }[] = [];
  for (const g of r.gadgets) {
    if (g.where === "content") {
      const at = fixture.boundaries[g.at % fixture.boundaries.length] ?? 0;
      edits.push({ start: at, end: at, text: g.text, step: `content at ${at}: ${JSON.stringify(g.text)}` });
    } else if (g.where === "tag") {
      const point = fixture.inTag[g.at % fixture.inTag.length]!;
      const text =
        g.gadget.kind === "text"
          ? g.gadget.text
          : point.attributes.length > 0
            ? ` ${point.attributes[g.gadget.which % point.attributes.length]}="dup"`
            : ` a="1" a="2"`;
      edits.push({ start: point.offset, end: point.offset, text, step: `start tag at ${point.offset}: ${JSON.stringify(text)}` });
    } else {
      const d = fixture.declaration ?? { start: 0, end: 0 };
      edits.push({ start: d.start, end: d.end, text: g.text, step: `declaration at ${d.start} replaced by ${JSON.stringify(g.text)}` });
    }
  }
  // Later offsets first, so each edit's offsets still hold; at one offset, the first gadget ends up first.
  const ordered = edits.map((e, i) => ({ ...e, i })).sort((a, b) => b.start - a.start || b.i - a.i);
  let text = fixture.text;
  let lastEnd = Infinity;
  for (const e of ordered) {
    if (e.end > lastEnd) continue; // a declaration replacement overlapping an insertion inside it: keep the insertion
    text = text.slice(0, e.start) + e.text + text.slice(e.end);
    lastEnd = e.start;
  }
  const steps = [`fixture ${fixture.name}`, ...edits.map((e) => e.step)];
  if (r.lineEnds !== "as-is") {
    text = text.replace(/\r\n|\r|\n/g, { LF: "\n", CRLF: "\r\n", CR: "\r" }[r.lineEnds]);
    steps.push(`line ends ${r.lineEnds}`);
  }
  if (r.encoding.startsWith("utf-16") && r.declareUtf16) {
    text = text.replace(/^(<\?xml[^>]*encoding\s*=\s*["'])[^"']*/, "$1UTF-16");
    steps.push("declared encoding UTF-16");
  }
  steps.push(`encoded ${r.encoding}`);
  let bytes = encode(text, r.encoding);
  const damage = r.damage;
  if (damage.kind !== "none" && bytes.length > 0) {
    const at = damage.at % bytes.length;
    if (damage.kind === "truncate") bytes = bytes.slice(0, at);
    else if (damage.kind === "delete") bytes = concat(bytes.subarray(0, at), bytes.subarray(at + 1));
    else if (damage.kind === "insert") bytes = concat(bytes.subarray(0, at), Uint8Array.of(damage.byte), bytes.subarray(at));
    steps.push(damage.kind === "insert" ? `byte 0x${damage.byte.toString(16)} inserted at byte ${at}` : `${damage.kind} at byte ${at}`);
  }
  const focus = edits.length > 0 ? Math.min(...edits.map((e) => e.start)) : 0;
  const built: XmlCase = { fixture: fixture.name, text, focus, bytes, steps };
  // fast-check prints a counterexample with this: the steps and an excerpt, not 100 KB of bytes.
  return Object.assign(built, { [fc.toStringMethod]: () => describeCase(built) });
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function encode(text: string, encoding: Encoding): Uint8Array {
  if (encoding === "utf-8") return new TextEncoder().encode(text);
  if (encoding === "utf-8-bom") return new TextEncoder().encode(`\uFEFF${text}`);
  const bom = encoding.endsWith("-bom");
  const bigEndian = encoding.startsWith("utf-16be");
  const units = bom ? `\uFEFF${text}` : text;
  const out = new Uint8Array(units.length * 2);
  for (let i = 0; i < units.length; i++) {
    const unit = units.charCodeAt(i); // lone surrogates stay lone: invalid UTF-16 on purpose
    out[2 * i + (bigEndian ? 0 : 1)] = unit >> 8;
    out[2 * i + (bigEndian ? 1 : 0)] = unit & 0xff;
  }
  return out;
}

/** The case for a message: its steps and ~400 characters of the text around its first gadget, escapes visible. */
export function describeCase(c: XmlCase): string {
  const from = Math.max(0, c.focus - 150);
  const excerpt = c.text.slice(from, from + 400);
  return `${c.steps.join("; ")}\n  text [${from}..${from + excerpt.length} of ${c.text.length}]: ${JSON.stringify(excerpt)}`;
}
