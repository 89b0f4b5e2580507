/**
 * A few DOM helpers instead of a view library: elements are built with `h`, and text always goes in as text nodes,
 * never parsed as HTML, so nothing the service or a user returns can become markup.
 */

/**
 * @example h("button", { type: "button", onclick: save }, "Save")
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let nextId = 0;
/** A unique id for label/description links. */
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled control: the label names it for assistive technology (WCAG 1.3.1, 4.1.2). */
export function field(label, control, hint) {
  control.id ||= uid("f");
  const hintElement = hint ? h("span", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintElement) control.setAttribute("aria-describedby", hintElement.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintElement);
}

/** A table with a caption naming it; `rows` are arrays of cells (strings or nodes). */
export function table(caption, columns, rows, empty = "None yet.") {
  if (rows.length === 0) return h("p", { class: "empty" }, `${caption}: ${empty}`);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          columns.map((column) => h("th", { scope: "col" }, column)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            {},
            row.map((cell) => h("td", {}, cell)),
          ),
        ),
      ),
    ),
  );
}

/** A live region for a page's messages: errors are announced (role=alert), successes politely. */
export function messageArea() {
  const area = h("div", { class: "messages", "aria-live": "polite" });
  return {
    element: area,
    error(text) {
      area.replaceChildren(h("p", { class: "error", role: "alert" }, text));
    },
    ok(text) {
      area.replaceChildren(h("p", { class: "ok" }, text));
    },
    clear() {
      area.replaceChildren();
    },
  };
}

/** An ISO instant as `<time>`, shown in UTC to the second. */
export function instant(iso) {
  if (!iso) return "—";
  return h("time", { datetime: iso }, iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC"));
}

/** A value shown once: read-only, selectable, with a Copy button and the warning that it will not be shown again. */
export function shownOnce(title, values) {
  return h(
    "section",
    { class: "once", "aria-label": title },
    h("h2", {}, title),
    h("p", { class: "warning" }, "Copy it now: the service shows it only this once and the console does not keep it."),
    values.map(([label, value]) => {
      const input = h("input", { type: "text", readOnly: true, value, class: "mono", spellcheck: "false" });
      const status = h("span", { class: "hint", "aria-live": "polite" });
      const copy = h("button", { type: "button", "aria-label": `Copy ${label}` }, "Copy");
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(value);
          status.textContent = "Copied.";
        } catch {
          input.select();
          status.textContent = "Select and copy it with Ctrl+C.";
        }
      });
      return h("div", { class: "field inline" }, field(label, input), copy, status);
    }),
  );
}

/** A button that runs `action` once at a time, disabled while it runs. */
export function actionButton(text, action, props = {}) {
  const button = h("button", { type: "button", ...props }, text);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** A form whose submit runs `action` (no navigation; the page never posts itself anywhere). */
export function form(props, children, action) {
  const element = h("form", { novalidate: true, ...props }, children);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = element.querySelector("button[type=submit]");
    if (submit) submit.disabled = true;
    try {
      await action(element);
    } finally {
      if (submit) submit.disabled = false;
    }
  });
  return element;
}

/** The `datetime-local` value as an ISO 8601 instant in UTC, or undefined when empty. */
export function localToIso(value) {
  return value ? new Date(value).toISOString() : undefined;
}
