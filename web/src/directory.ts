// Security-admin page: Users & groups provisioned over SCIM, read-only,
// with each provisioning client's last provisioning time
// (GET /app/api/admin/directory; docs/scim.md).

import { api, errorMessage } from "./api";
import { h } from "./dom";
import { fmtInt, fmtTime } from "./format";
import type { Page } from "./page";

interface DirectoryUser {
  id: string;
  userName: string;
  externalId?: string;
  active: boolean;
  groups: string[];
  provisionedBy?: string;
  lastModified: string;
}

interface DirectoryGroup {
  id: string;
  displayName: string;
  externalId?: string;
  members: string[];
  provisionedBy?: string;
  lastModified: string;
}

interface DirectoryClient {
  name: string;
  created: string;
  tokenRotated: string;
  lastProvisioning: string | null;
}

interface Directory {
  users: DirectoryUser[];
  groups: DirectoryGroup[];
  clients: DirectoryClient[];
}

function table(label: string, testid: string, cols: string[], rows: (string | HTMLElement)[][]): HTMLElement {
  return h(
    "div",
    { class: "table-scroll", tabindex: "0", role: "region", "aria-label": label },
    h(
      "table",
      { class: "data-table compact", "data-testid": testid },
      h("caption", { class: "sr-only" }, `${label} (${rows.length})`),
      h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((v) => h("td", {}, v))))),
    ),
  );
}

function section(title: string, body: HTMLElement, empty: boolean, emptyText: string): HTMLElement {
  return h("section", { class: "directory-section" }, h("h2", {}, title), empty ? h("p", { class: "lead" }, emptyText) : body);
}

function render(d: Directory): HTMLElement {
  const badge = (active: boolean): HTMLElement => h("span", { class: active ? "badge yes" : "badge no" }, active ? "active" : "inactive");
  return h(
    "div",
    { class: "directory" },
    section(
      "Provisioning clients",
      table(
        "Provisioning clients",
        "directory-clients",
        ["Client", "Created", "Token rotated", "Last provisioning"],
        d.clients.map((c) => [c.name, fmtTime(c.created), fmtTime(c.tokenRotated), c.lastProvisioning ? fmtTime(c.lastProvisioning) : "never"]),
      ),
      d.clients.length === 0,
      "No provisioning client yet: make one with tipgate scim-client create.",
    ),
    section(
      `Users (${fmtInt(d.users.length)})`,
      table(
        "Provisioned users",
        "directory-users",
        ["User name", "Status", "Groups", "External id", "Provisioned by", "Last modified"],
        d.users.map((u) => [u.userName, badge(u.active), u.groups.join(", "), u.externalId ?? "", u.provisionedBy ?? "", fmtTime(u.lastModified)]),
      ),
      d.users.length === 0,
      "No users have been provisioned.",
    ),
    section(
      `Groups (${fmtInt(d.groups.length)})`,
      table(
        "Provisioned groups",
        "directory-groups",
        ["Group", "Members", "External id", "Provisioned by", "Last modified"],
        d.groups.map((g) => [g.displayName, g.members.join(", "), g.externalId ?? "", g.provisionedBy ?? "", fmtTime(g.lastModified)]),
      ),
      d.groups.length === 0,
      "No groups have been provisioned.",
    ),
  );
}

export function directoryPage(): Page {
  const out = h("div", { class: "directory-out" }, h("p", { class: "loading", role: "status" }, "Loading\u2026"));
  const refresh = h("button", { type: "button", class: "button secondary", "data-testid": "directory-refresh" }, "Refresh");
  let alive = true;
  const load = async (): Promise<void> => {
    refresh.disabled = true;
    try {
      const d = await api<Directory>("/app/api/admin/directory");
      if (alive) out.replaceChildren(render(d));
    } catch (err) {
      if (alive) out.replaceChildren(h("p", { class: "panel-error", "data-testid": "error", role: "alert" }, errorMessage(err)));
    } finally {
      refresh.disabled = false;
    }
  };
  refresh.addEventListener("click", () => void load());
  void load();
  return {
    el: h(
      "div",
      { class: "page page-directory" },
      h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Users & groups")),
      h("p", { class: "lead" }, "What your identity providers provisioned over SCIM. Read-only: changes come from the identity provider."),
      h("div", { class: "form-actions" }, refresh),
      out,
    ),
    title: "Users & groups",
    destroy() {
      alive = false;
    },
  };
}
