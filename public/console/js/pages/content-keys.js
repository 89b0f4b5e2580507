import { ApiError, getJson, listAll, request, sendJson } from "../api.js";
import { actionButton, field, form, h, instant, messageArea, table } from "../dom.js";
import { certificateText, download } from "./files.js";

/**
 * Content keys (Axinom Key Service Management API, "Content Keys Operations"): stored keys, listed by metadata only
 * (the key value is never returned). Create a random key, or one derived from a seed (`KeySeedId`); import keys
 * (`[{Id?, Name?, Data, Iv?}]`); export them as CPIX encrypted for an uploaded certificate; rename; delete.
 * `CreationMethod`: 0 random, 1 from a key seed, 2 imported.
 */
const CREATION_METHOD = ["random", "from a key seed", "imported"];
const PAGE_SIZE = 50;

export async function render(container) {
  const messages = messageArea();
  const list = h("div", { "aria-live": "polite" });
  const seeds = await listAll("/api/KeySeeds");
  let skip = 0;

  const filter = h("input", { name: "filter", class: "mono", spellcheck: "false", placeholder: "contains(Name,'movie')" });
  const orderBy = h(
    "select",
    { name: "orderby" },
    h("option", { value: "" }, "The service's order"),
    ["Created desc", "Created asc", "Name asc", "Name desc"].map((value) => h("option", { value }, value)),
  );

  async function refresh() {
    const query = new URLSearchParams({ $top: String(PAGE_SIZE), $skip: String(skip) });
    if (orderBy.value) query.set("$orderby", orderBy.value);
    if (filter.value.trim()) query.set("$filter", filter.value.trim());
    let keys;
    try {
      keys = await getJson(`/api/ContentKeys?${query}`);
    } catch (error) {
      list.replaceChildren();
      return messages.error(error.message);
    }
    list.replaceChildren(
      table(
        "Content keys",
        ["KID", "Name", "Created", "Updated", "Made", "Actions"],
        keys.map((key) => [
          h("code", {}, key.Id),
          key.Name ?? "",
          instant(key.Created),
          instant(key.Updated),
          CREATION_METHOD[key.CreationMethod] ?? String(key.CreationMethod),
          h(
            "div",
            { class: "actions" },
            actionButton("Rename", () => rename(key), { "aria-label": `Rename content key ${key.Name || key.Id}` }),
            actionButton("Delete", () => remove(key), { class: "danger", "aria-label": `Delete content key ${key.Name || key.Id}` }),
          ),
        ]),
        "none matches.",
      ),
      h(
        "div",
        { class: "actions" },
        skip > 0
          ? h("button", { type: "button", onclick: () => ((skip = Math.max(0, skip - PAGE_SIZE)), refresh()) }, "Previous page")
          : null,
        keys.length === PAGE_SIZE ? h("button", { type: "button", onclick: () => ((skip += PAGE_SIZE), refresh()) }, "Next page") : null,
      ),
    );
  }

  async function change(call, done) {
    messages.clear();
    try {
      const result = await call();
      if (done) messages.ok(typeof done === "function" ? done(result) : done);
      await refresh();
      return true;
    } catch (error) {
      messages.error(error instanceof ApiError ? error.message : String(error));
      return false;
    }
  }

  async function rename(key) {
    const name = prompt(`New name for content key ${key.Id}`, key.Name ?? "");
    if (name === null) return;
    await change(() => sendJson("PUT", `/api/ContentKeys/${key.Id}`, { Name: name }), `Renamed content key ${key.Id}.`);
  }

  async function remove(key) {
    if (!confirm(`Delete content key ${key.Name || key.Id}? Packagers can no longer get it.`)) return;
    await change(() => sendJson("DELETE", `/api/ContentKeys/${key.Id}`), `Deleted content key ${key.Id}.`);
  }

  const search = form(
    { class: "filters", "aria-label": "Filter content keys" },
    [field("Filter ($filter, OData)", filter), field("Order", orderBy), h("button", { type: "submit" }, "Filter")],
    () => {
      skip = 0;
      return refresh();
    },
  );

  const name = h("input", { name: "name", maxlength: 256 });
  const kid = h("input", { name: "kid", class: "mono", spellcheck: "false" });
  const seed = h(
    "select",
    { name: "seed" },
    h("option", { value: "" }, "Random (stored)"),
    seeds.map((s) => h("option", { value: s.Id }, `From key seed ${s.Name}`)),
  );
  const create = form(
    { "aria-labelledby": "new-content-key" },
    [
      field("Name", name),
      field("KID (optional)", kid, "A UUID; the service makes one when empty."),
      field("Key value", seed),
      h("button", { type: "submit" }, "Create content key"),
    ],
    async () => {
      const body = { Name: name.value, ...(kid.value.trim() && { Id: kid.value.trim() }), ...(seed.value && { KeySeedId: seed.value }) };
      if (
        await change(
          () => sendJson("POST", "/api/ContentKeys", body),
          (created) => `Created content key ${created.Id}.`,
        )
      ) {
        name.value = "";
        kid.value = "";
      }
    },
  );

  const importData = h("textarea", { name: "import", rows: 4, class: "mono", spellcheck: "false" });
  const importForm = form(
    { "aria-labelledby": "import-content-keys" },
    [
      field(
        "Keys to import",
        importData,
        'A JSON array [{"Id": "…", "Name": "…", "Data": "<base64 of 16 bytes>", "Iv": "…"}] or a CPIX document.',
      ),
      h("button", { type: "submit" }, "Import"),
    ],
    async () => {
      const text = importData.value.trim();
      const xml = text.startsWith("<");
      const call = () =>
        request("POST", "/api/Import/ContentKeys", { body: text, contentType: xml ? "application/xml" : "application/json" }).then((r) =>
          r.json(),
        );
      if (await change(call, (imported) => `Imported ${imported.length} content key(s).`)) importData.value = "";
    },
  );

  const exportIds = h("textarea", { name: "ids", rows: 2, class: "mono", spellcheck: "false" });
  const exportFilter = h("input", { name: "exportFilter", class: "mono", spellcheck: "false" });
  const certificate = h("input", { type: "file", name: "certificate", accept: ".pem,.crt,.cer,.der" });
  const exportForm = form(
    { "aria-labelledby": "export-content-keys" },
    [
      field("KIDs (optional, one per line)", exportIds),
      field("Filter (optional, OData)", exportFilter),
      field("Recipient certificate", certificate, "X.509, PEM or DER: the keys are encrypted for it (CPIX DeliveryData)."),
      h("button", { type: "submit" }, "Export as CPIX"),
    ],
    async () => {
      messages.clear();
      const body = {};
      const ids = exportIds.value.split(/\s+/).filter(Boolean);
      if (ids.length > 0) body.Ids = ids;
      if (exportFilter.value.trim()) body.Filter = exportFilter.value.trim();
      if (certificate.files[0]) body.Certificate = await certificateText(certificate.files[0]);
      try {
        const response = await request("POST", "/api/Export/ContentKeys", { json: body });
        download("content-keys.cpix.xml", await response.blob());
        messages.ok("Exported the content keys as content-keys.cpix.xml.");
      } catch (error) {
        messages.error(error instanceof ApiError ? error.message : String(error));
      }
    },
  );

  container.replaceChildren(
    messages.element,
    search,
    list,
    h(
      "div",
      { class: "columns" },
      h("section", { class: "card" }, h("h2", { id: "new-content-key" }, "New content key"), create),
      h("section", { class: "card" }, h("h2", { id: "import-content-keys" }, "Import content keys"), importForm),
      h("section", { class: "card" }, h("h2", { id: "export-content-keys" }, "Export content keys"), exportForm),
    ),
  );
  await refresh();
}
