/** stableKeyId: pinned to SHA-256(label ‖ 0x00 ‖ UTF-8 parts each followed by 0x00), shaped as a version-8 UUID. */
import { describe, expect, it } from "vitest";
import { stableKeyId } from "../../src/domain/stable-key-id";

const tenantId = "11111111-2222-4333-8444-555555555555";

describe("stableKeyId", () => {
  // Expected values computed outside the Worker with node:crypto from the rule in src/domain/stable-key-id.ts.
  it.each([
    ["ASCII parts (the Widevine CENC shape)", ["widevine-cenc", "YmVuY2g=", "SD", "7"], "2836f6bd-26cb-8019-87f4-0c53c7bd4f1e"],
    [
      "a part with non-ASCII characters, encoded as UTF-8",
      ["speke-v2", "caf\u00e9 \u{1d11e}", "0", "cbcs", "AUDIO"],
      "abb7c839-1522-8b5f-9605-319c6056a468",
    ],
    ["no parts", [], "58ac778b-0604-8bb8-97c1-93ef38e8fea2"],
    ["an empty part", ["a", "", "b"], "d5edd819-5700-8b40-bc49-e634ed827e31"],
  ])("gives the pinned Key ID for %s", async (_name, parts, expected) => {
    expect((await stableKeyId(tenantId, parts)).toString()).toBe(expected);
  });
});
