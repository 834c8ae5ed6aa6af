// tiercel's page: login, navigation and the hash router.

import "uplot/dist/uPlot.min.css";
import "./style.css";
import { h, clear } from "./dom.js";
import { get, post, setCSRF, HTTPError } from "./api.js";
import { searchPage } from "./search.js";
import { alertsPage } from "./alerts.js";
import { rulesPage, rulePage } from "./rules.js";
import { validatePage } from "./validate.js";

const app = {
  nonce: document.querySelector('meta[name="csp-nonce"]')?.content || "",
  session: null,
  leave: null,
};

const root = document.getElementById("app");
const main = h("main", { id: "main", tabindex: "-1" });

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem("tiercel-theme", theme);
}

function nav(session) {
  const links = [
    ["#/search", "Search"],
    ["#/alerts", "Alerts"],
    ["#/rules", "Detections"],
    ["#/validate", "Validation"],
  ];
  const themeBtn = h("button", { class: "link", id: "theme", "aria-label": "switch theme", onclick: () => applyTheme(document.documentElement.dataset.theme === "dark" ? "light" : "dark") }, "◐ theme");
  const logout = h("button", { class: "link", onclick: async () => { await post("/ui/logout"); location.hash = ""; location.reload(); } }, "log out");
  return h("header", { class: "top" },
    h("span", { class: "brand" }, "tiercel"),
    h("nav", { "aria-label": "pages" }, links.map(([href, label]) => h("a", { href, dataset: { page: href.slice(2) } }, label))),
    h("span", { class: "title" }, session.title || ""),
    themeBtn, logout);
}

function loginForm(message) {
  const token = h("input", { type: "password", id: "token", autocomplete: "current-password", "aria-label": "API token", placeholder: "API token" });
  const err = h("p", { class: "error", role: "alert" }, message || "");
  const form = h("form", { class: "login", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const res = await post("/ui/login", { token: token.value });
      setCSRF(res.csrf);
      start();
    } catch (ex) {
      err.textContent = ex.message;
    }
  } },
  h("h1", {}, "tiercel"), h("p", {}, "Log in with an API token (tiercel serve --api-token, or the link tiercel ui printed)."),
  token, h("button", { class: "primary", type: "submit" }, "Log in"), err);
  clear(root).append(form);
  token.focus();
}

async function start() {
  let session;
  try {
    session = await get("/ui/api/session");
  } catch (e) {
    if (e instanceof HTTPError && e.status === 401) return loginForm();
    clear(root).append(h("p", { class: "error" }, "Cannot reach tiercel: " + e.message));
    return;
  }
  app.session = session;
  setCSRF(session.csrf);
  clear(root).append(nav(session), main);
  window.addEventListener("hashchange", route);
  route();
}

function route() {
  if (app.leave) {
    app.leave();
    app.leave = null;
  }
  const hash = location.hash.replace(/^#\/?/, "") || "search";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/");
  for (const a of document.querySelectorAll("header nav a")) a.classList.toggle("active", a.dataset.page === parts[0]);
  const done = (leave) => (app.leave = typeof leave === "function" ? leave : null);
  const fail = (e) => clear(main).append(h("p", { class: "error" }, e.message));
  switch (parts[0]) {
    case "alerts":
      done(alertsPage(main, app));
      break;
    case "rules":
      (parts[1] ? rulePage(main, app, decodeURIComponent(parts[1])) : rulesPage(main)).catch(fail);
      break;
    case "validate":
      validatePage(main, app);
      break;
    default:
      done(searchPage(main, app, params));
  }
}

applyTheme(localStorage.getItem("tiercel-theme") || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
start();
