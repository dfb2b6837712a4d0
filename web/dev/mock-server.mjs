// DEV TOOL ONLY: a fake backend for working on the frontend without Go.
// Not used by tests or the build. Serves ../internal/web/dist under
// /app/ and fake JSON per docs/dashboard.md, with the real CSP header.
//
//   node dev/mock-server.mjs [port]        (default 8098)
//   GET /__mock/mode?m=normal|noaccess|empty|error|expired|viewer   switches behaviour

import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, "../../internal/web/dist");
const citiesCSV = path.resolve(here, "../../internal/gendata/cities.csv");
const port = Number(process.argv[2] ?? 8098);

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

let mode = "normal";
let viewAs = null;
const audit = [];

// Deterministic pseudo-random numbers.
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const cities = readFileSync(citiesCSV, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split(","))
  .map((f) => ({ city: f[1], country: f[2], lat: Number(f[4]), lon: Number(f[5]), pop: Number(f[6]), tz: f[9] }));
const CATS = ["Cycling", "Running", "Camping", "Hiking", "Winter Sports", "Water Sports"];

// Fake "sales": per city, per category, per month.
const sales = [];
{
  const r = rng(42);
  for (const c of cities) {
    for (const cat of CATS) {
      for (let m = 0; m < 12; m++) {
        if (r() < 0.5) continue;
        const orders = Math.max(1, Math.round((c.pop / 1e6) * r() * 3));
        const units = orders + Math.round(orders * r());
        const revenue = Math.round(units * (20 + r() * 200) * 100) / 100;
        const day = 1 + Math.floor(r() * 28);
        sales.push({ ...c, region: c.tz.split("/")[0], category: cat, date: `2024-${String(m + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`, orders, units, revenue });
      }
    }
  }
}

function visible(q) {
  if (mode === "empty") return [];
  let rows = sales;
  if (mode === "viewer" || viewAs) rows = rows.filter((s) => s.region === "America");
  const from = q.get("from"), to = q.get("to"), cat = q.get("category"), co = q.get("country");
  return rows.filter((s) => (!from || s.date >= from) && (!to || s.date <= to) && (!cat || s.category === cat) && (!co || s.country === co));
}

function group(rows, keyf, extra = () => ({})) {
  const m = new Map();
  for (const s of rows) {
    const k = keyf(s);
    let g = m.get(k);
    if (!g) m.set(k, (g = { ...extra(s), revenue: 0, units: 0, orders: 0 }));
    g.revenue += s.revenue;
    g.units += s.units;
    g.orders += s.orders;
  }
  for (const g of m.values()) g.revenue = Math.round(g.revenue * 100) / 100;
  return [...m.entries()];
}

function period(date, grain) {
  if (grain === "day") return date;
  if (grain === "month") return date.slice(0, 8) + "01";
  const d = new Date(date + "T00:00:00Z");
  const dow = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - dow);
  return d.toISOString().slice(0, 10);
}

function panel(name, q) {
  if (mode === "noaccess") return { rows: [], noAccess: true, message: "You may not read sales_data." };
  if (mode === "error" && name === "regions") return { status: 422, body: { code: "query_failed", message: "Binder Error: mock failure for regions" } };
  const rows = visible(q);
  switch (name) {
    case "headline": {
      const t = group(rows, () => "all")[0]?.[1] ?? { revenue: 0, units: 0, orders: 0 };
      return { rows: [{ ...t, avgOrderValue: t.orders ? Math.round((t.revenue / t.orders) * 100) / 100 : 0, cities: new Set(rows.map((r) => r.city + r.country)).size, countries: new Set(rows.map((r) => r.country)).size }] };
    }
    case "cities":
      return { rows: group(rows, (s) => s.city + "|" + s.country, (s) => ({ city: s.city, country: s.country, region: s.region, lat: s.lat, lon: s.lon })).map(([, g]) => g).sort((a, b) => b.revenue - a.revenue) };
    case "regions":
      return { rows: group(rows, (s) => s.region, (s) => ({ region: s.region })).map(([, g]) => g).sort((a, b) => b.revenue - a.revenue) };
    case "countries":
      return { rows: group(rows, (s) => s.country, (s) => ({ country: s.country, region: s.region })).map(([, g]) => g).sort((a, b) => b.revenue - a.revenue) };
    case "categories":
      return { rows: group(rows, (s) => s.category, (s) => ({ category: s.category })).map(([, g]) => g).sort((a, b) => b.revenue - a.revenue) };
    case "timeseries": {
      const grain = q.get("grain") || "month";
      return { rows: group(rows, (s) => period(s.date, grain), (s) => ({ period: period(s.date, grain) })).map(([, g]) => g).sort((a, b) => (a.period < b.period ? -1 : 1)) };
    }
  }
  return { status: 404, body: { code: "not_found", message: "no such panel" } };
}

