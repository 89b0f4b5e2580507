/** The console's pages in navigation order; each module is loaded when its page is first opened. */
export const PAGES = [
  { path: "key-seeds", title: "Key seeds", load: () => import("./key-seeds.js") },
  { path: "content-keys", title: "Content keys", load: () => import("./content-keys.js") },
  { path: "credentials", title: "Credentials", load: () => import("./credentials.js") },
  { path: "widevine-signers", title: "Widevine signers", load: () => import("./signers.js") },
  { path: "settings", title: "Settings", load: () => import("./settings.js") },
  { path: "logs", title: "Logs", load: () => import("./logs.js") },
  { path: "try-it", title: "Try it", load: () => import("./try-it.js") },
  { path: "api", title: "API", load: () => import("./api-reference.js") },
];
