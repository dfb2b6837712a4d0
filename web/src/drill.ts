// The drill-through: the orders behind one city's figures, a page at a
// time, read by the person's own statement (their row policies, column
// privileges and masks apply), with the whole list as CSV.

import { api, errorMessage } from "./api";
import { h, nextId } from "./dom";
import { countryName, fmtInt, fmtMoney } from "./format";

export interface DrillTarget {
  city: string;
  country: string;
}

interface OrdersAnswer {
  columns: string[];
  rows: unknown[][];
  total: number;
  page: number;
  pageSize: number;
  noAccess?: boolean;
}

const HEADERS: Record<string, string> = {
  timestamp: "Time",
  sku: "SKU",
  product_name: "Product",
  category: "Category",
  quantity: "Quantity",
  sales_price: "Price",
};

export interface DrillPanel {
  el: HTMLElement;
  /** shows target's orders under the data filters q (null hides the panel) */
  show(target: DrillTarget | null, q: URLSearchParams): void;
}

export function drillPanel(onClose: () => void, onBusy: (busy: boolean) => void): DrillPanel {
  const titleId = nextId("drill-title");
  const title = h("h2", { id: titleId }, "Orders");
  const summary = h("p", { class: "muted", "data-testid": "drill-summary", "aria-live": "polite" });
  const status = h("div", { class: "panel-status" });
  const prev = h("button", { type: "button", class: "button secondary small", "data-testid": "drill-prev" }, "Previous");
  const next = h("button", { type: "button", class: "button secondary small", "data-testid": "drill-next" }, "Next");
  const exportLink = h("a", { class: "button secondary small", "data-testid": "drill-export", href: "#" }, "Export CSV");
  const close = h("button", { type: "button", class: "button secondary small", "data-testid": "drill-close" }, "Close");
  const tbody = h("tbody");
  const thead = h("thead");
  const table = h("table", { class: "data-table compact", "data-testid": "drill-table", "aria-labelledby": titleId }, thead, tbody);
  const el = h(
    "section",
    { class: "panel panel-drill", "data-testid": "drill", "aria-labelledby": titleId, hidden: true },
    h("div", { class: "panel-title-row" }, title, h("div", { class: "page-actions" }, exportLink, close)),
    h("p", { class: "panel-hint" }, "The orders behind this city's figures, as your own policies let you read them: hidden columns are left out and masked ones stay masked."),
    status,
    summary,
    h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Orders (scrollable)" }, table),
    h("div", { class: "form-actions" }, prev, next),
  );

  let target: DrillTarget | null = null;
  let query = new URLSearchParams();
  let page = 0;
  let gen = 0;

  const params = (): URLSearchParams => {
    const q = new URLSearchParams(query);
    if (target) {
      q.set("city", target.city);
      q.set("cityCountry", target.country);
    }
    return q;
  };

  const load = async (): Promise<void> => {
    if (!target) return;
    const my = ++gen;
    const q = params();
    q.set("page", String(page));
    el.classList.add("is-loading");
    el.setAttribute("aria-busy", "true");
    onBusy(true);
    try {
      const a = await api<OrdersAnswer>(`/app/api/orders?${q.toString()}`);
      if (my !== gen) return;
      status.replaceChildren();
      render(a);
    } catch (err) {
      if (my !== gen) return;
      // No rows of an earlier page or city stay on screen.
      thead.replaceChildren();
      tbody.replaceChildren();
      summary.textContent = "";
      status.replaceChildren(h("p", { class: "panel-error", "data-testid": "error", role: "alert" }, h("strong", {}, "The orders could not be loaded. "), errorMessage(err)));
    } finally {
      if (my === gen) {
        el.classList.remove("is-loading");
        el.removeAttribute("aria-busy");
      }
      onBusy(false);
    }
  };

  const render = (a: OrdersAnswer): void => {
    const cols = a.columns ?? [];
    const qi = cols.indexOf("quantity");
    const pi = cols.indexOf("sales_price");
    const withRevenue = qi >= 0 && pi >= 0;
    thead.replaceChildren(
      h(
        "tr",
        {},
        ...cols.map((c) => h("th", { scope: "col", class: c === "quantity" || c === "sales_price" ? "num" : "" }, HEADERS[c] ?? c)),
        withRevenue ? h("th", { scope: "col", class: "num" }, "Revenue") : null,
      ),
    );
    tbody.replaceChildren(
      ...(a.rows ?? []).map((r) =>
        h(
          "tr",
          { "data-revenue": withRevenue ? (Number(r[qi]) * Number(r[pi])).toFixed(2) : "" },
          ...r.map((v, i) => {
            const c = cols[i] ?? "";
            if (c === "sales_price") return h("td", { class: "num" }, fmtMoney(Number(v)));
            if (c === "quantity") return h("td", { class: "num" }, fmtInt(Number(v)));
            return h("td", { "data-col": c }, v === null || v === undefined ? "" : String(v));
          }),
          withRevenue ? h("td", { class: "num" }, fmtMoney(Number(r[qi]) * Number(r[pi]))) : null,
        ),
      ),
    );
    const pages = Math.max(1, Math.ceil(a.total / a.pageSize));
    el.dataset.total = String(a.total);
    summary.textContent = a.noAccess
      ? "You may not read these orders."
      : a.total === 0
        ? "No orders match these filters."
        : `${fmtInt(a.total)} ${a.total === 1 ? "order" : "orders"}; page ${fmtInt(page + 1)} of ${fmtInt(pages)}, newest first.`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    exportLink.textContent = `Export ${fmtInt(a.total)} ${a.total === 1 ? "order" : "orders"} as CSV`;
  };

  prev.addEventListener("click", () => {
    page = Math.max(0, page - 1);
    void load();
  });
  next.addEventListener("click", () => {
    page += 1;
    void load();
  });
  close.addEventListener("click", () => onClose());

  return {
    el,
    show(t, q) {
      const same = t && target && t.city === target.city && t.country === target.country && q.toString() === query.toString();
      target = t;
      query = q;
      el.hidden = !t;
      if (!t) {
        gen++;
        return;
      }
      if (same) return;
      page = 0;
      title.textContent = `Orders in ${t.city}, ${countryName(t.country)}`;
      exportLink.href = `/app/api/orders.csv?${params().toString()}`;
      void load();
    },
  };
}
