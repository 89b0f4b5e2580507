import { ApiError, listAll, request, sendJson } from "../api.js";
import { field, form, h, messageArea, table } from "../dom.js";
import { currentSession } from "../session.js";
import { answerKeys } from "./cpix-answer.js";
import { AUDIO_PRESETS, SYSTEMS, VIDEO_PRESETS, presetProblem, spekeV2Request } from "./speke-request.js";

/**
 * Try it: a SPEKE v2.0 request built from the presets, sent to `POST /api/SpekeV2`, its answer and keys shown.
 * Acquisition needs the `acquire` scope. The signed-in credential is tried first (a tenant's first management key
 * holds both scopes); when the service answers 403 for a manage-only credential, the console creates a temporary
 * acquire-only credential through `POST /api/Credentials` (expiring in 5 minutes), sends the request with it and
 * revokes it at once, so the user never pastes a second secret and nothing outlives the try.
 */
const TEMPORARY_CREDENTIAL_MINUTES = 5;

export async function render(container) {
  const messages = messageArea();
  const seeds = await listAll("/api/KeySeeds");
  const contentId = h("input", { name: "contentId", value: "try-it-movie", spellcheck: "false" });
  const videoPreset = h(
    "select",
    { name: "video" },
    Object.keys(VIDEO_PRESETS).map((name) => h("option", { value: name, selected: name === "PRESET-VIDEO-1" }, name)),
  );
  const audioPreset = h(
    "select",
    { name: "audio" },
    Object.keys(AUDIO_PRESETS).map((name) => h("option", { value: name }, name)),
  );
  const scheme = h(
    "select",
    { name: "scheme" },
    ["cenc", "cbcs"].map((value) => h("option", { value }, value)),
  );
  const systems = Object.keys(SYSTEMS).map((name) =>
    h("input", { type: "checkbox", name: "systems", value: name, checked: name !== "FairPlay" }),
  );
  const seed = h(
    "select",
    { name: "seed" },
    h("option", { value: "" }, "The default key seed"),
    seeds.map((s) => h("option", { value: s.Id }, s.Name)),
  );
  const requestText = h("textarea", { name: "request", rows: 12, class: "mono", spellcheck: "false" });
  const answer = h("div", { "aria-live": "polite" });

  function build() {
    messages.clear();
    const problem = presetProblem(videoPreset.value, audioPreset.value);
    if (problem) return messages.error(problem);
    const chosen = systems.filter((box) => box.checked).map((box) => box.value);
    requestText.value = spekeV2Request({
      contentId: contentId.value,
      scheme: scheme.value,
      systems: chosen,
      videoPreset: videoPreset.value,
      audioPreset: audioPreset.value,
    });
  }

  async function send() {
    messages.clear();
    answer.replaceChildren();
    if (!requestText.value.trim()) build();
    if (!requestText.value.trim()) return;
    const path = `/api/SpekeV2${seed.value ? `?keySeedId=${encodeURIComponent(seed.value)}` : ""}`;
    const post = (credential) =>
      request("POST", path, {
        body: requestText.value,
        contentType: "application/xml",
        credential,
        headers: { "X-Speke-Version": "2.0" },
      }).then(async (response) => ({ response, text: await response.text() }));
    let note = "Sent with the signed-in credential.";
    let result;
    try {
      try {
        result = await post(currentSession());
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 403 && /lacks the acquire scope/.test(error.message))) throw error;
        note = "The signed-in credential lacks the acquire scope: sent with a temporary acquire credential, revoked after the answer.";
        result = await withTemporaryAcquireCredential(post);
      }
    } catch (error) {
      return messages.error(error instanceof ApiError ? `${error.status}: ${error.message}` : String(error));
    }
    const keys = answerKeys(result.text);
    answer.replaceChildren(
      h("p", { class: "ok" }, `${result.response.status} ${result.response.statusText || "OK"}: ${keys.length} key(s). ${note}`),
      table(
        "Keys in the answer",
        ["KID", "Track type", "Key (hex)", "IV (hex)"],
        keys.map((key) => [h("code", {}, key.kid), key.trackType, h("code", {}, key.keyHex), h("code", {}, key.ivHex)]),
      ),
      field("Answer (CPIX)", h("textarea", { rows: 12, readOnly: true, class: "mono", spellcheck: "false" }, result.text)),
    );
  }

  const builder = form(
    { "aria-label": "SPEKE v2 request" },
    [
      h(
        "div",
        { class: "columns" },
        h("div", {}, field("Content id", contentId), field("Video preset", videoPreset), field("Audio preset", audioPreset)),
        h(
          "div",
          {},
          field("Encryption scheme", scheme),
          h(
            "fieldset",
            {},
            h("legend", {}, "DRM systems"),
            systems.map((box) => h("label", { class: "check" }, box, ` ${box.value}`)),
          ),
          field("Key seed", seed),
        ),
      ),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: build }, "Build request"),
        h("button", { type: "submit" }, "Send"),
      ),
      field("Request (SPEKE v2.0, editable)", requestText),
    ],
    send,
  );
  container.replaceChildren(builder, messages.element, answer);
  build();
}

/** Runs `use` with a fresh acquire-only credential and revokes it afterwards, whatever the outcome. */
async function withTemporaryAcquireCredential(use) {
  const expiresAt = new Date(Date.now() + TEMPORARY_CREDENTIAL_MINUTES * 60_000).toISOString();
  const created = await sendJson("POST", "/api/Credentials", {
    Name: "console Try it (temporary)",
    Scopes: ["acquire"],
    ExpiresAt: expiresAt,
  });
  const credential = { tenantId: currentSession().tenantId, secret: created.Secret };
  try {
    return await use(credential);
  } finally {
    await sendJson("DELETE", `/api/Credentials/${created.Id}`);
  }
}
