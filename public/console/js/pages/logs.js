import { getJson, listAll } from "../api.js";
import { field, form, h, instant, localToIso, messageArea, table } from "../dom.js";

/**
 * Logs (`GET /api/Logs`, README "Logs"): issuance and audit records, newest first, filtered by category, time
 * range, content id and KID. A KID search answers "which seed issued KID x?" in one query: the issuance entry names
 * its KeySeedId, shown here with the seed's name.
 */
const CATEGORIES = [
  [100, "Key issuance"],
  [9, "Import content keys"],
  [10, "Export content keys"],
  [11, "Add content key"],
  [12, "Update content key"],
  [13, "Delete content key"],
  [14, "Import key seeds"],
  [15, "Export key seeds"],
  [16, "Add key seed"],
  [17, "Update key seed"],
  [18, "Delete key seed"],
  [101, "Add credential"],
  [102, "Delete credential"],
  [103, "Add Widevine signer"],
  [104, "Delete Widevine signer"],
  [105, "Update settings"],
  [106, "Switch default key seed"],
  [107, "Add signing key"],
  [108, "Delete signing key"],
  [109, "Add trusted requester"],
  [110, "Delete trusted requester"],
  [111, "Issue CPIX URL"],
  [112, "Rotate CPIX URL secret"],
];
const CATEGORY_NAME = new Map(CATEGORIES);
const PAGE_SIZE = 50;

export async function render(container) {
  const messages = messageArea();
  const results = h("div", { "aria-live": "polite" });
  const seeds = await listAll("/api/KeySeeds");
  const seedName = new Map(seeds.map((seed) => [seed.Id, seed.Name]));
  const category = h(
    "select",
    { name: "category" },
    h("option", { value: "" }, "Any"),
    CATEGORIES.map(([value, name]) => h("option", { value }, `${name} (${value})`)),
  );
  const from = h("input", { type: "datetime-local", name: "from", step: 1 });
  const to = h("input", { type: "datetime-local", name: "to", step: 1 });
  const contentId = h("input", { name: "contentId", spellcheck: "false" });
  const kid = h("input", { name: "kid", class: "mono", spellcheck: "false", placeholder: "e.g. 3f2f6a14-7b3c-4b5e-9d7a-1c2b3d4e5f60" });
  let skip = 0;

  async function search() {
    messages.clear();
    const query = new URLSearchParams({ $top: String(PAGE_SIZE), $skip: String(skip) });
    if (category.value) query.append("category", category.value);
    if (from.value) query.set("from", localToIso(from.value));
    if (to.value) query.set("to", localToIso(to.value));
    if (contentId.value.trim()) query.set("contentId", contentId.value.trim());
    if (kid.value.trim()) query.set("kid", kid.value.trim());
    let entries;
    try {
      entries = await getJson(`/api/Logs?${query}`);
    } catch (error) {
      results.replaceChildren();
      return messages.error(error.message);
    }
    results.replaceChildren(
      table(
        "Log entries",
        ["Time", "Category", "What", "Content / object", "Key IDs", "Key seed", "Credential"],
        entries.map((entry) => [
          instant(entry.Timestamp),
          `${CATEGORY_NAME.get(entry.Category) ?? entry.Category} (${entry.Category})`,
          entry.Protocol ?? entry.Action,
          entry.ContentId ?? entry.ObjectId ?? "",
          entry.KeyIds
            ? h(
                "ul",
                { class: "kids" },
                entry.KeyIds.map((id) =>
                  h("li", {}, h("code", {}, id), entry.StoredKeyIds?.includes(id) ? " (stored key, not from the seed)" : ""),
                ),
              )
            : "",
          entry.KeySeedId ? h("span", {}, seedName.get(entry.KeySeedId) ?? "", " ", h("code", {}, entry.KeySeedId)) : "",
          h("code", {}, entry.AuthenticationCredentialId ?? ""),
        ]),
        "no entry matches.",
      ),
      h(
        "div",
        { class: "actions" },
        skip > 0
          ? h("button", { type: "button", onclick: () => ((skip = Math.max(0, skip - PAGE_SIZE)), search()) }, "Newer entries")
          : null,
        entries.length === PAGE_SIZE
          ? h("button", { type: "button", onclick: () => ((skip += PAGE_SIZE), search()) }, "Older entries")
          : null,
      ),
    );
  }

  const filters = form(
    { class: "filters", "aria-label": "Search the logs" },
    [
      field("Category", category),
      field("From (your local time)", from),
      field("To (your local time)", to),
      field("Content id", contentId),
      field("KID", kid, "Which seed issued this Key ID?"),
      h("button", { type: "submit" }, "Search"),
    ],
    () => {
      skip = 0;
      return search();
    },
  );
  container.replaceChildren(filters, messages.element, results);
  await search();
}
