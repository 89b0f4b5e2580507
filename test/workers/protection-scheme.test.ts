import { describe, expect, it } from "vitest";
import {
  isHlsKeyMethod,
  parseProtectionScheme,
  parseSchemeName,
  protectionSchemeOf,
  SCHEME_NAMES,
  type SchemeName,
} from "../../src/domain/protection-scheme";

describe("protection scheme names", () => {
  it("reads every CPIX scheme name in any case and spacing into its canonical spelling", () => {
    for (const name of SCHEME_NAMES) {
      expect(parseSchemeName(name)).toBe(name);
      expect(parseSchemeName(` ${name.toUpperCase()} `)).toBe(name);
      expect(parseSchemeName(name.toLowerCase())).toBe(name);
    }
  });

  it("refuses NONE, empty text and unknown names", () => {
    for (const text of ["NONE", "", "ctr1", "cbcs,cenc", "SAMPLE_AES"]) expect(parseSchemeName(text)).toBeUndefined();
  });

  it.each<[SchemeName, string]>([
    ["cenc", "cenc"],
    ["cbc1", "cbc1"],
    ["cens", "cens"],
    ["cbcs", "cbcs"],
    ["SAMPLE-AES", "cbcs"],
    ["SAMPLE-AES-CTR", "cenc"],
    ["AES-128", "cbc1"],
  ])("maps %s to the scheme %s (RFC 8216bis METHODs for fMP4; AES-128 is whole-segment CBC)", (name, scheme) => {
    expect(protectionSchemeOf(name)).toBe(scheme);
  });

  it("tells HLS METHOD names from 4CCs, and parses only 4CCs as a protection scheme", () => {
    expect(SCHEME_NAMES.filter(isHlsKeyMethod)).toEqual(["AES-128", "SAMPLE-AES", "SAMPLE-AES-CTR"]);
    expect(parseProtectionScheme("CBCS")).toBe("cbcs");
    expect(parseProtectionScheme("SAMPLE-AES")).toBeUndefined();
  });
});
