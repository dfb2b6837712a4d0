// Security-admin pages: the SQL console, the audit log and "view as".

import { api, errorMessage } from "./api";
import { h, nextId } from "./dom";
import { fmtInt, fmtNumber } from "./format";
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

const DRAFT_KEY = "tipgate.sql-draft";

function loadDraft(): string | null {
  try {
    return sessionStorage.getItem(DRAFT_KEY);
  } catch {
    return null; // storage disabled: start from the example
  }
}

function saveDraft(v: string): void {
  try {
    sessionStorage.setItem(DRAFT_KEY, v);
  } catch {
    // storage full or disabled: the draft just is not kept
  }
}

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
  // The example works for a security admin, who may read the policies but
  // (in the demo) no sales data; what was typed survives leaving the page.
  input.value = loadDraft() ?? "SELECT * FROM svv_rls_attached_policy";
  input.addEventListener("input", () => saveDraft(input.value));
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

const AUDIT_FETCH = 5000;
const AUDIT_PAGE = 50;

/** An ISO 8601 time in UTC, with the zone spelled out. */
export function isoUTC(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z").replace(/Z$/, " UTC");
}

interface AuditFilter {
  user: string;
  kind: string;
  status: string;
  from: string;
  to: string;
}

function matches(r: AuditRecord, f: AuditFilter): boolean {
  const q = f.user.trim().toLowerCase();
  if (q && !`${r.user ?? ""} ${r.actor ?? ""}`.toLowerCase().includes(q)) return false;
  if (f.kind && r.kind !== f.kind) return false;
  if (f.status === "failed" && !(r.error || r.status === "FAILED" || r.status === "ABORTED")) return false;
  if (f.status && f.status !== "failed" && r.status !== f.status) return false;
  const day = r.time ? new Date(r.time).toISOString().slice(0, 10) : "";
  if (f.from && day < f.from) return false;
  if (f.to && day > f.to) return false;
  return true;
}

