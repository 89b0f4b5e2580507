import { getJson } from "../api.js";
import { field, h } from "../dom.js";

/**
 * API: the reference rendered from the service's own `GET /api/openapi.json` (OpenAPI 3.1), offline: no viewer
 * from elsewhere, every operation a native <details> (keyboard-operable), schemas summarised as text.
 */
const METHODS = ["get", "put", "post", "delete", "patch", "options", "head"];

export async function render(container) {
  const spec = await getJson("/api/openapi.json");
  const operations = Object.entries(spec.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method], shared: item.parameters ?? [] })),
  );
  const list = h("div", { class: "operations" });
  const search = h("input", { type: "search", name: "search", spellcheck: "false" });
  const count = h("p", { class: "hint", "aria-live": "polite" });

  function show() {
    const term = search.value.trim().toLowerCase();
    const shown = operations.filter(({ path, method, operation }) =>
      `${method} ${path} ${operation.summary ?? ""} ${(operation.tags ?? []).join(" ")}`.toLowerCase().includes(term),
    );
    count.textContent = `${shown.length} of ${operations.length} operations`;
    list.replaceChildren(...shown.map((entry) => operationView(spec, entry)));
  }
  search.addEventListener("input", show);

  container.replaceChildren(
    h("p", {}, h("strong", {}, spec.info?.title ?? "API"), ` ${spec.info?.version ?? ""} · OpenAPI ${spec.openapi ?? ""}`),
    spec.info?.description ? h("p", { class: "description" }, spec.info.description) : null,
    field("Find an operation", search, "By path, method, summary or tag."),
    count,
    list,
  );
  show();
}

function operationView(spec, { path, method, operation, shared }) {
  const parameters = [...shared, ...(operation.parameters ?? [])].map((parameter) => resolve(spec, parameter));
  const body = operation.requestBody ? resolve(spec, operation.requestBody) : undefined;
  return h(
    "details",
    { class: "operation" },
    h(
      "summary",
      {},
      h("span", { class: `method ${method}` }, method.toUpperCase()),
      " ",
      h("code", {}, path),
      operation.summary ? ` ${operation.summary}` : "",
    ),
    operation.description ? h("p", {}, operation.description) : null,
    operation.security?.length === 0 ? h("p", { class: "hint" }, "No credentials needed.") : null,
    parameters.length > 0
      ? h(
          "table",
          {},
          h("caption", {}, `Parameters of ${method.toUpperCase()} ${path}`),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Name", "In", "Required", "Type", "Description"].map((title) => h("th", { scope: "col" }, title)),
            ),
          ),
          h(
            "tbody",
            {},
            parameters.map((parameter) =>
              h(
                "tr",
                {},
                h("td", {}, h("code", {}, parameter.name)),
                h("td", {}, parameter.in),
                h("td", {}, parameter.required ? "yes" : "no"),
                h("td", {}, schemaText(spec, parameter.schema)),
                h("td", {}, parameter.description ?? ""),
              ),
            ),
          ),
        )
      : null,
    body
      ? h(
          "div",
          {},
          h("h3", {}, "Request body"),
          Object.entries(body.content ?? {}).map(([type, media]) =>
            h("p", {}, h("code", {}, type), media.schema ? h("pre", {}, schemaText(spec, media.schema, 0)) : null),
          ),
        )
      : null,
    h("h3", {}, "Responses"),
    h(
      "ul",
      {},
      Object.entries(operation.responses ?? {}).map(([status, response]) => {
        const resolved = resolve(spec, response);
        const schema = Object.values(resolved.content ?? {})[0]?.schema;
        return h(
          "li",
          {},
          h("code", {}, status),
          ` ${resolved.description ?? ""}`,
          schema ? h("pre", {}, schemaText(spec, schema, 0)) : null,
        );
      }),
    ),
  );
}

/** Follows a local `$ref` (`#/components/…`); the reference is only ever inside this document. */
function resolve(spec, value, depth = 0) {
  if (!value?.$ref || depth > 10 || !value.$ref.startsWith("#/")) return value ?? {};
  const target = value.$ref
    .slice(2)
    .split("/")
    .reduce((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  return resolve(spec, target, depth + 1);
}

/** A schema as compact text: `string (uuid)`, `array of …`, `{ Name: string, … }`, nested to a few levels. */
function schemaText(spec, schema, indent, seen = new Set()) {
  if (!schema) return "";
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop();
    if (seen.has(name) || seen.size > 4) return name;
    return `${name} ${schemaText(spec, resolve(spec, schema), indent, new Set([...seen, name]))}`;
  }
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return alternatives.map((item) => schemaText(spec, item, indent, seen)).join(" | ");
  if (schema.allOf) return schema.allOf.map((item) => schemaText(spec, item, indent, seen)).join(" & ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
  if (type === "array") return `array of ${schemaText(spec, schema.items, indent, seen)}`;
  if (schema.properties && indent !== undefined) {
    const pad = "  ".repeat(indent + 1);
    const required = new Set(schema.required ?? []);
    const lines = Object.entries(schema.properties).map(
      ([name, property]) => `${pad}${name}${required.has(name) ? "" : "?"}: ${schemaText(spec, property, indent + 1, seen)}`,
    );
    return `{\n${lines.join(",\n")}\n${"  ".repeat(indent)}}`;
  }
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  return [type ?? "any", schema.format && `(${schema.format})`].filter(Boolean).join(" ");
}
