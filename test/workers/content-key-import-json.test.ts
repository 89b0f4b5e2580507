/**
 * The JSON form of `POST /api/Import/ContentKeys` (src/management/content-key-import-input.ts): every rule of an
 * entry refused by its index and field, all or nothing, never echoing a value; and the Content-Type dispatch of
 * `readContentKeyImport` (JSON, CPIX, 415, 413).
 */
import { describe, expect, it } from "vitest";
import { toBase64 } from "../../src/domain/bytes";
import { MAX_BODY_BYTES, MAX_CONTENT_KEY_TRANSFER } from "../../src/domain/request-limits";
import { InputError } from "../../src/http/json-fields";
import { parseContentKeyImportJson, readContentKeyImport } from "../../src/management/content-key-import-input";

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const IV = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
const KID = "6b18dbea-9f8d-40b1-b66e-54c2c385c94e";
const entry = (fields: Record<string, unknown> = {}) => ({ Id: KID, Data: toBase64(KEY), ...fields });

/** The InputError message a body gets, or a failure when it is accepted. */
function refusal(body: unknown): string {
  try {
    parseContentKeyImportJson(body);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error("the body was accepted");
}

describe("the JSON array [{Id?, Name?, Data, Iv?}]", () => {
  it("reads Id, Name, Data and Iv into a KID, a name, a 16-byte key and a 16-byte IV", () => {
    const [key] = parseContentKeyImportJson([entry({ Name: "Main video", Iv: toBase64(IV) })]);
    expect(key!.kid.toString()).toBe(KID);
    expect(key!.name).toBe("Main video");
    expect(key!.key.bytes).toEqual(KEY);
    expect(key!.iv!.bytes).toEqual(IV);
  });

  it("accepts the KID in any form other Management API Ids take (upper case, no hyphens) and keeps it canonical", () => {
    const [upper, compact] = parseContentKeyImportJson([
      entry({ Id: KID.toUpperCase() }),
      entry({ Id: "0a30ea4f539d4b0294b22b3fba2576d3" }),
    ]);
    expect(upper!.kid.toString()).toBe(KID);
    expect(compact!.kid.toString()).toBe("0a30ea4f-539d-4b02-94b2-2b3fba2576d3");
  });

  it("gives an entry without Id a fresh random version-4 KID, a different one each time", () => {
    const keys = parseContentKeyImportJson([{ Data: toBase64(KEY) }, { Data: toBase64(KEY), Id: null }]);
    const kids = keys.map((key) => key.kid.toString());
    for (const kid of kids) expect(kid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(kids).size).toBe(2);
  });

  it("leaves name and iv out when they are not sent", () => {
    const [key] = parseContentKeyImportJson([entry()]);
    expect(Object.keys(key!).sort()).toEqual(["key", "kid"]);
  });

  it(`accepts exactly ${MAX_CONTENT_KEY_TRANSFER} entries and refuses one more, naming the limit`, () => {
    const many = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ Id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, Data: toBase64(KEY) }));
    expect(parseContentKeyImportJson(many(MAX_CONTENT_KEY_TRANSFER))).toHaveLength(MAX_CONTENT_KEY_TRANSFER);
    expect(refusal(many(MAX_CONTENT_KEY_TRANSFER + 1))).toBe(
      `At most ${MAX_CONTENT_KEY_TRANSFER} content keys per import, got ${MAX_CONTENT_KEY_TRANSFER + 1}`,
    );
  });
});

