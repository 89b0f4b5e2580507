import { ApiError, request, whenUnauthorized } from "./api.js";
import { field, form, h, messageArea } from "./dom.js";
import { PAGES } from "./pages/index.js";
import { currentSession, forget, remember } from "./session.js";

/**
 * The console shell: sign-in, navigation between pages (by URL fragment, which never holds a secret) and sign-out.
 * Every page uses only the public API (README "API"), with the signed-in credential.
 */
const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const signOutButton = document.getElementById("sign-out");
let leavePage = () => {};

function showSignIn(message) {
  leavePage();
  leavePage = () => {};
  for (const element of [nav, who, signOutButton]) element.hidden = true;
  const messages = messageArea();
  const tenant = h("input", { name: "tenant", autocomplete: "username", required: true, spellcheck: "false" });
  const secret = h("input", { name: "secret", type: "password", autocomplete: "current-password", required: true });
  const signIn = form(
    { class: "card sign-in", "aria-labelledby": "sign-in-title" },
    [
      field("Tenant ID", tenant),
      field("Management key", secret, "A credential with the manage scope. It is kept in this tab only and forgotten on Sign out."),
      messages.element,
      h("button", { type: "submit" }, "Sign in"),
    ],
    async () => {
      const tenantId = tenant.value.trim();
      if (!tenantId || !secret.value) return messages.error("Enter the Tenant ID and the Management key.");
      try {
        // A cheap manage-scope call: the service's own 401/403 message says what is wrong.
        await request("GET", "/api/Settings", { credential: { tenantId, secret: secret.value } });
      } catch (error) {
        return messages.error(error instanceof ApiError ? error.message : `The service did not answer: ${error.message}`);
      }
      remember(tenantId, secret.value);
      secret.value = "";
      showConsole();
    },
  );
  main.replaceChildren(h("h1", { id: "sign-in-title" }, "Sign in"), signIn);
  if (message) messages.error(message);
  tenant.focus();
}

function showConsole() {
  const session = currentSession();
  if (!session) return showSignIn();
  who.replaceChildren("Tenant ", h("code", {}, session.tenantId));
  for (const element of [nav, who, signOutButton]) element.hidden = false;
  nav.replaceChildren(
    h(
      "ul",
      {},
      PAGES.map((page) => h("li", {}, h("a", { href: `#/${page.path}`, "data-page": page.path }, page.title))),
    ),
  );
  if (!location.hash.startsWith("#/")) location.replace(`#/${PAGES[0].path}`);
  route();
}

async function route() {
  if (!currentSession()) return;
  const path = location.hash.slice(2);
  const page = PAGES.find((candidate) => candidate.path === path) ?? PAGES[0];
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.page === page.path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  leavePage();
  leavePage = () => {};
  document.title = `${page.title} · Edge Key Service console`;
  const container = h("div", { class: "page", "aria-busy": "true" });
  const heading = h("h1", { tabindex: "-1" }, page.title);
  main.replaceChildren(heading, container);
  heading.focus();
  try {
    const module = await page.load();
    const leave = await module.render(container);
    if (typeof leave === "function") leavePage = leave;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    container.replaceChildren(h("p", { class: "error", role: "alert" }, error.message));
  } finally {
    container.removeAttribute("aria-busy");
  }
}

signOutButton.addEventListener("click", () => {
  forget();
  history.replaceState(null, "", location.pathname);
  showSignIn();
});
whenUnauthorized((message) => {
  forget();
  showSignIn(`Signed out: ${message}`);
});
addEventListener("hashchange", route);
if (currentSession()) showConsole();
else showSignIn();
