// The dashboard's filters: their state, their place in the URL hash, and the filter bar.

import { h, nextId } from "./dom";
import { countryName } from "./format";
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

export function filtersFromQuery(q: URLSearchParams): Filters {
  const f = emptyFilters();
  const from = q.get("from") ?? "";
  const to = q.get("to") ?? "";
  if (DATE_RE.test(from)) f.from = from;
  if (DATE_RE.test(to)) f.to = to;
  f.category = q.get("category") ?? "";
  f.country = q.get("country") ?? "";
  const grain = q.get("grain") as Grain | null;
  if (grain && GRAINS.includes(grain)) f.grain = grain;
  return f;
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
  setChoices(c: FilterChoices | null): void;
  setValues(f: Filters): void;
}

/** Builds the filter bar; onChange gets the new filters whenever a control changes. */
export function filterBar(initial: Filters, onChange: (f: Filters) => void): FilterBar {
  let values = { ...initial };

  const field = (label: string, control: HTMLElement): HTMLElement => {
    const id = nextId("filter");
    control.id = id;
    return h("div", { class: "field" }, h("label", { for: id }, label), control);
  };

  const from = h("input", { type: "date", "data-testid": "filter-from", name: "from" });
  const to = h("input", { type: "date", "data-testid": "filter-to", name: "to" });
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

  const show = (): void => {
    from.value = values.from;
    to.value = values.to;
    grain.value = values.grain;
    fillSelects();
  };

  const read = (): Filters => ({
    from: DATE_RE.test(from.value) ? from.value : "",
    to: DATE_RE.test(to.value) ? to.value : "",
    category: category.value,
    country: country.value,
    grain: (GRAINS as string[]).includes(grain.value) ? (grain.value as Grain) : "month",
  });

  const changed = (): void => {
    const next = read();
    if (sameFilters(next, values)) return;
    values = next;
    onChange({ ...values });
  };

  for (const c of [from, to, category, country, grain]) c.addEventListener("change", changed);
  reset.addEventListener("click", () => {
    const next = emptyFilters();
    const was = values;
    values = next;
    show();
    if (!sameFilters(was, next)) onChange({ ...values });
  });

  const el = h(
    "form",
    { class: "filter-bar", role: "search", "aria-label": "Filters", "data-testid": "filters" },
    field("From", from),
    field("To", to),
    field("Category", category),
    field("Country", country),
    field("Time chart by", grain),
    h("div", { class: "field field-action" }, reset),
  );
  el.addEventListener("submit", (e) => e.preventDefault());

  show();

  return {
    el,
    setChoices(c) {
      categories = c?.categories ?? [];
      countries = (c?.countries ?? []).map((x) => x.code);
      for (const input of [from, to]) {
        if (c?.minDate) input.min = c.minDate;
        else input.removeAttribute("min");
        if (c?.maxDate) input.max = c.maxDate;
        else input.removeAttribute("max");
      }
      fillSelects();
    },
    setValues(f) {
      values = { ...f };
      show();
    },
  };
}
