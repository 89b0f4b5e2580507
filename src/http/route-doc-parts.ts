import type * as v from "valibot";
import type { ResponseDoc } from "./route-doc";

/** Parts the route tables share: the manage access, the `{id}` parameter, and response shorthands. */
export const MANAGE = { kind: "tenant", scope: "manage" } as const;
export const ID_PATH = { id: "The object's Id (a UUID)" };

export function json(description: string, schema: v.GenericSchema): ResponseDoc {
  return { kind: "json", description, schema };
}
export function error(description: string): ResponseDoc {
  return { kind: "error", description };
}
export const DELETED: ResponseDoc = { kind: "empty", description: "Deleted" };
