// "Your access" (#/access): who the server thinks you are and, per table,
// what the catalog's decision lets you read, in plain words.

import { api, errorMessage } from "./api";
import { h, nextId } from "./dom";
import type { Access, AccessTable } from "./types";
import type { Page } from "./page";

export function accessPage(): Page {
  const body = h("div", { class: "access-body" }, h("p", { class: "loading", role: "status" }, "Loading\u2026"));
  const el = h(
    "div",
    { class: "page page-access", "data-testid": "access" },
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Your access")),
    h("p", { class: "lead" }, "What tipgate lets you read, worked out from the same policies that apply to every query you run."),
    body,
  );
  let alive = true;

  api<Access>("/app/api/access").then(
    (a) => {
      if (alive) body.replaceChildren(identity(a), ...a.tables.map((t) => tableSection(t, a.bypasses ?? [])));
      if (alive && a.tables.length === 0) body.append(h("p", { class: "state-card" }, "No tables are visible to you."));
    },
    (err) => {
      if (alive) body.replaceChildren(h("p", { class: "panel-error", "data-testid": "error", role: "alert" }, errorMessage(err)));
    },
  );

  return {
    el,
    title: "Your access",
    destroy() {
      alive = false;
    },
  };
}

function list(items: string[], empty: string): HTMLElement {
  if (items.length === 0) return h("span", { class: "muted" }, empty);
  return h("ul", { class: "chips" }, ...items.map((i) => h("li", { class: "chip" }, i)));
}

function identity(a: Access): HTMLElement {
  const id = nextId("who");
  return h(
    "section",
    { class: "panel", "aria-labelledby": id },
    h("h2", { id }, "Who you are"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "User"),
      h("dd", {}, h("code", {}, a.user)),
      h("dt", {}, "Email"),
      h("dd", {}, a.email || "\u2014"),
      h("dt", {}, "Groups"),
      h("dd", {}, list(a.groups ?? [], "none")),
      h("dt", {}, "Roles"),
      h("dd", {}, list(a.roles ?? [], "none")),
      h("dt", {}, "Bypasses"),
      h("dd", {}, list(a.bypasses ?? [], "none")),
      h("dt", {}, "Security admin"),
      h("dd", {}, a.secadmin ? "Yes" : "No"),
      a.catalogVersion !== undefined && h("dt", {}, "Catalog version"),
      a.catalogVersion !== undefined && h("dd", {}, String(a.catalogVersion)),
    ),
  );
}

// What the row policies would do, in a few words, for the "not applicable"
// note of a table one cannot read at all.
function wouldBe(r: AccessTable["rows"], bypasses: string[]): string {
  switch (r.mode) {
    case "all":
      return "this table has no row-level security";
    case "bypassed":
      return "row-level security would not filter you" + (bypasses.length ? ` (${bypasses.join(", ")})` : "");
    case "filtered":
      return "only rows matching " + (r.policies ?? []).map((p) => p.policy).join(` ${r.conjunction ?? "AND"} `);
    default:
      return "no rows: no policy applies to you";
  }
}

function rowAccess(t: AccessTable, bypasses: string[]): HTMLElement {
  const r = t.rows ?? { mode: "none" };
  const parts: (HTMLElement | string)[] = [];
  // Rows cannot be "all" (or any) for a table one may not read: say that
  // first, and what would apply if SELECT were granted.
  if (!t.visible) {
    parts.push(
      h("p", {}, h("strong", {}, "Not applicable. "), "You cannot read this table, so no rows reach you."),
      h("p", { class: "muted" }, `If you were granted SELECT: ${wouldBe(r, bypasses)}.`),
    );
    return h("div", { class: "row-access", "data-mode": "not-visible" }, ...parts);
  }
  switch (r.mode) {
    case "all":
      parts.push(h("p", {}, h("strong", {}, "All rows. "), "This table has no row-level security."));
      break;
    case "bypassed":
      parts.push(h("p", {}, h("strong", {}, "All rows. "), "Row-level security is bypassed for you (IGNORE RLS, superuser or security admin)."));
      break;
    case "filtered": {
      const policies = r.policies ?? [];
      const joiner = (r.conjunction ?? "AND").toUpperCase() === "OR" ? "any" : "all";
      parts.push(
        h(
          "p",
          {},
          h("strong", {}, "Only some rows: "),
          policies.length === 1 ? "those matching this policy:" : `those matching ${joiner} of these policies (combined with ${r.conjunction ?? "AND"}):`,
        ),
      );
      parts.push(
        h(
          "ul",
          { class: "policies" },
          ...policies.map((p) =>
            h(
              "li",
              {},
              h("span", { class: "policy-name" }, p.policy),
              ": ",
              h("code", {}, p.predicate),
              p.via && p.via.length > 0 ? h("span", { class: "muted" }, ` (through ${p.via.join(", ")})`) : null,
            ),
          ),
        ),
      );
      break;
    }
    case "none":
      parts.push(h("p", {}, h("strong", {}, "No rows. "), "Row-level security is on for this table and no policy applies to you."));
      break;
    default:
      parts.push(h("p", {}, `Row access: ${r.mode}`));
  }
  if (r.text) parts.push(h("p", { class: "muted" }, r.text));
  return h("div", { class: "row-access", "data-mode": r.mode }, ...parts);
}

function columnsTable(t: AccessTable): HTMLElement {
  const cap = `Columns of ${t.table}`;
  return h(
    "div",
    { class: "table-scroll short", tabindex: "0", role: "region", "aria-label": cap },
    h(
      "table",
      { class: "data-table compact" },
      h("caption", { class: "sr-only" }, cap),
      h(
        "thead",
        {},
        h("tr", {}, h("th", { scope: "col" }, "Column"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Granted"), h("th", { scope: "col" }, "Mask")),
      ),
      h(
        "tbody",
        {},
        ...(t.columns ?? []).map((c) =>
          h(
            "tr",
            { "data-column": c.name, "data-granted": String(c.granted) },
            h("th", { scope: "row" }, h("code", {}, c.name)),
            h("td", {}, c.type ?? ""),
            h("td", {}, h("span", { class: c.granted ? "badge yes" : "badge no" }, c.granted ? "Yes" : "No")),
            h(
              "td",
              {},
              c.mask
                ? [
                    h("span", { class: "policy-name" }, c.mask.policy),
                    ": ",
                    h("code", {}, c.mask.expression),
                    c.mask.via ? h("span", { class: "muted" }, ` (through ${c.mask.via})`) : null,
                  ]
                : h("span", { class: "muted" }, "none"),
            ),
          ),
        ),
      ),
    ),
  );
}

function tableSection(t: AccessTable, bypasses: string[]): HTMLElement {
  const id = nextId("access-table");
  return h(
    "section",
    { class: "panel access-table", "data-testid": "access-table", "data-table": t.table, "aria-labelledby": id },
    h("h2", { id }, h("code", {}, t.table), t.visible ? null : h("span", { class: "badge no" }, "not visible")),
    h("p", { class: "summary", "data-testid": "access-summary" }, t.summary),
    h("h3", {}, "Rows"),
    rowAccess(t, bypasses),
    h("h3", {}, "Columns"),
    columnsTable(t),
    h("h3", {}, "Why"),
    h("ul", { class: "reasons" }, ...(t.reasons ?? []).map((r) => h("li", {}, r))),
  );
}
