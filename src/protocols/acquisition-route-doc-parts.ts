import * as v from "valibot";
import type { QuerySchema } from "../http/query";
import type { ResponseDoc, RouteDocParts } from "../http/route-doc";

/**
 * Parts the acquisition routes' documentation shares (src/protocols/cpix/routes.ts, widevine-cenc/routes.ts). Named
 * only inside `__OPENAPI__ && (() => …)`, so the Worker bundle drops them with the text.
 */
export const ACQUISITION_TAG = "Key Acquisition";

/**
 * Acquisition requests are CPIX XML or the Widevine CENC JSON envelope, read by the protocol modules, so their query
 * parameters and the Widevine body are described by these schemas rather than validated by them: the acquisition
 * path runs no schema library.
 */
export function described(entries: v.ObjectEntries): QuerySchema {
  return v.object(entries);
}

export const describedText = (description: string) => v.optional(v.pipe(v.string(), v.description(description)));
export const describedList = (description: string) => v.optional(v.pipe(v.array(v.string()), v.description(description)));

const CPIX_ANSWER: ResponseDoc = { kind: "xml", description: "The CPIX document with the keys and the DRM signalling asked for" };

/** What every CPIX acquisition route answers: the document, or SPEKE's text errors (src/protocols/cpix/wire.ts). */
export const CPIX_ACQUISITION_RESPONSES: Readonly<Record<number, ResponseDoc>> = {
  200: CPIX_ANSWER,
  400: { kind: "error", description: "Malformed XML, or not a CPIX document" },
  403: {
    kind: "error",
    description: "Refused by a document-security rule (RequireEncryption, RequireSignedRequests, recipient certificate)",
  },
  404: { kind: "error", description: "keySeedId names no key seed of the tenant" },
  413: { kind: "error", description: "The request body exceeds 1 MiB" },
  422: {
    kind: "error",
    description: "A CPIX or SPEKE rule is broken or not supported; the SPEKE error table's exact text where it has one",
  },
};

/** `keySeedId` and `overrideKeyIds`, read on every CPIX acquisition route (`answer` in src/protocols/cpix/routes.ts). */
export function cpixCommonQuery(): QuerySchema {
  return described({
    keySeedId: describedText("Use this key seed instead of the tenant's default (a UUID)"),
    overrideKeyIds: describedText(
      "true: replace the request's Key IDs with stable ones derived from the content id (README, Stable Key IDs)",
    ),
  });
}

/** A CPIX acquisition route whose request is a CPIX document in the body; `spec` says which. */
export function cpixBodyRouteDoc(summary: string, spec: string, extra: Partial<RouteDocParts> = {}): RouteDocParts {
  return {
    tag: ACQUISITION_TAG,
    summary,
    errors: "speke-text",
    query: [cpixCommonQuery()],
    body: { kind: "xml", description: `A CPIX document: ${spec}` },
    responses: CPIX_ACQUISITION_RESPONSES,
    ...extra,
  };
}
