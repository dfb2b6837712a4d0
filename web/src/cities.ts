// The cities table: every city of the cities panel, sortable, searchable.

import { h, nextId } from "./dom";
import { countryName, fmtInt, fmtMoney } from "./format";
import type { CityRow } from "./types";

type SortKey = "city" | "country" | "region" | "orders" | "units" | "revenue";

interface Column {
  key: SortKey;
  label: string;
  numeric: boolean;
}

const COLUMNS: Column[] = [
  { key: "city", label: "City", numeric: false },
  { key: "country", label: "Country", numeric: false },
  { key: "region", label: "Region", numeric: false },
  { key: "orders", label: "Orders", numeric: true },
  { key: "units", label: "Units", numeric: true },
  { key: "revenue", label: "Revenue", numeric: true },
];

export interface CitiesTable {
  el: HTMLElement;
  update(rows: CityRow[]): void;
  setExportHref(href: string): void;
}

export function citiesTable(): CitiesTable {
  let rows: CityRow[] = [];
  let sortKey: SortKey = "revenue";
  let descending = true;

  const searchId = nextId("cities-search");
  const search = h("input", {
    type: "search",
    id: searchId,
    "data-testid": "cities-search",
    placeholder: "City or country",
    autocomplete: "off",
  });
  const exportLink = h(
    "a",
    { class: "button secondary", "data-testid": "export-csv", href: "/app/api/export.csv?", download: "tipgate-sales-by-city.csv" },
    "Export CSV",
  );
  const count = h("p", { class: "table-count", "aria-live": "polite" });

  const ths = new Map<SortKey, HTMLTableCellElement>();
  const headRow = h("tr");
  for (const col of COLUMNS) {
    const btn = h("button", { type: "button", class: "sort-button", "data-sort": col.key }, col.label, h("span", { class: "sort-indicator", "aria-hidden": "true" }));
    btn.addEventListener("click", () => {
      if (sortKey === col.key) descending = !descending;
      else {
        sortKey = col.key;
        descending = col.numeric;
      }
      render();
    });
    const th = h("th", { scope: "col", class: col.numeric ? "num" : "" }, btn);
    ths.set(col.key, th);
    headRow.append(th);
  }
  const tbody = h("tbody");
  const captionId = nextId("cities-caption");
  const table = h(
    "table",
    { class: "data-table", "data-testid": "cities-table", "aria-labelledby": captionId },
    h("caption", { id: captionId, class: "sr-only" }, "Sales by city"),
    h("thead", {}, headRow),
    tbody,
  );
  const scroller = h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Sales by city (scrollable)" }, table);

  const el = h(
    "div",
    { class: "cities" },
    h(
      "div",
      { class: "table-tools" },
      h("div", { class: "field" }, h("label", { for: searchId }, "Search cities"), search),
      count,
      exportLink,
    ),
    scroller,
  );

  const collator = new Intl.Collator("en", { sensitivity: "base" });

  const render = (): void => {
    const q = search.value.trim().toLocaleLowerCase("en");
    const shown = rows.filter(
      (r) =>
        q === "" ||
        r.city.toLocaleLowerCase("en").includes(q) ||
        r.country.toLocaleLowerCase("en").includes(q) ||
        countryName(r.country).toLocaleLowerCase("en").includes(q),
    );
    const dir = descending ? -1 : 1;
    shown.sort((a, b) => {
      let c: number;
      if (sortKey === "country") c = collator.compare(countryName(a.country), countryName(b.country));
      else if (sortKey === "city" || sortKey === "region") c = collator.compare(a[sortKey], b[sortKey]);
      else c = a[sortKey] - b[sortKey];
      if (c === 0) c = collator.compare(a.city, b.city) * (descending ? -1 : 1);
      return c * dir;
    });
    for (const [key, th] of ths) {
      if (key === sortKey) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
      const ind = th.querySelector(".sort-indicator");
      if (ind) ind.textContent = key === sortKey ? (descending ? " \u25BC" : " \u25B2") : "";
    }
    tbody.replaceChildren(
      ...shown.map((r) =>
        h(
          "tr",
          {
            "data-city": r.city,
            "data-country": r.country,
            "data-region": r.region,
            "data-revenue": String(r.revenue),
            "data-units": String(r.units),
            "data-orders": String(r.orders),
          },
          h("th", { scope: "row" }, r.city),
          h("td", {}, countryName(r.country)),
          h("td", {}, r.region),
          h("td", { class: "num" }, fmtInt(r.orders)),
          h("td", { class: "num" }, fmtInt(r.units)),
          h("td", { class: "num" }, fmtMoney(r.revenue)),
        ),
      ),
    );
    count.textContent =
      shown.length === rows.length
        ? `${fmtInt(rows.length)} ${rows.length === 1 ? "city" : "cities"}`
        : `${fmtInt(shown.length)} of ${fmtInt(rows.length)} cities match \u201c${search.value.trim()}\u201d`;
  };

  search.addEventListener("input", render);
  render();

  return {
    el,
    update(next) {
      rows = next;
      render();
    },
    setExportHref(href) {
      exportLink.href = href;
    },
  };
}
