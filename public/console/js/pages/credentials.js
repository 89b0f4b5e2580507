import { ApiError, getJson, sendJson } from "../api.js";
import { actionButton, field, form, h, instant, localToIso, messageArea, shownOnce, table } from "../dom.js";

/**
 * Credentials (README "Credentials and rotation"): create with scopes (the secret is in the 201 only, shown once
 * here), list, revoke. A revoked credential is refused everywhere within 110 s.
 */
export async function render(container) {
  const messages = messageArea();
  const list = h("div");
  const secretArea = h("div");

  async function refresh() {
    const credentials = await getJson("/api/Credentials");
    list.replaceChildren(
      table(
        "Credentials",
        ["Id", "Name", "Scopes", "Created", "Expires", "Actions"],
        credentials.map((credential) => [
          h("code", {}, credential.Id),
          credential.Name,
          credential.Scopes.join(", "),
          instant(credential.Created),
          credential.ExpiresAt ? instant(credential.ExpiresAt) : "never",
          actionButton("Revoke", () => revoke(credential), { class: "danger", "aria-label": `Revoke credential ${credential.Name}` }),
        ]),
      ),
    );
  }

  async function revoke(credential) {
    if (!confirm(`Revoke credential ${credential.Name}? Packagers using it are refused within 110 s.`)) return;
    messages.clear();
    try {
      await sendJson("DELETE", `/api/Credentials/${credential.Id}`);
      messages.ok(`Revoked credential ${credential.Name}.`);
      await refresh();
    } catch (error) {
      messages.error(error instanceof ApiError ? error.message : String(error));
    }
  }

  const name = h("input", { name: "name", required: true, maxlength: 256 });
  const scopes = ["acquire", "manage"].map((scope) =>
    h("input", { type: "checkbox", name: "scopes", value: scope, checked: scope === "acquire" }),
  );
  const expires = h("input", { type: "datetime-local", name: "expires" });
  const create = form(
    { "aria-labelledby": "new-credential" },
    [
      field("Name", name),
      h(
        "fieldset",
        {},
        h("legend", {}, "Scopes"),
        scopes.map((box) =>
          h(
            "label",
            { class: "check" },
            box,
            box.value === "acquire" ? " acquire (get keys)" : " manage (this console and the Management API)",
          ),
        ),
      ),
      field("Expires at (optional, your local time)", expires),
      h("button", { type: "submit" }, "Create credential"),
    ],
    async () => {
      messages.clear();
      secretArea.replaceChildren();
      const body = { Name: name.value, Scopes: scopes.filter((box) => box.checked).map((box) => box.value) };
      const expiresAt = localToIso(expires.value);
      if (expiresAt) body.ExpiresAt = expiresAt;
      try {
        const created = await sendJson("POST", "/api/Credentials", body);
        secretArea.replaceChildren(
          shownOnce(`Secret of ${created.Name}`, [["Secret", created.Secret]]),
          h("p", { class: "hint" }, "Packagers sign in with the tenant id as user name and this secret as password (HTTP Basic)."),
        );
        name.value = "";
        await refresh();
        secretArea.querySelector("input")?.focus();
      } catch (error) {
        messages.error(error instanceof ApiError ? error.message : String(error));
      }
    },
  );

  container.replaceChildren(
    messages.element,
    secretArea,
    list,
    h("section", { class: "card" }, h("h2", { id: "new-credential" }, "New credential"), create),
  );
  await refresh();
  return () => secretArea.replaceChildren();
}
