import { ApiError, getJson, sendJson } from "../api.js";
import { field, form, h, messageArea } from "../dom.js";

/**
 * Settings (`GET/PUT /api/Settings`, README "API"). A PUT replaces every setting, so the form sends them all. The
 * service names the setting it refuses at the start of its message ("LogRetentionDays must be …",
 * "AllowedOrigins[2] must be …"); that message is shown beside the field it names.
 */
const TEXT = [
  ["WidevineProvider", "Widevine provider"],
  ["PlayReadyLaUrl", "PlayReady LA_URL"],
  ["FairPlayUriTemplate", "FairPlay key URI template", "Placeholders {kid}, {kidHex}, {kidBase64}, {ivHex}; default skd://{kid}:{ivHex}"],
  ["ClearKeyUriTemplate", "Clear Key URI template", "Needed for HLS AES-128"],
];
const LISTS = [
  [
    "AllowedOrigins",
    "Allowed origins",
    "One origin per line, e.g. https://console.example.com. This console needs none: it is same-origin.",
  ],
  [
    "RecipientCertificates",
    "Recipient certificates",
    "SHA-256 fingerprints (hex), one per line; empty allows any certificate the policy accepts",
  ],
];
const FLAGS = [
  ["RequireEncryption", "Require encryption (refuse CPIX requests without DeliveryData)"],
  ["SignResponses", "Sign responses (needs a signing key)"],
  ["RequireSignedRequests", "Require signed requests (from trusted requesters)"],
  ["AllowPlainContentKeyExport", "Allow plain content-key export (without a certificate)"],
];

export async function render(container) {
  const messages = messageArea();
  const [settings, signingKeys] = await Promise.all([getJson("/api/Settings"), getJson("/api/SigningKeys")]);
  const errors = new Map();

  /** The field with a place for the service's message about it. */
  function withError(name, wrapper) {
    const error = h("p", { class: "field-error", id: `${name}-error`, hidden: true });
    errors.set(name, { error, control: wrapper.querySelector(`[name="${name}"]`) });
    wrapper.append(error);
    return wrapper;
  }

  const fields = [
    ...TEXT.map(([name, label, hint]) =>
      withError(name, field(label, h("input", { name, value: settings[name] ?? "", spellcheck: "false" }), hint)),
    ),
    ...LISTS.map(([name, label, hint]) =>
      withError(
        name,
        field(label, h("textarea", { name, rows: 3, class: "mono", spellcheck: "false" }, (settings[name] ?? []).join("\n")), hint),
      ),
    ),
    withError(
      "LogRetentionDays",
      field(
        "Log retention (days)",
        h("input", { name: "LogRetentionDays", type: "number", value: settings.LogRetentionDays }),
        "1 to 3650",
      ),
    ),
    withError(
      "SigningKeyId",
      field(
        "Signing key",
        h(
          "select",
          { name: "SigningKeyId" },
          h("option", { value: "" }, "None"),
          signingKeys.map((key) =>
            h("option", { value: key.Id, selected: key.Id === settings.SigningKeyId }, `${key.Subject} (${key.Id})`),
          ),
        ),
      ),
    ),
    ...FLAGS.map(([name, label]) =>
      withError(
        name,
        h(
          "div",
          { class: "field" },
          h("label", { class: "check" }, h("input", { type: "checkbox", name, checked: settings[name] === true }), ` ${label}`),
        ),
      ),
    ),
  ];

  function clearErrors() {
    for (const { error, control } of errors.values()) {
      error.hidden = true;
      error.textContent = "";
      control.removeAttribute("aria-invalid");
      control.setAttribute(
        "aria-describedby",
        [control.getAttribute("aria-describedby")].filter((id) => id && !id.endsWith("-error")).join(" "),
      );
    }
  }

  function showError(message) {
    const named = /^([A-Za-z]+)/.exec(message)?.[1];
    const entry = named && errors.get(named);
    if (!entry) return messages.error(message);
    messages.error(`Not saved: ${named} was refused (see the field).`);
    entry.error.textContent = message;
    entry.error.hidden = false;
    entry.control.setAttribute("aria-invalid", "true");
    entry.control.setAttribute(
      "aria-describedby",
      [entry.control.getAttribute("aria-describedby"), entry.error.id].filter(Boolean).join(" "),
    );
    entry.control.focus();
  }

  const settingsForm = form(
    { "aria-label": "Settings" },
    [...fields, messages.element, h("button", { type: "submit" }, "Save")],
    async (element) => {
      clearErrors();
      messages.clear();
      const value = (name) => element.elements.namedItem(name);
      const body = {};
      for (const [name] of TEXT) body[name] = value(name).value.trim() || null;
      for (const [name] of LISTS)
        body[name] = value(name)
          .value.split("\n")
          .map((line) => line.trim())
          .filter(Boolean);
      const days = value("LogRetentionDays").value.trim();
      body.LogRetentionDays = days === "" ? null : Number(days);
      body.SigningKeyId = value("SigningKeyId").value || null;
      for (const [name] of FLAGS) body[name] = value(name).checked;
      try {
        await sendJson("PUT", "/api/Settings", body);
        messages.ok("Settings saved.");
      } catch (error) {
        showError(error instanceof ApiError ? error.message : String(error));
      }
    },
  );
  container.replaceChildren(settingsForm);
}
