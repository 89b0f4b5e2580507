/**
 * What writeCpix emits validates against the official CPIX XSD of its version (libxml2 via xmllint-wasm):
 * every sample the research found XSD-valid for a version (test/fixtures/cpix/validation-matrix.json) is read, written
 * and validated again; samples that were only invalid for element order come out valid; a 2.4 document in the
 * SPEKE v2.1 shape validates against 2.4. Broken documents fail, which shows the validator is really checking.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import matrix from "../fixtures/cpix/validation-matrix.json";
import { contentKeyFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import type { CpixDocument } from "../../src/cpix/model";
import { readCpix } from "../../src/cpix/reader";
import { writeCpix } from "../../src/cpix/writer";
import { prevalidatedCpixXml, validateCpixXml, validateCpixXmlBatch, type CpixSchemaVersion, type CpixXsdResult } from "./xsd";

const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/cpix/samples");
const VERSIONS: CpixSchemaVersion[] = ["2.1", "2.2", "2.3", "2.4"];
const RESULTS = matrix.results as Record<string, Record<string, string>>;

function readSample(name: string): CpixDocument {
  const result = readCpix(new Uint8Array(readFileSync(join(SAMPLES_DIR, name))));
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.failure)}`);
  return result.document;
}

const sampleNames = (readdirSync(SAMPLES_DIR, { recursive: true }) as string[]).filter((name) => /\.(xml|cpix)$/.test(name)).sort();

/** The writer's output for a sample, or undefined when it cannot be written (its own test then fails on it). */
function writtenOrUndefined(name: string): string | undefined {
  try {
    return writeCpix(readSample(name));
  } catch {
    return undefined;
  }
}

describe.each(VERSIONS)("CPIX %s", (version) => {
  const validSamples = sampleNames.filter((name) => RESULTS[name]?.[version] === "valid");
  let validate: (xml: string) => Promise<CpixXsdResult>;

  // Every sample's output validated in one xmllint run (xsd.ts); each test still writes its own and reads its verdict.
  beforeAll(async () => {
    validate = await prevalidatedCpixXml(
      validSamples.map(writtenOrUndefined).filter((xml) => xml !== undefined),
      version,
    );
  });

  it("has samples the research found valid for this version", () => {
    expect(validSamples.length).toBeGreaterThanOrEqual(version === "2.1" ? 10 : 15);
  });

  it.each(validSamples)(`writer output for %s validates against the ${version} XSD`, async (name) => {
    expect(await validate(writeCpix(readSample(name)))).toEqual({ valid: true, errors: [] });
  });
});

describe("the writer repairs element order that made requests XSD-invalid", () => {
  it.each([
    // SPEKE v1: speke:* before cpix:PSSH; a response with keys filled in.
    "aws-speke-docs-v1/v1-live-response.xml",
    "aws-speke-docs-v1/v1-vod-response.xml",
    "vendor-pallycon/live-hls-fairplay-request.xml",
    // AWS's SPEKE v2 kid-override example: HLSSignalingData before ContentProtectionData and PSSH.
    "aws-speke-docs-v2/v2-kid-override-request.xml",
  ])("%s comes out valid for CPIX 2.3", async (name) => {
    expect(RESULTS[name]?.["2.3"]).not.toBe("valid");
    expect(await validateCpixXml(writeCpix(readSample(name)), "2.3")).toEqual({ valid: true, errors: [] });
  });
});

