/**
 * Bounded work per CPIX request (src/domain/request-limits.ts): the security review's worst request is refused
 * before any key is read, requests at the limits are answered in full, every list and the answer's size have a
 * limit that a refusal names, and the reader and writer do per-request work that grows with the request, not with
 * its square. Speed is measured in the bench (bench/scenarios.mjs), never asserted here.
 */
import { describe, expect, it } from "vitest";
import { utf8 } from "../../src/domain/bytes";
import {
  MAX_ANSWER_BYTES,
  MAX_BODY_BYTES,
  MAX_CONTENT_KEY_PERIODS,
  MAX_CONTENT_KEYS,
  MAX_DRM_SYSTEMS,
  MAX_FILTERS_PER_USAGE_RULE,
  MAX_USAGE_RULES,
} from "../../src/domain/request-limits";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import type { CpixDocument } from "../../src/cpix/model";
import { readCpix } from "../../src/cpix/reader";
import { writeCpix } from "../../src/cpix/writer";
import { api } from "./support/api";
import { CPIX_PROTOCOLS, KID, expectNothingChanged, tenantState } from "./support/cpix-requests";
import { manyKeysCpix, sharedPrefixKid, worstCaseCpix } from "./support/large-cpix-requests";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;
const PLAIN_VALUE = /<pskc:PlainValue>[A-Za-z0-9+/]{22}==<\/pskc:PlainValue>/g;
const TOO_LARGE = `The answer would exceed ${MAX_ANSWER_BYTES} bytes (16 MiB), the most one response carries; ask for fewer ContentKeys or DRMSystems per request`;

function readFailure(xml: string) {
  const read = readCpix(utf8(xml));
  if (read.ok) throw new Error("expected the document to be refused");
  return read.failure;
}

