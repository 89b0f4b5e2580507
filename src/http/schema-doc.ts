import * as v from "valibot";

/** Metadata that adds nothing: what a schema's documentation is in the Worker (valibot's pipe skips metadata items). */
// `any`: one shared action, valid in a pipe of any input.
const NO_DOCUMENTATION: v.BaseMetadata<any> = v.metadata({});

/**
 * A schema's description in the OpenAPI document and nowhere else: call it as `openApiDescription(__OPENAPI__ &&
 * "…")`, so the Worker build (`__OPENAPI__` false, wrangler.toml) drops the sentence (issue 27: 100 KiB gzip budget).
 * @example v.pipe(uuid("Id"), openApiDescription(__OPENAPI__ && "The KID; generated when left out"))
 */
export function openApiDescription<TInput>(description: string | false): v.BaseMetadata<TInput> {
  return description === false ? NO_DOCUMENTATION : v.description(description);
}

/**
 * JSON Schema keywords for the OpenAPI document only (`examples`, `contentEncoding`, `pattern`, a description beside
 * them), written `openApiMetadata(__OPENAPI__ && { … })` like `openApiDescription`.
 */
export function openApiMetadata<TInput>(metadata: Record<string, unknown> | false): v.BaseMetadata<TInput> {
  return metadata === false ? NO_DOCUMENTATION : v.metadata(metadata);
}
