// Chart.js panels. Only the pieces used are registered, so the rest of
// Chart.js is left out of the bundle. Animations are off: the page says
// "ready" when the data is drawn, not some frames later.

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type TooltipItem,
} from "chart.js";
import { h, nextId } from "./dom";
import { fmtInt, fmtMoney, fmtMoneyCompact } from "./format";
import type { Figures } from "./types";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
Chart.defaults.font.size = 12;
// Text and grid colours come from the page's theme (light or dark).
const cssVar = (name: string, fallback: string): string =>
  (typeof getComputedStyle === "function" ? getComputedStyle(document.documentElement).getPropertyValue(name).trim() : "") || fallback;
Chart.defaults.color = cssVar("--text-2", "#374151");
Chart.defaults.borderColor = cssVar("--border-soft", "#e5e7eb");
Chart.defaults.animation = false;

const ACCENT = "#2563eb";
const ACCENT_FILL = "rgba(37, 99, 235, 0.85)";

export interface ChartItem extends Figures {
  /** data-key: the region, country code, category or period */
  key: string;
  /** what a person reads: the country's name, a month, ... */
  label: string;
}

export interface ChartPanelOptions {
  /** chart-regions, chart-countries, ... */
  testid: string;
  kind: "bar" | "hbar" | "line";
  /** the canvas's accessible name */
  ariaLabel: string;
  /** the first column's header in the data table */
  keyHeader: string;
  /** how many items to draw (the data table always has all of them) */
  limit?: number;
  tall?: boolean;
  /** a click on a bar (or point) picks its item: the dashboard filters to it */
  onPick?: (key: string, add: boolean) => void;
  /** the PNG's file name, without extension */
  fileName: string;
}

export interface ChartPanel {
  el: HTMLElement;
  update(items: ChartItem[]): void;
  destroy(): void;
}

export function chartPanel(opts: ChartPanelOptions): ChartPanel {
  const canvas = h("canvas", { "data-testid": opts.testid, role: "img", "aria-label": opts.ariaLabel });
  canvas.textContent = opts.ariaLabel;
  const box = h("div", { class: opts.tall ? "chart-box tall" : "chart-box" }, canvas);
  const tbody = h("tbody");
  const captionId = nextId("caption");
  const table = h(
    "table",
    { class: "chart-data", "data-testid": `${opts.testid}-data` },
    h("caption", { id: captionId }, opts.ariaLabel),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, opts.keyHeader),
        h("th", { scope: "col" }, "Revenue"),
        h("th", { scope: "col" }, "Units"),
        h("th", { scope: "col" }, "Orders"),
      ),
    ),
    tbody,
  );
  // Visually hidden through a wrapper: a table box ignores a 1px height.
  // The chart as a PNG, on white (the canvas itself is transparent).
  const png = h("button", { type: "button", class: "button secondary small chart-png", "data-testid": `${opts.testid}-png` }, "Download PNG");
  png.addEventListener("click", () => {
    const out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    const g = out.getContext("2d");
    if (!g) return;
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, out.width, out.height);
    g.drawImage(canvas, 0, 0);
    out.toBlob((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: `${opts.fileName}.png`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }, "image/png");
  });
  const el = h("div", { class: "chart" }, box, h("div", { class: "chart-tools" }, png), h("div", { class: "sr-only" }, table));

  let chart: Chart | null = null;
  let drawnKeys: string[] = [];
  if (opts.onPick) canvas.classList.add("pickable");
  const horizontal = opts.kind === "hbar";
  const value = (item: TooltipItem<"bar" | "line">): number =>
    horizontal ? item.parsed.x ?? 0 : item.parsed.y ?? 0;

  const config = (labels: string[], data: number[]): ChartConfiguration<"bar" | "line"> => {
    const valueAxis = {
      beginAtZero: true,
      ticks: { callback: (v: string | number) => fmtMoneyCompact(Number(v)) },
      grid: { color: cssVar("--border-soft", "#e5e7eb") },
    };
    const labelAxis = {
      grid: { display: false },
      ticks: { autoSkip: true, maxRotation: opts.kind === "bar" ? 50 : 0 },
    };
    return {
      type: opts.kind === "line" ? "line" : "bar",
      data: {
        labels,
        datasets: [
          opts.kind === "line"
            ? {
                label: "Revenue",
                data,
                borderColor: ACCENT,
                backgroundColor: ACCENT,
                borderWidth: 2,
                pointRadius: data.length > 60 ? 0 : 3,
                pointHoverRadius: 5,
                tension: 0,
              }
            : {
                label: "Revenue",
                data,
                backgroundColor: ACCENT_FILL,
                hoverBackgroundColor: ACCENT,
                borderRadius: 3,
                maxBarThickness: 56,
              },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        onClick: (e, elements) => {
          const i = elements[0]?.index;
          const key = i === undefined ? undefined : drawnKeys[i];
          const ne = e.native as MouseEvent | null;
          const add = !!ne && (ne.ctrlKey || ne.metaKey || ne.shiftKey);
          if (key !== undefined && opts.onPick) opts.onPick(key, add);
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => `Revenue: ${fmtMoney(value(item))}`,
            },
          },
        },
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      },
    };
  };

  return {
    el,
    update(items) {
      tbody.replaceChildren(
        ...items.map((it) =>
          h(
            "tr",
            { "data-key": it.key, "data-revenue": String(it.revenue), "data-units": String(it.units), "data-orders": String(it.orders) },
            h("th", { scope: "row" }, it.label),
            h("td", {}, fmtMoney(it.revenue)),
            h("td", {}, fmtInt(it.units)),
            h("td", {}, fmtInt(it.orders)),
          ),
        ),
      );
      const drawn = opts.limit ? items.slice(0, opts.limit) : items;
      drawnKeys = drawn.map((it) => it.key);
      const labels = drawn.map((it) => it.label);
      const data = drawn.map((it) => it.revenue);
      if (!chart) {
        chart = new Chart(canvas, config(labels, data));
      } else {
        chart.data.labels = labels;
        const ds = chart.data.datasets[0];
        if (ds) ds.data = data;
        if (opts.kind === "line" && ds) (ds as { pointRadius?: number }).pointRadius = data.length > 60 ? 0 : 3;
        chart.update("none");
      }
      // Each drawn item's position on the canvas (CSS pixels), on its row
      // of the data table: where a click picks it.
      const meta = chart.getDatasetMeta(0);
      const rows = tbody.children;
      for (let i = 0; i < rows.length; i++) {
        const el = meta.data[i];
        const row = rows[i] as HTMLElement;
        if (el && i < drawn.length) {
          const c = (el as unknown as { getCenterPoint(): { x: number; y: number } }).getCenterPoint();
          row.dataset.x = c.x.toFixed(1);
          row.dataset.y = c.y.toFixed(1);
        }
      }
    },
    destroy() {
      chart?.destroy();
      chart = null;
    },
  };
}