describe("refusals name the entry's index and the rule, and never a value", () => {
  const SECRET_LOOKING = "c2VjcmV0LXZhbHVlLXNob3VsZC1uZXZlci1iZS1lY2hvZWQ=";
  it.each<[string, unknown, string]>([
    ["a body that is not an array", { Data: toBase64(KEY) }, "Request body must be a JSON array of {Id?, Name?, Data, Iv?}"],
    ["an empty array", [], "Request body must list at least one content key"],
    ["an entry that is not an object", [entry(), "x"], "[1]: must be a JSON object {Id?, Name?, Data, Iv?}"],
    ["an unknown field (a misspelt IV)", [entry({ IV: toBase64(IV) })], "[0]: unknown field IV; send Id, Name, Data and Iv"],
    ["an Id that is not a UUID", [entry(), entry({ Id: SECRET_LOOKING })], "[1].Id: must be a UUID such as"],
    ["an Id that is a number", [entry({ Id: 7 })], "[0].Id: must be a UUID"],
    [
      "a missing Data",
      [entry(), { Data: toBase64(KEY) }, { Id: "0a30ea4f-539d-4b02-94b2-2b3fba2576d3" }],
      "[2].Data: is required, base64 of 16 bytes",
    ],
    ["a Data of 15 bytes", [entry({ Data: toBase64(KEY.subarray(1)) })], "[0].Data: must be base64 of 16 bytes"],
    ["a Data of 32 bytes", [entry({ Data: SECRET_LOOKING })], "[0].Data: must be base64 of 16 bytes"],
    ["a Data that is not base64", [entry({ Data: "not base64!" })], "[0].Data: must be base64 of 16 bytes"],
    ["a Data that is base64url", [entry({ Data: "-_-_-_-_-_-_-_-_-_-_-w==" })], "[0].Data: must be base64 of 16 bytes"],
    ["a Data that is a byte array", [entry({ Data: Array.from(KEY) })], "[0].Data: must be base64 of 16 bytes"],
    ["an Iv of 8 bytes", [entry({ Iv: toBase64(IV.subarray(0, 8)) })], "[0].Iv: must be base64 of 16 bytes"],
    ["an Iv that is not base64", [entry({ Iv: SECRET_LOOKING + "#" })], "[0].Iv: must be base64 of 16 bytes"],
    ["an empty Name", [entry({ Name: "" })], "[0].Name: must be a string of 1 to 256 characters"],
    ["a blank Name", [entry({ Name: "   " })], "[0].Name: must be a string of 1 to 256 characters"],
    ["a Name of 257 characters", [entry({ Name: "n".repeat(257) })], "[0].Name: must be a string of 1 to 256 characters"],
    ["a Name that is not a string", [entry({ Name: 5 })], "[0].Name: must be a string of 1 to 256 characters"],
  ])("%s", (_, body, message) => {
    const text = refusal(body);
    expect(text).toContain(message);
    expect(text).not.toContain(SECRET_LOOKING);
    expect(text).not.toContain(toBase64(KEY));
  });

  it("refuses a KID that appears twice, naming both indexes (in any of its spellings)", () => {
    const other = { Id: "0a30ea4f-539d-4b02-94b2-2b3fba2576d3", Data: toBase64(KEY) };
    expect(refusal([entry(), other, entry({ Id: KID.toUpperCase().replace(/-/g, "") })])).toBe(
      "[2].Id: the same KID as [0]; a KID may appear once per import",
    );
  });

  it("refuses the whole import for the first bad entry, even when every other entry is good", () => {
    const good = Array.from({ length: 5 }, (_, i) => ({ Id: `00000000-0000-4000-8000-00000000000${i}`, Data: toBase64(KEY) }));
    expect(refusal([...good.slice(0, 3), { Data: "short" }, ...good.slice(3)])).toBe("[3].Data: must be base64 of 16 bytes");
  });

  it("accepts a Name of exactly 256 characters", () => {
    expect(parseContentKeyImportJson([entry({ Name: "n".repeat(256) })])[0]!.name).toHaveLength(256);
  });
});

describe("readContentKeyImport: the body's Content-Type picks the form", () => {
  const post = (contentType: string | undefined, body: BodyInit) =>
    new Request("https://keys.example/api/Import/ContentKeys", {
      method: "POST",
      body,
      ...(contentType ? { headers: { "Content-Type": contentType } } : {}),
    });
  const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

  it("reads application/json as the JSON array", async () => {
    const read = await readContentKeyImport(post("application/json; charset=utf-8", JSON.stringify([entry()])), []);
    expect(read.ok && read.format).toBe("json");
    expect(read.ok && read.keys[0]!.kid.toString()).toBe(KID);
  });

  it.each(["application/xml", "text/xml; charset=utf-8", "application/cpix+xml"])("reads %s as a CPIX document", async (type) => {
    const xml = `<CPIX xmlns="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"><ContentKeyList><ContentKey kid="${KID}"><Data><pskc:Secret><pskc:PlainValue>${toBase64(KEY)}</pskc:PlainValue></pskc:Secret></Data></ContentKey></ContentKeyList></CPIX>`;
    const read = await readContentKeyImport(post(type, xml), []);
    expect(read.ok && read.format).toBe("cpix");
    expect(read.ok && read.keys.map((k) => [k.kid.toString(), k.key.bytes])).toEqual([[KID, KEY]]);
  });

  it("answers a bad JSON entry with 400 and the rule", async () => {
    const read = await readContentKeyImport(post("application/json", JSON.stringify([entry({ Data: "AA==" })])), []);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.response.status).toBe(400);
    expect(await errorOf(read.response)).toBe("[0].Data: must be base64 of 16 bytes");
  });

  it("answers a CPIX document without keys with 400 naming the element", async () => {
    const read = await readContentKeyImport(post("application/xml", '<CPIX xmlns="urn:dashif:org:cpix"/>'), []);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.response.status).toBe(400);
    expect(await errorOf(read.response)).toContain("holds no ContentKey");
  });

  it.each([undefined, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])(
    "answers Content-Type %s with 415 naming both accepted types",
    async (type) => {
      const read = await readContentKeyImport(post(type, JSON.stringify([entry()])), []);
      expect(read.ok).toBe(false);
      if (read.ok) return;
      expect(read.response.status).toBe(415);
      expect(await errorOf(read.response)).toBe(
        "Content-Type must be application/json (a JSON array) or application/xml (a CPIX document)",
      );
    },
  );

  it.each(["application/json", "application/xml"])("answers a %s body over the body limit with 413", async (type) => {
    const read = await readContentKeyImport(post(type, "x".repeat(MAX_BODY_BYTES + 1)), []);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.response.status).toBe(413);
  });
});
