import { fromBase64, fromBase64Url, fromStrictUtf8 } from "../../domain/bytes";

/**
 * Readers for the proto3 JSON mapping (https://protobuf.dev/programming-guides/json/) that the Widevine Common
 * Encryption API uses: Shaka writes it with `MessageToJsonString(preserve_proto_field_names)` and reads it with
 * `JsonStringToMessage(ignore_unknown_fields)` (`packager/media/base/proto_json_util.cc`).
 */

export type JsonObject = Readonly<Record<string, unknown>>;

/** Largest proto `uint32`. */
export const UINT32_MAX = 0xffff_ffff;

/** Parses UTF-8 JSON text that must be an object; undefined for anything else. */
export function parseJsonObject(bytes: Uint8Array): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(fromStrictUtf8(bytes));
  } catch {
    return undefined;
  }
  return isJsonObject(value) ? value : undefined;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads a field by its proto name or its lowerCamelCase JSON name ("Parsers accept both"); `null` means absent
 * ("null is accepted for all field types and treated as the default value").
 */
export function readField(object: JsonObject, protoName: string): unknown {
  const camel = protoName.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
  const value = Object.hasOwn(object, protoName) ? object[protoName] : object[camel];
  return value === null ? undefined : value;
}

/** A proto `bytes` value: "standard or URL-safe base64 encoding with/without paddings are accepted". */
export function decodeProtoBytes(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string") return undefined;
  return fromBase64(value) ?? fromBase64Url(value);
}

/** A proto `uint32`: a JSON number or a decimal string, integral, 0..2^32-1. */
export function decodeUint32(value: unknown): number | undefined {
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 0 || number > UINT32_MAX) return undefined;
  return number;
}