describe("a SPEKE v2.1 (CPIX 2.4) response", () => {
  const kid = KeyId.require("5b1b6bc7-3f2d-4c8a-9e0d-1f2e3d4c5b6a");
  const response: CpixDocument = {
    contentId: "live-1",
    version: "2.4",
    contentKeyList: { items: [{ kid, commonEncryptionScheme: "cbcs", value: contentKeyFromBytes(new Uint8Array(16).fill(1)) }] },
    drmSystemList: {
      items: [
        {
          systemId: SYSTEM_IDS.fairPlay,
          kid,
          hlsSignalingData: [
            { playlist: "media", data: new TextEncoder().encode('#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://x"') },
            { playlist: "multiVariant", data: new TextEncoder().encode('#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="skd://x"') },
          ],
          extensions: [],
        },
      ],
    },
    contentKeyPeriodList: {
      items: [
        { id: "keyPeriod_1", index: 1, start: "2024-05-01T10:00:00Z", end: "2024-05-01T11:00:00Z" },
        { id: "keyPeriod_2", index: 2, startOffset: "PT1H", endOffset: "PT2H" },
      ],
    },
    contentKeyUsageRuleList: {
      items: [
        {
          kid,
          intendedTrackType: "ALL",
          keyPeriodFilters: [{ periodId: "keyPeriod_1" }],
          labelFilters: [],
          videoFilters: [{}],
          audioFilters: [{}],
          bitrateFilters: [],
          extensions: [],
        },
      ],
    },
  };

  it("validates against the 2.4 XSD", async () => {
    expect(await validateCpixXml(writeCpix(response), "2.4")).toEqual({ valid: true, errors: [] });
  });

  it("fails 2.4 when it says master instead of multiVariant (the validator checks version rules)", async () => {
    const drm = response.drmSystemList!.items[0]!;
    const withMaster: CpixDocument = {
      ...response,
      drmSystemList: {
        items: [{ ...drm, hlsSignalingData: [drm.hlsSignalingData[0]!, { ...drm.hlsSignalingData[1]!, playlist: "master" }] }],
      },
    };
    const result = await validateCpixXml(writeCpix(withMaster), "2.4");
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatch(/attribute 'playlist'.*'master' is not an element of the set/);
  });
});

describe("the validator refuses broken documents", () => {
  it("refuses an unknown element", async () => {
    const result = await validateCpixXml('<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:Bogus/></cpix:CPIX>', "2.3");
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatch(/Element '\{urn:dashif:org:cpix\}Bogus': This element is not expected/);
  });

  it("refuses lists out of XSD order", async () => {
    const xml = writeCpix(readSample("aws-speke-reference-server/tests/server_api_body_spekev2.xml"));
    const usageRules = /\s*<cpix:ContentKeyUsageRuleList>[\s\S]*<\/cpix:ContentKeyUsageRuleList>/.exec(xml)![0];
    const reordered = xml.replace(usageRules, "").replace("<cpix:ContentKeyList>", `${usageRules.trim()}<cpix:ContentKeyList>`);
    expect((await validateCpixXml(reordered, "2.3")).valid).toBe(false);
  });

  it("refuses a CPIX 2.3 attribute under the 2.2 XSD", async () => {
    const result = await validateCpixXml(writeCpix({ version: "2.3" }), "2.2");
    expect(result.errors).toEqual([expect.stringMatching(/attribute 'version': The attribute 'version' is not allowed/)]);
  });
});

describe("one xmllint run over many documents (validateCpixXmlBatch)", () => {
  it("gives each document, in order, the verdict and errors a run of its own gives", async () => {
    const valid = writeCpix(readSample("aws-speke-reference-server/tests/server_api_body_spekev2.xml"));
    const unknownElement = '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:Bogus/></cpix:CPIX>';
    const laterAttribute = writeCpix({ version: "2.3" });
    const documents = [valid, unknownElement, valid, laterAttribute];
    const batch = await validateCpixXmlBatch(documents, "2.3");
    expect(batch.map((result) => result.valid)).toEqual([true, false, true, true]);
    for (const [index, xml] of documents.entries()) expect(batch[index]).toEqual(await validateCpixXml(xml, "2.3"));
    const under22 = await validateCpixXmlBatch([laterAttribute, valid], "2.2");
    expect(under22[0]).toEqual(await validateCpixXml(laterAttribute, "2.2"));
    expect(under22[0]!.valid).toBe(false);
  });

  it("names a document that is not well-formed by its parser error, and still judges the others", async () => {
    const notWellFormed = '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList></cpix:CPIX>';
    const valid = writeCpix({ version: "2.3" });
    const [broken, after] = await validateCpixXmlBatch([notWellFormed, valid], "2.3");
    // A run of its own also lists the excerpt line under the error, cut at its first colon by xmllint-wasm's reader.
    expect(broken).toEqual({ valid: false, errors: [(await validateCpixXml(notWellFormed, "2.3")).errors[0]] });
    expect(broken!.errors[0]).toMatch(/^parser error : Opening and ending tag mismatch/);
    expect(after).toEqual({ valid: true, errors: [] });
  });
});