const AUDIT_COLUMNS = ["time", "kind", "user", "actor", "binding", "status", "error", "rows", "duration_ms", "policies", "sql"] as const;

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function auditCSV(records: AuditRecord[]): string {
  const lines = [AUDIT_COLUMNS.join(",")];
  for (const r of records) {
    const vals: Record<(typeof AUDIT_COLUMNS)[number], string> = {
      time: r.time ?? "",
      kind: r.kind ?? "",
      user: r.user ?? "",
      actor: r.actor ?? "",
      binding: r.binding ?? "",
      status: r.status ?? "",
      error: r.error ?? "",
      rows: r.rows !== undefined && r.rows !== null && r.rows >= 0 ? String(r.rows) : "",
      duration_ms: r.duration_ns !== undefined && r.duration_ns !== null ? String(r.duration_ns / 1e6) : "",
      policies: (r.policies ?? []).join(" "),
      sql: r.sql ?? "",
    };
    lines.push(AUDIT_COLUMNS.map((c) => csvCell(vals[c])).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

export function auditPage(): Page {
  const out = h("div", { class: "audit-out" }, h("p", { class: "loading", role: "status" }, "Loading\u2026"));
  const refresh = h("button", { type: "button", class: "button secondary", "data-testid": "audit-refresh" }, "Refresh");
  const field = (label: string, control: HTMLElement): HTMLElement => {
    const id = nextId("audit-filter");
    control.id = id;
    return h("div", { class: "field" }, h("label", { for: id }, label), control);
  };
  const fUser = h("input", { type: "search", "data-testid": "audit-user", placeholder: "email", autocomplete: "off" });
  const fKind = h(
    "select",
    { "data-testid": "audit-kind" },
    h("option", { value: "" }, "All kinds"),
    h("option", { value: "statement" }, "Statements"),
    h("option", { value: "auth_failure" }, "Failed sign-ins"),
    h("option", { value: "view_as" }, "View as"),
  );
  const fStatus = h(
    "select",
    { "data-testid": "audit-status" },
    h("option", { value: "" }, "Any status"),
    h("option", { value: "FINISHED" }, "Finished"),
    h("option", { value: "failed" }, "Failed or refused"),
  );
  const fFrom = h("input", { type: "date", "data-testid": "audit-from" });
  const fTo = h("input", { type: "date", "data-testid": "audit-to" });
  const exportBtn = h("button", { type: "button", class: "button secondary", "data-testid": "audit-export" }, "Export CSV");
  const prev = h("button", { type: "button", class: "button secondary small", "data-testid": "audit-prev" }, "Previous");
  const next = h("button", { type: "button", class: "button secondary small", "data-testid": "audit-next" }, "Next");
  const pageInfo = h("span", { class: "muted", "data-testid": "audit-page", "aria-live": "polite" });
  const filters = h(
    "form",
    { class: "filter-bar audit-filters", role: "search", "aria-label": "Audit filters" },
    field("User", fUser),
    field("Kind", fKind),
    field("Status", fStatus),
    field("From (UTC)", fFrom),
    field("To (UTC)", fTo),
    h("div", { class: "field field-action" }, exportBtn),
  );
  filters.addEventListener("submit", (e) => e.preventDefault());
  let alive = true;
  let all: AuditRecord[] = [];
  let shown: AuditRecord[] = [];
  let page = 0;

  const current = (): AuditFilter => ({ user: fUser.value, kind: fKind.value, status: fStatus.value, from: fFrom.value, to: fTo.value });
  const render = (): void => {
    shown = all.filter((r) => matches(r, current()));
    const pages = Math.max(1, Math.ceil(shown.length / AUDIT_PAGE));
    page = Math.min(page, pages - 1);
    const slice = shown.slice(page * AUDIT_PAGE, (page + 1) * AUDIT_PAGE);
    out.replaceChildren(auditTable(slice, shown.length));
    pageInfo.textContent = shown.length
      ? `Records ${fmtInt(page * AUDIT_PAGE + 1)}\u2013${fmtInt(page * AUDIT_PAGE + slice.length)} of ${fmtInt(shown.length)}${shown.length < all.length ? ` (filtered from ${fmtInt(all.length)})` : ""}`
      : "No records match these filters.";
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    exportBtn.textContent = `Export ${fmtInt(shown.length)} as CSV`;
    exportBtn.disabled = shown.length === 0;
  };
  for (const c of [fUser, fKind, fStatus, fFrom, fTo]) {
    c.addEventListener(c === fUser ? "input" : "change", () => {
      page = 0;
      render();
    });
  }
  prev.addEventListener("click", () => {
    page = Math.max(0, page - 1);
    render();
  });
  next.addEventListener("click", () => {
    page += 1;
    render();
  });
  exportBtn.addEventListener("click", () => {
    const url = URL.createObjectURL(new Blob([auditCSV(shown)], { type: "text/csv" }));
    const a = h("a", { href: url, download: `tipgate-audit-${new Date().toISOString().slice(0, 10)}.csv`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  const load = async (): Promise<void> => {
    refresh.disabled = true;
    try {
      const res = await api<{ records: AuditRecord[] }>(`/app/api/admin/audit?limit=${AUDIT_FETCH}`);
      if (!alive) return;
      all = res.records ?? [];
      render();
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
      { class: "page page-audit" },
      ...head("Audit log", `The newest ${fmtInt(AUDIT_FETCH)} records: statements, failed sign-ins (at tipgate and at its identity provider) and view-as sessions. Times are UTC.`),
      filters,
      h("div", { class: "form-actions" }, refresh, prev, next, pageInfo),
      out,
    ),
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

function auditTable(records: AuditRecord[], total: number): HTMLElement {
  const th = (t: string): HTMLElement => h("th", { scope: "col" }, t);
  return h(
    "div",
    { class: "table-scroll tall", tabindex: "0", role: "region", "aria-label": "Audit records" },
    h(
      "table",
      { class: "data-table compact", "data-testid": "audit-table" },
      h("caption", { class: "sr-only" }, `Audit log, newest first (${records.length} of ${total} records)`),
      h("thead", {}, h("tr", {}, th("Time (UTC)"), th("Kind"), th("User"), th("Actor"), th("Binding"), th("Status"), th("Error"), th("Rows"), th("Duration"), th("Policies"), th("SQL"))),
      h(
        "tbody",
        {},
        ...records.map((r) =>
          h(
            "tr",
            { "data-kind": r.kind ?? "", "data-user": r.user ?? "", "data-status": r.status ?? "", "data-time": r.time ?? "" },
            h("td", { class: "nowrap", "data-col": "time" }, r.time ? isoUTC(r.time) : ""),
            h("td", {}, r.kind ?? ""),
            h("td", {}, r.user ?? ""),
            h("td", {}, r.actor ?? ""),
            h("td", {}, r.binding ?? ""),
            h("td", {}, r.status ? h("span", { class: r.status === "FINISHED" ? "badge yes" : "badge no" }, r.status) : null),
            h("td", { class: "error-cell", "data-col": "error" }, r.error ?? ""),
            // A failed statement has no row count (-1 on the record): blank.
            h("td", { class: "num", "data-col": "rows" }, r.rows !== undefined && r.rows !== null && r.rows >= 0 ? fmtInt(r.rows) : ""),
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
  const user = h("input", { type: "email", id: userId, list: listId, "data-testid": "viewas-user", autocomplete: "off", required: true, placeholder: "someone@example.com" });
  let known: string[] = [];
  if (me.viewAs) user.value = me.viewAs.email || me.viewAs.user;
  const datalist = h("datalist", { id: listId });
  const groups = h("fieldset", { class: "checkbox-group", "data-testid": "viewas-groups" }, h("legend", {}, "Groups"));
  const apply = h("button", { type: "submit", class: "button", "data-testid": "viewas-apply" }, "View as this person");
  const msg = h("div", { class: "form-message", "aria-live": "polite" });
  // A person nobody has seen yet is allowed (they may not have signed in
  // so far) but said so: a typo looks just like that.
  const unseen = h("p", { class: "muted", "data-testid": "viewas-unseen", hidden: true });
  user.addEventListener("input", () => {
    const u = user.value.trim();
    const isNew = u !== "" && user.checkValidity() && !known.some((k) => k.toLowerCase() === u.toLowerCase());
    unseen.hidden = !isNew;
    unseen.textContent = isNew ? `No one with the email ${u} has signed in or run a statement yet: you will see what a new person with the chosen groups would see.` : "";
  });
  const form = h(
    "form",
    // The page checks the address itself, with a message it can word.
    { class: "viewas-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: userId }, "User (email)"), user, datalist, unseen),
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
      known = o.users ?? [];
      datalist.replaceChildren(...known.map((u) => h("option", { value: u })));
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
    if (!u || !user.checkValidity()) {
      msg.replaceChildren(h("p", { class: "panel-error", role: "alert", "data-testid": "viewas-invalid" }, u ? `\u201c${u}\u201d is not an email address: enter the person's email, like someone@example.com.` : "Enter the person's email."));
      user.setAttribute("aria-invalid", "true");
      user.focus();
      return;
    }
    user.removeAttribute("aria-invalid");
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