describe("the security review's worst request", () => {
  it("refuses a 1 MiB request of shared-prefix keys under ?overrideKeyIds=true with 422 naming the key limit, and changes nothing", async () => {
    const tenant = await tenantWithTestSeed();
    const before = await tenantState(tenant);
    const { body, keys } = worstCaseCpix(MAX_BODY_BYTES);
    expect(utf8(body).length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(keys).toBeGreaterThan(8000);
    const response = await postCpix(tenant, "/api/Cpix?overrideKeyIds=true", body);
    expect(response.status).toBe(422);
    const message = `CPIX/ContentKeyList has ${keys} ContentKey elements; one request may carry at most ${MAX_CONTENT_KEYS}`;
    expect(await response.text()).toBe(message);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
    await expectNothingChanged(tenant, before);
  });

  it.each(CPIX_PROTOCOLS)("$name refuses 1,025 ContentKeys with the same message", async (protocol) => {
    const tenant = await tenantWithTestSeed();
    const extraKeys = Array.from({ length: MAX_CONTENT_KEYS - 1 }, (_, i) => `<cpix:ContentKey kid="${sharedPrefixKid(i)}"/>`);
    const body = protocol.valid.replace("</cpix:ContentKeyList>", `${extraKeys.join("")}</cpix:ContentKeyList>`);
    const response = await postCpix(tenant, `${protocol.path}?overrideKeyIds=true`, body, protocol.headers);
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(
      `CPIX/ContentKeyList has 1025 ContentKey elements; one request may carry at most ${MAX_CONTENT_KEYS}`,
    );
  });
});

describe("requests at the limits are answered in full", () => {
  it("answers 1,024 shared-prefix keys with a usage rule each under ?overrideKeyIds=true, every Key ID replaced", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/Cpix?overrideKeyIds=true", manyKeysCpix({ keys: MAX_CONTENT_KEYS, rules: true }));
    expect(response.status).toBe(200);
    const read = readCpix(utf8(await response.text()));
    if (!read.ok) throw new Error(JSON.stringify(read.failure));
    const keys = read.document.contentKeyList!.items;
    expect(keys).toHaveLength(MAX_CONTENT_KEYS);
    const kids = new Set(keys.map((key) => key.kid.toString()));
    expect(kids.size).toBe(MAX_CONTENT_KEYS);
    expect(kids.has(sharedPrefixKid(0))).toBe(false);
    expect(keys.every((key) => key.value !== undefined)).toBe(true);
    // Each usage rule follows its key to the new Key ID, in the same order.
    expect(read.document.contentKeyUsageRuleList!.items.map((rule) => rule.kid.toString())).toEqual([...kids]);
  });

  it(`answers ${MAX_CONTENT_KEYS} keys × 4 DRMSystems (${MAX_DRM_SYSTEMS}), every key and system filled`, async () => {
    const tenant = await tenantWithTestSeed();
    const systemIds = Array<string>(4).fill(SYSTEM_IDS.commonPssh.toString());
    const response = await postCpix(tenant, "/api/Cpix", manyKeysCpix({ keys: MAX_CONTENT_KEYS, systemIds }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(count(text, PLAIN_VALUE)).toBe(MAX_CONTENT_KEYS);
    expect(count(text, /<cpix:PSSH>[A-Za-z0-9+/=]{20,}<\/cpix:PSSH>/g)).toBe(MAX_DRM_SYSTEMS);
  });

  it(`refuses ${MAX_DRM_SYSTEMS + 1} DRMSystems with 422 naming the limit`, async () => {
    const tenant = await tenantWithTestSeed();
    const body = manyKeysCpix({ keys: 1, systemIds: Array<string>(MAX_DRM_SYSTEMS + 1).fill(SYSTEM_IDS.widevine.toString()) });
    const response = await postCpix(tenant, "/api/Cpix", body);
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(
      `CPIX/DRMSystemList has ${MAX_DRM_SYSTEMS + 1} DRMSystem elements; one request may carry at most ${MAX_DRM_SYSTEMS}`,
    );
  });
});

describe("every repeated element has a limit the refusal names", () => {
  const periods = (n: number) =>
    `<ContentKeyPeriodList>${Array.from({ length: n }, (_, i) => `<ContentKeyPeriod id="p${i}" index="${i}"/>`).join("")}</ContentKeyPeriodList>`;
  const rules = (n: number) => `<ContentKeyUsageRuleList>${`<ContentKeyUsageRule kid="${KID}"/>`.repeat(n)}</ContentKeyUsageRuleList>`;
  const filters = (name: string, n: number) =>
    `<ContentKeyUsageRuleList><ContentKeyUsageRule kid="${KID}">${`<${name}/>`.repeat(n)}</ContentKeyUsageRule></ContentKeyUsageRuleList>`;
  const oneKey = (extra: string) => manyKeysCpix({ keys: 1, extra });

  it.each([
    ["ContentKeyPeriod", periods, MAX_CONTENT_KEY_PERIODS, "CPIX/ContentKeyPeriodList"],
    ["ContentKeyUsageRule", rules, MAX_USAGE_RULES, "CPIX/ContentKeyUsageRuleList"],
  ] as const)("%s: the limit is read, one more is refused", (element, list, limit, path) => {
    expect(readCpix(utf8(oneKey(list(limit)))).ok).toBe(true);
    expect(readFailure(oneKey(list(limit + 1)))).toEqual({ reason: "too-many-elements", element, count: limit + 1, limit, path });
  });

  it.each(["KeyPeriodFilter", "LabelFilter", "VideoFilter", "AudioFilter", "BitrateFilter"])(
    "%s: one usage rule reads the limit, one more is refused",
    (filter) => {
      const attributes = filter === "KeyPeriodFilter" ? ' periodId="p"' : filter === "LabelFilter" ? ' label="l"' : "";
      const rule = (n: number) => filters(`${filter}${attributes}`, n);
      expect(readCpix(utf8(oneKey(rule(MAX_FILTERS_PER_USAGE_RULE)))).ok).toBe(true);
      expect(readFailure(oneKey(rule(MAX_FILTERS_PER_USAGE_RULE + 1)))).toEqual({
        reason: "too-many-elements",
        element: filter,
        count: MAX_FILTERS_PER_USAGE_RULE + 1,
        limit: MAX_FILTERS_PER_USAGE_RULE,
        path: "CPIX/ContentKeyUsageRuleList/ContentKeyUsageRule[1]",
      });
    },
  );
});

describe("the answer's size budget", () => {
  it("refuses with 422 naming 16 MiB once the DRM signalling would pass it (PlayReady with a 2,048-character LA_URL)", async () => {
    const tenant = await tenantWithTestSeed();
    const laUrl = `https://license.example.com/${"a".repeat(2048 - 28)}`;
    expect((await api(tenant, "PUT", "/api/Settings", { PlayReadyLaUrl: laUrl })).status).toBe(200);
    const before = await tenantState(tenant);
    const body = manyKeysCpix({ keys: MAX_CONTENT_KEYS, systemIds: [SYSTEM_IDS.playReady.toString()] });
    const response = await postCpix(tenant, "/api/Cpix", body);
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(TOO_LARGE);
    await expectNothingChanged(tenant, before);
  });

  it("refuses with the same message an answer whose echoed extensions would pass it once indented", async () => {
    const tenant = await tenantWithTestSeed();
    // Chains of 56 nested foreign elements: ~400 bytes each in the request, ~8 KB each once written with indentation.
    const chain = `<a xmlns="urn:example:extension">${"<a>".repeat(55)}${"</a>".repeat(56)}`;
    const system = `<DRMSystem kid="${sharedPrefixKid(0)}" systemId="${SYSTEM_IDS.widevine}">${chain.repeat(2400)}</DRMSystem>`;
    const body = manyKeysCpix({ keys: 1, extra: `<DRMSystemList>${system}</DRMSystemList>` });
    expect(utf8(body).length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const response = await postCpix(tenant, "/api/Cpix", body);
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(TOO_LARGE);
  });
});

describe("reading and writing grow with the request, not its square", () => {
  it("reads a document declaring 15,000 prefixes whose 30,000 elements each declare one more", () => {
    const declarations = Array.from({ length: 15_000 }, (_, i) => ` xmlns:p${i}="u:p"`).join("");
    const body = `<CPIX xmlns="urn:dashif:org:cpix"${declarations}><x:e xmlns:x="u:x">${'<x:e xmlns:y="u"/>'.repeat(30_000)}</x:e></CPIX>`;
    expect(utf8(body).length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(readCpix(utf8(body)).ok).toBe(true);
  });

  it("writes a DRMSystem with 20,000 extension namespaces, each declared once on the root", () => {
    const extensions = Array.from({ length: 20_000 }, (_, i) => ({
      namespace: `urn:example:${i}`,
      localName: "e",
      attributes: [],
      children: [],
      text: "",
    }));
    const document: CpixDocument = {
      drmSystemList: { items: [{ systemId: SYSTEM_IDS.widevine, kid: SYSTEM_IDS.widevine, hlsSignalingData: [], extensions }] },
    };
    const xml = writeCpix(document);
    expect(count(xml, /xmlns:ext\d+="urn:example:\d+"/g)).toBe(20_000);
    expect(xml).toContain("<ext20000:e/>");
    const read = readCpix(utf8(xml));
    expect(read.ok && read.document).toEqual(document);
  });
});
