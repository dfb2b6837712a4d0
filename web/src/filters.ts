// The dashboard's filters: their state, their place in the URL hash, and the filter bar.

import { h, nextId } from "./dom";
import { countryName } from "./format";
import { presetRange, type Preset } from "./periods";
import type { FilterChoices } from "./types";

export type Grain = "day" | "week" | "month";
const GRAINS: Grain[] = ["day", "week", "month"];

export interface Filters {
  from: string;
  to: string;
  category: string;
  country: string;
  grain: Grain;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function emptyFilters(): Filters {
  return { from: "", to: "", category: "", country: "", grain: "month" };
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
  f.category = q.get("category") ?? "";
  f.country = q.get("country") ?? "";
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
  if (f.category) q.set("category", f.category);
  if (f.country) q.set("country", f.country);
  return q;
}

/** What goes in the URL hash: the data filters plus a non-default grain. */
export function hashQuery(f: Filters): URLSearchParams {
  const q = dataQuery(f);
  if (f.grain !== "month") q.set("grain", f.grain);
  return q;
}

export function sameFilters(a: Filters, b: Filters): boolean {
  return a.from === b.from && a.to === b.to && a.category === b.category && a.country === b.country && a.grain === b.grain;
}

export interface FilterBar {
  el: HTMLElement;
  /**
   * Sets the person's choices; a category or country in the filters that is
   * not among them is dropped, and its description returned.
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
 */
export function filterBar(initial: Filters, onChange: (f: Filters) => void, onInvalid: (invalid: boolean) => void = () => undefined): FilterBar {
  let values = { ...initial };
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
  const category = h("select", { "data-testid": "filter-category", name: "category" });
  const country = h("select", { "data-testid": "filter-country", name: "country" });
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

  let categories: string[] = [];
  let countries: string[] = [];

  const fillSelects = (): void => {
    const cats = [...categories];
    if (values.category && !cats.includes(values.category)) cats.push(values.category);
    category.replaceChildren(
      h("option", { value: "" }, "All categories"),
      ...cats.map((c) => h("option", { value: c }, c)),
    );
    const codes = [...countries];
    if (values.country && !codes.includes(values.country)) codes.push(values.country);
    const named = codes.map((code) => ({ code, name: countryName(code) }));
    named.sort((a, b) => a.name.localeCompare(b.name, "en"));
    country.replaceChildren(
      h("option", { value: "" }, "All countries"),
      ...named.map((c) => h("option", { value: c.code }, c.name === c.code ? c.code : `${c.name} (${c.code})`)),
    );
    category.value = values.category;
    country.value = values.country;
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

  const read = (): Filters => ({
    from: validDate(from.value) ? from.value : "",
    to: validDate(to.value) ? to.value : "",
    category: category.value,
    country: country.value,
    grain: (GRAINS as string[]).includes(grain.value) ? (grain.value as Grain) : "month",
  });

  const changed = (): void => {
    const next = read();
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
    onChange({ ...values });
  };

  for (const c of [from, to, category, country, grain]) c.addEventListener("change", changed);
  for (const c of [from, to]) c.addEventListener("change", showPreset);
  preset.addEventListener("change", () => {
    if (preset.value === "") return; // "Custom dates": the date fields are for that
    const r = presetRange(preset.value as Preset, maxDate);
    from.value = r.from;
    to.value = r.to;
    changed();
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
    field("Category", category),
    field("Country", country),
    field("Time chart by", grain),
    h("div", { class: "field field-action" }, reset),
    notice,
  );
  el.addEventListener("submit", (e) => e.preventDefault());

  show();

  return {
    el,
    setChoices(c) {
      categories = c?.categories ?? [];
      countries = (c?.countries ?? []).map((x) => x.code);
      minDate = c?.minDate ?? "";
      maxDate = c?.maxDate ?? "";
      const dropped: string[] = [];
      // Without choices (they failed to load) nothing can be judged unknown.
      if (c && !c.noAccess) {
        if (values.category && !categories.includes(values.category)) {
          dropped.push(`category \u201c${values.category}\u201d (not one of your categories)`);
          values.category = "";
        }
        if (values.country && !countries.includes(values.country)) {
          dropped.push(`country \u201c${values.country}\u201d (not one of your countries)`);
          values.country = "";
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
      notice.replaceChildren(
        ...(dropped.length ? [h("p", {}, h("strong", {}, "Ignored from the link: "), dropped.join("; "), ".")] : []),
      );
    },
  };
}
