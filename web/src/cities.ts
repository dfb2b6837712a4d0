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

// Revenue comes right after the city, so it stays in view on a phone
// (where Units and Region are left out).
const COLUMNS: Column[] = [
  { key: "city", label: "City", numeric: false },
  { key: "revenue", label: "Revenue", numeric: true },
  { key: "orders", label: "Orders", numeric: true },
  { key: "units", label: "Units", numeric: true },
  { key: "country", label: "Country", numeric: false },
  { key: "region", label: "Region", numeric: false },
];

export interface CitiesTable {
  el: HTMLElement;
  update(rows: CityRow[]): void;
  /** where the whole table's CSV comes from, and the file's name */
  setExport(href: string, fileName: string): void;
  setSearch(q: string): void;
}

/** Lower case without accents: "São Paulo" and "sao paulo" match. */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase("en");
}

function csvCell(v: string): string {
  // A leading = + - @ would make a spreadsheet read a formula (as the server's export guards too).
  const safe = /^[=+\-@\t\r]/.test(v) ? "'" + v : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The same columns and number formats as the server's export.csv. */
export function citiesCSV(rows: CityRow[]): string {
  const lines = ["city,country,region,latitude,longitude,orders,units,revenue"];
  for (const r of rows) {
    lines.push([csvCell(r.city), csvCell(r.country), csvCell(r.region), String(r.lat), String(r.lon), String(r.orders), String(r.units), r.revenue.toFixed(2)].join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

export function citiesTable(
  onSearch: (q: string) => void = () => undefined,
  onCity?: (row: CityRow) => void,
  onCountry?: (row: CityRow, add: boolean) => void,
): CitiesTable {
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
  let exportHref = "/app/api/export.csv?";
  let exportName = "tipgate-sales-by-city.csv";
  const exportLink = h(
    "a",
    { class: "button secondary", "data-testid": "export-csv", href: exportHref, download: exportName },
    "Export CSV",
  );
  let blobURL = "";
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
    const th = h("th", { scope: "col", class: `${col.numeric ? "num " : ""}col-${col.key}` }, btn);
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
    const q = fold(search.value.trim());
    const shown = rows.filter(
      (r) => q === "" || fold(r.city).includes(q) || fold(r.country).includes(q) || fold(countryName(r.country)).includes(q),
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
      ...(shown.length === 0 && rows.length > 0
        ? [h("tr", { class: "no-match", "data-testid": "cities-no-match" }, h("td", { colspan: String(COLUMNS.length) }, `No cities match \u201c${search.value.trim()}\u201d.`))]
        : []),
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
          h("th", { scope: "row", class: "col-city" }, onCity ? h("button", { type: "button", class: "link-button", "data-testid": "city-pick", title: `Show the orders of ${r.city}` }, r.city) : r.city),
          h("td", { class: "num col-revenue" }, fmtMoney(r.revenue)),
          h("td", { class: "num col-orders" }, fmtInt(r.orders)),
          h("td", { class: "num col-units" }, fmtInt(r.units)),
          h("td", { class: "col-country" }, onCountry ? h("button", { type: "button", class: "link-button", "data-testid": "country-pick", title: `Filter the dashboard to ${countryName(r.country)}` }, countryName(r.country)) : countryName(r.country)),
          h("td", { class: "col-region" }, r.region),
        ),
      ),
    );
    count.textContent =
      shown.length === rows.length
        ? `${fmtInt(rows.length)} ${rows.length === 1 ? "city" : "cities"}`
        : `${fmtInt(shown.length)} of ${fmtInt(rows.length)} cities match \u201c${search.value.trim()}\u201d`;
    // The export follows the search: with one, it is the rows shown (the
    // same answer the server gave, as CSV); without, the server's file.
    if (blobURL) URL.revokeObjectURL(blobURL);
    blobURL = "";
    const term = search.value.trim();
    if (term) {
      blobURL = URL.createObjectURL(new Blob([citiesCSV(shown)], { type: "text/csv" }));
      exportLink.href = blobURL;
      exportLink.download = exportName.replace(/\.csv$/, "") + "_matching-" + (fold(term).replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "search") + ".csv";
      exportLink.textContent = `Export ${fmtInt(shown.length)} matching ${shown.length === 1 ? "city" : "cities"}`;
    } else {
      exportLink.href = exportHref;
      exportLink.download = exportName;
      exportLink.textContent = `Export all ${fmtInt(rows.length)} ${rows.length === 1 ? "city" : "cities"}`;
    }
  };

  search.addEventListener("input", () => {
    render();
    onSearch(search.value.trim());
  });
  tbody.addEventListener("click", (e) => {
    const btn = (e.target as Element).closest("button[data-testid]");
    const tr = btn?.closest("tr");
    const row = tr && rows.find((r) => r.city === tr.dataset.city && r.country === tr.dataset.country);
    if (!btn || !row) return;
    if (btn.getAttribute("data-testid") === "city-pick") onCity?.(row);
    else if (btn.getAttribute("data-testid") === "country-pick") onCountry?.(row, e.ctrlKey || e.metaKey || e.shiftKey);
  });
  render();

  return {
    el,
    update(next) {
      rows = next;
      render();
    },
    setExport(href, fileName) {
      exportHref = href;
      exportName = fileName;
      render();
    },
    setSearch(q) {
      if (search.value.trim() === q) return;
      search.value = q;
      render();
    },
  };
}