function me() {
  const admin = mode !== "viewer" && mode !== "noaccess";
  return {
    user: admin ? "AWSIDC:sam@example.com" : "AWSIDC:ming@example.com",
    email: admin ? "sam@example.com" : "ming@example.com",
    groups: admin ? ["security-admins"] : ["apac-sales"],
    roles: admin ? ["AWSIDC:security-admins", "sys:secadmin"] : ["AWSIDC:apac-sales"],
    secadmin: admin,
    csrfToken: "csrf-123",
    expiresAt: "2026-11-29T18:00:00Z",
    viewAs,
  };
}

function send(res, status, body, type = "application/json") {
  res.writeHead(status, {
    "Content-Type": type,
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
  });
  res.end(type === "application/json" ? JSON.stringify(body) : body);
}

async function readBody(req) {
  let s = "";
  for await (const c of req) s += c;
  return s ? JSON.parse(s) : null;
}

createServer(async (req, res) => {
  const u = new URL(req.url, "http://x");
  const p = u.pathname;
  const q = u.searchParams;
  if (p === "/__mock/mode") {
    mode = q.get("m") || "normal";
    viewAs = null;
    return send(res, 200, { mode });
  }
  if (p === "/" || p === "/app") return res.writeHead(302, { Location: "/app/" }).end();
  if (p === "/app/") return send(res, 200, readFileSync(path.join(dist, "index.html")), "text/html; charset=utf-8");
  if (p.startsWith("/app/assets/")) {
    const name = path.basename(p);
    const type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : null;
    if (!type) return send(res, 404, "not found", "text/plain");
    return send(res, 200, readFileSync(path.join(dist, name)), type + "; charset=utf-8");
  }
  if (p === "/signin" || p === "/signed-out") {
    const msg = q.get("reason") === "expired" ? '<p class="auth-message" data-testid="signin-message" role="status">Your session has expired. Please sign in again.</p>' : "";
    const out = p === "/signed-out" ? '<p data-testid="signed-out">You have signed out.</p>' : "";
    return send(res, 200, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in — tipgate</title><link rel="stylesheet" href="/app/assets/app.css"></head><body class="auth-page"><main class="auth-card"><h1>Sign in to tipgate</h1>${msg}${out}<p>Sign in with your organisation's account.</p><a class="button" data-testid="signin-button" href="/auth/login">Sign in</a></main></body></html>`, "text/html; charset=utf-8");
  }
  if (p === "/auth/logout" && req.method === "POST") {
    if (req.headers["x-csrf-token"] !== "csrf-123") return send(res, 403, { code: "csrf", message: "bad CSRF token" });
    return send(res, 200, { redirect: "/signed-out" });
  }
  if (!p.startsWith("/app/api/")) return send(res, 404, "not found", "text/plain");
  if (mode === "expired") return send(res, 401, { code: "session_expired", message: "session expired" });
  if (req.method !== "GET" && req.headers["x-csrf-token"] !== "csrf-123") return send(res, 403, { code: "csrf", message: "missing or wrong CSRF token" });
  await new Promise((r) => setTimeout(r, 30 + Math.random() * 80));
  const api = p.slice("/app/api/".length);
  if (api === "me") return send(res, 200, me());
  if (api === "filters") {
    const rows = mode === "noaccess" ? [] : visible(new URLSearchParams());
    const countries = [...new Map(rows.map((r) => [r.country, { code: r.country, region: r.region }])).values()];
    const dates = rows.map((r) => r.date).sort();
    return send(res, 200, { categories: [...new Set(rows.map((r) => r.category))].sort(), countries, minDate: dates[0] ?? null, maxDate: dates.at(-1) ?? null });
  }
  if (api.startsWith("panels/")) {
    const out = panel(api.slice(7), q);
    if (out.status) return send(res, out.status, out.body);
    return send(res, 200, { ...out, cached: false, ms: 3.2 });
  }
  if (api === "access") {
    const m = me();
    return send(res, 200, {
      user: m.user, email: m.email, groups: m.groups, roles: m.roles, bypasses: m.secadmin ? ["sys:secadmin"] : [], secadmin: m.secadmin, catalogVersion: 12,
      tables: [{
        table: "sales_data", visible: true,
        summary: "You can read 14 of 14 columns of sales_data, only rows where timezone LIKE 'Asia%' (policy apac_sales_policy, through role AWSIDC:apac-sales).",
        rows: { mode: m.secadmin ? "bypassed" : "filtered", conjunction: "AND", policies: [{ policy: "apac_sales_policy", predicate: "timezone LIKE 'Asia%'", via: ["role AWSIDC:apac-sales"] }], text: "Rows where timezone LIKE 'Asia%'." },
        columns: [
          { name: "sku", type: "VARCHAR(50)", granted: true, mask: null },
          { name: "customer_email", type: "VARCHAR(200)", granted: true, mask: { policy: "email_mask", expression: "regexp_replace(customer_email, '^[^@]+', '***')", via: "role AWSIDC:apac-sales", priority: 10 } },
          { name: "cost", type: "DECIMAL(12,2)", granted: false, mask: null },
        ],
        reasons: ["SELECT on sales_data granted to role AWSIDC:apac-sales", "rows filtered by apac_sales_policy (combined with AND)"],
      }],
    });
  }
  if (api === "export.csv") return send(res, 200, "city,country\n", "text/csv");
  if (api.startsWith("admin/")) {
    if (!me().secadmin) return send(res, 403, { code: "forbidden", message: "security admins only" });
    if (api === "admin/sql") {
      const b = await readBody(req);
      audit.unshift({ time: new Date().toISOString(), kind: "statement", user: "AWSIDC:sam@example.com", binding: "dashboard", sql: b.sql, status: /error/i.test(b.sql) ? "error" : "ok", rows: 2, duration_ns: 4200000, policies: [] });
      if (/error/i.test(b.sql)) return send(res, 422, { code: "query_failed", message: "Parser Error: syntax error at or near \"error\"" });
      return send(res, 200, { statementId: "s-1", columns: [{ name: "timezone", type: "VARCHAR" }, { name: "orders", type: "BIGINT" }], rows: [["Asia/Tokyo", 12], ["Europe/Paris", null]], rowCount: 2, truncated: false, ms: 4.2 });
    }
    if (api === "admin/audit") {
      const base = [{ time: "2026-11-29T17:00:00Z", kind: "statement", user: "AWSIDC:ming@example.com", actor: "", groups: ["apac-sales"], roles: ["AWSIDC:apac-sales"], binding: "dashboard", sql: "SELECT split_part(timezone, '/', 1) AS region, sum(price * quantity) AS revenue FROM sales_data GROUP BY 1 ORDER BY 2 DESC", status: "ok", rows: 3, duration_ns: 12345678, policies: ["apac_sales_policy"], error: "" },
        { time: "2026-11-29T16:59:00Z", kind: "auth_failure", user: "bob@example.com", status: "denied", error: "bad password" }];
      return send(res, 200, { records: [...audit, ...base] });
    }
    if (api === "admin/view-as/options") return send(res, 200, { namespace: "AWSIDC", groups: ["amer-sales", "apac-sales", "emea-sales"], users: ["frank@example.com", "ming@example.com", "alex@example.com"] });
    if (api === "admin/view-as") {
      if (req.method === "DELETE") { viewAs = null; return send(res, 200, me()); }
      const b = await readBody(req);
      viewAs = { user: "AWSIDC:" + b.user, email: b.user, groups: b.groups, roles: b.groups.map((g) => "AWSIDC:" + g) };
      return send(res, 200, me());
    }
  }
  return send(res, 404, { code: "not_found", message: "no such API" });
}).listen(port, "127.0.0.1", () => console.log(`mock dashboard on http://127.0.0.1:${port}/app/`));
