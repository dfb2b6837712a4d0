// tipgate dashboard: boot, header, view-as banner and the hash router.

import { accessPage } from "./access";
import { auditPage, sqlPage, viewAsPage } from "./admin";
import { api, errorMessage, setCsrfToken } from "./api";
import { dashboardPage, startDashboard } from "./dashboard";
import { directoryPage } from "./directory";
import { h } from "./dom";
import type { Page } from "./page";
import { currentRoute } from "./route";
import type { Me } from "./types";

interface NavItem {
  path: string;
  label: string;
  testid: string;
  admin: boolean;
}

const NAV: NavItem[] = [
  { path: "/", label: "Dashboard", testid: "nav-dashboard", admin: false },
  { path: "/access", label: "Your access", testid: "nav-access", admin: false },
  { path: "/admin/sql", label: "SQL console", testid: "nav-admin-sql", admin: true },
  { path: "/admin/audit", label: "Audit log", testid: "nav-admin-audit", admin: true },
  { path: "/admin/directory", label: "Users & groups", testid: "nav-admin-directory", admin: true },
  { path: "/admin/view-as", label: "View as", testid: "nav-admin-viewas", admin: true },
];

let me: Me;
let page: Page | null = null;
let pagePath = "";

function mainEl(): HTMLElement {
  const m = document.getElementById("main");
  if (!m) throw new Error("index.html has no #main");
  return m;
}

function headerEl(): HTMLElement {
  let el = document.getElementById("app-header");
  if (!el) {
    el = h("header", { id: "app-header", class: "app-header" });
    document.body.prepend(el);
  }
  return el;
}

async function loadMe(): Promise<void> {
  me = await api<Me>("/app/api/me");
  setCsrfToken(me.csrfToken);
}

function renderHeader(): void {
  const links = NAV.filter((n) => !n.admin || me.secadmin).map((n) =>
    h("li", {}, h("a", { href: "#" + n.path, "data-testid": n.testid, "data-path": n.path }, n.label)),
  );
  const signout = h("button", { type: "button", class: "button secondary small", "data-testid": "signout" }, "Sign out");
  signout.addEventListener("click", () => void signOut(signout));
  const groups = me.groups ?? [];
  const bar = h(
    "div",
    { class: "header-bar" },
    h("a", { class: "brand", href: "#/" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, "\u25C6"), "tipgate", h("span", { class: "sr-only" }, " sales dashboard, home")),
    h("nav", { "aria-label": "Main" }, h("ul", { class: "nav-links" }, ...links)),
    h(
      "div",
      { class: "who" },
      h("span", { class: "sr-only" }, "Signed in as "),
      h("span", { class: "user-name", "data-testid": "user-name" }, me.email || me.user),
      groups.length > 0 &&
        h("ul", { class: "chips", "aria-label": "Your groups", "data-testid": "user-groups" }, ...groups.map((g) => h("li", { class: "chip" }, g))),
      signout,
    ),
  );
  const children: HTMLElement[] = [bar];
  if (me.viewAs) {
    const who = me.viewAs.email || me.viewAs.user;
    const stop = h("button", { type: "button", class: "button small", "data-testid": "viewas-clear" }, "Stop viewing as");
    stop.addEventListener("click", () => void stopViewAs(stop));
    const gs = me.viewAs.groups ?? [];
    children.push(
      h(
        "div",
        { class: "viewas-banner", "data-testid": "viewas-banner", role: "status" },
        h("p", {}, "Viewing as ", h("strong", {}, who), gs.length ? ` (${gs.join(", ")})` : " (no groups)", ". Every panel, filter, export and the access page answer as this person."),
        stop,
      ),
    );
  }
  headerEl().replaceChildren(...children);
  markCurrent();
}

