// The world map: Natural Earth country outlines (world-atlas 110m, bundled)
// in an Equal Earth projection, one bubble per city sized by revenue, a
// tooltip on hover and focus, and zoom/pan with d3-zoom.

import { geoEqualEarth, geoGraticule10, geoPath } from "d3-geo";
import { select } from "d3-selection";
import { zoom as d3zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from "d3-zoom";
import { feature, mesh } from "topojson-client";
import world from "world-atlas/countries-110m.json";
import { h, s } from "./dom";
import { countryName, fmtInt, fmtMoney } from "./format";
import type { CityRow } from "./types";

const WIDTH = 960;
const MAX_RADIUS = 16;
const MIN_RADIUS = 1.5;

interface Base {
  height: number;
  project: (lonLat: [number, number]) => [number, number] | null;
  sphere: string;
  graticule: string;
  land: string;
  borders: string;
}

let base: Base | null = null;

function basemap(): Base {
  if (base) return base;
  const sphere = { type: "Sphere" } as const;
  const projection = geoEqualEarth().fitWidth(WIDTH, sphere);
  const path = geoPath(projection);
  const [[, y0], [, y1]] = path.bounds(sphere);
  const height = Math.ceil(y1 + Math.max(0, y0));
  const countries = feature(world, world.objects.countries);
  const borders = mesh(world, world.objects.countries, (a, b) => a !== b);
  base = {
    height,
    project: (p) => projection(p),
    sphere: path(sphere) ?? "",
    graticule: path(geoGraticule10()) ?? "",
    land: path(countries) ?? "",
    borders: path(borders) ?? "",
  };
  return base;
}

export interface WorldMap {
  el: HTMLElement;
  update(rows: CityRow[]): void;
}

interface Bubble {
  el: SVGCircleElement;
  row: CityRow;
  r: number;
}

export function worldMap(): WorldMap {
  const b = basemap();
  const bubbles = s("g", { class: "map-bubbles" });
  const viewport = s(
    "g",
    { class: "map-viewport" },
    s("path", { class: "map-sphere", d: b.sphere, "aria-hidden": "true" }),
    s("path", { class: "map-graticule", d: b.graticule, "aria-hidden": "true" }),
    s("path", { class: "map-land", d: b.land, "aria-hidden": "true" }),
    s("path", { class: "map-borders", d: b.borders, "aria-hidden": "true" }),
    bubbles,
  );
  const svg = s(
    "svg",
    {
      class: "map-svg",
      "data-testid": "map",
      viewBox: `0 0 ${WIDTH} ${b.height}`,
      preserveAspectRatio: "xMidYMid meet",
      role: "group",
      "aria-label": "World map of revenue by city",
    },
    viewport,
  );

  const tipCity = h("strong", { class: "tip-title" });
  const tipCountry = h("span", { class: "tip-sub" });
  const tipRevenue = h("dd");
  const tipUnits = h("dd");
  const tipOrders = h("dd");
  const tooltip = h(
    "div",
    { class: "map-tooltip", "data-testid": "map-tooltip", role: "tooltip", id: "map-tooltip", hidden: true },
    tipCity,
    tipCountry,
    h("dl", {}, h("dt", {}, "Revenue"), tipRevenue, h("dt", {}, "Units"), tipUnits, h("dt", {}, "Orders"), tipOrders),
  );

  const zoomIn = h("button", { type: "button", class: "icon-button", "aria-label": "Zoom in", "data-testid": "map-zoom-in" }, "+");
  const zoomOut = h("button", { type: "button", class: "icon-button", "aria-label": "Zoom out", "data-testid": "map-zoom-out" }, "\u2212");
  const zoomReset = h("button", { type: "button", class: "icon-button wide", "data-testid": "map-zoom-reset" }, "Reset zoom");
  const controls = h("div", { class: "map-controls", role: "group", "aria-label": "Map zoom" }, zoomIn, zoomOut, zoomReset);

  const frame = h("div", { class: "map-frame" }, svg, tooltip, controls);

  let list: Bubble[] = [];
  const byEl = new Map<Element, Bubble>();
  let k = 1;

  const zoom: ZoomBehavior<SVGSVGElement, unknown> = d3zoom<SVGSVGElement, unknown>()
    .scaleExtent([1, 16])
    .translateExtent([
      [0, 0],
      [WIDTH, b.height],
    ])
    .extent([
      [0, 0],
      [WIDTH, b.height],
    ])
    .on("start", () => hideTip())
    .on("zoom", (ev: D3ZoomEvent<SVGSVGElement, unknown>) => {
      viewport.setAttribute("transform", ev.transform.toString());
      if (ev.transform.k !== k) {
        k = ev.transform.k;
        for (const bub of list) bub.el.setAttribute("r", fmtR(bub.r / k));
      }
    });
  const sel = select<SVGSVGElement, unknown>(svg);
  sel.call(zoom).on("dblclick.zoom", null);
  zoomIn.addEventListener("click", () => sel.call(zoom.scaleBy, 1.6));
  zoomOut.addEventListener("click", () => sel.call(zoom.scaleBy, 1 / 1.6));
  zoomReset.addEventListener("click", () => sel.call(zoom.transform, zoomIdentity));

  const showTip = (bub: Bubble, clientX?: number, clientY?: number): void => {
    const row = bub.row;
    tipCity.textContent = row.city;
    tipCountry.textContent = `${countryName(row.country)} \u00b7 ${row.region}`;
    tipRevenue.textContent = fmtMoney(row.revenue);
    tipUnits.textContent = fmtInt(row.units);
    tipOrders.textContent = fmtInt(row.orders);
    tooltip.hidden = false;
    const frameBox = frame.getBoundingClientRect();
    let x = clientX;
    let y = clientY;
    if (x === undefined || y === undefined) {
      const c = bub.el.getBoundingClientRect();
      x = c.left + c.width / 2;
      y = c.top + c.height / 2;
    }
    const tw = tooltip.offsetWidth;
    const th = tooltip.offsetHeight;
    let left = x - frameBox.left + 14;
    let top = y - frameBox.top + 14;
    if (left + tw > frameBox.width - 4) left = Math.max(4, x - frameBox.left - tw - 14);
    if (top + th > frameBox.height - 4) top = Math.max(4, y - frameBox.top - th - 14);
    // CSSOM, not a style attribute: allowed by style-src 'self'.
    tooltip.style.left = `${Math.round(left)}px`;
    tooltip.style.top = `${Math.round(top)}px`;
    bub.el.classList.add("active");
    for (const other of list) if (other !== bub) other.el.classList.remove("active");
  };

  const hideTip = (): void => {
    tooltip.hidden = true;
    for (const bub of list) bub.el.classList.remove("active");
  };

  svg.addEventListener("mouseover", (e) => {
    const bub = byEl.get(e.target as Element);
    if (bub) showTip(bub, e.clientX, e.clientY);
  });
  svg.addEventListener("mousemove", (e) => {
    const bub = byEl.get(e.target as Element);
    if (bub && !tooltip.hidden) showTip(bub, e.clientX, e.clientY);
  });
  svg.addEventListener("mouseout", (e) => {
    const bub = byEl.get(e.target as Element);
    if (bub && document.activeElement !== bub.el) hideTip();
  });
  svg.addEventListener("focusin", (e) => {
    const bub = byEl.get(e.target as Element);
    if (bub) showTip(bub);
  });
  svg.addEventListener("focusout", () => hideTip());
  svg.addEventListener("keydown", (e) => {
    const bub = byEl.get(e.target as Element);
    if (!bub) return;
    const i = list.indexOf(bub);
    let next = -1;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") next = Math.min(list.length - 1, i + 1);
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = Math.max(0, i - 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = list.length - 1;
    else if (e.key === "Escape") {
      hideTip();
      return;
    } else return;
    e.preventDefault();
    const target = list[next];
    if (!target) return;
    bub.el.setAttribute("tabindex", "-1");
    target.el.setAttribute("tabindex", "0");
    target.el.focus();
  });

  return {
    el: frame,
    update(rows) {
      hideTip();
      byEl.clear();
      const max = rows.reduce((m, r) => Math.max(m, r.revenue), 0);
      const next: Bubble[] = [];
      for (const row of rows) {
        if (!Number.isFinite(row.lat) || !Number.isFinite(row.lon)) continue;
        const p = b.project([row.lon, row.lat]);
        if (!p) continue;
        const r = max > 0 ? Math.max(MIN_RADIUS, MAX_RADIUS * Math.sqrt(Math.max(0, row.revenue) / max)) : MIN_RADIUS;
        const el = s("circle", {
          class: "city-bubble",
          "data-testid": "city-bubble",
          "data-city": row.city,
          "data-country": row.country,
          "data-region": row.region,
          "data-revenue": String(row.revenue),
          cx: p[0].toFixed(2),
          cy: p[1].toFixed(2),
          r: fmtR(r / k),
          role: "img",
          tabindex: next.length === 0 ? "0" : "-1",
          "aria-label": `${row.city}, ${countryName(row.country)}: ${fmtMoney(row.revenue)} revenue, ${fmtInt(row.units)} units, ${fmtInt(row.orders)} orders`,
        });
        const bub = { el, row, r };
        next.push(bub);
        byEl.set(el, bub);
      }
      // Largest first, so that smaller bubbles are drawn on top of larger ones.
      next.sort((a, z) => z.r - a.r);
      list = next;
      bubbles.replaceChildren(...paintOrder(list).map((x) => x.el));
      if (list[0]) {
        for (const x of list) x.el.setAttribute("tabindex", "-1");
        list[0].el.setAttribute("tabindex", "0");
      }
      const top = rows[0];
      svg.setAttribute(
        "aria-label",
        rows.length === 0
          ? "World map of revenue by city: no cities"
          : `World map of revenue by city: ${fmtInt(rows.length)} cities; largest ${top ? `${top.city}, ${countryName(top.country)}, ${fmtMoney(top.revenue)}` : ""}. Arrow keys move between cities; the cities table below has every figure.`,
      );
    },
  };
}

/**
 * The order to draw bubbles in: largest first (smaller ones on top), except
 * that the first is the largest bubble whose centre no other bubble covers,
 * so that the first bubble in the document can always be pointed at.
 */
function paintOrder(list: Bubble[]): Bubble[] {
  const pos = list.map((b) => [Number(b.el.getAttribute("cx")), Number(b.el.getAttribute("cy"))] as const);
  const free = list.findIndex((_, i) => {
    const [x, y] = pos[i] ?? [0, 0];
    return list.every((o, j) => {
      if (i === j) return true;
      const [ox, oy] = pos[j] ?? [0, 0];
      return Math.hypot(x - ox, y - oy) > o.r + 1;
    });
  });
  if (free <= 0) return list;
  const out = list.slice();
  const [b] = out.splice(free, 1);
  return b ? [b, ...out] : list;
}

function fmtR(r: number): string {
  return r.toFixed(2);
}
