import { ApiError, request } from "../api.js";
import { field, form, h, messageArea } from "../dom.js";
import { certificateText, download } from "./files.js";

/**
 * `POST /api/Export/KeySeeds` `{Ids?, Password? | Certificate?}`: the tenant's seeds as a PSKC document (RFC 6030
 * §6.2 password-based, §6.3 for a certificate's key), never in clear; saved as a download.
 */
export function keySeedExport() {
  const messages = messageArea();
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password" });
  const certificate = h("input", { type: "file", name: "certificate", accept: ".pem,.crt,.cer,.der" });
  const exportForm = form(
    { "aria-labelledby": "export-seeds" },
    [
      h("p", { class: "hint" }, "Every key seed, encrypted with a password or for a certificate's RSA key. Fill in one of them."),
      field("Export password", password, "At least 16 characters, not one character repeated or a simple sequence."),
      field("Or a recipient certificate", certificate, "X.509, PEM or DER (RSA, at least 2048 bits)."),
      messages.element,
      h("button", { type: "submit" }, "Export as PSKC"),
    ],
    async () => {
      messages.clear();
      const body = {};
      if (password.value) body.Password = password.value;
      if (certificate.files[0]) body.Certificate = await certificateText(certificate.files[0]);
      try {
        const response = await request("POST", "/api/Export/KeySeeds", { json: body });
        download("key-seeds.pskc.xml", await response.blob());
        password.value = "";
        messages.ok("Exported the key seeds as key-seeds.pskc.xml.");
      } catch (error) {
        messages.error(error instanceof ApiError ? error.message : String(error));
      }
    },
  );
  return h("section", { class: "card" }, h("h2", { id: "export-seeds" }, "Export key seeds (PSKC)"), exportForm);
}
