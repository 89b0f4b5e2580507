import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ITEM_INDEX, InputError, jsonObject, optional, parseJson, requiredText, uuid } from "../../src/http/json-fields";

/** The schema helpers every JSON request goes through: our messages, whatever valibot would say. */
const ITEM = jsonObject({ Id: optional(uuid("Id")), Name: requiredText("Name", 8) }, { what: `Item ${ITEM_INDEX}` });
const STRICT = jsonObject({ Name: requiredText("Name", 8) }, { unknownField: (name) => `Unknown field ${name}` });

function messageOf(schema: v.GenericSchema, value: unknown): string {
  try {
    parseJson(schema, value);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error("accepted");
}

describe("parseJson over jsonObject", () => {
  it("refuses an array, a string and null as the JSON object they are not", () => {
    for (const value of [[], "x", null, 5]) expect(messageOf(STRICT, value)).toBe("Request body must be a JSON object");
  });

  it("gives a missing required field that field's own message", () => {
    expect(messageOf(STRICT, {})).toBe("Name is required (1 to 8 characters)");
    expect(messageOf(STRICT, { Name: null })).toBe("Name is required (1 to 8 characters)");
    expect(messageOf(STRICT, { Name: "  " })).toBe("Name is required (1 to 8 characters)");
    expect(messageOf(STRICT, { Name: 5 })).toBe("Name must be a string");
    expect(messageOf(STRICT, { Name: "123456789" })).toBe("Name must be at most 8 characters, got 9");
  });

  it("names an unknown field only where the object is strict", () => {
    expect(messageOf(STRICT, { Name: "a", Other: 1 })).toBe("Unknown field Other");
    expect(parseJson(ITEM, { Name: "a", Other: 1 })).toEqual({ Name: "a", Id: undefined });
  });

  it("reads null as absent and canonicalises a UUID", () => {
    expect(parseJson(ITEM, { Name: "a", Id: null }).Id).toBeUndefined();
    expect(parseJson(ITEM, { Name: "a", Id: " 40531D9F806B4BD6BB2B977CE3A78890 " }).Id).toBe("40531d9f-806b-4bd6-bb2b-977ce3a78890");
    expect(messageOf(ITEM, { Name: "a", Id: "not-a-uuid" })).toBe("Id must be a UUID such as 40531d9f-806b-4bd6-bb2b-977ce3a78890");
  });

  it("fills the index of the array item a problem is in", () => {
    const list = v.array(ITEM);
    expect(messageOf(list, [{ Name: "a" }, "x"])).toBe("Item 1 must be a JSON object");
  });
});
