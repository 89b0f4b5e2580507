import { ApiError, listAll, sendJson } from "../api.js";
import { actionButton, field, form, h, instant, messageArea, table } from "../dom.js";
import { keySeedExport } from "./key-seed-export.js";

/**
 * Key seeds (README "API", "Key model"): list, create, import, make default and delete. A default switch is
 * published with an `effectiveAt` (`DefaultEffectiveAt` on the new default while it is pending); the page counts
 * down to it, since until then acquisitions still use the previous default.
 */
export async function render(container) {
  const messages = messageArea();
  const list = h("div");
  const pending = h("div", { class: "pending-area" });
  let timer;

  async function refresh() {
    const seeds = await listAll("/api/KeySeeds");
    clearInterval(timer);
    const switching = seeds.find((seed) => seed.DefaultEffectiveAt && Date.parse(seed.DefaultEffectiveAt) > Date.now());
    pending.replaceChildren(switching ? pendingSwitch(switching) : "");
    if (switching) {
      timer = setInterval(() => {
        if (tick(pending, switching)) return;
        clearInterval(timer);
        refresh().catch((error) => messages.error(error.message));
      }, 1000);
    }
    list.replaceChildren(
      table(
        "Key seeds",
        ["Id", "Name", "Created", "Generated", "Default", "Actions"],
        seeds.map((seed) => [
          h("code", {}, seed.Id),
          seed.Name,
          instant(seed.Created),
          seed.Generated ? "yes" : "imported",
          defaultCell(seed),
          h(
            "div",
            { class: "actions" },
            seed.IsDefault
              ? null
              : actionButton("Make default", () => change(() => sendJson("PUT", `/api/KeySeeds/${seed.Id}`, { IsDefault: true })), {
                  "aria-label": `Make ${seed.Name} the default key seed`,
                }),
            actionButton("Delete", () => remove(seed), { class: "danger", "aria-label": `Delete key seed ${seed.Name}` }),
          ),
        ]),
      ),
    );
  }

  async function change(call, done) {
    messages.clear();
    try {
      await call();
      if (done) messages.ok(done);
      await refresh();
      return true;
    } catch (error) {
      messages.error(error instanceof ApiError ? error.message : String(error));
      return false;
    }
  }

  async function remove(seed) {
    if (!confirm(`Delete key seed ${seed.Name}? Keys derived from it can no longer be issued.`)) return;
    await change(() => sendJson("DELETE", `/api/KeySeeds/${seed.Id}`), `Deleted key seed ${seed.Name}.`);
  }

  const name = h("input", { name: "name", required: true, maxlength: 256 });
  const create = form({ "aria-labelledby": "new-seed" }, [field("Name", name), h("button", { type: "submit" }, "Create")], async () => {
    if (await change(() => sendJson("POST", "/api/KeySeeds", { Name: name.value }), `Created key seed ${name.value}.`)) name.value = "";
  });

  const data = h("textarea", { name: "data", rows: 2, class: "mono", spellcheck: "false" });
  const importId = h("input", { name: "id", class: "mono", spellcheck: "false" });
  const importForm = form(
    { "aria-labelledby": "import-seed" },
    [
      field("Seed (base64)", data, "Exactly 30 bytes, as your license service holds it. Sent once, never shown again."),
      field("Id (optional)", importId, "A UUID; the service makes one when empty."),
      h("button", { type: "submit" }, "Import"),
    ],
    async () => {
      const item = { Data: data.value.trim(), ...(importId.value.trim() && { Id: importId.value.trim() }) };
      if (await change(() => sendJson("POST", "/api/Import/KeySeeds", [item]), "Imported the key seed.")) {
        data.value = "";
        importId.value = "";
      }
    },
  );

  container.replaceChildren(
    messages.element,
    pending,
    list,
    h(
      "div",
      { class: "columns" },
      h("section", { class: "card" }, h("h2", { id: "new-seed" }, "New key seed"), create),
      h("section", { class: "card" }, h("h2", { id: "import-seed" }, "Import a key seed"), importForm),
      keySeedExport(),
    ),
  );
  await refresh();
  return () => clearInterval(timer);
}

function defaultCell(seed) {
  if (seed.DefaultEffectiveAt && Date.parse(seed.DefaultEffectiveAt) > Date.now()) return h("span", { class: "badge pending" }, "pending");
  return seed.IsDefault ? h("span", { class: "badge" }, "default") : "";
}

/** The pending switch and its countdown; the countdown is a timer (ARIA), not announced every second. */
function pendingSwitch(seed) {
  return h(
    "section",
    { class: "pending", "aria-labelledby": "pending-title" },
    h("h2", { id: "pending-title" }, "Pending default switch"),
    h(
      "p",
      {},
      "Key seed ",
      h("strong", {}, seed.Name),
      " becomes the default everywhere at ",
      instant(seed.DefaultEffectiveAt),
      ", in ",
      h("span", { class: "countdown", role: "timer", "aria-live": "off" }, remaining(seed.DefaultEffectiveAt)),
      ". Until then acquisitions use the previous default.",
    ),
  );
}

/** Updates the countdown; false once the switch has taken effect. */
function tick(area, seed) {
  if (Date.parse(seed.DefaultEffectiveAt) <= Date.now()) return false;
  const countdown = area.querySelector(".countdown");
  if (countdown) countdown.textContent = remaining(seed.DefaultEffectiveAt);
  return true;
}

/** `m:ss` until `iso`. */
export function remaining(iso) {
  const seconds = Math.max(0, Math.ceil((Date.parse(iso) - Date.now()) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}
