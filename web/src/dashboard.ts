// The dashboard page (#/): filters, headline figures, the map, four charts
// and the cities table. Every panel comes in one answer (api/dashboard);
// body[data-dashboard] is "loading" while a request is in flight and
// "ready" once each panel has rendered or shown its error / empty /
// no-access state.

import { api, errorMessage } from "./api";
import { chartPanel, type ChartItem, type ChartPanel } from "./charts";
import { citiesTable } from "./cities";
import { h, nextId } from "./dom";
import { dataQuery, filterBar, hashQuery, parseFilterQuery, pick, sameFilters, type Filters, type ListKey } from "./filters";
import { countryName, fmtInt, fmtMoney, periodLabel, regionName } from "./format";
import { periodStart, periodsBetween, daysBetween } from "./periods";
import { worldMap } from "./map";
import { drillPanel, type DrillTarget } from "./drill";
import { pushQuery, replaceQuery } from "./route";
import type {
  CategoryRow,
  CityRow,
  CountryRow,
  DashboardAnswer,
  FilterChoices,
  HeadlineRow,
  PanelAnswer,
  RegionRow,
  TimeRow,
} from "./types";
import type { Page } from "./page";

type PanelName = "headline" | "cities" | "regions" | "countries" | "categories" | "timeseries";
const PANELS: PanelName[] = ["headline", "cities", "regions", "countries", "categories", "timeseries"];

interface Slot {
  name: PanelName;
  section: HTMLElement;
  status: HTMLElement;
  gen: number;
  /** the latest answer (or undefined while loading / after an error) */
  answer?: PanelAnswer<unknown>;
  failed: boolean;
  render(rows: unknown[]): void;
  /** takes every figure of the previous answer off the screen (after a failure) */
  clear(): void;
  /** other views fed by this panel's answer, which show its error too */
  alsoStatus: HTMLElement[];
  /** sections that show this answer besides the panel's own */
  alsoSections: HTMLElement[];
}

/** The export's file name says what it holds: the filters, in the order of the bar. */
export function exportFileName(f: Filters): string {
  // The same rule as the server's Content-Disposition (internal/web exportFileName).
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  const parts = ["tipgate-sales-by-city"];
  if (f.from || f.to) parts.push(`${safe(f.from || "start")}_to_${safe(f.to || "end")}`);
  for (const vals of [f.regions, f.categories, f.countries]) if (vals.length) parts.push(safe(vals.join("-")));
  return parts.join("_") + ".csv";
}

/** The URL of the one request behind a dashboard load. */
function dashboardURL(filters: Filters, names: PanelName[], withChoices: boolean): string {
  const q = dataQuery(filters);
  q.set("grain", filters.grain);
  if (names.length !== PANELS.length) q.set("panels", names.join(","));
  if (names.includes("headline") && filters.from && filters.to) q.set("compare", "1");
  if (withChoices) q.set("choices", "1");
  return `/app/api/dashboard?${q.toString()}`;
}

// The first load's request, sent by startDashboard as soon as the script
// runs (before the page knows who is signed in or has laid itself out),
// and taken once by the dashboard page it was sent for.
let early: { url: string; answer: Promise<DashboardAnswer> } | null = null;

/** Sends the first load's request for the view in query now. */
export function startDashboard(query: URLSearchParams): void {
  const url = dashboardURL(parseFilterQuery(query).filters, PANELS, true);
  const answer = api<DashboardAnswer>(url);
  answer.catch(() => undefined); // the page that takes it handles its failure
  early = { url, answer };
}

function takeEarly(url: string): Promise<DashboardAnswer> | null {
  const e = early;
  early = null;
  return e && e.url === url ? e.answer : null;
}

export const NO_ACCESS_TEXT = "You don't have access to any sales data yet. Ask your administrator to grant you access to the sales data.";

