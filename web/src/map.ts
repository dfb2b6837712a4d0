// The world map: Natural Earth country outlines (world-atlas 110m, bundled)
// in an Equal Earth projection, one bubble per city sized by revenue, a
// tooltip on hover and focus, and zoom/pan with d3-zoom.

import { geoEqualEarth, geoGraticule10, geoPath } from "d3-geo";
import { select } from "d3-selection";
import { zoom as d3zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from "d3-zoom";
import { feature, mesh } from "topojson-client";
import world from "world-atlas/countries-110m.json";
import { h, s } from "./dom";
import { countryName, fmtInt, fmtMoney, fmtMoneyCompact as fmtMoneyShort } from "./format";
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
  x: number;
  y: number;
}

/** Revenue colour classes, light to dark (app.css .bin-0 … .bin-4). */
const BINS = 5;
/** How many of the largest cities get a label once zoomed in. */
const LABELS = 12;
/** The zoom at which those labels appear. */
const LABEL_ZOOM = 1.8;
const MAX_FIT_ZOOM = 12;

/** What a click on a city's bubble asks for (the dashboard decides). */
export type CityPick = (row: CityRow, add: boolean) => void;

export function worldMap(onPick?: CityPick): WorldMap {
  const b = basemap();
  const bubbles = s("g", { class: "map-bubbles" });
  const labels = s("g", { class: "map-labels", "aria-hidden": "true" });
  const viewport = s(
    "g",
    { class: "map-viewport" },
    s("path", { class: "map-sphere", d: b.sphere, "aria-hidden": "true" }),
    s("path", { class: "map-graticule", d: b.graticule, "aria-hidden": "true" }),
    s("path", { class: "map-land", d: b.land, "aria-hidden": "true" }),
    s("path", { class: "map-borders", d: b.borders, "aria-hidden": "true" }),
    bubbles,
    labels,
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
  const zoomReset = h("button", { type: "button", class: "icon-button wide", "data-testid": "map-zoom-reset" }, "Fit to cities");
  const zoomWorld = h("button", { type: "button", class: "icon-button wide", "data-testid": "map-zoom-world" }, "World");
  const controls = h("div", { class: "map-controls", role: "group", "aria-label": "Map zoom" }, zoomIn, zoomOut, zoomReset, zoomWorld);

  // Legend: the colour classes with their revenue ranges, and bubble sizes.
  const colourKey = h("ul", { class: "legend-bins", "aria-label": "Bubble colour: revenue" });
  const sizeKey = h("ul", { class: "legend-sizes", "aria-label": "Bubble size: revenue" });
  const legend = h(
    "div",
    { class: "map-legend", "data-testid": "map-legend" },
    h("span", { class: "legend-title" }, "Revenue"),
    colourKey,
    sizeKey,
  );

  const frame = h("div", { class: "map-frame" }, svg, tooltip, controls);
  const el = h("div", { class: "map" }, frame, legend);

  let list: Bubble[] = [];
  const byEl = new Map<Element, Bubble>();
  let k = 1;
  let fitTransform = zoomIdentity;
  let labelEls: { el: SVGTextElement; bub: Bubble }[] = [];

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
        placeLabels();
      }
      svg.dataset.zoom = k.toFixed(2);
    });
  const sel = select<SVGSVGElement, unknown>(svg);
  sel.call(zoom).on("dblclick.zoom", null);
  zoomIn.addEventListener("click", () => sel.call(zoom.scaleBy, 1.6));
  zoomOut.addEventListener("click", () => sel.call(zoom.scaleBy, 1 / 1.6));
  zoomReset.addEventListener("click", () => sel.call(zoom.transform, fitTransform));
  zoomWorld.addEventListener("click", () => sel.call(zoom.transform, zoomIdentity));

  // Labels of the largest cities, only once zoomed in enough to read them;
  // sized and offset in screen terms whatever the zoom.
  const placeLabels = (): void => {
    labels.classList.toggle("shown", k >= LABEL_ZOOM);
    for (const { el: t, bub } of labelEls) {
      t.setAttribute("x", (bub.x + (bub.r + 2) / k).toFixed(2));
      t.setAttribute("y", (bub.y + 4 / k).toFixed(2));
      t.setAttribute("font-size", (12 / k).toFixed(3));
    }
  };

  // The bubble a pointer means: of those under it, the one whose centre is
  // nearest relative to its size, so the middle of a big city names that
  // city even where a small neighbour's bubble overlaps it. Centres closer
  // than a pointer can tell apart (mouse positions are whole pixels) count
  // as equal, and then the larger city wins.
  const pick = (clientX: number, clientY: number): Bubble | undefined => {
    const m = (viewport as SVGGraphicsElement).getScreenCTM();
    if (!m) return undefined;
    const pt = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
    const tol = 1.5 / Math.hypot(m.a, m.b);
    let best: Bubble | undefined;
    let bestScore = Infinity;
    for (const bub of list) {
      const r = bub.r / k;
      const d = Math.hypot(pt.x - bub.x, pt.y - bub.y);
      if (d > r + tol) continue;
      const score = Math.max(0, d - tol) / r;
      if (score < bestScore || (score === bestScore && best && bub.r > best.r)) {
        best = bub;
        bestScore = score;
      }
    }
    return best;
  };

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

  svg.addEventListener("mousemove", (e) => {
    const bub = pick(e.clientX, e.clientY);
    svg.classList.toggle("over-bubble", !!bub);
    if (bub) showTip(bub, e.clientX, e.clientY);
    else if (!byEl.has(document.activeElement as Element)) hideTip();
  });
  svg.addEventListener("mouseleave", () => {
    if (!byEl.has(document.activeElement as Element)) hideTip();
  });
  // A click (not the end of a drag) on a bubble picks its city.
  let down: { x: number; y: number } | null = null;
  svg.addEventListener("pointerdown", (e) => {
    down = { x: e.clientX, y: e.clientY };
  });
  svg.addEventListener("click", (e) => {
    const moved = down ? Math.hypot(e.clientX - down.x, e.clientY - down.y) : 0;
    down = null;
    if (moved > 4 || !onPick) return;
    const bub = pick(e.clientX, e.clientY);
    if (bub) onPick(bub.row, e.ctrlKey || e.metaKey || e.shiftKey);
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
    } else if ((e.key === "Enter" || e.key === " ") && onPick) {
      e.preventDefault();
      onPick(bub.row, e.ctrlKey || e.metaKey || e.shiftKey);
      return;
    } else return;
    e.preventDefault();
    const target = list[next];
    if (!target) return;
    bub.el.setAttribute("tabindex", "-1");
    target.el.setAttribute("tabindex", "0");
    target.el.focus();
  });

  const renderLegend = (max: number): void => {
    legend.hidden = max <= 0;
    colourKey.replaceChildren(
      ...Array.from({ length: BINS }, (_, i) =>
        h(
          "li",
          {},
          h("span", { class: `swatch bin-${i}`, "aria-hidden": "true" }),
          i === BINS - 1 ? `${fmtMoneyShort((max * i) / BINS)}+` : `${fmtMoneyShort((max * i) / BINS)}\u2013${fmtMoneyShort((max * (i + 1)) / BINS)}`,
        ),
      ),
    );
    // Bubble area is proportional to revenue: these are the sizes of the
    // largest city's revenue, a quarter of it and a twenty-fifth.
    sizeKey.replaceChildren(
      ...[1, 0.25, 0.04].map((f) => {
        const r = Math.max(MIN_RADIUS, MAX_RADIUS * Math.sqrt(f));
        const d = Math.ceil(2 * MAX_RADIUS + 2);
        return h(
          "li",
          {},
          s("svg", { class: "size-swatch", viewBox: `0 0 ${d} ${d}`, width: d, height: d, "aria-hidden": "true" }, s("circle", { cx: d / 2, cy: d / 2, r: r.toFixed(2) })),
          fmtMoneyShort(max * f),
        );
      }),
    );
  };

  return {
    el,
    update(rows) {
      hideTip();
      byEl.clear();
      const max = rows.reduce((m, r) => Math.max(m, r.revenue), 0);
      const bin = (v: number): number => (max > 0 ? Math.min(BINS - 1, Math.floor((BINS * Math.max(0, v)) / max)) : 0);
      const next: Bubble[] = [];
      for (const row of rows) {
        if (!Number.isFinite(row.lat) || !Number.isFinite(row.lon)) continue;
        const p = b.project([row.lon, row.lat]);
        if (!p) continue;
        const r = max > 0 ? Math.max(MIN_RADIUS, MAX_RADIUS * Math.sqrt(Math.max(0, row.revenue) / max)) : MIN_RADIUS;
        const el = s("circle", {
          class: `city-bubble bin-${bin(row.revenue)}`,
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
          "aria-label": `${row.city}, ${countryName(row.country)}: ${fmtMoney(row.revenue)} revenue, ${fmtInt(row.units)} units, ${fmtInt(row.orders)} orders${onPick ? "; Enter filters the dashboard to this city" : ""}`,
        });
        const bub = { el, row, r, x: p[0], y: p[1] };
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
      labelEls = list.slice(0, LABELS).map((bub) => ({ el: s("text", { class: "city-label", "data-city": bub.row.city }, bub.row.city), bub }));
      labels.replaceChildren(...labelEls.map((l) => l.el));
      renderLegend(max);
      // Open fitted to the cities shown, and fit again whenever they change.
      // A phone's tall map crops the world's sides (slice) instead of
      // shrinking it to a strip: the fit is to the part on screen.
      const narrow = typeof matchMedia === "function" && matchMedia("(max-width: 640px)").matches;
      svg.setAttribute("preserveAspectRatio", narrow ? "xMidYMid slice" : "xMidYMid meet");
      const box = svg.getBoundingClientRect();
      let view = { x0: 0, y0: 0, w: WIDTH, h: b.height };
      if (narrow && box.width > 0 && box.height > 0) {
        const sc = Math.max(box.width / WIDTH, box.height / b.height);
        const w = box.width / sc;
        const h2 = box.height / sc;
        view = { x0: (WIDTH - w) / 2, y0: (b.height - h2) / 2, w, h: h2 };
      }
      // Zooming and panning keep the world over the part on screen; on a
      // phone one may zoom out until the whole world fits it.
      const kmin = Math.min(1, view.w / WIDTH, view.h / b.height);
      zoom.scaleExtent([kmin, 16]).extent([
        [view.x0, view.y0],
        [view.x0 + view.w, view.y0 + view.h],
      ]);
      fitTransform = fitTo(list, b.height, view, kmin);
      sel.call(zoom.transform, fitTransform);
      placeLabels();
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

/** The zoom that shows every bubble, with a margin, centred. */
function fitTo(list: Bubble[], height: number, view: { x0: number; y0: number; w: number; h: number }, kmin: number) {
  if (list.length === 0) return zoomIdentity.scale(kmin);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of list) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x);
    y1 = Math.max(y1, b.y);
  }
  const pad = 0.12;
  const w = Math.max(x1 - x0, 8);
  const hh = Math.max(y1 - y0, 8);
  let kk = Math.min(view.w / (w * (1 + 2 * pad)), view.h / (hh * (1 + 2 * pad)));
  kk = Math.max(kmin, Math.min(MAX_FIT_ZOOM, kk));
  // The cities' centre in the middle of what is on screen, the world's
  // edge kept out of view (or the world centred when it is smaller).
  const place = (lo: number, size: number, full: number, c: number): number => {
    const t = lo + size / 2 - kk * c;
    if (full * kk <= size) return lo + (size - full * kk) / 2;
    return Math.min(lo, Math.max(lo + size - full * kk, t));
  };
  return zoomIdentity.translate(place(view.x0, view.w, WIDTH, (x0 + x1) / 2), place(view.y0, view.h, height, (y0 + y1) / 2)).scale(kk);
}

function fmtR(r: number): string {
  return r.toFixed(2);
}
