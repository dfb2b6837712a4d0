// Security-admin pages: the SQL console, the audit log and "view as".

import { api, errorMessage } from "./api";
import { h, nextId } from "./dom";
import { fmtInt, fmtNumber, fmtTime } from "./format";
import type { AuditRecord, Me, SqlResult, ViewAsOptions } from "./types";
import type { Page } from "./page";

function head(title: string, lead: string): HTMLElement[] {
  return [h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, title)), h("p", { class: "lead" }, lead)];
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

// --- SQL console -----------------------------------------------------------

export function sqlPage(): Page {
  const inputId = nextId("sql");
  const input = h("textarea", {
    id: inputId,
    "data-testid": "sql-input",
    rows: "8",
    spellcheck: "false",
    autocomplete: "off",
    class: "sql-input",
  });
  input.value = "SELECT timezone, count(*) AS orders\nFROM sales_data\nGROUP BY 1\nORDER BY 2 DESC\nLIMIT 20";
  const run = h("button", { type: "submit", class: "button", "data-testid": "sql-run" }, "Run");
  const out = h("div", { class: "sql-out", "aria-live": "polite" });
  let gen = 0;

  const form = h(
    "form",
    { class: "sql-form" },
    h("label", { for: inputId }, "SQL statement"),
    input,
    h("div", { class: "form-actions" }, run, h("span", { class: "muted" }, "Runs as you, never as the person you are viewing as. Ctrl+Enter runs.")),
  );
  const submit = async (): Promise<void> => {
    const my = ++gen;
    run.disabled = true;
    out.replaceChildren(h("p", { class: "loading", role: "status" }, "Running\u2026"));
    try {
      const res = await api<SqlResult>("/app/api/admin/sql", { method: "POST", body: { sql: input.value } });
      if (my === gen) out.replaceChildren(resultTable(res));
    } catch (err) {
      if (my === gen) out.replaceChildren(h("p", { class: "panel-error", "data-testid": "sql-error", role: "alert" }, errorMessage(err)));
    } finally {
      if (my === gen) run.disabled = false;
    }
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void submit();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  });

  return { el: h("div", { class: "page page-sql" }, ...head("SQL console", "Run one statement through the Data API as yourself."), form, out), title: "SQL console" };
}

function resultTable(res: SqlResult): HTMLElement {
  const cols = res.columns ?? [];
  const rows = res.rows ?? [];
  const summary = `${fmtInt(res.rowCount ?? rows.length)} ${res.rowCount === 1 ? "row" : "rows"}${res.ms !== undefined ? ` in ${fmtNumber(res.ms)} ms` : ""}${res.truncated ? " (truncated to the first 1,000)" : ""}`;
  return h(
    "div",
    { class: "sql-result-wrap" },
    h("p", { class: "muted" }, summary),
    h(
      "div",
      { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Query result" },
      h(
        "table",
        { class: "data-table compact", "data-testid": "sql-result", "data-row-count": String(res.rowCount ?? rows.length) },
        h("caption", { class: "sr-only" }, `Query result: ${summary}`),
        h(
          "thead",
          {},
          h("tr", {}, ...cols.map((c) => h("th", { scope: "col", title: c.type ?? "" }, c.name))),
        ),
        h(
          "tbody",
          {},
          ...rows.map((r) => h("tr", {}, ...r.map((v) => h("td", { class: v === null ? "null" : "" }, cellText(v))))),
        ),
      ),
    ),
  );
}

// --- audit log -----------------------------------------------------------

export function auditPage(): Page {
  const out = h("div", { class: "audit-out" }, h("p", { class: "loading", role: "status" }, "Loading\u2026"));
  const refresh = h("button", { type: "button", class: "button secondary", "data-testid": "audit-refresh" }, "Refresh");
  let alive = true;
  const load = async (): Promise<void> => {
    refresh.disabled = true;
    try {
      const res = await api<{ records: AuditRecord[] }>("/app/api/admin/audit?limit=200");
      if (alive) out.replaceChildren(auditTable(res.records ?? []));
    } catch (err) {
      if (alive) out.replaceChildren(h("p", { class: "panel-error", "data-testid": "error", role: "alert" }, errorMessage(err)));
    } finally {
      refresh.disabled = false;
    }
  };
  refresh.addEventListener("click", () => void load());
  void load();
  return {
    el: h("div", { class: "page page-audit" }, ...head("Audit log", "The newest 200 records: statements, failed sign-ins and view-as sessions."), h("div", { class: "form-actions" }, refresh), out),
    title: "Audit log",
    destroy() {
      alive = false;
    },
  };
}

function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? one.slice(0, n - 1) + "\u2026" : one;
}

