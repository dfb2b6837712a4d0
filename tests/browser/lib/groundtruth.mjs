// The ground truth of the dashboard, computed from the generated CSV alone:
// no tipgate code, no SQL engine. What each demo user may see follows the
// demo's Redshift policy script (internal/demo/policies.sql):
//
//   ethan  exec-global       GRANT IGNORE RLS            every row
//   frank  amer-sales        amer_sales_policy           timezone LIKE 'America%'
//   alex   emea-sales        emea_sales_policy           timezone LIKE 'Europe%'
//   ming   apac-sales        apac_sales_policy           timezone LIKE 'Asia%'
//   sam    security-admins   sys:secadmin, no SELECT     nothing
//
// Money is summed in integer cents (quantity × price in cents), so the
// totals are exact; they are turned into numbers of currency units only at
// the end.

import { readFileSync } from 'node:fs';

// parseCSV parses RFC 4180 CSV: fields separated by commas, optionally
// enclosed in double quotes, in which commas, line breaks and doubled
// quotes ("") stand for themselves. Lines end in \n or \r\n. Returns an
// array of rows (arrays of strings); a trailing line break adds no row.
export function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  let quoted = false; // inside a quoted field
  let fieldStarted = false; // anything (even "") read for the current field
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '') throw new Error(`CSV: quote inside an unquoted field at offset ${i}`);
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === ',') {
      row.push(field);
      field = '';
      fieldStarted = false;
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      i++;
      continue;
    }
    if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
      i++;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (quoted) throw new Error('CSV: unterminated quoted field');
  if (fieldStarted || field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// parseCSVObjects parses CSV with a header line into objects keyed by the
// header's names.
export function parseCSVObjects(text) {
  const [header, ...rows] = parseCSV(text);
  if (!header) return { header: [], records: [] };
  const records = rows.map((r, k) => {
    if (r.length !== header.length) {
      throw new Error(`CSV line ${k + 2}: ${r.length} fields, header has ${header.length}`);
    }
    const o = {};
    header.forEach((h, j) => (o[h] = r[j]));
    return o;
  });
  return { header, records };
}

// cents turns a decimal string with at most two decimals ("34.99", "5",
// "12.5", "-3.10") into an integer number of cents, exactly.
export function cents(s) {
  const m = /^(-?)(\d+)(?:\.(\d{0,2}))?$/.exec(s.trim());
  if (!m) throw new Error(`not a price with at most 2 decimals: ${JSON.stringify(s)}`);
  const v = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}

// regionOf is split_part(timezone, '/', 1).
export const regionOf = (tz) => tz.split('/')[0];

// The demo's people and the rows their policies leave them (null: no
// SELECT on sales_data at all).
export const USERS = {
  ethan: { email: 'ethan@example.com', groups: ['exec-global'], policy: null, bypass: true, sees: () => true },
  frank: { email: 'frank@example.com', groups: ['amer-sales'], policy: 'amer_sales_policy', sees: (r) => r.Timezone.startsWith('America') },
  alex: { email: 'alex@example.com', groups: ['emea-sales'], policy: 'emea_sales_policy', ungranted: ['elevation', 'population'], sees: (r) => r.Timezone.startsWith('Europe') },
  ming: { email: 'ming@example.com', groups: ['apac-sales'], policy: 'apac_sales_policy', masked: ['sku'], sees: (r) => r.Timezone.startsWith('Asia') },
  sam: { email: 'sam@example.com', groups: ['security-admins'], policy: null, secadmin: true, sees: null },
};

export const POLICIES = ['amer_sales_policy', 'emea_sales_policy', 'apac_sales_policy'];

const cityKey = (city, country) => `${city}\u0000${country}`;
export { cityKey };

function newTotals() {
  return { revenueCents: 0, units: 0, orders: 0 };
}

function add(t, qty, priceCents) {
  t.revenueCents += qty * priceCents;
  t.units += qty;
  t.orders += 1;
}

function finish(t) {
  return { revenue: t.revenueCents / 100, revenueCents: t.revenueCents, units: t.units, orders: t.orders };
}

// aggregate computes one person's figures over rows (already parsed
// records with integer qty and priceCents).
export function aggregate(rows) {
  const all = newTotals();
  const cities = new Map();
  const regions = new Map();
  const countries = new Map();
  const categories = new Map();
  const countryRegions = new Map(); // country -> Set of regions
  for (const r of rows) {
    add(all, r.qty, r.priceCents);
    const region = regionOf(r.Timezone);
    const ck = cityKey(r.City, r.Country);
    let c = cities.get(ck);
    if (!c) {
      c = { city: r.City, country: r.Country, region, lat: Number(r.Latitude), lon: Number(r.Longitude), regions: new Set(), t: newTotals() };
      cities.set(ck, c);
    }
    c.regions.add(region);
    add(c.t, r.qty, r.priceCents);
    for (const [m, k] of [[regions, region], [countries, r.Country], [categories, r.Category]]) {
      let t = m.get(k);
      if (!t) m.set(k, (t = newTotals()));
      add(t, r.qty, r.priceCents);
    }
    if (!countryRegions.has(r.Country)) countryRegions.set(r.Country, new Set());
    countryRegions.get(r.Country).add(region);
  }
  const fin = (m) => new Map([...m].map(([k, t]) => [k, finish(t)]));
  const h = finish(all);
  return {
    revenue: h.revenue,
    revenueCents: h.revenueCents,
    units: h.units,
    orders: h.orders,
    // revenue / orders, 0 without orders (the headline's avgOrderValue)
    aov: h.orders ? h.revenueCents / h.orders / 100 : 0,
    regions: fin(regions),
    countries: fin(countries),
    categories: fin(categories),
    countryRegions,
    cities: new Map([...cities].map(([k, c]) => [k, { city: c.city, country: c.country, region: c.region, regions: c.regions, lat: c.lat, lon: c.lon, ...finish(c.t) }])),
  };
}

// load reads the demo's CSV and returns {rows, users}: users[name] is the
// aggregate of what that person may see (null for no access), with
// byCategory[category] and the person's records (for other filters).
export function load(csvPath) {
  const { header, records } = parseCSVObjects(readFileSync(csvPath, 'utf8'));
  const want = ['SKU', 'Product_Name', 'Category', 'Quantity', 'Sales_Price', 'Timestamp', 'City', 'Region_Code', 'Country', 'Latitude', 'Longitude', 'Population', 'Elevation', 'Timezone'];
  if (header.join(',') !== want.join(',')) throw new Error(`unexpected CSV header in ${csvPath}: ${header.join(',')}`);
  for (const r of records) {
    r.qty = Number(r.Quantity);
    if (!Number.isInteger(r.qty)) throw new Error(`Quantity is not an integer: ${JSON.stringify(r)}`);
    r.priceCents = cents(r.Sales_Price);
  }
  const users = {};
  for (const [name, u] of Object.entries(USERS)) {
    if (!u.sees) {
      users[name] = null;
      continue;
    }
    const mine = records.filter(u.sees);
    const agg = aggregate(mine);
    agg.records = mine;
    agg.byCategory = {};
    for (const cat of agg.categories.keys()) agg.byCategory[cat] = aggregate(mine.filter((r) => r.Category === cat));
    users[name] = agg;
  }
  return { rows: records.length, users };
}

// filtered aggregates one person's rows under the dashboard's filters:
// from/to (YYYY-MM-DD, inclusive, on the timestamp's day), category,
// country.
export function filtered(agg, { from, to, category, country } = {}) {
  return aggregate(
    agg.records.filter((r) => {
      const day = r.Timestamp.slice(0, 10);
      return (!from || day >= from) && (!to || day <= to) && (!category || r.Category === category) && (!country || r.Country === country);
    }),
  );
}

// Run directly (node lib/groundtruth.mjs file.csv) to print the figures.
if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = performance.now();
  const gt = load(process.argv[2]);
  console.log(`${gt.rows} rows in ${(performance.now() - t0).toFixed(0)} ms`);
  for (const [name, u] of Object.entries(gt.users)) {
    if (!u) {
      console.log(`${name}: no access`);
      continue;
    }
    console.log(`${name}: revenue ${u.revenue.toFixed(2)} units ${u.units} orders ${u.orders} aov ${u.aov.toFixed(4)} cities ${u.cities.size} countries ${u.countries.size} regions ${[...u.regions.keys()].sort().join(',')}`);
  }
}