function markCurrent(): void {
  for (const a of headerEl().querySelectorAll<HTMLAnchorElement>("nav a[data-path]")) {
    if (a.dataset.path === pagePath) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

async function signOut(btn: HTMLButtonElement): Promise<void> {
  btn.disabled = true;
  try {
    const res = await api<{ redirect?: string }>("/auth/logout", { method: "POST" });
    location.assign(res && res.redirect ? res.redirect : "/signed-out");
  } catch (err) {
    btn.disabled = false;
    flash(`Could not sign out: ${errorMessage(err)}`);
  }
}

async function stopViewAs(btn: HTMLButtonElement): Promise<void> {
  btn.disabled = true;
  try {
    await api<unknown>("/app/api/admin/view-as", { method: "DELETE" });
    await reloadAll();
  } catch (err) {
    btn.disabled = false;
    flash(`Could not stop viewing as: ${errorMessage(err)}`);
  }
}

/** Fetches /me again, redraws the header and the current page (its data may now differ). */
async function reloadAll(): Promise<void> {
  await loadMe();
  renderHeader();
  route(true);
}

function flash(text: string): void {
  const el = h("p", { class: "flash panel-error", role: "alert" }, text);
  headerEl().append(el);
  setTimeout(() => el.remove(), 8000);
}

function notFound(path: string): Page {
  return {
    el: h("div", { class: "page" }, h("h1", { tabindex: "-1" }, "Page not found"), h("p", {}, `There is no page at #${path}. `, h("a", { href: "#/" }, "Go to the dashboard"), ".")),
    title: "Not found",
  };
}

function forbidden(): Page {
  return {
    el: h("div", { class: "page" }, h("h1", { tabindex: "-1" }, "Security admins only"), h("p", { class: "state-card" }, "This page needs the sys:secadmin role. ", h("a", { href: "#/" }, "Go to the dashboard"), ".")),
    title: "Forbidden",
  };
}

function build(path: string, query: URLSearchParams): Page {
  const item = NAV.find((n) => n.path === path);
  if (!item) return notFound(path);
  if (item.admin && !me.secadmin) return forbidden();
  switch (path) {
    case "/":
      return dashboardPage(query);
    case "/access":
      return accessPage();
    case "/admin/sql":
      return sqlPage();
    case "/admin/audit":
      return auditPage();
    case "/admin/directory":
      return directoryPage();
    default:
      return viewAsPage(me, async () => {
        await loadMe();
        renderHeader();
        if (currentRoute()?.path === "/") route(true);
        else location.hash = "#/";
      });
  }
}

function route(force = false, userNav = false): void {
  const r = currentRoute();
  if (!r) return; // an in-page anchor, not a route
  if (!force && page && r.path === pagePath) {
    page.onQuery?.(r.query);
    return;
  }
  page?.destroy?.();
  page = build(r.path, r.query);
  pagePath = r.path;
  mainEl().replaceChildren(page.el);
  markCurrent();
  if (userNav) {
    const h1 = page.el.querySelector<HTMLElement>("h1");
    h1?.focus({ preventScroll: false });
  }
}

async function boot(): Promise<void> {
  // A dashboard link's data is asked for at once, alongside /me: the one
  // statement of the load (prefetched by the server with the page) is
  // then not waited for after the header and the page are built.
  const first = currentRoute();
  if (first?.path === "/") startDashboard(first.query);
  // The skip link moves focus without touching the hash (the router owns it).
  document.querySelector<HTMLAnchorElement>("a.skip-link")?.addEventListener("click", (e) => {
    e.preventDefault();
    const m = mainEl();
    m.focus();
    m.scrollIntoView();
  });
  try {
    await loadMe();
  } catch (err) {
    mainEl().replaceChildren(
      h("div", { class: "page" }, h("h1", {}, "tipgate"), h("p", { class: "panel-error", "data-testid": "error", role: "alert" }, `The dashboard could not start: ${errorMessage(err)}`)),
    );
    return;
  }
  renderHeader();
  window.addEventListener("hashchange", () => route(false, true));
  route();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void boot());
else void boot();
