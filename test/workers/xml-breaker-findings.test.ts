/**
 * Breaker findings, end to end in workerd. Cost: an `acquire` credential, no certificate and no
 * RequireSignedRequests needed (any ds:Signature child of CPIX is verified): a 1 MiB SPEKE v2 request whose
 * elements sit under 62 nested namespace scopes, signed "by" a Signature with two `Reference URI=""` whose exclusive
 * C14N transforms carry 16-prefix PrefixLists (prefixes bound on the root, digests computed by the attacker so the
 * second Reference is canonicalized too) costs ~7 s of CPU per request in workerd before the 422 (scratch timing,
 * not asserted). What is asserted is the work: Map lookups of the namespace scope chain per element.
 */
import { expect, it } from "vitest";
import { verifyCpixSignatures } from "../../src/cpix/security/signature-verify";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { canonicalizeDocument } from "../../src/xml/c14n";
import { parseXml } from "../../src/xml/parse";
import { SPEKE_V2 } from "./support/speke-v2-requests";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";
import { KID } from "./support/cpix-requests";
import { countMapLookups } from "./support/map-lookups";
import { keyEntries } from "./support/signed-requests";
const NS = "urn:dashif:org:cpix",
  DS = "http://www.w3.org/2000/09/xmldsig#",
  EXC = "http://www.w3.org/2001/10/xml-exc-c14n#";
const prefixes = (r: number) => Array.from({ length: 16 }, (_, i) => `z${r}x${i}`);
const ref = (r: number, digest: string) =>
  `<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="${DS}enveloped-signature"/><ds:Transform Algorithm="${EXC}"><ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="${prefixes(r).join(" ")}"/></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
function build(digests: string[]) {
  let open = "",
    close = "";
  for (let i = 0; i < 61; i++) {
    open += `<q${i}:e xmlns:q${i}="u:${i}">`;
    close = `</q${i}:e>` + close;
  }
  const e = keyEntries(KID, "VIDEO");
  const sig = `<ds:Signature xmlns:ds="${DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC}"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>${digests.map((d, r) => ref(r, d)).join("")}</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>`;
  const bound = [0, 1]
    .map((r) =>
      prefixes(r)
        .map((p) => ` xmlns:${p}="u:${p}"`)
        .join(""),
    )
    .join("");
  const head = `<cpix:CPIX xmlns:cpix="${NS}" contentId="c" version="2.3"${bound}><cpix:ContentKeyList>${e.contentKey}`;
  const tail = `</cpix:ContentKeyList><cpix:DRMSystemList>${e.drmSystem}</cpix:DRMSystemList><cpix:ContentKeyUsageRuleList>${e.usageRule}</cpix:ContentKeyUsageRuleList>${sig}</cpix:CPIX>`;
  const n = Math.floor((1024 * 1024 - head.length - tail.length - open.length - close.length - 200) / 4);
  return head + open + "<a/>".repeat(n) + close + tail;
}
it("checks a 1 MiB request's Signature with 16-prefix PrefixLists under 62 nested scopes in lookups that do not grow with the nesting", async () => {
  let doc = build(["A".repeat(43) + "=", "A".repeat(43) + "="]);
  const p = parseXml(doc);
  if (!p.ok) throw new Error(p.failure.detail);
  const sig = p.document.root.children.find((c) => c.kind === "element" && c.localName === "Signature") as never;
  const digests: string[] = [];
  for (const r of [0, 1])
    digests.push(
      toBase64(
        new Uint8Array(
          await crypto.subtle.digest(
            "SHA-256",
            utf8(canonicalizeDocument(p.document, { method: "exclusive", exclude: sig, inclusivePrefixes: prefixes(r) })),
          ),
        ),
      ),
    );
  doc = build(digests);
  const tenant = await tenantWithTestSeed();
  const response = await postCpix(tenant, "/api/SpekeV2", doc, SPEKE_V2);
  expect(response.status).toBe(422);
  // Refused after both digests matched (no certificate), or sooner, when the second form would pass the budget.
  expect(await response.text()).toMatch(/has no KeyInfo\/X509Data\/X509Certificate|References ask for more than \d+ characters/);
  const parsed = parseXml(doc);
  if (!parsed.ok) throw new Error(parsed.failure.detail);
  const { lookups } = await countMapLookups(() => verifyCpixSignatures(parsed.document, new Date()));
  const elements = Math.floor(utf8(doc).length / 4);
  // Two canonical forms of every element are needed; a few lookups each would do, not 16 prefixes x 62 scopes.
  expect(lookups / elements).toBeLessThan(100);
}, 300_000);