export function dashboardPage(query: URLSearchParams): Page {
  const parsed = parseFilterQuery(query);
  let filters: Filters = parsed.filters;
  let linkDropped = parsed.dropped;
  // The cities table's search is part of the view (and so of its link),
  // not of the data filters: it changes no panel.
  let search = query.get("q") ?? "";
  // The city whose orders are open below the table ("drill=CC:City").
  const parseDrill = (v: string | null): DrillTarget | null => {
    const m = v ? /^([A-Za-z]{2}):(.+)$/.exec(v) : null;
    return m && m[1] && m[2] ? { country: m[1].toUpperCase(), city: m[2] } : null;
  };
  let drill = parseDrill(query.get("drill"));
  const viewQuery = (): URLSearchParams => {
    const q = hashQuery(filters);
    if (search) q.set("q", search);
    if (drill) q.set("drill", `${drill.country}:${drill.city}`);
    return q;
  };
  let alive = true;
  let inflight = 0;

  const loading = h("p", { class: "loading", "data-testid": "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), "Loading\u2026");
  const bar = filterBar(filters, (f) => {
    const grainOnly = f.grain !== filters.grain && sameFilters({ ...f, grain: filters.grain }, filters);
    filters = f;
    linkDropped = [];
    bar.setNotice([]);
    pushQuery("/", viewQuery());
    updateExport();
    load(grainOnly ? ["timeseries"] : PANELS);
  }, (invalid) => {
    // While the dates in the bar are inverted, the figures on screen belong
    // to the previous dates: they are greyed out and marked as such.
    for (const sec of [headline.section, ...viz.querySelectorAll<HTMLElement>(".panel")]) sec.classList.toggle("is-stale", invalid);
  });

  // The server's message says what to ask for; the built-in text is the
  // fallback when it sends none.
  const noAccessDetail = h("p", {}, NO_ACCESS_TEXT);
  const noAccess = h(
    "section",
    { class: "state-card no-access", "data-testid": "no-access", hidden: true, "aria-labelledby": "no-access-title" },
    h("h2", { id: "no-access-title" }, "No sales data for you yet"),
    noAccessDetail,
    h("p", {}, h("a", { href: "#/access" }, "See what you can access")),
  );
  const empty = h(
    "section",
    { class: "state-card empty", "data-testid": "empty", hidden: true, "aria-labelledby": "empty-title" },
    h("h2", { id: "empty-title" }, "No sales match these filters"),
    h("p", {}, "Try a wider date range or another category or country, or reset the filters."),
  );

  // --- panels -------------------------------------------------------------

  const panel = (name: PanelName, title: string, cls: string, ...body: HTMLElement[]): Slot => {
    const id = nextId("panel");
    const status = h("div", { class: "panel-status" });
    const section = h("section", { class: `panel ${cls}`, "aria-labelledby": id, "data-panel": name }, h("h2", { id }, title), status, ...body);
    return { name, section, status, gen: 0, failed: false, render: () => undefined, clear: () => undefined, alsoStatus: [], alsoSections: [] };
  };

  // Headline
  const kpi = (testid: string, label: string): { card: HTMLElement; value: HTMLElement; sub: HTMLElement; change: HTMLElement } => {
    const value = h("span", { class: "kpi-value" }, "\u2014");
    const sub = h("span", { class: "kpi-sub" });
    const change = h("span", { class: "kpi-change", "data-testid": `${testid}-change`, hidden: true });
    const card = h("div", { class: "kpi", "data-testid": testid }, h("span", { class: "kpi-label" }, label), value, change, sub);
    return { card, value, sub, change };
  };
  const kRevenue = kpi("kpi-revenue", "Revenue");
  const kUnits = kpi("kpi-units", "Units sold");
  const kOrders = kpi("kpi-orders", "Orders");
  const kAov = kpi("kpi-aov", "Average order value");
  const kOnly = h("p", { class: "kpi-scope muted", "data-testid": "kpi-scope", hidden: true });
  const headline = panel("headline", "Headline figures", "panel-kpis", h("div", { class: "kpis" }, kRevenue.card, kUnits.card, kOrders.card, kAov.card), kOnly);
  headline.render = (rows) => {
    const r = (rows[0] as HeadlineRow | undefined) ?? { revenue: 0, units: 0, orders: 0, avgOrderValue: 0, cities: 0, countries: 0 };
    const set = (k: { card: HTMLElement; value: HTMLElement }, n: number, text: string): void => {
      k.card.dataset.value = String(n);
      k.value.textContent = text;
    };
    set(kRevenue, r.revenue, fmtMoney(r.revenue));
    set(kUnits, r.units, fmtInt(r.units));
    set(kOrders, r.orders, fmtInt(r.orders));
    set(kAov, r.avgOrderValue, fmtMoney(r.avgOrderValue));
    kRevenue.sub.textContent = `from ${fmtInt(r.cities ?? 0)} ${r.cities === 1 ? "city" : "cities"} in ${fmtInt(r.countries ?? 0)} ${r.countries === 1 ? "country" : "countries"}`;
    kAov.sub.textContent = "revenue \u00f7 orders";
  };
  headline.clear = () => {
    clearChanges();
    for (const k of [kRevenue, kUnits, kOrders, kAov]) {
      delete k.card.dataset.value;
      k.value.textContent = "\u2014";
      k.sub.textContent = "";
    }
  };

  // The change against the previous period of the same length, on each
  // headline card, when the filters name both dates.
  const clearChanges = (): void => {
    for (const k of [kRevenue, kUnits, kOrders, kAov]) {
      k.change.hidden = true;
      k.change.textContent = "";
      delete k.change.dataset.change;
      k.change.classList.remove("up", "down");
    }
  };
  const showChanges = (cur: HeadlineRow, prev: HeadlineRow, days: number): void => {
    const pairs: [typeof kRevenue, number, number][] = [
      [kRevenue, cur.revenue, prev.revenue],
      [kUnits, cur.units, prev.units],
      [kOrders, cur.orders, prev.orders],
      [kAov, cur.avgOrderValue, prev.avgOrderValue],
    ];
    const span = `the previous ${fmtInt(days)} ${days === 1 ? "day" : "days"}`;
    for (const [k, now, before] of pairs) {
      k.change.hidden = false;
      k.change.classList.remove("up", "down");
      if (before === 0) {
        k.change.textContent = `no sales in ${span}`;
        k.change.dataset.change = "";
        continue;
      }
      const ratio = (now - before) / before;
      k.change.dataset.change = String(ratio);
      k.change.dataset.previous = String(before);
      k.change.classList.add(ratio >= 0 ? "up" : "down");
      const pct = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(ratio);
      k.change.textContent = `${ratio >= 0 ? "\u25B2" : "\u25BC"} ${pct} vs ${span}`;
    }
  };
  // The comparison comes with the headline, in the same answer (compare=1).
  const showComparison = (cur: PanelAnswer<unknown> | undefined, before: PanelAnswer<unknown> | undefined): void => {
    clearChanges();
    if (!filters.from || !filters.to || !cur || !before || cur.noAccess || before.noAccess) return;
    const zero = { revenue: 0, units: 0, orders: 0, avgOrderValue: 0, cities: 0, countries: 0 };
    showChanges((cur.rows[0] as HeadlineRow | undefined) ?? zero, (before.rows[0] as HeadlineRow | undefined) ?? zero, daysBetween(filters.from, filters.to));
  };

  // Cities: the map and the table share one answer.
  // Cross-filtering: a click on a city's bubble, a country's or a category's
  // bar filters the whole dashboard to it (a history entry, so Back and the
  // Reset button undo it).
  // With Ctrl, Cmd or Shift held, the value is added to (or taken out of)
  // the filter instead of replacing it.
  const crossFilter = (key: ListKey, value: string, add = false): void => {
    const next = pick(filters, key, value, add);
    if (sameFilters(next, filters)) return;
    filters = next;
    bar.setValues(filters);
    linkDropped = [];
    bar.setNotice([]);
    pushQuery("/", viewQuery());
    updateExport();
    load(PANELS);
  };

  const map = worldMap((row, add) => crossFilter("countries", row.country, add));
  const mapSlot = panel("cities", "Revenue by city", "panel-map", h("p", { class: "panel-hint" }, "Scroll or use the buttons to zoom, drag to pan; click a city (or press Enter on it) to filter to its country, with Ctrl or Shift to add it. Bubble area is proportional to revenue."), map.el);
  const table = citiesTable(
    (q) => {
      search = q;
      replaceQuery("/", viewQuery());
    },
    (row) => openDrill({ city: row.city, country: row.country }),
    (row, add) => crossFilter("countries", row.country, add),
  );
  const drillBusy = (busy: boolean): void => (busy ? begin() : end());
  const drillView = drillPanel(() => {
    drill = null;
    pushQuery("/", viewQuery());
    drillView.show(null, dataQuery(filters));
  }, drillBusy);
  const openDrill = (t: DrillTarget): void => {
    drill = t;
    pushQuery("/", viewQuery());
    drillView.show(drill, dataQuery(filters));
    drillView.el.scrollIntoView({ block: "nearest" });
    drillView.el.querySelector<HTMLElement>("h2")?.setAttribute("tabindex", "-1");
    drillView.el.querySelector<HTMLElement>("h2")?.focus();
  };
  const tableStatus = h("div", { class: "panel-status" });
  const tableSection = h("section", { class: "panel panel-cities", "aria-labelledby": "cities-title" }, h("h2", { id: "cities-title" }, "Cities"), tableStatus, table.el);
  mapSlot.render = (rows) => {
    map.update(rows as CityRow[]);
    table.update(rows as CityRow[]);
  };
  mapSlot.clear = () => {
    map.update([]);
    table.update([]);
  };
  mapSlot.alsoStatus = [tableStatus];
  mapSlot.alsoSections = [tableSection];

  const charts: ChartPanel[] = [];
  const chartSlot = (
    name: PanelName,
    title: string,
    chart: ChartPanel,
    items: (rows: unknown[]) => ChartItem[],
    extra?: HTMLElement,
  ): Slot => {
    charts.push(chart);
    const slot = panel(name, title, "panel-chart", ...(extra ? [extra] : []), chart.el);
    slot.render = (rows) => chart.update(items(rows));
    slot.clear = () => chart.update([]);
    return slot;
  };
  const fig = (r: { revenue: number; units: number; orders: number }) => ({ revenue: r.revenue, units: r.units, orders: r.orders });

  const regions = chartSlot(
    "regions",
    "Revenue by region",
    chartPanel({ testid: "chart-regions", fileName: "tipgate-revenue-by-region", kind: "bar", ariaLabel: "Bar chart of revenue by region", keyHeader: "Region", onPick: (region, add) => crossFilter("regions", region, add) }),
    (rows) => (rows as RegionRow[]).map((r) => ({ key: r.region, label: regionName(r.region), ...fig(r) })),
  );
  const countries = chartSlot(
    "countries",
    "Revenue by country (top 15)",
    chartPanel({ testid: "chart-countries", fileName: "tipgate-revenue-by-country", kind: "hbar", ariaLabel: "Horizontal bar chart of revenue by country, top 15", keyHeader: "Country", limit: 15, tall: true, onPick: (country, add) => crossFilter("countries", country, add) }),
    (rows) =>
      [...(rows as CountryRow[])]
        .sort((a, b) => b.revenue - a.revenue)
        .map((r) => ({ key: r.country, label: countryName(r.country), ...fig(r) })),
  );
  const categories = chartSlot(
    "categories",
    "Revenue by category",
    chartPanel({ testid: "chart-categories", fileName: "tipgate-revenue-by-category", kind: "bar", ariaLabel: "Bar chart of revenue by product category", keyHeader: "Category", onPick: (category, add) => crossFilter("categories", category, add) }),
    (rows) => (rows as CategoryRow[]).map((r) => ({ key: r.category, label: r.category, ...fig(r) })),
  );
  const timeseries = chartSlot(
    "timeseries",
    "Revenue over time",
    chartPanel({ testid: "chart-timeseries", fileName: "tipgate-revenue-over-time", kind: "line", ariaLabel: "Line chart of revenue over time", keyHeader: "Period" }),
    (rows) => timeItems(rows as TimeRow[]),
  );

  // Every period of the range, those without sales as zero, so the axis
  // is true time; a period the range covers only in part says so.
  function timeItems(rows: TimeRow[]): ChartItem[] {
    const byPeriod = new Map(rows.map((r) => [r.period.slice(0, 10), r]));
    const first = rows[0]?.period.slice(0, 10) ?? "";
    const last = rows[rows.length - 1]?.period.slice(0, 10) ?? "";
    const from = filters.from || choices?.minDate || first;
    const to = filters.to || choices?.maxDate || (last ? periodStart(last, filters.grain) : "");
    const periods = periodsBetween(from, to, filters.grain);
    if (periods.length === 0 || rows.some((r) => !periods.some((p) => p.start === r.period.slice(0, 10)))) {
      return rows.map((r) => ({ key: r.period, label: periodLabel(r.period, filters.grain), ...fig(r) }));
    }
    return periods.map((p) => {
      const r = byPeriod.get(p.start);
      return {
        key: p.start,
        label: periodLabel(p.start, filters.grain) + (p.partial ? " (partial)" : ""),
        ...(r ? fig(r) : { revenue: 0, units: 0, orders: 0 }),
      };
    });
  }

  const slots: Record<PanelName, Slot> = { headline, cities: mapSlot, regions, countries, categories, timeseries };

  const viz = h(
    "div",
    { class: "viz" },
    mapSlot.section,
    h("div", { class: "chart-grid" }, regions.section, countries.section, categories.section, timeseries.section),
    tableSection,
    drillView.el,
  );

  // The URL is the view: copying it shares exactly these filters.
  const copyStatus = h("span", { class: "copy-status", role: "status", "data-testid": "copy-status" });
  const copyLink = h("button", { type: "button", class: "button secondary small", "data-testid": "copy-link" }, "Copy link");
  copyLink.addEventListener("click", () => {
    const url = location.href;
    const done = (ok: boolean): void => {
      copyStatus.textContent = ok ? "Link copied" : `Copy this link: ${url}`;
      setTimeout(() => {
        if (copyStatus.textContent?.startsWith(ok ? "Link copied" : "Copy this link")) copyStatus.textContent = "";
      }, ok ? 4000 : 20000);
    };
    if (navigator.clipboard?.writeText) navigator.clipboard.writeText(url).then(() => done(true), () => done(false));
    else done(false);
  });

  const el = h(
    "div",
    { class: "page page-dashboard" },
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Sales dashboard"), loading, h("div", { class: "page-actions" }, copyStatus, copyLink)),
    bar.el,
    noAccess,
    headline.section,
    empty,
    viz,
  );

  // --- loading ------------------------------------------------------------

  const updateExport = (): void => {
    table.setExport("/app/api/export.csv?" + dataQuery(filters).toString(), exportFileName(filters));
  };

  const begin = (): void => {
    inflight++;
    loading.hidden = false;
    document.body.dataset.dashboard = "loading";
  };

  const end = (): void => {
    inflight--;
    if (inflight > 0 || !alive) return;
    const answers = PANELS.map((n) => slots[n].answer);
    const denied = answers.find((a) => a?.noAccess);
    noAccess.hidden = !denied;
    noAccessDetail.textContent = denied?.message ? denied.message : NO_ACCESS_TEXT;
    bar.el.hidden = !!denied;
    headline.section.hidden = !!denied;
    const head = slots.headline.answer?.rows[0] as HeadlineRow | undefined;
    const cities = slots.cities.answer;
    const isEmpty =
      !denied &&
      ((slots.headline.answer !== undefined && (!head || (head.orders === 0 && head.revenue === 0))) ||
        (cities !== undefined && cities.rows.length === 0 && slots.headline.answer === undefined));
    empty.hidden = !isEmpty;
    viz.hidden = !!denied || isEmpty;
    // A chart of one bar says nothing a sentence cannot: the region and
    // category panels step aside when they hold a single value, which the
    // headline then names.
    const single = (slot: Slot): string | undefined => {
      const rows = slot.answer?.rows as { region?: string; category?: string }[] | undefined;
      return !slot.failed && rows && rows.length === 1 ? (rows[0]?.region ?? rows[0]?.category) : undefined;
    };
    const oneRegion = single(regions);
    const oneCategory = single(categories);
    regions.section.hidden = oneRegion !== undefined;
    categories.section.hidden = oneCategory !== undefined;
    kOnly.textContent = [oneRegion !== undefined ? `Region: ${regionName(oneRegion)}` : "", oneCategory !== undefined ? `Category: ${oneCategory}` : ""].filter(Boolean).join(" \u00b7 ");
    kOnly.hidden = kOnly.textContent === "";
    loading.hidden = true;
    document.body.dataset.dashboard = "ready";
  };

  // Every view fed by a failed answer says so; only the panel's own copy is
  // an alert, so a screen reader hears the failure once.
  const showError = (slot: Slot, message: string): void => {
    slot.status.replaceChildren(
      h("p", { class: "panel-error", "data-testid": "error", role: "alert" }, h("strong", {}, "This panel could not be loaded. "), message),
    );
    for (const st of slot.alsoStatus) {
      st.replaceChildren(h("p", { class: "panel-error", "data-testid": "error" }, h("strong", {}, "These figures could not be loaded. "), message));
    }
  };

  // One request answers every panel asked for (and, on the first load, the
  // filter choices; with both dates, the previous period's headline): one
  // statement for the whole page under the person's policies, however
  // many panels it feeds.
  let loadGen = 0;
  const load = (names: PanelName[], withChoices = false): void => {
    noAccess.hidden = true;
    drillView.show(drill, dataQuery(filters));
    void loadPanels(names, withChoices);
  };
  const loadPanels = async (names: PanelName[], withChoices: boolean): Promise<void> => {
    const gen = ++loadGen;
    const mine = names.map((n) => slots[n]);
    for (const slot of mine) slot.gen = gen;
    const url = dashboardURL(filters, names, withChoices);
    const compare = names.includes("headline") && !!filters.from && !!filters.to;
    if (names.includes("headline")) clearChanges();
    for (const slot of mine) {
      for (const sec of [slot.section, ...slot.alsoSections]) {
        sec.classList.add("is-loading");
        sec.setAttribute("aria-busy", "true");
      }
    }
    begin();
    try {
      let answer: DashboardAnswer | undefined;
      let failure: unknown;
      try {
        answer = await (takeEarly(url) ?? api<DashboardAnswer>(url));
      } catch (err) {
        failure = err;
      }
      if (!alive) return;
      if (withChoices) {
        if (answer?.filters) {
          choices = answer.filters;
          if (dropUnknown()) {
            // The link named values that are not the person's: the
            // panels are asked for again without them.
            bar.setNotice(linkDropped);
            load(PANELS);
            return;
          }
        } else {
          bar.setChoices(null);
        }
        bar.setNotice(linkDropped);
      }
      // The charts first, the cities (hundreds of map bubbles and table
      // rows) last: the charts read computed styles, which is cheap only
      // while the document is small.
      const order = [...mine].sort((x, y) => Number(x.name === "cities") - Number(y.name === "cities"));
      for (const slot of order) {
        if (slot.gen !== gen) continue;
        const a = answer?.panels?.[slot.name];
        if (a) {
          slot.answer = a;
          slot.failed = false;
          slot.status.replaceChildren();
          for (const st of slot.alsoStatus) st.replaceChildren();
          if (!a.noAccess) slot.render(Array.isArray(a.rows) ? a.rows : []);
        } else {
          slot.answer = undefined;
          slot.failed = true;
          // The figures on screen belong to the previous filters: they go.
          slot.clear();
          showError(slot, failure !== undefined ? errorMessage(failure) : "The server sent no answer for this panel.");
        }
      }
      if (compare && slots.headline.gen === gen) showComparison(answer?.panels?.headline, answer?.previous);
    } finally {
      for (const slot of mine) {
        if (slot.gen !== gen) continue;
        for (const sec of [slot.section, ...slot.alsoSections]) {
          sec.classList.remove("is-loading");
          sec.removeAttribute("aria-busy");
        }
      }
      end();
    }
  };

  let choices: FilterChoices | null = null;

  // A link's category or country that is not one of the person's is taken
  // out of the URL (the same history entry) with a notice; true when the
  // filters changed.
  const dropUnknown = (): boolean => {
    if (!choices) return false;
    const dropped = bar.setChoices(choices);
    if (!dropped.length) return false;
    linkDropped = [...linkDropped, ...dropped];
    const c = choices;
    const regions = new Set(c.countries.map((x) => x.region));
    filters = {
      ...filters,
      categories: filters.categories.filter((v) => c.categories.includes(v)),
      countries: filters.countries.filter((v) => c.countries.some((x) => x.code === v)),
      regions: filters.regions.filter((v) => regions.has(v)),
    };
    replaceQuery("/", viewQuery());
    updateExport();
    return true;
  };

  if (linkDropped.length) replaceQuery("/", viewQuery());
  bar.setNotice(linkDropped);
  table.setSearch(search);
  updateExport();
  document.body.dataset.dashboard = "loading";
  load(PANELS, true);

  return {
    el,
    title: "Sales dashboard",
    onQuery(q) {
      const p = parseFilterQuery(q);
      const next = p.filters;
      search = q.get("q") ?? "";
      table.setSearch(search);
      drill = parseDrill(q.get("drill"));
      drillView.show(drill, dataQuery(next));
      if (p.dropped.length) {
        const clean = hashQuery(next);
        if (search) clean.set("q", search);
        replaceQuery("/", clean);
      }
      linkDropped = p.dropped;
      bar.setNotice(linkDropped);
      if (sameFilters(next, filters)) return;
      filters = next;
      bar.setValues(filters);
      dropUnknown();
      bar.setNotice(linkDropped);
      updateExport();
      load(PANELS);
    },
    destroy() {
      alive = false;
      for (const c of charts) c.destroy();
      delete document.body.dataset.dashboard;
    },
  };
}
