// The dashboard's filters: their state, their place in the URL hash, and
// the filter bar with its chips of active filters.

import { h, nextId } from "./dom";
import { countryName, regionName } from "./format";
import { presetRange, type Preset } from "./periods";
import type { FilterChoices } from "./types";

export type Grain = "day" | "week" | "month";
const GRAINS: Grain[] = ["day", "week", "month"];

/** The multi-valued filters, in the order of the bar and the URL. */
export type ListKey = "regions" | "categories" | "countries";
const LISTS: { key: ListKey; param: string; label: string; all: string; one: string; many: string }[] = [
  { key: "regions", param: "region", label: "Region", all: "All regions", one: "region", many: "regions" },
  { key: "categories", param: "category", label: "Category", all: "All categories", one: "category", many: "categories" },
  { key: "countries", param: "country", label: "Country", all: "All countries", one: "country", many: "countries" },
];

export interface Filters {
  from: string;
  to: string;
  /** each matches any of its values; empty: no filter */
  regions: string[];
  categories: string[];
  countries: string[];
  grain: Grain;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/** the select option that stands for "several chosen" */
const MANY = "\u0000many";

export function emptyFilters(): Filters {
  return { from: "", to: "", regions: [], categories: [], countries: [], grain: "month" };
}

/** A real calendar date in YYYY-MM-DD ("2024-13-45" and "2024-02-30" are not). */
export function validDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(s + "T00:00:00Z");
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function filtersFromQuery(q: URLSearchParams): Filters {
  return parseFilterQuery(q).filters;
}

const uniqSorted = (xs: string[]): string[] => [...new Set(xs.filter((x) => x !== ""))].sort();

/**
 * The filters in a link, and a note for each value that was dropped
 * because it is not a filter value at all (the choices the person has are
 * checked later, when they are known).
 */
export function parseFilterQuery(q: URLSearchParams): { filters: Filters; dropped: string[] } {
  const f = emptyFilters();
  const dropped: string[] = [];
  const from = q.get("from") ?? "";
  const to = q.get("to") ?? "";
  if (validDate(from)) f.from = from;
  else if (from) dropped.push(`From \u201c${from}\u201d (not a date)`);
  if (validDate(to)) f.to = to;
  else if (to) dropped.push(`To \u201c${to}\u201d (not a date)`);
  if (f.from && f.to && f.from > f.to) {
    dropped.push(`the dates ${f.from} to ${f.to} (From is after To)`);
    f.from = "";
    f.to = "";
  }
  for (const l of LISTS) f[l.key] = uniqSorted(q.getAll(l.param));
  const grain = q.get("grain");
  if (grain && (GRAINS as string[]).includes(grain)) f.grain = grain as Grain;
  else if (grain) dropped.push(`time grain \u201c${grain}\u201d`);
  return { filters: f, dropped };
}

/** The query parameters the panels and the export take (empty ones omitted; no grain). */
export function dataQuery(f: Filters): URLSearchParams {
  const q = new URLSearchParams();
  if (f.from) q.set("from", f.from);
  if (f.to) q.set("to", f.to);
  for (const l of LISTS) for (const v of f[l.key]) q.append(l.param, v);
  return q;
}

/** What goes in the URL hash: the data filters plus a non-default grain. */
export function hashQuery(f: Filters): URLSearchParams {
  const q = dataQuery(f);
  if (f.grain !== "month") q.set("grain", f.grain);
  return q;
}

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function sameFilters(a: Filters, b: Filters): boolean {
  return a.from === b.from && a.to === b.to && a.grain === b.grain && LISTS.every((l) => sameList(a[l.key], b[l.key]));
}

/** A value of a list filter added to (add) or replacing (!add) the list. */
export function pick(f: Filters, key: ListKey, value: string, add: boolean): Filters {
  const cur = f[key];
  const next = add ? (cur.includes(value) ? cur.filter((x) => x !== value) : [...cur, value]) : [value];
  return { ...f, [key]: uniqSorted(next) };
}

export interface FilterBar {
  el: HTMLElement;
  /**
   * Sets the person's choices; a value in the filters that is not among
   * them is dropped, and its description returned.
   */
  setChoices(c: FilterChoices | null): string[];
  setValues(f: Filters): void;
  /** shows (or, with an empty list, hides) which link values were ignored */
  setNotice(dropped: string[]): void;
}

/**
 * Builds the filter bar. onChange gets the new filters whenever a control
 * changes to a valid state; while the dates are inverted it is not called
 * (no request can carry them) and onInvalid(true) says the figures on screen
 * are for the previous filters.
 *
 * Region, category and country choose several values: picking an option
 * adds it (a ✓ marks those chosen; picking one again removes it) and each
 * chosen value is a chip with a button that removes it.
 */
export function filterBar(initial: Filters, onChange: (f: Filters) => void, onInvalid: (invalid: boolean) => void = () => undefined): FilterBar {
  let values: Filters = { ...initial };
  let minDate = "";
  let maxDate = "";

  const field = (label: string, control: HTMLElement): HTMLElement => {
    const id = nextId("filter");
    control.id = id;
    return h("div", { class: "field" }, h("label", { for: id }, label), control);
  };

  const from = h("input", { type: "date", "data-testid": "filter-from", name: "from" });
  const to = h("input", { type: "date", "data-testid": "filter-to", name: "to" });
  const preset = h(
    "select",
    { "data-testid": "filter-preset", name: "preset" },
    h("option", { value: "" }, "Custom dates"),
    h("option", { value: "all" }, "All dates"),
    h("option", { value: "last30" }, "Last 30 days"),
    h("option", { value: "last90" }, "Last 90 days"),
    h("option", { value: "quarter" }, "Latest quarter"),
    h("option", { value: "year" }, "Latest year"),
  );
  const selects: Record<ListKey, HTMLSelectElement> = {
    regions: h("select", { "data-testid": "filter-region", name: "region" }),
    categories: h("select", { "data-testid": "filter-category", name: "category" }),
    countries: h("select", { "data-testid": "filter-country", name: "country" }),
  };
  const grain = h(
    "select",
    { "data-testid": "filter-grain", name: "grain" },
    h("option", { value: "day" }, "Day"),
    h("option", { value: "week" }, "Week"),
    h("option", { value: "month" }, "Month"),
  );
  const reset = h("button", { type: "button", class: "button secondary", "data-testid": "filter-reset" }, "Reset");
  const dateErrorId = nextId("filter-error");
  const dateError = h("p", { id: dateErrorId, class: "field-error", "data-testid": "filter-date-error", role: "alert", hidden: true });
  const notice = h("div", { class: "filter-notice", "data-testid": "filter-notice", role: "status", hidden: true });
  const chips = h("ul", { class: "chips filter-chips", "data-testid": "filter-chips", "aria-label": "Active filters" });

  const choices: Record<ListKey, string[]> = { regions: [], categories: [], countries: [] };

  const label = (key: ListKey, v: string): string => {
    if (key === "regions") return regionName(v);
    if (key !== "countries") return v;
    const name = countryName(v);
    return name === v ? v : `${name} (${v})`;
  };

  const fillSelects = (): void => {
    for (const l of LISTS) {
      const sel = selects[l.key];
      const chosen = values[l.key];
      const opts = [...choices[l.key]];
      for (const v of chosen) if (!opts.includes(v)) opts.push(v);
      const named = opts.map((v) => ({ v, text: label(l.key, v) }));
      if (l.key === "countries") named.sort((a, b) => a.text.localeCompare(b.text, "en"));
      sel.replaceChildren(
        h("option", { value: "" }, l.all),
        ...(chosen.length > 1 ? [h("option", { value: MANY }, `${chosen.length} ${l.many}`)] : []),
        ...named.map((o) => h("option", { value: o.v }, (chosen.includes(o.v) ? "\u2713 " : "") + o.text)),
      );
      sel.value = chosen.length === 0 ? "" : chosen.length === 1 ? (chosen[0] ?? "") : MANY;
    }
    chips.replaceChildren(
      ...LISTS.flatMap((l) =>
        values[l.key].map((v) => {
          const rm = h("button", { type: "button", class: "chip-remove", "data-testid": "chip-remove", "data-kind": l.param, "data-value": v, "aria-label": `Remove ${l.one} ${label(l.key, v)}` }, "\u00d7");
          rm.addEventListener("click", () => {
            values = { ...values, [l.key]: values[l.key].filter((x) => x !== v) };
            show();
            onChange({ ...values });
          });
          return h("li", { class: "chip filter-chip", "data-kind": l.param }, `${l.label}: ${label(l.key, v)} `, rm);
        }),
      ),
    );
    chips.hidden = chips.children.length === 0;
  };

  // Each date input's bounds follow the other's value, so the picker
  // itself offers only ranges in the right order.
  const bound = (): void => {
    const set = (input: HTMLInputElement, attr: "min" | "max", v: string): void => {
      if (v) input.setAttribute(attr, v);
      else input.removeAttribute(attr);
    };
    set(from, "min", minDate);
    set(from, "max", validDate(to.value) ? to.value : maxDate);
    set(to, "min", validDate(from.value) ? from.value : minDate);
    set(to, "max", maxDate);
  };

  const setDateError = (msg: string): void => {
    dateError.textContent = msg;
    dateError.hidden = msg === "";
    for (const input of [from, to]) {
      if (msg) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", dateErrorId);
      } else {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    }
  };

  // The preset that gives the current dates, if one does.
  const showPreset = (): void => {
    const presets: Preset[] = ["all", "last30", "last90", "quarter", "year"];
    const hit = presets.find((p) => {
      const r = presetRange(p, maxDate);
      return r.from === values.from && r.to === values.to && (p === "all" || maxDate !== "");
    });
    preset.value = hit ?? "";
  };

  const show = (): void => {
    from.value = values.from;
    to.value = values.to;
    showPreset();
    grain.value = values.grain;
    setDateError("");
    bound();
    fillSelects();
  };

  const readDates = (): { from: string; to: string } => ({
    from: validDate(from.value) ? from.value : "",
    to: validDate(to.value) ? to.value : "",
  });

  const commit = (next: Filters): void => {
    bound();
    if (next.from && next.to && next.from > next.to) {
      setDateError("From must be on or before To.");
      onInvalid(true);
      return;
    }
    if (!dateError.hidden) {
      setDateError("");
      onInvalid(false);
    }
    if (sameFilters(next, values)) return;
    values = next;
    show();
    onChange({ ...values });
  };

  for (const c of [from, to]) {
    c.addEventListener("change", () => {
      showPreset();
      commit({ ...values, ...readDates() });
    });
  }
  grain.addEventListener("change", () => commit({ ...values, grain: (GRAINS as string[]).includes(grain.value) ? (grain.value as Grain) : "month" }));
  for (const l of LISTS) {
    const sel = selects[l.key];
    sel.addEventListener("change", () => {
      const v = sel.value;
      if (v === MANY) return;
      // "All …" clears; a value is added (or, chosen already, removed).
      commit({ ...values, [l.key]: v === "" ? [] : pick(values, l.key, v, true)[l.key] });
    });
  }
  preset.addEventListener("change", () => {
    if (preset.value === "") return; // "Custom dates": the date fields are for that
    const r = presetRange(preset.value as Preset, maxDate);
    from.value = r.from;
    to.value = r.to;
    commit({ ...values, ...readDates() });
  });
  reset.addEventListener("click", () => {
    const next = emptyFilters();
    const was = values;
    const wasInvalid = !dateError.hidden;
    values = next;
    show();
    if (wasInvalid) onInvalid(false);
    if (!sameFilters(was, next)) onChange({ ...values });
  });

  const el = h(
    "form",
    { class: "filter-bar", role: "search", "aria-label": "Filters", "data-testid": "filters" },
    field("Dates", preset),
    h("div", { class: "date-range" }, field("From", from), field("To", to), dateError),
    field("Region", selects.regions),
    field("Category", selects.categories),
    field("Country", selects.countries),
    field("Time chart by", grain),
    h("div", { class: "field field-action" }, reset),
    chips,
    notice,
  );
  el.addEventListener("submit", (e) => e.preventDefault());

  show();

  return {
    el,
    setChoices(c) {
      choices.categories = c?.categories ?? [];
      choices.countries = (c?.countries ?? []).map((x) => x.code);
      choices.regions = uniqSorted((c?.countries ?? []).map((x) => x.region));
      minDate = c?.minDate ?? "";
      maxDate = c?.maxDate ?? "";
      const dropped: string[] = [];
      // Without choices (they failed to load) nothing can be judged unknown.
      if (c && !c.noAccess) {
        for (const l of LISTS) {
          const bad = values[l.key].filter((v) => !choices[l.key].includes(v));
          for (const v of bad) dropped.push(`${l.one} \u201c${v}\u201d (not one of your ${l.many})`);
          if (bad.length) values = { ...values, [l.key]: values[l.key].filter((v) => !bad.includes(v)) };
        }
      }
      bound();
      fillSelects();
      showPreset();
      if (maxDate) preset.title = `Counted back from the last day with data, ${maxDate}`;
      return dropped;
    },
    setValues(f) {
      values = { ...f };
      show();
    },
    setNotice(dropped) {
      notice.hidden = dropped.length === 0;
      notice.replaceChildren(...(dropped.length ? [h("p", {}, h("strong", {}, "Ignored from the link: "), dropped.join("; "), ".")] : []));
    },
  };
}