function auditTable(records: AuditRecord[]): HTMLElement {
  const th = (t: string): HTMLElement => h("th", { scope: "col" }, t);
  return h(
    "div",
    { class: "table-scroll tall", tabindex: "0", role: "region", "aria-label": "Audit records" },
    h(
      "table",
      { class: "data-table compact", "data-testid": "audit-table" },
      h("caption", { class: "sr-only" }, `Audit log, newest first (${records.length} records)`),
      h("thead", {}, h("tr", {}, th("Time"), th("Kind"), th("User"), th("Actor"), th("Binding"), th("Status"), th("Rows"), th("Duration"), th("Policies"), th("SQL"))),
      h(
        "tbody",
        {},
        ...records.map((r) =>
          h(
            "tr",
            { "data-kind": r.kind ?? "", "data-user": r.user ?? "", "data-status": r.status ?? "" },
            h("td", { class: "nowrap" }, r.time ? fmtTime(r.time) : ""),
            h("td", {}, r.kind ?? ""),
            h("td", {}, r.user ?? ""),
            h("td", {}, r.actor ?? ""),
            h("td", {}, r.binding ?? ""),
            h("td", { title: r.error ?? "" }, h("span", { class: r.status === "FINISHED" || (!r.status && !r.error) ? "badge yes" : "badge no" }, r.status ?? ""), r.error ? h("span", { class: "sr-only" }, `: ${r.error}`) : null),
            h("td", { class: "num" }, r.rows !== undefined && r.rows !== null ? fmtInt(r.rows) : ""),
            h("td", { class: "num nowrap" }, r.duration_ns !== undefined && r.duration_ns !== null ? `${fmtNumber(r.duration_ns / 1e6)} ms` : ""),
            h("td", {}, (r.policies ?? []).join(", ")),
            h("td", { class: "sql-cell", title: r.sql ?? "" }, r.sql ? h("code", {}, truncate(r.sql, 80)) : null),
          ),
        ),
      ),
    ),
  );
}

// --- view as -------------------------------------------------------------

export function viewAsPage(me: Me, applied: () => Promise<void>): Page {
  const userId = nextId("viewas-user");
  const listId = nextId("viewas-users");
  const user = h("input", { type: "text", id: userId, list: listId, "data-testid": "viewas-user", autocomplete: "off", inputmode: "email", required: true, placeholder: "someone@example.com" });
  if (me.viewAs) user.value = me.viewAs.email || me.viewAs.user;
  const datalist = h("datalist", { id: listId });
  const groups = h("fieldset", { class: "checkbox-group", "data-testid": "viewas-groups" }, h("legend", {}, "Groups"));
  const apply = h("button", { type: "submit", class: "button", "data-testid": "viewas-apply" }, "View as this person");
  const msg = h("div", { class: "form-message", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "viewas-form" },
    h("div", { class: "field" }, h("label", { for: userId }, "User (email)"), user, datalist),
    groups,
    h("div", { class: "form-actions" }, apply),
    msg,
  );
  // The form appears once the choices are in, so every control it shows is usable.
  const body = h("div", { class: "viewas-body" }, h("p", { class: "loading", role: "status" }, "Loading the people and groups\u2026"));
  let alive = true;

  api<ViewAsOptions>("/app/api/admin/view-as/options").then(
    (o) => {
      if (!alive) return;
      datalist.replaceChildren(...(o.users ?? []).map((u) => h("option", { value: u })));
      const current = new Set(me.viewAs?.groups ?? []);
      const boxes = (o.groups ?? []).map((g) => {
        const id = nextId("viewas-group");
        return h(
          "div",
          { class: "checkbox" },
          h("input", { type: "checkbox", id, name: "groups", value: g, "data-testid": "viewas-groups", checked: current.has(g) }),
          h("label", { for: id }, g),
        );
      });
      groups.replaceChildren(
        h("legend", {}, o.namespace ? `Groups (${o.namespace})` : "Groups"),
        ...(boxes.length ? boxes : [h("p", { class: "muted" }, "No groups defined.")]),
      );
      body.replaceChildren(form);
    },
    (err) => {
      if (!alive) return;
      groups.append(h("p", { class: "panel-error", "data-testid": "error", role: "alert" }, `The groups could not be loaded: ${errorMessage(err)}`));
      body.replaceChildren(form);
    },
  );

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const u = user.value.trim();
    if (!u) {
      msg.replaceChildren(h("p", { class: "panel-error", role: "alert" }, "Enter the person's email."));
      user.focus();
      return;
    }
    const chosen = [...groups.querySelectorAll<HTMLInputElement>("input[type=checkbox]")].filter((c) => c.checked).map((c) => c.value);
    apply.disabled = true;
    msg.replaceChildren();
    api<unknown>("/app/api/admin/view-as", { method: "POST", body: { user: u, groups: chosen } })
      .then(() => applied())
      .catch((err) => {
        if (alive) msg.replaceChildren(h("p", { class: "panel-error", "data-testid": "error", role: "alert" }, errorMessage(err)));
      })
      .finally(() => {
        apply.disabled = false;
      });
  });

  return {
    el: h("div", { class: "page page-viewas" }, ...head("View as", "See the dashboard, filters, export and access page exactly as another person would. The SQL console keeps running as you."), body),
    title: "View as",
    destroy() {
      alive = false;
    },
  };
}
