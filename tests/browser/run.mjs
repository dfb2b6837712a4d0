// End-to-end tests of the tipgate dashboard (docs/dashboard.md) in headless
// Chromium, against the real `tipgate demo` and its embedded IdP, checked
// against a ground truth computed from the demo's CSV alone.
//
//   node tests/browser/run.mjs
//
// Environment: TIPGATE_BIN (default bin/tipgate), CHROMIUM (default
// chromium, found on PATH), ARTIFACTS (default test-artifacts/browser),
// ROWS (default 30000); TIPGATE_URL, TIPGATE_DEMO_PASSWORD and TIPGATE_CSV
// test a demo already running (the replicas behind a load balancer of
// scripts/browser-replicas.sh) instead of starting one. Needs scripts/browser-deps.sh first. The exit code
// is non-zero when any check fails (node:test sets it).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemo } from './lib/demo.mjs';
import { POLICIES, USERS, aggregate, cents, filtered, load, parseCSV, parseCSVObjects, regionOf } from './lib/groundtruth.mjs';
import { cityOf, diffKeyed, formatAxe, near, num, runAxe, snapshot, which } from './lib/page.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');

function repoPath(p) {
  const fromCwd = resolve(process.cwd(), p);
  return existsSync(fromCwd) ? fromCwd : resolve(REPO, p);
}

const CFG = {
  bin: repoPath(process.env.TIPGATE_BIN || 'bin/tipgate'),
  chromium: process.env.CHROMIUM || 'chromium',
  artifacts: resolve(process.cwd(), process.env.ARTIFACTS || 'test-artifacts/browser'),
  rows: Number(process.env.ROWS || 30000),
  // How long the demo may take to serve: its policy script loads ROWS rows
  // (on Trino through batched INSERTs, each an Iceberg commit: minutes on a
  // loaded 2-core machine).
  demoTimeoutMs: Number(process.env.DEMO_TIMEOUT_S || 120) * 1000,
};

// Shared state: the demo, the ground truth, the browser, timings.
const S = { url: null, demo: null, gt: null, browser: null, timings: [], outside: [], started: performance.now(), notes: [] };

const log = (msg) => process.stdout.write(`# ${msg}\n`);
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const sanitize = (s) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
const artifact = (name) => join(CFG.artifacts, name);

const EXPECTED_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// ---------------------------------------------------------------- helpers

async function newContext(st) {
  const ctx = await S.browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true, locale: 'en-US', timezoneId: 'UTC' });
  ctx.setDefaultTimeout(20_000);
  ctx.setDefaultNavigationTimeout(30_000);
  // Nothing leaves the machine: any request that is not for the test
  // server is answered here (and noted), never sent.
  await ctx.route(
    (u) => !u.href.startsWith(`${S.url}/`),
    (route) => {
      S.outside.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/plain', body: 'blocked by the browser tests: not the test server' });
    },
  );
  if (st) st.contexts.push(ctx);
  return ctx;
}

async function newPage(ctx, st) {
  const page = await ctx.newPage();
  page.on('console', (m) => {
    const url = page.url();
    st.console.push(`[${m.type()}] ${url}: ${m.text()}`);
    if (/Content Security Policy/i.test(m.text()) && isAppPage(url)) st.csp.push(`${url}: ${m.text()}`);
  });
  page.on('pageerror', (e) => {
    st.console.push(`[pageerror] ${page.url()}: ${e.message}`);
    st.pageErrors.push(`${page.url()}: ${e.message}`);
  });
  st.page = page;
  return page;
}

// isAppPage: tipgate's own pages (not the IdP's), whose CSP the frontend
// must live with.
function isAppPage(url) {
  try {
    const u = new URL(url);
    return u.origin === S.url && /^\/(app\/|signin|signed-out)/.test(u.pathname);
  } catch {
    return false;
  }
}

function newState(label, who) {
  return { label, who, page: null, contexts: [], console: [], pageErrors: [], csp: [], a11y: {}, blocked: null };
}

async function closeState(st) {
  for (const c of st.contexts.splice(0)) await c.close().catch(() => {});
  try {
    writeFileSync(artifact(`console-${sanitize(st.label)}.txt`), `${st.console.join('\n')}\n`);
  } catch {
    // best effort
  }
}

async function saveFailure(st, name) {
  const base = `failure-${sanitize(`${st.label}-${name}`)}`;
  try {
    if (st.page && !st.page.isClosed()) await st.page.screenshot({ path: artifact(`${base}.png`), fullPage: true, timeout: 15_000 });
  } catch (e) {
    st.console.push(`(could not take the failure screenshot: ${e.message})`);
  }
  try {
    writeFileSync(artifact(`${base}.console.txt`), `${st.page && !st.page.isClosed() ? `URL: ${st.page.url()}\n` : ''}${st.console.join('\n')}\n`);
  } catch {
    // best effort
  }
}

// step declares one test of a flow. A failing critical step (sign-in)
// makes the later steps of the same flow skip instead of piling up
// time-outs; a failure saves a screenshot and the console messages.
function step(st, name, fn, { critical = false, timeout = 120_000, always = false } = {}) {
  test(name, { timeout }, async (t) => {
    if (st.blocked && !always) {
      t.skip(st.blocked);
      return;
    }
    const t0 = performance.now();
    try {
      await fn(t);
    } catch (e) {
      await saveFailure(st, name);
      if (critical) st.blocked = `not run: "${name}" failed`;
      throw e;
    } finally {
      S.timings.push({ name: `${st.label} › ${name}`, ms: performance.now() - t0 });
    }
  });
}

function pathOf(page) {
  const u = new URL(page.url());
  return u.origin === S.url ? u.pathname : u.href;
}

function expectPath(page, want, msg) {
  assert.equal(pathOf(page), want, `${msg}: expected to be at ${want}, the browser is at ${page.url()}`);
}

// waitUntil polls fn in the page; false when it did not hold in time.
async function waitUntil(page, fn, arg, timeout = 30_000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
    return true;
  } catch {
    return false;
  }
}

async function waitReady(page, who, what = 'the dashboard') {
  if (await waitUntil(page, () => document.body?.dataset.dashboard === 'ready', null, 60_000)) return;
  const s = await snapshot(page).catch(() => null);
  assert.fail(`${who}: ${what} never became ready in 60 s (body data-dashboard=${JSON.stringify(s?.dashboard)}, url ${page.url()}, error state: ${JSON.stringify(s?.errorText)})`);
}

// api calls the JSON API with the context's cookies.
async function api(ctx, method, path, { csrf, body, maxRedirects = 0 } = {}) {
  const headers = {};
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const opts = { method, headers, maxRedirects, failOnStatusCode: false };
  if (body !== undefined) opts.data = body;
  const r = await ctx.request.fetch(`${S.url}${path}`, opts);
  let json = null;
  const text = await r.text();
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: r.status(), headers: r.headers(), json, text };
}

// signIn goes the way a person does: a signed-out visit to /app/ (or any
// /app/#/… link) is sent to /signin, whose script goes straight on to the
// embedded IdP's real login page, carrying the link's #view; after the
// password the browser is back on /app/ with that view. a11y (an object)
// collects the axe results of the IdP page on the way.
async function signIn(page, name, { a11y = null, start = '/app/', landing = '/app/', hash = '' } = {}) {
  const u = USERS[name];
  const who = `${name} (${u.email})`;
  await page.goto(`${S.url}${start}`);
  try {
    await page.waitForURL((x) => x.origin === S.url && x.pathname.startsWith('/idp/'), { timeout: 20_000 });
    await page.locator('#email').waitFor({ state: 'visible', timeout: 20_000 });
  } catch {
    assert.fail(`${who}: opening ${start} signed out did not go straight on to the IdP's login page under ${S.url}/idp/ (at ${page.url()})`);
  }
  if (a11y) a11y['idp-login'] = await runAxe(page);
  await page.locator('#email').fill(u.email);
  await page.locator('#password').fill(S.demo.password);
  await page.locator('form button[type=submit]').click();
  try {
    await page.waitForURL((x) => x.origin === S.url && x.pathname === landing && x.hash === hash, { timeout: 30_000 });
  } catch {
    const err = await page
      .locator('#form-error, [role=alert]')
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => null);
    assert.fail(`${who}: after the IdP login the browser must land on ${landing}${hash}; it is at ${page.url()}${err ? ` (page says: ${err.trim()})` : ''}`);
  }
}

// expectSentToSignIn: a signed-out /app/ ends on the IdP's login page.
async function expectSentToSignIn(page, msg) {
  try {
    await page.waitForURL((x) => x.origin === S.url && x.pathname.startsWith('/idp/'), { timeout: 20_000 });
  } catch {
    assert.fail(`${msg}: expected the IdP's login page, the browser is at ${page.url()}`);
  }
}

function setEq(actual, expected) {
  const a = new Set(actual);
  const e = new Set(expected);
  const missing = [...e].filter((x) => !a.has(x));
  const extra = [...a].filter((x) => !e.has(x));
  return { ok: !missing.length && !extra.length, missing, extra };
}

function countryCode(key) {
  if (/^[A-Z]{2}$/.test(key)) return key;
  const m = /\b([A-Z]{2})\b/.exec(key);
  return m ? m[1] : key;
}

// checkDashboard compares a snapshot with one person's ground truth.
function checkHeadline(s, g, who) {
  const k = s.kpi;
  assert.ok(near(num(k.revenue), g.revenue), `${who}, kpi-revenue: data-value ${JSON.stringify(k.revenue)}, expected ${g.revenue.toFixed(2)}`);
  assert.equal(num(k.units), g.units, `${who}, kpi-units: data-value ${JSON.stringify(k.units)}, expected ${g.units}`);
  assert.equal(num(k.orders), g.orders, `${who}, kpi-orders: data-value ${JSON.stringify(k.orders)}, expected ${g.orders}`);
  assert.ok(near(num(k.aov), g.aov), `${who}, kpi-aov: data-value ${JSON.stringify(k.aov)}, expected ${g.aov.toFixed(4)} (revenue / orders)`);
}

function checkCitiesTable(rows, g, who, what = 'cities-table') {
  const problems = diffKeyed(rows, g.cities, cityOf, { fields: ['revenue', 'units', 'orders'] });
  for (const r of rows) {
    const want = g.cities.get(cityOf(r));
    if (want && r.region !== want.region) problems.push(`${r.city}, ${r.country}: data-region ${JSON.stringify(r.region)}, expected ${want.region}`);
  }
  assert.deepEqual(problems.slice(0, 12), [], `${who}, ${what}: ${rows.length} rows, expected ${g.cities.size} (one per city+country)`);
}

// ------------------------------------------------------------------ suite

describe('tipgate dashboard in headless Chromium', { timeout: 15 * 60_000 }, () => {
  before(async () => {
    // A fresh folder per run: stale failure screenshots would mislead.
    rmSync(CFG.artifacts, { recursive: true, force: true });
    mkdirSync(CFG.artifacts, { recursive: true });
    assert.ok(existsSync(CFG.bin), `TIPGATE_BIN ${CFG.bin} does not exist: build it (go build -o bin/tipgate ./cmd/tipgate)`);
    const chromePath = which(CFG.chromium);
    const t0 = performance.now();
    // TIPGATE_URL: a demo already running elsewhere (scripts/browser-replicas.sh
    // runs three replicas behind a load balancer), with its password and CSV.
    S.demo = process.env.TIPGATE_URL
      ? { url: process.env.TIPGATE_URL, password: process.env.TIPGATE_DEMO_PASSWORD, csvPath: process.env.TIPGATE_CSV, stop: async () => {} }
      : await startDemo({ bin: CFG.bin, rows: CFG.rows, timeoutMs: CFG.demoTimeoutMs, log });
    S.url = S.demo.url;
    const t1 = performance.now();
    S.gt = load(S.demo.csvPath);
    assert.equal(S.gt.rows, CFG.rows, `the demo's CSV has ${S.gt.rows} rows, expected ROWS=${CFG.rows}`);
    const t2 = performance.now();
    S.browser = await chromium.launch({ executablePath: chromePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    log(`demo ${secs(t1 - t0)}, ground truth ${secs(t2 - t1)} (${S.gt.rows} rows), chromium ${S.browser.version()} ${secs(performance.now() - t2)}; artifacts in ${CFG.artifacts}`);
    S.timings.push({ name: 'setup: demo + ground truth + chromium', ms: performance.now() - t0 });
  });

  after(async () => {
    const t0 = performance.now();
    if (S.browser) await S.browser.close().catch(() => {});
    if (S.demo) await S.demo.stop();
    S.timings.push({ name: 'teardown', ms: performance.now() - t0 });
    const total = performance.now() - S.started;
    const lines = S.timings.map((t) => `#   ${secs(t.ms).padStart(8)}  ${t.name}`);
    process.stdout.write(`#\n# timings (total ${secs(total)}):\n${lines.join('\n')}\n`);
    if (S.outside.length) process.stdout.write(`# requests outside the test server (answered locally, never sent): ${[...new Set(S.outside)].slice(0, 10).join(' ')}\n`);
    for (const n of S.notes) process.stdout.write(`# note: ${n}\n`);
    process.stdout.write(`# screenshots and failure artifacts: ${CFG.artifacts}\n`);
  });

  describe('ground truth helpers', () => {
    test('CSV parser and cents', () => {
      assert.deepEqual(parseCSV('a,b\r\n"x,""y""\nz",\n'), [['a', 'b'], ['x,"y"\nz', '']]);
      assert.deepEqual(parseCSV('"",""\n'), [['', '']]);
      assert.deepEqual(parseCSV('a,\n,b'), [['a', ''], ['', 'b']]);
      assert.deepEqual(parseCSV('TEN-RACK-0012,"Junior Tennis Racket 25""",Tennis\n'), [['TEN-RACK-0012', 'Junior Tennis Racket 25"', 'Tennis']]);
      assert.equal(cents('34.99'), 3499);
      assert.equal(cents('12.5'), 1250);
      assert.equal(cents('7'), 700);
      assert.equal(cents('0.07'), 7);
      assert.throws(() => parseCSV('"open'));
    });
  });

  for (const name of ['ethan', 'frank', 'alex', 'ming']) describe(`${name} (${USERS[name].groups.join(', ')})`, () => personFlow(name));
  describe('links, history, validation and failed panels (frank)', () => linksFlow('frank'));
  describe('phone, dark mode and print (ming)', () => phoneFlow('ming'));
  describe('sessions, cookies and CSRF (ming)', () => sessionFlow('ming'));
  describe('security admin (sam)', () => adminFlow());
  describe('public pages', () => publicPages());
});

// ------------------------------------------------- one person's dashboard

function personFlow(name) {
  const u = USERS[name];
  const who = `${name} (${u.email})`;
  const st = newState(name, who);
  let g; // ground truth
  let snap;

  after(() => closeState(st));

  step(
    st,
    'signs in through the IdP and lands on /app/',
    async () => {
      g = S.gt.users[name];
      const ctx = await newContext(st);
      const page = await newPage(ctx, st);
      await signIn(page, name, { a11y: st.a11y });
    },
    { critical: true },
  );

  step(
    st,
    'dashboard becomes ready without error or no-access',
    async (t) => {
      const page = st.page;
      await waitReady(page, who);
      snap = await snapshot(page);
      t.diagnostic(`${who}: ${snap.bubbles.length} city bubbles, ${snap.cities.length} city rows, regions ${snap.regions.map((r) => r.key).join(' ')}, ${snap.countries.length} country bars, ${snap.categories.length} category bars, ${snap.timeseries.length} time points; ground truth ${g.cities.size} cities, revenue ${g.revenue.toFixed(2)}`);
      assert.ok(!snap.states.error, `${who}: the dashboard shows the error state: ${snap.errorText}`);
      assert.ok(!snap.states['no-access'], `${who}: the dashboard shows no-access`);
    },
    { critical: true },
  );

  step(st, 'user-name and headline figures (kpi-*) equal the ground truth', async () => {
    assert.equal(snap.userName, u.email, `${who}, user-name: shows ${JSON.stringify(snap.userName)}`);
    checkHeadline(snap, g, who);
  });

  step(st, 'map: one city-bubble per city, with region and revenue', async () => {
    assert.ok(snap.hasMap, `${who}: no data-testid=map`);
    const problems = diffKeyed(snap.bubbles, g.cities, cityOf);
    for (const b of snap.bubbles) {
      const want = g.cities.get(cityOf(b));
      if (want && b.region !== want.region) problems.push(`${b.city}, ${b.country}: data-region ${JSON.stringify(b.region)}, expected ${want.region}`);
    }
    assert.deepEqual(problems.slice(0, 12), [], `${who}, map city-bubbles: ${snap.bubbles.length} bubbles, expected ${g.cities.size}`);
    const regions = setEq(snap.bubbles.map((b) => b.region), g.regions.keys());
    assert.ok(regions.ok, `${who}, map: bubble regions differ: missing ${regions.missing}, unexpected ${regions.extra}`);
    // Focus on the biggest city's bubble shows the tooltip naming it.
    const top = [...g.cities.values()].sort((a, b) => b.revenueCents - a.revenueCents)[0];
    const bubble = st.page.locator(`circle[data-testid="city-bubble"][data-city="${top.city.replace(/"/g, '\\"')}"][data-country="${top.country}"]`);
    await bubble.focus();
    const tip = st.page.getByTestId('map-tooltip');
    await tip.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {});
    assert.ok(await tip.isVisible(), `${who}, map: focusing the bubble of ${top.city} shows no map-tooltip`);
    assert.ok((await tip.textContent()).includes(top.city), `${who}, map-tooltip: does not name ${top.city}: ${await tip.textContent()}`);
    await bubble.blur();
  });

  step(st, 'charts: regions, countries, categories and time series data tables', async () => {
    const pr = diffKeyed(snap.regions, g.regions, (r) => r.key);
    assert.deepEqual(pr, [], `${who}, chart-regions-data (expected exactly ${[...g.regions.keys()].sort().join(', ')})`);
    if (name === 'ethan') assert.ok(snap.regions.length === g.regions.size && g.regions.size > 1, `${who}: the executive must see all ${g.regions.size} regions, sees ${snap.regions.map((r) => r.key)}`);
    else assert.equal(snap.regions.length, 1, `${who}: a regional manager sees exactly one region, sees ${snap.regions.map((r) => r.key)}`);
    assert.ok(snap.countries.length > 0, `${who}, chart-countries-data: no rows`);
    const foreign = snap.countries.map((c) => c.key).filter((k) => !g.countries.has(countryCode(k)));
    assert.deepEqual(foreign, [], `${who}, chart-countries-data: countries outside the person's rows`);
    // Each country's revenue (summed over its rows if the chart splits a
    // country by region) equals the ground truth.
    const byCountry = new Map();
    for (const c of snap.countries) byCountry.set(countryCode(c.key), (byCountry.get(countryCode(c.key)) ?? 0) + num(c.revenue));
    const wrong = [...byCountry].filter(([k, v]) => !near(v, g.countries.get(k)?.revenue ?? NaN, 0.02)).map(([k, v]) => `${k}: ${v.toFixed(2)} vs ${g.countries.get(k)?.revenue.toFixed(2)}`);
    assert.deepEqual(wrong.slice(0, 10), [], `${who}, chart-countries-data revenues`);
    const pc = diffKeyed(snap.categories, g.categories, (r) => r.key);
    assert.deepEqual(pc, [], `${who}, chart-categories-data`);
    assert.ok(snap.timeseries.length > 0, `${who}, chart-timeseries-data: no rows`);
    const tsSum = snap.timeseries.reduce((a, r) => a + num(r.revenue), 0);
    assert.ok(near(tsSum, g.revenue, 0.01 * snap.timeseries.length + 0.01), `${who}, chart-timeseries-data: revenues add up to ${tsSum.toFixed(2)}, expected ${g.revenue.toFixed(2)}`);
  });

  step(st, 'map fits the cities, has a legend, and the pointer names the bubble under it (D6)', async () => {
    const page = st.page;
    const fit = await page.evaluate(() => {
      const svg = document.querySelector('[data-testid="map"]');
      const box = svg.getBoundingClientRect();
      const circles = [...svg.querySelectorAll('circle[data-testid="city-bubble"]')];
      const inside = circles.filter((c) => {
        const r = c.getBoundingClientRect();
        const x = r.left + r.width / 2;
        const y = r.top + r.height / 2;
        return x >= box.left && x <= box.right && y >= box.top && y <= box.bottom;
      }).length;
      return { zoom: Number(svg.dataset.zoom), inside, total: circles.length };
    });
    assert.equal(fit.inside, fit.total, `${who}: ${fit.total - fit.inside} of ${fit.total} bubbles lie outside the map's view`);
    if (name !== 'ethan') assert.ok(fit.zoom > 1.1, `${who}: the map must open fitted to one region's cities, zoom is ${fit.zoom}`);
    const legend = st.page.getByTestId('map-legend');
    assert.ok(await legend.isVisible(), `${who}: no map-legend`);
    assert.equal(await legend.locator('.legend-bins li').count(), 5, `${who}: the colour legend has 5 classes`);
    assert.equal(await legend.locator('.legend-sizes li').count(), 3, `${who}: the size legend has 3 sizes`);
    // The middle of each of the 5 largest cities' bubbles names that city.
    const top5 = [...g.cities.values()].sort((a, b) => b.revenueCents - a.revenueCents).slice(0, 5);
    for (const c of top5) {
      const circle = page.locator(`circle[data-testid="city-bubble"][data-city="${c.city.replace(/"/g, '\\"')}"][data-country="${c.country}"]`);
      await circle.scrollIntoViewIfNeeded();
      const box = await circle.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const tip = page.getByTestId('map-tooltip');
      await tip.waitFor({ state: 'visible', timeout: 5000 });
      const title = await tip.locator('.tip-title').textContent();
      const detail = await page.evaluate((names) => names.map((n) => {
        const el = document.querySelector(`circle[data-city="${n}"]`);
        return el ? `${n}: cx ${el.getAttribute('cx')} cy ${el.getAttribute('cy')} r ${el.getAttribute('r')} box ${JSON.stringify(el.getBoundingClientRect())}` : n;
      }), [c.city, title]);
      assert.equal(title, c.city, `${who}: the pointer on the centre of ${c.city}'s bubble (${JSON.stringify(box)}) shows the tooltip of ${title}; ${detail.join('; ')}`);
    }
    await page.mouse.move(0, 0);
    // Zoomed in, the largest cities are labelled.
    await page.getByTestId('map-zoom-in').click();
    await page.getByTestId('map-zoom-in').click();
    const labels = await page.evaluate(() => {
      const g = document.querySelector('.map-labels');
      return g && getComputedStyle(g).display !== 'none' ? [...g.querySelectorAll('text')].map((t) => t.textContent) : [];
    });
    assert.ok(labels.includes(top5[0].city), `${who}: zoomed in, ${top5[0].city} has no label (labels: ${labels.join(', ')})`);
    await page.getByTestId('map-zoom-reset').click();
  });

  step(st, 'cross-filtering: a bubble click filters to its country, a bar click to its category; Back undoes each', async () => {
    const page = st.page;
    const top = [...g.cities.values()].sort((a, b) => b.revenueCents - a.revenueCents)[0];
    const zoomBefore = await page.evaluate(() => Number(document.querySelector('[data-testid="map"]').dataset.zoom));
    await page.locator(`circle[data-testid="city-bubble"][data-city="${top.city.replace(/"/g, '\\"')}"][data-country="${top.country}"]`).focus();
    await page.keyboard.press('Enter');
    const byCountry = filtered(g, { country: top.country });
    assert.ok(await waitUntil(page, kpiSettled, byCountry.revenue, 30_000), `${who}: Enter on ${top.city}'s bubble must filter to ${top.country}`);
    assert.equal(await page.getByTestId('filter-country').inputValue(), top.country, `${who}: filter-country after the bubble`);
    const after = await snapshot(page);
    checkCitiesTable(after.cities, byCountry, `${who} after picking ${top.city}`);
    const zoomAfter = await page.evaluate(() => Number(document.querySelector('[data-testid="map"]').dataset.zoom));
    if (g.countries.size > 1) assert.ok(zoomAfter > zoomBefore, `${who}: the map must refit to ${top.country}'s cities (zoom ${zoomBefore} → ${zoomAfter})`);
    // A bar of the category chart, clicked where it is drawn.
    const cat = await page.evaluate(() => document.querySelector('[data-testid="chart-categories-data"] tbody tr')?.dataset.key);
    const pos = await page.evaluate(() => {
      const tr = document.querySelector('[data-testid="chart-categories-data"] tbody tr');
      return { x: Number(tr.dataset.x), y: Number(tr.dataset.y) };
    });
    await page.getByTestId('chart-categories').click({ position: pos });
    const both = filtered(g, { country: top.country, category: cat });
    assert.ok(await waitUntil(page, kpiSettled, both.revenue, 30_000), `${who}: clicking the ${cat} bar must filter to it (with ${top.country})`);
    assert.equal(await page.getByTestId('filter-category').inputValue(), cat, `${who}: filter-category after the bar click`);
    await page.goBack();
    assert.ok(await waitUntil(page, kpiSettled, byCountry.revenue, 30_000), `${who}: Back must undo the bar's filter`);
    await page.goBack();
    assert.ok(await waitUntil(page, kpiSettled, g.revenue, 30_000), `${who}: Back must undo the bubble's filter`);
    await waitReady(page, who);
  });

  step(st, 'region filter and multi-select: the region select, a Ctrl-click on a region bar adds one, chips remove them', async () => {
    const page = st.page;
    const regions = [...g.regions.keys()].sort();
    const sel = page.getByTestId('filter-region');
    const opts = await sel.evaluate((s) => [...s.options].map((o) => o.value).filter((v) => v && !v.startsWith('\u0000')));
    assert.deepEqual(opts, regions, `${who}: filter-region offers the person's regions`);
    const first = regions[0];
    const only = (rs) => aggregate(g.records.filter((r) => rs.includes(regionOf(r.Timezone))));
    try {
      if (regions.length > 1) {
        // A click on a region's bar filters to it (the chart then shows that region alone).
        const pos = await page.evaluate((k) => {
          const tr = [...document.querySelectorAll('[data-testid="chart-regions-data"] tbody tr')].find((x) => x.dataset.key === k);
          return tr ? { x: Number(tr.dataset.x), y: Number(tr.dataset.y) } : null;
        }, first);
        assert.ok(pos, `${who}: region ${first} is not drawn`);
        await page.getByTestId('chart-regions').click({ position: pos });
      } else {
        // One region: its chart steps aside (D11) and the headline names it.
        assert.ok(await page.locator('[data-panel="regions"]').isHidden(), `${who}: a one-bar region chart is shown`);
        assert.match(await page.getByTestId('kpi-scope').textContent(), /^Region: /, `${who}: the headline must name the one region`);
        await sel.selectOption(first);
      }
      assert.ok(await waitUntil(page, kpiSettled, only([first]).revenue, 30_000), `${who}: filtering to ${first}`);
      assert.equal(await sel.inputValue(), first, `${who}: filter-region`);
      if (regions.length > 1) {
        const second = regions[1];
        await sel.selectOption(second);
        assert.ok(await waitUntil(page, kpiSettled, only([first, second]).revenue, 30_000), `${who}: choosing ${second} must add it to ${first}`);
        const chips = await page.locator('[data-testid="filter-chips"] [data-testid="chip-remove"]').evaluateAll((bs) => bs.map((b) => `${b.dataset.kind}=${b.dataset.value}`));
        assert.deepEqual(chips, [`region=${first}`, `region=${second}`], `${who}: chips`);
        await page.locator(`[data-testid="chip-remove"][data-kind="region"][data-value="${first}"]`).click();
        assert.ok(await waitUntil(page, kpiSettled, only([second]).revenue, 30_000), `${who}: removing the ${first} chip leaves ${second}`);
      }
    } finally {
      await page.getByTestId('filter-reset').click();
    }
    await page.getByTestId('filter-reset').click();
    assert.ok(await waitUntil(page, kpiSettled, g.revenue, 30_000), `${who}: reset`);
    await waitReady(page, who);
  });

  step(st, 'cities-table rows equal the per-city ground truth', async () => {
    checkCitiesTable(snap.cities, g, who);
  });

  step(st, 'no row of another region anywhere on the page', async () => {
    const foreign = snap.dataRegions.filter((r) => !g.regions.has(r));
    assert.deepEqual(foreign, [], `${who}: elements with data-region outside ${[...g.regions.keys()].join(', ')}`);
    const page = st.page;
    const countryOpts = await page
      .getByTestId('filter-country')
      .evaluate((s) => [...s.options].map((o) => o.value).filter((v) => v !== ''))
      .catch(() => null);
    assert.ok(countryOpts, `${who}: no filter-country select`);
    const foreignOpts = countryOpts.filter((c) => !g.countries.has(countryCode(c)));
    assert.deepEqual(foreignOpts, [], `${who}, filter-country: choices outside the person's countries`);
  });

  step(st, 'filter by category: headline and table follow, reset restores', async () => {
    const page = st.page;
    const sel = page.getByTestId('filter-category');
    const opts = await sel.evaluate((s) => [...s.options].filter((o) => o.value !== '' && !/^all\b/i.test(o.textContent.trim())).map((o) => o.value));
    const cats = setEq(opts, g.categories.keys());
    assert.ok(cats.ok, `${who}, filter-category: choices differ from the person's categories: missing ${cats.missing}, unexpected ${cats.extra}`);
    const cat = g.categories.has('Cycling') ? 'Cycling' : [...g.categories.keys()].sort()[0];
    const want = g.byCategory[cat];
    await sel.selectOption(cat);
    const settled = (r) => document.body.dataset.dashboard === 'ready' && Math.abs(Number(document.querySelector('[data-testid="kpi-revenue"]')?.dataset.value) - r) <= 0.0100001;
    await waitUntil(page, settled, want.revenue, 30_000);
    const s = await snapshot(page);
    checkHeadline(s, want, `${who} with category=${cat}`);
    checkCitiesTable(s.cities, want, `${who} with category=${cat}`);
    const href = await page.getByTestId('export-csv').getAttribute('href');
    assert.ok(href && new URL(href, S.url).searchParams.get('category') === cat, `${who}, export-csv: href ${JSON.stringify(href)} does not carry category=${cat}`);
    await page.getByTestId('filter-reset').click();
    await waitUntil(page, settled, g.revenue, 30_000);
    const r = await snapshot(page);
    checkHeadline(r, g, `${who} after filter-reset`);
  });

  step(st, 'filter by dates (inclusive) and country: headline follows, reset restores', async () => {
    const page = st.page;
    const country = [...g.countries].sort((a, b) => b[1].revenueCents - a[1].revenueCents)[0][0];
    const f = { from: '2024-03-01', to: '2024-03-31', country };
    const want = filtered(g, f);
    const settled = (r) => document.body.dataset.dashboard === 'ready' && Math.abs(Number(document.querySelector('[data-testid="kpi-revenue"]')?.dataset.value) - r) <= 0.0100001;
    await page.getByTestId('filter-from').fill(f.from);
    await page.getByTestId('filter-to').fill(f.to);
    await page.getByTestId('filter-country').selectOption(country);
    await waitUntil(page, settled, want.revenue, 30_000);
    const s = await snapshot(page);
    checkHeadline(s, want, `${who} with from=${f.from} to=${f.to} country=${country}`);
    await page.getByTestId('filter-reset').click();
    await waitUntil(page, settled, g.revenue, 30_000);
    checkHeadline(await snapshot(page), g, `${who} after filter-reset`);
  });

  step(st, 'drill-through: a city\'s orders, paged and as CSV, equal its ground-truth rows, under the person\'s policies', async () => {
    const page = st.page;
    const top = [...g.cities.values()].sort((a, b) => b.revenueCents - a.revenueCents)[0];
    const row = page.locator(`[data-testid="cities-table"] tbody tr[data-city="${top.city.replace(/"/g, '\\"')}"][data-country="${top.country}"]`);
    await row.getByTestId('city-pick').click();
    const drill = page.getByTestId('drill');
    await drill.waitFor({ state: 'visible', timeout: 10_000 });
    await waitReady(page, who);
    assert.ok(await waitUntil(page, (n) => document.querySelector('[data-testid="drill"]')?.dataset.total === String(n), top.orders, 20_000), `${who}: the drill-through of ${top.city} must count ${top.orders} orders, says ${await drill.getAttribute('data-total')}`);
    assert.ok(new URL(page.url()).hash.includes('drill='), `${who}: the drill-through is not in the link`);
    const cols = await page.locator('[data-testid="drill-table"] thead th').allTextContents();
    assert.deepEqual(cols, ['Time', 'SKU', 'Product', 'Category', 'Quantity', 'Price', 'Revenue'], `${who}: drill-through columns`);
    const skus = await page.locator('[data-testid="drill-table"] tbody td[data-col="sku"]').allTextContents();
    if (u.masked?.includes('sku')) assert.ok(skus.length > 0 && skus.every((x) => /^[A-Z]{3}-\*{4}-.{4}$/.test(x)), `${who}: SKUs must be masked: ${skus.slice(0, 3)}`);
    else assert.ok(skus.every((x) => !x.includes('****')), `${who}: SKUs masked for someone without the mask`);
    const first = await page.locator('[data-testid="drill-table"] tbody tr').count();
    assert.equal(first, Math.min(50, top.orders), `${who}: the first page's rows`);
    if (top.orders > 50) {
      await page.getByTestId('drill-next').click();
      await waitUntil(page, () => /page 2 of/.test(document.querySelector('[data-testid="drill-summary"]')?.textContent ?? ''), null, 10_000);
    }
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('drill-export').click()]);
    const { header, records } = parseCSVObjects(readFileSync(await dl.path(), 'utf8'));
    assert.deepEqual(header, ['city', 'country', 'timestamp', 'sku', 'product_name', 'category', 'quantity', 'sales_price', 'revenue'], `${who}: orders CSV header`);
    const norm = (t) => t.replace('T', ' ').slice(0, 19);
    const key = (r) => [norm(r.timestamp), r.product_name, r.category, Number(r.quantity), cents(r.sales_price)].join('|');
    const want = g.records.filter((r) => r.City === top.city && r.Country === top.country).map((r) => key({ timestamp: r.Timestamp, product_name: r.Product_Name, category: r.Category, quantity: r.Quantity, sales_price: r.Sales_Price })).sort();
    const got = records.map(key).sort();
    assert.equal(got.length, want.length, `${who}: the orders CSV of ${top.city} has ${got.length} rows, the ground truth ${want.length}`);
    assert.deepEqual(got.filter((x, i) => x !== want[i]).slice(0, 3), [], `${who}: the orders CSV rows differ from the ground truth`);
    const revenueCents = records.reduce((a, r) => a + cents(r.revenue), 0);
    assert.equal(revenueCents, top.revenueCents, `${who}: the orders' revenue adds up to ${revenueCents} cents, the city's is ${top.revenueCents}`);
    assert.ok(records.every((r) => r.city === top.city && r.country === top.country), `${who}: the orders CSV holds another city`);
    await page.getByTestId('drill-close').click();
    assert.ok(await drill.isHidden(), `${who}: Close must hide the drill-through`);
    await waitReady(page, who);
  });

  step(st, 'export-csv downloads the per-city ground truth', async () => {
    const page = st.page;
    const link = page.getByTestId('export-csv');
    const href = await link.getAttribute('href');
    assert.equal(new URL(href, S.url).pathname, '/app/api/export.csv', `${who}, export-csv: href ${href}`);
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), link.click()]);
    assert.equal(dl.suggestedFilename(), 'tipgate-sales-by-city.csv', `${who}, export-csv: file name`);
    const text = readFileSync(await dl.path(), 'utf8');
    const { header, records } = parseCSVObjects(text);
    assert.deepEqual(header, ['city', 'country', 'region', 'latitude', 'longitude', 'orders', 'units', 'revenue'], `${who}, export-csv: header`);
    checkCitiesTable(records, g, who, 'export.csv');
  });

  step(st, 'dashboard screenshot and axe', async () => {
    const page = st.page;
    await page.screenshot({ path: artifact(`dashboard-${name}.png`), fullPage: true });
    st.a11y.dashboard = await runAxe(page);
  });

  step(st, 'admin API is refused for a non-admin (403)', async () => {
    const ctx = st.contexts[0];
    const r = await api(ctx, 'GET', '/app/api/admin/audit');
    assert.equal(r.status, 403, `${who}: GET /app/api/admin/audit answered ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.json?.code, 'forbidden', `${who}: GET /app/api/admin/audit error code`);
    const s = await snapshot(st.page);
    assert.deepEqual(s.navAdmin, [false, false, false], `${who}: admin navigation (nav-admin-sql, -audit, -viewas) must not be shown to a non-admin`);
  });

  step(st, 'access page names the policy that applies', async () => {
    const page = st.page;
    await page.getByTestId('nav-access').click();
    const table = page.locator('[data-testid="access-table"][data-table="sales_data"]');
    await table.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(await page.getByTestId('access').isVisible(), `${who}: the access page (data-testid=access) is not visible`);
    const text = (await table.textContent()).replace(/\s+/g, ' ');
    if (u.policy) {
      assert.ok(text.includes(u.policy), `${who}, access-table[sales_data]: does not mention ${u.policy}: ${text.slice(0, 400)}`);
      for (const other of POLICIES.filter((p) => p !== u.policy)) assert.ok(!text.includes(other), `${who}, access-table[sales_data]: mentions ${other}, which does not apply`);
    } else {
      assert.match(text, /IGNORE RLS|bypass/i, `${who}, access-table[sales_data]: must say rows are not filtered (IGNORE RLS): ${text.slice(0, 400)}`);
    }
    // The demo's column privileges and masking policy show where they apply.
    const cols = await table.locator('tbody tr[data-column]').evaluateAll((trs) =>
      Object.fromEntries(trs.map((tr) => [tr.dataset.column.toLowerCase(), { granted: tr.dataset.granted, mask: tr.querySelector('td:last-child').textContent.trim() }])),
    );
    const masked = Object.entries(cols).filter(([, c]) => c.mask !== 'none').map(([k]) => k);
    const ungranted = Object.entries(cols).filter(([, c]) => c.granted !== 'true').map(([k]) => k).sort();
    assert.deepEqual(masked, u.masked ?? [], `${who}, access-table[sales_data]: masked columns`);
    assert.deepEqual(ungranted, u.ungranted ?? [], `${who}, access-table[sales_data]: columns not granted`);
    if (u.masked) assert.match(cols.sku.mask, /mask_sku/, `${who}: the sku mask names its policy`);
    await page.screenshot({ path: artifact(`access-${name}.png`), fullPage: true });
    st.a11y.access = await runAxe(page);
  });

  step(st, 'signs out to /signed-out; /app/ then asks to sign in again', async () => {
    const page = st.page;
    await page.getByTestId('signout').click();
    try {
      await page.waitForURL((x) => x.origin === S.url && x.pathname === '/signed-out', { timeout: 30_000 });
    } catch {
      assert.fail(`${who}: signout must end on /signed-out, the browser is at ${page.url()}`);
    }
    await page.getByTestId('signed-out').waitFor({ state: 'visible' });
    st.a11y['signed-out'] = await runAxe(page);
    await page.goto(`${S.url}/app/`);
    await expectSentToSignIn(page, `${who}: after sign-out, /app/ must send to sign-in`);
  });

  step(st, 'accessibility: no serious or critical axe violations', async () => {
    const bad = Object.entries(st.a11y).filter(([, v]) => v.length);
    const pages = Object.keys(st.a11y);
    assert.ok(st.blocked || pages.length >= 4, `${who}: axe ran on ${pages.join(', ')} only (expected idp-login, dashboard, access, signed-out)`);
    assert.equal(bad.length, 0, `${who}: axe violations (serious/critical):\n${bad.map(([p, v]) => formatAxe(p, v)).join('\n')}`);
  }, { always: true });

  step(st, 'no uncaught page errors and no CSP violations', async () => {
    assert.deepEqual([...st.pageErrors, ...st.csp].slice(0, 10), [], `${who}: the page threw or the CSP refused something`);
  }, { always: true });
}

// --------------------------------------------------- sessions and cookies

function sessionFlow(name) {
  const u = USERS[name];
  const who = `${name} (${u.email})`;
  const st = newState(`session-${name}`, who);
  let ctx;
  let cookie;
  let me;

  after(() => closeState(st));

  step(
    st,
    'tipgate_session cookie is HttpOnly, SameSite=Lax, Path=/, opaque',
    async () => {
      ctx = await newContext(st);
      const page = await newPage(ctx, st);
      await signIn(page, name);
      const cookies = await ctx.cookies(S.url);
      cookie = cookies.find((c) => c.name === 'tipgate_session');
      assert.ok(cookie, `${who}: no tipgate_session cookie after sign-in (cookies: ${cookies.map((c) => c.name)})`);
      assert.equal(cookie.httpOnly, true, `${who}: tipgate_session must be HttpOnly`);
      assert.equal(cookie.sameSite, 'Lax', `${who}: tipgate_session must be SameSite=Lax`);
      assert.equal(cookie.path, '/', `${who}: tipgate_session Path`);
      assert.ok(!cookie.value.includes('example.com') && !/^eyJ/.test(cookie.value), `${who}: tipgate_session must be an opaque id, not a token or the email: ${cookie.value.slice(0, 40)}…`);
      const others = cookies.filter((c) => c.name !== 'tipgate_session' && !c.name.startsWith('__Host-') && !c.path?.startsWith('/idp'));
      if (others.length) S.notes.push(`${who}: other cookies for the app after sign-in: ${others.map((c) => `${c.name} (path ${c.path})`).join(', ')}`);
      assert.ok(!(await page.evaluate(() => document.cookie)).includes('tipgate_session'), `${who}: tipgate_session readable from script`);
      const r = await api(ctx, 'GET', '/app/api/me');
      assert.equal(r.status, 200, `${who}: GET /app/api/me answered ${r.status}`);
      me = r.json;
      assert.equal(me.email, u.email, `${who}: /app/api/me email`);
      assert.equal(me.secadmin, false, `${who}: /app/api/me secadmin`);
      assert.ok(me.csrfToken && typeof me.csrfToken === 'string', `${who}: /app/api/me has no csrfToken`);
      assert.deepEqual(me.groups, u.groups, `${who}: /app/api/me groups`);
    },
    { critical: true },
  );

  step(st, 'security headers on the page and the API', async () => {
    const directives = (v) => new Set((v ?? '').split(';').map((d) => d.trim().replace(/\s+/g, ' ')).filter(Boolean));
    const want = directives(EXPECTED_CSP);
    for (const path of ['/app/', '/app/api/me', '/signin']) {
      const r = await api(ctx, 'GET', path);
      const h = r.headers;
      const csp = setEq(directives(h['content-security-policy']), want);
      assert.ok(csp.ok, `${who}, GET ${path}: Content-Security-Policy ${JSON.stringify(h['content-security-policy'])}: missing ${csp.missing.join(' | ')}; extra ${csp.extra.join(' | ')}`);
      assert.equal(h['x-content-type-options'], 'nosniff', `${who}, GET ${path}: X-Content-Type-Options`);
      assert.equal(h['referrer-policy'], 'no-referrer', `${who}, GET ${path}: Referrer-Policy`);
      assert.equal(h['cross-origin-opener-policy'], 'same-origin', `${who}, GET ${path}: Cross-Origin-Opener-Policy`);
      if (path.startsWith('/app/api/')) assert.match(h['cache-control'] ?? '', /no-store/, `${who}, GET ${path}: Cache-Control`);
    }
  });

  step(st, 'state-changing calls without X-CSRF-Token are refused (403)', async () => {
    const calls = [
      ['POST', '/auth/logout', undefined],
      ['POST', '/app/api/admin/view-as', { user: 'frank@example.com', groups: ['amer-sales'] }],
      ['DELETE', '/app/api/admin/view-as', undefined],
    ];
    for (const [method, path, body] of calls) {
      const r = await api(ctx, method, path, { body });
      assert.equal(r.status, 403, `${who}: ${method} ${path} without X-CSRF-Token answered ${r.status} ${r.text.slice(0, 200)}`);
    }
    const wrong = await api(ctx, 'POST', '/auth/logout', { csrf: `${me.csrfToken}x` });
    assert.equal(wrong.status, 403, `${who}: POST /auth/logout with a wrong X-CSRF-Token answered ${wrong.status}`);
    const after = await api(ctx, 'GET', '/app/api/me');
    assert.equal(after.status, 200, `${who}: the refused logouts must leave the session alive; /app/api/me answered ${after.status}`);
  });

  step(st, 'a tampered session cookie is refused (401, /app/ asks to sign in)', async () => {
    const v = cookie.value;
    const i = Math.floor(v.length / 2);
    const tampered = v.slice(0, i) + (v[i] === 'A' ? 'B' : 'A') + v.slice(i + 1);
    const c2 = await newContext(st);
    await c2.addCookies([{ ...cookie, value: tampered }]);
    const r = await api(c2, 'GET', '/app/api/me');
    assert.equal(r.status, 401, `${who}: GET /app/api/me with a tampered cookie answered ${r.status} ${r.text.slice(0, 200)}`);
    const p2 = await newPage(c2, st);
    await p2.goto(`${S.url}/app/`);
    await expectSentToSignIn(p2, `${who}: /app/ with a tampered cookie must send to sign-in`);
    st.page = (await ctx.pages())[0];
    const still = await api(ctx, 'GET', '/app/api/me');
    assert.equal(still.status, 200, `${who}: the untampered session must still work; /app/api/me answered ${still.status}`);
  });

  step(st, 'a session cookie replayed after sign-out is refused', async () => {
    // Signs out through the API (the person flows sign out with the
    // button): POST /auth/logout with the CSRF header.
    const out = await api(ctx, 'POST', '/auth/logout', { csrf: me.csrfToken });
    assert.equal(out.status, 200, `${who}: POST /auth/logout with X-CSRF-Token answered ${out.status} ${out.text.slice(0, 200)}`);
    const redirect = out.json?.redirect ?? '';
    assert.ok(redirect.startsWith(`${S.url}/idp/`), `${who}: POST /auth/logout must answer {"redirect": <the IdP's end_session_endpoint>}, got ${out.text.slice(0, 200)}`);
    const rq = new URL(redirect).searchParams;
    assert.ok(rq.get('id_token_hint'), `${who}: the logout redirect has no id_token_hint: ${redirect.slice(0, 200)}`);
    assert.equal(rq.get('post_logout_redirect_uri'), `${S.url}/signed-out`, `${who}: the logout redirect's post_logout_redirect_uri`);
    const gone = await api(ctx, 'GET', '/app/api/me');
    assert.equal(gone.status, 401, `${who}: after POST /auth/logout, GET /app/api/me in the same browser answered ${gone.status}`);
    const c3 = await newContext(st);
    await c3.addCookies([cookie]);
    const r = await api(c3, 'GET', '/app/api/me');
    assert.equal(r.status, 401, `${who}: GET /app/api/me with the cookie of a signed-out session answered ${r.status} ${r.text.slice(0, 200)}`);
    const p3 = await newPage(c3, st);
    await p3.goto(`${S.url}/app/`);
    await expectSentToSignIn(p3, `${who}: /app/ with a replayed cookie must send to sign-in`);
  });

  step(st, 'no open redirect: /auth/login?return=<elsewhere> lands on /app/', async () => {
    for (const ret of ['https://evil.example/', '//evil.example/app/', '/\\evil.example/app/']) {
      const c4 = await newContext(st);
      const p4 = await newPage(c4, st);
      await signIn(p4, name, { start: `/auth/login?return=${encodeURIComponent(ret)}`, landing: '/app/' });
      assert.equal(new URL(p4.url()).origin, S.url, `${who}: return=${ret} led to ${p4.url()}`);
      await c4.close();
      st.contexts = st.contexts.filter((c) => c !== c4);
    }
  });
}

// ------------------------------------- links, history, bad input, failures

const cityKeyOf = (c) => `${c.city}|${c.country}`;
const kpiSettled = (r) => document.body.dataset.dashboard === 'ready' && Math.abs(Number(document.querySelector('[data-testid="kpi-revenue"]')?.dataset.value) - r) <= 0.0100001;

function linksFlow(name) {
  const u = USERS[name];
  const who = `${name} (${u.email})`;
  const st = newState(`links-${name}`, who);
  let g;
  let ctx;
  let page;

  after(() => closeState(st));

  step(
    st,
    'a filtered link opened signed out lands on exactly that view after sign-in (D3, D16)',
    async () => {
      g = S.gt.users[name];
      ctx = await newContext(st);
      await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: S.url });
      page = await newPage(ctx, st);
      const country = [...g.countries].sort((a, b) => b[1].revenueCents - a[1].revenueCents)[0][0];
      const cat = [...g.categories.keys()].sort()[0];
      const f = { from: '2024-03-01', to: '2024-05-31', category: cat, country };
      const hash = `#/?from=${f.from}&to=${f.to}&category=${encodeURIComponent(cat)}&country=${country}&grain=week`;
      await signIn(page, name, { start: `/app/${hash}`, hash });
      await waitReady(page, who);
      const want = filtered(g, f);
      assert.ok(await waitUntil(page, kpiSettled, want.revenue, 30_000), `${who}: the shared view's headline is not the filtered ground truth`);
      checkHeadline(await snapshot(page), want, `${who} on the shared link`);
      const vals = await page.evaluate(() => ['from', 'to', 'category', 'country', 'grain'].map((k) => document.querySelector(`[data-testid="filter-${k}"]`).value));
      assert.deepEqual(vals, [f.from, f.to, cat, country, 'week'], `${who}: the filter bar after sign-in`);
    },
    { critical: true },
  );

  step(st, 'Copy link copies the URL of the current view', async () => {
    await page.getByTestId('copy-link').click();
    await page.getByTestId('copy-status').filter({ hasText: 'Link copied' }).waitFor({ timeout: 5000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, page.url(), `${who}: copy-link`);
    assert.match(copied, /#\/\?from=2024-03-01&to=2024-05-31&/, `${who}: the copied link carries the filters`);
  });

  step(st, 'each filter change is a history entry: Back undoes it (D13)', async () => {
    await page.getByTestId('filter-reset').click();
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    const cat = g.categories.has('Cycling') ? 'Cycling' : [...g.categories.keys()].sort()[0];
    await page.getByTestId('filter-category').selectOption(cat);
    await waitUntil(page, kpiSettled, g.byCategory[cat].revenue, 30_000);
    const country = [...g.countries.keys()].sort()[0];
    await page.getByTestId('filter-country').selectOption(country);
    const both = filtered(g, { category: cat, country });
    await waitUntil(page, kpiSettled, both.revenue, 30_000);
    checkHeadline(await snapshot(page), both, `${who} with ${cat} + ${country}`);
    await page.goBack();
    assert.ok(await waitUntil(page, kpiSettled, g.byCategory[cat].revenue, 30_000), `${who}: Back after choosing ${country} must return to category=${cat} alone (at ${page.url()})`);
    assert.equal(await page.getByTestId('filter-country').inputValue(), '', `${who}: the country filter after Back`);
    assert.equal(await page.getByTestId('filter-category').inputValue(), cat, `${who}: the category filter after Back`);
    await page.goBack();
    assert.ok(await waitUntil(page, kpiSettled, g.revenue, 30_000), `${who}: a second Back must undo the category too (at ${page.url()})`);
    await page.goBack();
    assert.ok(await waitUntil(page, kpiSettled, filtered(g, { from: '2024-03-01', to: '2024-05-31', category: [...g.categories.keys()].sort()[0], country: [...g.countries].sort((a, b) => b[1].revenueCents - a[1].revenueCents)[0][0] }).revenue, 30_000), `${who}: a third Back returns to the shared link's view (at ${page.url()})`);
  });

  step(st, 'date presets and the change against the previous period equal the ground truth (D4)', async () => {
    await page.goto(`${S.url}/app/#/`);
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    const maxDay = g.records.reduce((m, r) => (r.Timestamp.slice(0, 10) > m ? r.Timestamp.slice(0, 10) : m), '');
    const day = (s, n) => new Date(Date.parse(`${s}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const y = maxDay.slice(0, 4);
    const qStart = Math.floor((Number(maxDay.slice(5, 7)) - 1) / 3) * 3;
    const qEnd = new Date(Date.UTC(Number(y), qStart + 3, 0)).toISOString().slice(0, 10);
    const presets = {
      last30: { from: day(maxDay, -29), to: maxDay },
      last90: { from: day(maxDay, -89), to: maxDay },
      quarter: { from: `${y}-${String(qStart + 1).padStart(2, '0')}-01`, to: qEnd },
      year: { from: `${y}-01-01`, to: `${y}-12-31` },
    };
    for (const [p, f] of Object.entries(presets)) {
      await page.getByTestId('filter-preset').selectOption(p);
      const want = filtered(g, f);
      assert.ok(await waitUntil(page, kpiSettled, want.revenue, 30_000), `${who}, preset ${p} (${f.from} to ${f.to}): the headline is not the ground truth`);
      const vals = await page.evaluate(() => [document.querySelector('[data-testid="filter-from"]').value, document.querySelector('[data-testid="filter-to"]').value]);
      assert.deepEqual(vals, [f.from, f.to], `${who}, preset ${p}: the date fields`);
      const n = Math.round((Date.parse(f.to) - Date.parse(f.from)) / 86_400_000) + 1;
      const prev = filtered(g, { from: day(f.from, -n), to: day(f.from, -1) });
      const ok = await waitUntil(page, () => !!document.querySelector('[data-testid="kpi-revenue-change"]')?.dataset.change, null, 15_000);
      assert.ok(ok || prev.revenue === 0, `${who}, preset ${p}: no kpi-revenue-change`);
      if (prev.revenue > 0) {
        const got = Number(await page.getByTestId('kpi-revenue-change').getAttribute('data-change'));
        const wantRatio = (want.revenue - prev.revenue) / prev.revenue;
        assert.ok(Math.abs(got - wantRatio) < 1e-6, `${who}, preset ${p}: revenue change ${got}, expected ${wantRatio} (${want.revenue.toFixed(2)} vs ${prev.revenue.toFixed(2)})`);
        const gotOrders = Number(await page.getByTestId('kpi-orders-change').getAttribute('data-change'));
        assert.ok(Math.abs(gotOrders - (want.orders - prev.orders) / prev.orders) < 1e-9, `${who}, preset ${p}: orders change ${gotOrders}`);
      }
    }
    await page.getByTestId('filter-preset').selectOption('all');
    assert.ok(await waitUntil(page, kpiSettled, g.revenue, 30_000), `${who}: preset all`);
    assert.equal(await page.getByTestId('kpi-revenue-change').isVisible(), false, `${who}: no comparison without dates`);
  });

  step(st, 'the time chart is a true time axis: every week of the range, empty ones as zero (D4)', async () => {
    // A sparse slice: the country with the fewest orders, one category, three months, by week.
    const country = [...g.countries].sort((a, b) => a[1].orders - b[1].orders)[0][0];
    const cat = [...g.categories.keys()].sort()[0];
    const f = { from: '2024-03-01', to: '2024-05-31', country, category: cat };
    await page.goto(`${S.url}/app/#/?from=${f.from}&to=${f.to}&category=${encodeURIComponent(cat)}&country=${country}&grain=week`);
    const want = filtered(g, f);
    await waitUntil(page, kpiSettled, want.revenue, 30_000);
    await waitReady(page, who);
    const rows = await page.evaluate(() => [...document.querySelectorAll('[data-testid="chart-timeseries-data"] tbody tr')].map((tr) => ({ key: tr.dataset.key, revenue: Number(tr.dataset.revenue), label: tr.querySelector('th').textContent })));
    // Mondays from the week of Mar 1, 2024 (Feb 26) to the week of May 31 (May 27): 14 weeks.
    const mondays = [];
    for (let d = '2024-02-26'; d <= '2024-05-31'; d = new Date(Date.parse(`${d}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10)) mondays.push(d);
    assert.deepEqual(rows.map((r) => r.key.slice(0, 10)), mondays, `${who}: weeks of the time chart`);
    const sum = rows.reduce((a, r) => a + r.revenue, 0);
    assert.ok(near(sum, want.revenue, 0.01 * rows.length + 0.01), `${who}: weekly revenues add up to ${sum}, expected ${want.revenue}`);
    assert.match(rows[0].label, /\(partial\)/, `${who}: the first week starts before From and must say partial: ${rows[0].label}`);
    assert.match(rows[rows.length - 1].label, /\(partial\)/, `${who}: the last week ends after To and must say partial`);
  });

  step(st, 'a page load asks for the whole dashboard in one request', async () => {
    await page.goto(`${S.url}/app/#/`);
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    const reqs = [];
    const onReq = (r) => {
      const p = new URL(r.url()).pathname;
      if (p.startsWith('/app/api/')) reqs.push(p);
    };
    page.on('request', onReq);
    await page.reload();
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    await waitReady(page, who);
    page.off('request', onReq);
    assert.deepEqual(reqs.filter((p) => p !== '/app/api/me'), ['/app/api/dashboard'], `${who}: the page load's data requests`);
  });

  step(st, 'inverted dates: one message by the fields, no request, figures marked out of date (D1, D2)', async () => {
    await page.goto(`${S.url}/app/#/`);
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    const panelRequests = [];
    const onReq = (r) => {
      if (r.url().includes('/app/api/dashboard')) panelRequests.push(r.url());
    };
    page.on('request', onReq);
    await page.getByTestId('filter-from').fill('2024-06-01');
    await waitUntil(page, kpiSettled, filtered(g, { from: '2024-06-01' }).revenue, 30_000);
    panelRequests.length = 0;
    await page.getByTestId('filter-to').fill('2024-02-01');
    const msg = page.getByTestId('filter-date-error');
    await msg.waitFor({ state: 'visible', timeout: 5000 });
    assert.equal((await msg.textContent()).trim(), 'From must be on or before To.', `${who}: filter-date-error`);
    await page.waitForTimeout(500);
    assert.deepEqual(panelRequests, [], `${who}: requests were sent with an inverted range`);
    assert.equal(await page.locator('[data-testid="error"]').count(), 0, `${who}: panels show errors for an inverted range instead of one message`);
    const stale = await page.evaluate(() => [...document.querySelectorAll('.panel')].filter((p) => !p.hidden && p.offsetParent !== null).every((p) => p.classList.contains('is-stale')));
    assert.ok(stale, `${who}: with inverted dates every visible panel must be marked out of date`);
    assert.equal(await page.getByTestId('filter-to').getAttribute('aria-invalid'), 'true', `${who}: filter-to aria-invalid`);
    assert.equal(await page.getByTestId('filter-to').getAttribute('min'), '2024-06-01', `${who}: To's min follows From`);
    st.a11y['invalid-dates'] = await runAxe(page);
    page.off('request', onReq);
    await page.getByTestId('filter-reset').click();
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    assert.ok(await msg.isHidden(), `${who}: reset must clear the date error`);
    assert.equal(await page.locator('.panel.is-stale').count(), 0, `${who}: reset must clear the out-of-date marks`);
  });

  step(st, 'a failed answer shows no figures of the previous filters, in every view it feeds (D1)', async () => {
    // The page asks for every panel in one request (api/dashboard): when it fails, every view says so.
    await page.route('**/app/api/dashboard*', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ code: 'internal', message: 'injected failure' }) }));
    const cat = [...g.categories.keys()].sort()[1];
    await page.getByTestId('filter-category').selectOption(cat);
    await waitUntil(page, () => document.body.dataset.dashboard === 'ready' && document.querySelectorAll('[data-testid="error"]').length > 0, null, 30_000);
    const s = await snapshot(page);
    assert.equal(s.kpi.revenue, null, `${who}: the failed headline still shows revenue ${s.kpi.revenue} of the previous filters`);
    assert.equal(s.bubbles.length, 0, `${who}: the failed answer still draws ${s.bubbles.length} bubbles of the previous filters`);
    assert.equal(s.cities.length, 0, `${who}: the cities table still shows ${s.cities.length} rows of the previous filters`);
    for (const c of ['regions', 'countries', 'categories', 'timeseries']) assert.equal(s[c].length, 0, `${who}: the ${c} chart still holds ${s[c].length} values of the previous filters`);
    const errs = await page.evaluate(() => [...document.querySelectorAll('[data-testid="error"]')].map((e) => e.closest('section')?.getAttribute('data-panel') || e.closest('section')?.className));
    for (const p of ['headline', 'cities', 'regions', 'countries', 'categories', 'timeseries']) assert.ok(errs.includes(p), `${who}: the ${p} panel shows no error (errors in ${errs})`);
    assert.ok(errs.some((x) => /panel-cities/.test(x)), `${who}: the cities table shows no error (errors in ${errs})`);
    assert.match(s.errorText ?? '', /injected failure/, `${who}: the errors must carry the server's message`);
    await page.unroute('**/app/api/dashboard*');
    await page.getByTestId('filter-reset').click();
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    await waitReady(page, who);
    const r = await snapshot(page);
    checkCitiesTable(r.cities, g, `${who} after the failure cleared`);
    assert.equal(await page.locator('[data-testid="error"]').count(), 0, `${who}: the errors stay after a good answer`);
  });

  step(st, 'unknown or malformed link values are dropped with a notice (D12)', async () => {
    await page.goto(`${S.url}/app/#/?category=NoSuch&country=ZZ&from=2024-13-45&grain=hour`);
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    const notice = page.getByTestId('filter-notice');
    await notice.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await notice.textContent();
    for (const v of ['NoSuch', 'ZZ', '2024-13-45', 'hour']) assert.ok(text.includes(v), `${who}: filter-notice does not name ${v}: ${text}`);
    checkHeadline(await snapshot(page), g, `${who} after dropping the unknown values`);
    const hash = new URL(page.url()).hash;
    assert.ok(!/NoSuch|ZZ|2024-13|hour/.test(hash), `${who}: the URL still carries the dropped values: ${hash}`);
    const opts = await page.getByTestId('filter-category').evaluate((s) => [...s.options].map((o) => o.value));
    assert.ok(!opts.includes('NoSuch'), `${who}: NoSuch is offered as a category`);
    const copts = await page.getByTestId('filter-country').evaluate((s) => [...s.options].map((o) => o.value));
    assert.ok(!copts.includes('ZZ'), `${who}: ZZ is offered as a country`);
    st.a11y['link-notice'] = await runAxe(page);
  });

  step(st, 'cities search: accent-insensitive, in the link, followed by the export; no-match row; file names carry the filters (D10)', async () => {
    await page.goto(`${S.url}/app/#/`);
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    await waitReady(page, who);
    const fold = (x) => x.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    const accented = [...g.cities.values()].find((c) => fold(c.city) !== c.city.toLowerCase());
    assert.ok(accented, `${who}: the ground truth has no city with an accent to search for`);
    const term = fold(accented.city);
    await page.getByTestId('cities-search').fill(term);
    const want = [...g.cities.values()].filter((c) => fold(c.city).includes(term) || fold(c.country).includes(term));
    const rows = await page.locator('[data-testid="cities-table"] tbody tr[data-city]').evaluateAll((trs) => trs.map((tr) => `${tr.dataset.city}|${tr.dataset.country}`));
    for (const c of want) assert.ok(rows.includes(`${c.city}|${c.country}`), `${who}: searching "${term}" does not find ${c.city} (rows: ${rows.slice(0, 5)})`);
    assert.ok(new URL(page.url()).hash.includes(`q=${encodeURIComponent(term).replace(/%20/g, '+')}`), `${who}: the search is not in the link: ${page.url()}`);
    const link = page.getByTestId('export-csv');
    assert.match(await link.textContent(), new RegExp(`^Export ${rows.length} matching cit`), `${who}: the export button must say it follows the search`);
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), link.click()]);
    assert.match(dl.suggestedFilename(), /^tipgate-sales-by-city_matching-.*\.csv$/, `${who}: search export file name`);
    const { records } = parseCSVObjects(readFileSync(await dl.path(), 'utf8'));
    assert.deepEqual(records.map((r) => `${r.city}|${r.country}`).sort(), [...rows].sort(), `${who}: the search export holds exactly the rows shown`);
    const matched = new Map(want.map((c) => [cityKeyOf(c), c]));
    const wrong = records.filter((r) => matched.has(cityKeyOf(r)) && !near(num(r.revenue), matched.get(cityKeyOf(r)).revenue));
    assert.deepEqual(wrong, [], `${who}: search export revenues differ from the ground truth`);
    // The search survives a reload of its link.
    await page.reload();
    await waitReady(page, who);
    assert.equal(await page.getByTestId('cities-search').inputValue(), term, `${who}: the search after reloading its link`);
    await page.getByTestId('cities-search').fill('zzzz-no-such-city');
    assert.ok(await page.getByTestId('cities-no-match').isVisible(), `${who}: no "no cities match" row`);
    await page.getByTestId('cities-search').fill('');
    assert.match(await link.textContent(), /^Export all \d+ cit/, `${who}: without a search the button says it exports all`);
    // With filters, the server's file is named after them.
    const cat = [...g.categories.keys()].sort()[0];
    await page.getByTestId('filter-category').selectOption(cat);
    await waitUntil(page, kpiSettled, g.byCategory[cat].revenue, 30_000);
    const [dl2] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), link.click()]);
    assert.equal(dl2.suggestedFilename(), `tipgate-sales-by-city_${cat.replace(/[^A-Za-z0-9-]+/g, '-')}.csv`, `${who}: the filtered export's file name`);
    // Any chart as a PNG.
    const [png] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('chart-countries-png').click()]);
    assert.equal(png.suggestedFilename(), 'tipgate-revenue-by-country.png', `${who}: chart PNG file name`);
    const bytes = readFileSync(await png.path());
    assert.ok(bytes.length > 1000 && bytes.subarray(1, 4).toString() === 'PNG', `${who}: the chart download is not a PNG (${bytes.length} bytes)`);
  });

  step(st, 'multi-select categories: the select adds, a Ctrl-click on a bar adds, a chip removes; the link carries them', async () => {
    await page.getByTestId('filter-reset').click();
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    const [a, b, c] = [...g.categories.keys()].sort();
    const of = (cs) => aggregate(g.records.filter((r) => cs.includes(r.Category)));
    const sel = page.getByTestId('filter-category');
    await sel.selectOption(a);
    await waitUntil(page, kpiSettled, of([a]).revenue, 30_000);
    await sel.selectOption(b);
    assert.ok(await waitUntil(page, kpiSettled, of([a, b]).revenue, 30_000), `${who}: choosing ${b} after ${a} must filter to both`);
    const h = new URL(page.url()).hash;
    assert.ok(h.includes(`category=${encodeURIComponent(a)}`) && h.includes(`category=${encodeURIComponent(b)}`), `${who}: the link must carry both categories: ${h}`);
    await waitReady(page, who);
    const pos = await page.evaluate((k) => {
      const tr = [...document.querySelectorAll('[data-testid="chart-categories-data"] tbody tr')].find((x) => x.dataset.key === k);
      return tr ? { x: Number(tr.dataset.x), y: Number(tr.dataset.y) } : null;
    }, a);
    await page.getByTestId('chart-categories').click({ position: pos, modifiers: ['Control'] });
    assert.ok(await waitUntil(page, kpiSettled, of([b]).revenue, 30_000), `${who}: Ctrl-click on the chosen ${a} bar must take it out`);
    await page.getByTestId('filter-category').selectOption(c);
    assert.ok(await waitUntil(page, kpiSettled, of([b, c]).revenue, 30_000), `${who}: ${b} + ${c}`);
    await page.locator(`[data-testid="chip-remove"][data-kind="category"][data-value="${c}"]`).click();
    assert.ok(await waitUntil(page, kpiSettled, of([b]).revenue, 30_000), `${who}: the ${c} chip's remove button`);
    await page.goBack();
    assert.ok(await waitUntil(page, kpiSettled, of([b, c]).revenue, 30_000), `${who}: Back brings the removed chip back`);
    st.a11y['filter-chips'] = await runAxe(page);
    await page.getByTestId('filter-reset').click();
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
  });

  step(st, 'cross-filtering from the table: a city row filters to its country', async () => {
    await page.getByTestId('filter-reset').click();
    await waitUntil(page, kpiSettled, g.revenue, 30_000);
    await waitReady(page, who);
    const first = page.locator('[data-testid="cities-table"] tbody tr[data-city]').first();
    const country = await first.getAttribute('data-country');
    await first.getByTestId('country-pick').click();
    assert.ok(await waitUntil(page, kpiSettled, filtered(g, { country }).revenue, 30_000), `${who}: the table row's country must filter to ${country}`);
    assert.equal(await page.getByTestId('filter-country').inputValue(), country, `${who}: filter-country after the row`);
    await page.goBack();
    assert.ok(await waitUntil(page, kpiSettled, g.revenue, 30_000), `${who}: Back undoes the row's filter`);
  });

  step(st, '#/access opened signed out lands on Your access', async () => {
    const c2 = await newContext(st);
    const p2 = await newPage(c2, st);
    await signIn(p2, name, { start: '/app/#/access', hash: '#/access' });
    await p2.locator('h1', { hasText: 'Your access' }).waitFor({ timeout: 20_000 });
    st.page = page;
  });

  step(st, 'accessibility: no serious or critical axe violations', async () => {
    const bad = Object.entries(st.a11y).filter(([, v]) => v.length);
    assert.equal(bad.length, 0, `${who}: axe violations (serious/critical):\n${bad.map(([p, v]) => formatAxe(p, v)).join('\n')}`);
  }, { always: true });

  step(st, 'no uncaught page errors and no CSP violations', async () => {
    assert.deepEqual([...st.pageErrors, ...st.csp].slice(0, 10), [], `${who}: the page threw or the CSP refused something`);
  }, { always: true });
}

// ------------------------------------------- phone, dark mode and print

function phoneFlow(name) {
  const u = USERS[name];
  const who = `${name} (${u.email}) on a phone`;
  const st = newState(`phone-${name}`, who);
  let g;
  let page;

  after(() => closeState(st));

  step(
    st,
    'signs in at 390×844 and sees the ground truth',
    async () => {
      g = S.gt.users[name];
      const ctx = await newContext(st);
      await ctx.close();
      st.contexts = [];
      const phone = await S.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-US', timezoneId: 'UTC', acceptDownloads: true });
      phone.setDefaultTimeout(20_000);
      await phone.route((x) => !x.href.startsWith(`${S.url}/`), (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'blocked' }));
      st.contexts.push(phone);
      page = await newPage(phone, st);
      await signIn(page, name);
      await waitReady(page, who);
      checkHeadline(await snapshot(page), g, who);
    },
    { critical: true },
  );

  step(st, 'phone layout: a short header, KPIs two by two, a tall fitted map, Revenue in view without sideways scrolling (D7)', async () => {
    const m = await page.evaluate(() => {
      const r = (sel) => document.querySelector(sel)?.getBoundingClientRect();
      const svg = document.querySelector('[data-testid="map"]');
      const box = svg.getBoundingClientRect();
      const circles = [...svg.querySelectorAll('circle[data-testid="city-bubble"]')];
      const inside = circles.filter((c) => {
        const b = c.getBoundingClientRect();
        const x = b.left + b.width / 2;
        const y = b.top + b.height / 2;
        return x >= box.left - 1 && x <= box.right + 1 && y >= box.top - 1 && y <= box.bottom + 1;
      }).length;
      const text = (th) => th.textContent.replace(/[\u25B2\u25BC]/g, '').trim();
      const heads = [...document.querySelectorAll('[data-testid="cities-table"] thead th')].filter((th) => getComputedStyle(th).display !== 'none').map(text);
      const scroller = document.querySelector('[data-testid="cities-table"]').closest('.table-scroll');
      const revenueTh = [...document.querySelectorAll('[data-testid="cities-table"] thead th')].find((th) => text(th) === 'Revenue').getBoundingClientRect();
      return {
        header: r('#app-header').height,
        kpis: ['kpi-revenue', 'kpi-units', 'kpi-orders', 'kpi-aov'].map((k) => { const b = r(`[data-testid="${k}"]`); return { top: Math.round(b.top), left: Math.round(b.left) }; }),
        mapHeight: box.height,
        inside,
        total: circles.length,
        heads,
        overflow: scroller.scrollWidth - scroller.clientWidth,
        revenueRight: revenueTh.right,
        width: window.innerWidth,
        dbg: `zoom ${svg.dataset.zoom}, ${svg.getAttribute('preserveAspectRatio')}, ${Math.round(box.width)}×${Math.round(box.height)} px`,
      };
    });
    assert.ok(m.header <= 120, `${who}: the header is ${m.header}px tall`);
    const [rev, units, orders, aov] = m.kpis;
    assert.ok(rev.top === units.top && orders.top === aov.top && orders.top > rev.top && rev.left === orders.left && units.left > rev.left, `${who}: KPIs are not two by two: ${JSON.stringify(m.kpis)}`);
    assert.ok(m.mapHeight >= 300, `${who}: the map is ${m.mapHeight}px tall`);
    assert.equal(m.inside, m.total, `${who}: ${m.total - m.inside} of ${m.total} bubbles lie outside the phone's map (${m.dbg})`);
    assert.equal(m.heads[1], 'Revenue', `${who}: Revenue must be the second column: ${m.heads}`);
    assert.ok(!m.heads.includes('Region') && !m.heads.includes('Units'), `${who}: Region and Units are left out on a phone: ${m.heads}`);
    assert.ok(m.revenueRight <= m.width, `${who}: the Revenue column ends at ${m.revenueRight}px, the screen at ${m.width}px`);
    assert.ok(m.overflow <= 1, `${who}: the cities table scrolls sideways by ${m.overflow}px`);
    await page.screenshot({ path: artifact(`phone-dashboard-${name}.png`), fullPage: false });
    st.a11y['phone-dashboard'] = await runAxe(page);
  });

  step(st, 'phone: column names on Your access do not break mid-word', async () => {
    await page.goto(`${S.url}/app/#/access`);
    const table = page.locator('[data-testid="access-table"][data-table="sales_data"]');
    await table.waitFor({ state: 'visible', timeout: 30_000 });
    const broken = await table.locator('tbody th code').evaluateAll((cs) => cs.filter((c) => c.getClientRects().length > 1 || c.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(c).fontSize) + 4).map((c) => c.textContent));
    assert.deepEqual(broken, [], `${who}: column names wrap inside the word`);
    await page.screenshot({ path: artifact(`phone-access-${name}.png`), fullPage: false });
    st.a11y['phone-access'] = await runAxe(page);
  });

  step(st, 'dark mode follows the system setting; axe is clean in dark (D15)', async () => {
    const dark = await S.browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'dark', locale: 'en-US', timezoneId: 'UTC' });
    dark.setDefaultTimeout(20_000);
    await dark.route((x) => !x.href.startsWith(`${S.url}/`), (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'blocked' }));
    st.contexts.push(dark);
    const p = await newPage(dark, st);
    await signIn(p, name);
    await waitReady(p, who);
    const lum = await p.evaluate(() => {
      const [r, gg, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
      return (0.2126 * r + 0.7152 * gg + 0.0722 * b) / 255;
    });
    assert.ok(lum < 0.2, `${who}: the dark page's background is light (luminance ${lum.toFixed(2)})`);
    checkHeadline(await snapshot(p), g, `${who} in dark mode`);
    await p.screenshot({ path: artifact(`dark-dashboard-${name}.png`), fullPage: true });
    st.a11y['dark-dashboard'] = await runAxe(p);
    await p.goto(`${S.url}/app/#/access`);
    await p.locator('[data-testid="access-table"]').first().waitFor({ timeout: 30_000 });
    st.a11y['dark-access'] = await runAxe(p);
    await p.goto(`${S.url}/signin?reason=expired&return=/app/`);
    st.a11y['dark-signin'] = await runAxe(p);
    st.page = page;
  });

  step(st, 'print: no navigation or controls, every city row, the figures (D15)', async () => {
    await page.goto(`${S.url}/app/#/`);
    await waitReady(page, who);
    await page.emulateMedia({ media: 'print' });
    const m = await page.evaluate(() => {
      const shown = (sel) => [...document.querySelectorAll(sel)].some((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
      const scroller = document.querySelector('[data-testid="cities-table"]').closest('.table-scroll');
      return {
        nav: shown('.app-header nav'),
        signout: shown('[data-testid="signout"]'),
        zoom: shown('.map-controls'),
        selects: shown('.filter-bar select'),
        kpis: shown('[data-testid="kpi-revenue"]'),
        clipped: scroller.scrollHeight - scroller.clientHeight,
      };
    });
    await page.emulateMedia({ media: 'screen' });
    assert.deepEqual({ nav: m.nav, signout: m.signout, zoom: m.zoom, selects: m.selects }, { nav: false, signout: false, zoom: false, selects: false }, `${who}: controls in print`);
    assert.ok(m.kpis, `${who}: the headline figures are missing from print`);
    assert.ok(m.clipped <= 1, `${who}: the printed cities table is clipped by ${m.clipped}px`);
  });

  step(st, 'accessibility: no serious or critical axe violations (phone and dark)', async () => {
    const bad = Object.entries(st.a11y).filter(([, v]) => v.length);
    assert.equal(bad.length, 0, `${who}: axe violations (serious/critical):\n${bad.map(([p, v]) => formatAxe(p, v)).join('\n')}`);
  }, { always: true });

  step(st, 'no uncaught page errors and no CSP violations', async () => {
    assert.deepEqual([...st.pageErrors, ...st.csp].slice(0, 10), [], `${who}: the page threw or the CSP refused something`);
  }, { always: true });
}

// ------------------------------------------------------- security admin

function adminFlow() {
  const name = 'sam';
  const u = USERS[name];
  const who = `${name} (${u.email}, security admin)`;
  const st = newState(name, who);
  let ctx;
  let page;
  let me;

  after(() => closeState(st));

  step(
    st,
    'signs in; the dashboard shows no-access and is ready',
    async () => {
      ctx = await newContext(st);
      page = await newPage(ctx, st);
      await signIn(page, name, { a11y: st.a11y });
      await waitReady(page, who);
      const s = await snapshot(page);
      assert.ok(s.states['no-access'], `${who}: the dashboard must show no-access (sam has no SELECT on sales_data); states ${JSON.stringify(s.states)}`);
      assert.equal(s.bubbles.length + s.cities.length, 0, `${who}: no-access but ${s.bubbles.length} bubbles and ${s.cities.length} city rows`);
      const text = await page.getByTestId('no-access').textContent();
      assert.match(text, /access/i, `${who}: no-access text: ${text}`);
      await page.screenshot({ path: artifact('dashboard-sam.png'), fullPage: true });
      st.a11y.dashboard = await runAxe(page);
      const r = await api(ctx, 'GET', '/app/api/me');
      me = r.json;
      assert.equal(me?.secadmin, true, `${who}: /app/api/me secadmin`);
    },
    { critical: true },
  );

  step(st, 'Your access does not contradict itself: rows are not applicable to a table sam cannot read (D5)', async () => {
    await page.goto(`${S.url}/app/#/access`);
    const table = page.locator('[data-testid="access-table"][data-table="sales_data"]');
    await table.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await table.textContent()).replace(/\s+/g, ' ');
    assert.match(text, /not visible/, `${who}: sales_data must be marked not visible`);
    assert.match(text, /Not applicable\. You cannot read this table/, `${who}: the Rows section must say not applicable: ${text.slice(0, 500)}`);
    assert.ok(!/All rows\.|you see every row/i.test(text), `${who}: the Rows section claims rows are seen: ${text.slice(0, 500)}`);
    assert.match(text, /If you were granted SELECT: row-level security would not filter you/, `${who}: what would apply with SELECT: ${text.slice(0, 500)}`);
    st.a11y.access = await runAxe(page);
    await page.goto(`${S.url}/app/#/`);
    await waitReady(page, who);
  });

  step(st, 'admin navigation is shown', async () => {
    const s = await snapshot(page);
    assert.deepEqual(s.navAdmin, [true, true, true], `${who}: nav-admin-sql, nav-admin-audit, nav-admin-viewas`);
  });

  step(st, 'an #/admin/… link opened signed out lands on that admin view after sign-in (D3)', async () => {
    const c2 = await newContext(st);
    const p2 = await newPage(c2, st);
    await signIn(p2, name, { start: '/app/#/admin/audit', hash: '#/admin/audit' });
    await waitUntil(p2, () => document.querySelectorAll('[data-testid="audit-table"] tbody tr').length > 0, null, 30_000);
    await p2.getByTestId('audit-status').waitFor({ state: 'visible', timeout: 5000 });
    await c2.close();
    const c3 = await newContext(st);
    const p3 = await newPage(c3, st);
    await signIn(p3, name, { start: '/app/#/admin/sql', hash: '#/admin/sql' });
    await p3.getByTestId('sql-run').waitFor({ state: 'visible', timeout: 20_000 });
    await c3.close();
    st.page = page;
  });

  step(st, 'SQL console: the example works for the security admin and the draft survives leaving the page (D8)', async () => {
    await page.getByTestId('nav-admin-sql').click();
    const input = page.getByTestId('sql-input');
    await input.waitFor({ state: 'visible' });
    assert.equal(await input.inputValue(), 'SELECT * FROM svv_rls_attached_policy', `${who}: the console's example`);
    await page.getByTestId('sql-run').click();
    await page.getByTestId('sql-result').waitFor({ state: 'visible', timeout: 30_000 });
    const text = await page.getByTestId('sql-result').textContent();
    assert.ok(POLICIES.every((p) => text.includes(p)), `${who}: the example's result does not list the attached policies: ${text.slice(0, 300)}`);
    assert.equal(await page.getByTestId('sql-error').count(), 0, `${who}: the example failed`);
    await input.fill('SELECT 42 AS answer -- my draft');
    await page.getByTestId('nav-admin-audit').click();
    await page.getByTestId('audit-table').waitFor({ timeout: 30_000 });
    await page.getByTestId('nav-admin-sql').click();
    assert.equal(await page.getByTestId('sql-input').inputValue(), 'SELECT 42 AS answer -- my draft', `${who}: the draft was lost`);
  });

  step(st, 'SQL console lists the three RLS policies', async () => {
    await page.getByTestId('nav-admin-sql').click();
    await page.getByTestId('sql-input').waitFor({ state: 'visible' });
    const run = async (sql) => {
      await page.getByTestId('sql-input').fill(sql);
      await page.getByTestId('sql-run').click();
      const res = page.getByTestId('sql-result');
      const err = page.getByTestId('sql-error');
      await Promise.race([res.waitFor({ state: 'visible', timeout: 30_000 }), err.waitFor({ state: 'visible', timeout: 30_000 })]).catch(() => {});
      await waitUntil(page, () => document.querySelector('[data-testid="sql-result"]')?.textContent.includes('_policy') || !!document.querySelector('[data-testid="sql-error"]')?.textContent.trim(), null, 10_000);
      const ok = (await res.count()) && (await res.isVisible());
      return { ok, text: ok ? await res.textContent() : '', error: (await err.count()) ? (await err.textContent()).trim() : '' };
    };
    let r = await run('SELECT polname FROM svv_rls_policy ORDER BY 1');
    if (!POLICIES.every((p) => r.text.includes(p))) {
      S.notes.push(`${who}: SELECT polname FROM svv_rls_policy did not list the policies (${r.error || 'result without them'}); tried SELECT *`);
      r = await run('SELECT * FROM svv_rls_policy');
    }
    const missing = POLICIES.filter((p) => !r.text.includes(p));
    assert.deepEqual(missing, [], `${who}, sql-result: policies missing (sql-error: ${JSON.stringify(r.error)}; result: ${r.text.slice(0, 300)})`);
    await page.screenshot({ path: artifact('admin-sql.png'), fullPage: true });
    st.a11y['admin-sql'] = await runAxe(page);
  });

  step(st, 'audit page shows records', async () => {
    await page.getByTestId('nav-admin-audit').click();
    const ok = await waitUntil(page, () => document.querySelectorAll('[data-testid="audit-table"] tbody tr').length > 0, null, 30_000);
    assert.ok(ok, `${who}, audit-table: no rows`);
    await page.screenshot({ path: artifact('admin-audit.png'), fullPage: true });
    st.a11y['admin-audit'] = await runAxe(page);
  });

  step(st, 'Users & groups shows what the demo IdP provisioned over SCIM', async () => {
    await page.getByTestId('nav-admin-directory').click();
    const ok = await waitUntil(page, () => document.querySelectorAll('[data-testid="directory-users"] tbody tr').length > 0, null, 30_000);
    assert.ok(ok, `${who}, directory-users: no rows`);
    const text = await page.getByTestId('directory-users').textContent();
    assert.ok(text.includes('ming@example.com') && text.includes('apac-sales'), `${who}: directory-users lacks ming in apac-sales: ${text.slice(0, 300)}`);
    const clients = await page.getByTestId('directory-clients').textContent();
    assert.ok(clients.includes('demo-idp') && !clients.includes('never'), `${who}: directory-clients must show demo-idp with a last provisioning time: ${clients}`);
    await page.screenshot({ path: artifact('admin-directory.png'), fullPage: true });
    st.a11y['admin-directory'] = await runAxe(page);
  });

  step(st, 'view-as without X-CSRF-Token is refused (403)', async () => {
    const r = await api(ctx, 'POST', '/app/api/admin/view-as', { body: { user: 'frank@example.com', groups: ['amer-sales'] } });
    assert.equal(r.status, 403, `${who}: POST /app/api/admin/view-as without X-CSRF-Token answered ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.json?.code, 'csrf', `${who}: the refusal's code`);
    const m = await api(ctx, 'GET', '/app/api/me');
    assert.equal(m.json?.viewAs ?? null, null, `${who}: the refused view-as must not have started: ${JSON.stringify(m.json?.viewAs)}`);
  });

  step(
    st,
    'view as frank (amer-sales): the dashboard shows exactly frank\'s data and the banner',
    async () => {
      const g = S.gt.users.frank;
      await page.getByTestId('nav-admin-viewas').click();
      const userField = page.getByTestId('viewas-user');
      await userField.waitFor({ state: 'visible' });
      st.a11y['admin-viewas'] = await runAxe(page);
      if ((await userField.evaluate((e) => e.tagName)) === 'SELECT') await userField.selectOption('frank@example.com');
      else await userField.fill('frank@example.com');
      const box = page.locator('[data-testid="viewas-groups"] input[type="checkbox"][value="amer-sales"]');
      assert.ok(await box.count(), `${who}: viewas-groups has no checkbox with value amer-sales`);
      await box.check();
      await page.getByTestId('viewas-apply').click();
      await page.getByTestId('viewas-banner').waitFor({ state: 'visible', timeout: 30_000 });
      if (!/#\/?$/.test(new URL(page.url()).hash || '#/')) await page.getByTestId('nav-dashboard').click();
      await waitUntil(page, (r) => document.body.dataset.dashboard === 'ready' && Math.abs(Number(document.querySelector('[data-testid="kpi-revenue"]')?.dataset.value) - r) <= 0.0100001, g.revenue, 60_000);
      await waitReady(page, who, 'the dashboard viewed as frank');
      const s = await snapshot(page);
      checkHeadline(s, g, `${who} viewing as frank`);
      const regs = setEq(s.regions.map((r) => r.key), g.regions.keys());
      assert.ok(regs.ok, `${who} viewing as frank, chart-regions-data: missing ${regs.missing}, unexpected ${regs.extra}`);
      const banner = await page.getByTestId('viewas-banner').textContent();
      assert.ok(banner.includes('frank@example.com'), `${who}: viewas-banner must name frank: ${banner}`);
      const m = await api(ctx, 'GET', '/app/api/me');
      assert.equal(m.json?.viewAs?.email, 'frank@example.com', `${who}: /app/api/me viewAs ${JSON.stringify(m.json?.viewAs)}`);
      await page.screenshot({ path: artifact('viewas-frank.png'), fullPage: true });
      st.a11y['viewas-dashboard'] = await runAxe(page);
    },
  );

  step(st, 'while viewing as someone, SQL still runs as the admin', async () => {
    const m = await api(ctx, 'GET', '/app/api/me');
    const r = await api(ctx, 'POST', '/app/api/admin/sql', { csrf: m.json?.csrfToken, body: { sql: 'SELECT count(*) FROM sales_data' } });
    assert.notEqual(r.status, 200, `${who}: SELECT count(*) FROM sales_data in the SQL console while viewing as frank answered 200 ${r.text.slice(0, 200)}: it must run as sam, who may not read sales_data`);
    assert.equal(r.status, 422, `${who}: expected 422 query_failed (sam has no SELECT on sales_data), got ${r.status} ${r.text.slice(0, 200)}`);
  });

  step(st, 'the audit log has a view_as record', async () => {
    const r = await api(ctx, 'GET', '/app/api/admin/audit?limit=200');
    assert.equal(r.status, 200, `${who}: GET /app/api/admin/audit answered ${r.status}`);
    const recs = r.json?.records ?? [];
    const va = recs.filter((x) => x.kind === 'view_as');
    assert.ok(va.length > 0, `${who}: no view_as record among ${recs.length} audit records (kinds: ${[...new Set(recs.map((x) => x.kind))]})`);
    assert.ok(JSON.stringify(va).includes('frank@example.com'), `${who}: the view_as record does not name frank: ${JSON.stringify(va[0]).slice(0, 300)}`);
  });

  step(st, 'audit log: error column, blank rows for failures, ISO times in UTC, filters, paging, CSV export, failed IdP sign-ins (D9)', async () => {
    // A wrong password at the IdP's token endpoint, for sam's own account.
    const bad = await ctx.request.post(`${S.url}/idp/oauth/token`, { form: { grant_type: 'password', client_id: 'tipgate-cli', username: u.email, password: 'not-the-password', scope: 'openid' }, failOnStatusCode: false });
    assert.equal(bad.status(), 400, `${who}: the wrong password must be refused`);
    await page.goto(`${S.url}/app/#/admin/audit`);
    await waitUntil(page, () => document.querySelectorAll('[data-testid="audit-table"] tbody tr').length > 0, null, 30_000);
    const heads = await page.locator('[data-testid="audit-table"] thead th').allTextContents();
    assert.ok(heads.includes('Error'), `${who}: the audit table has no Error column: ${heads}`);
    const times = await page.locator('[data-testid="audit-table"] tbody td[data-col="time"]').allTextContents();
    assert.ok(times.length > 0 && times.every((t) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/.test(t)), `${who}: audit times are not ISO with the zone: ${times.slice(0, 3)}`);
    await page.getByTestId('audit-status').selectOption('failed');
    const failed = await page.locator('[data-testid="audit-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => ({ kind: tr.dataset.kind, status: tr.dataset.status, error: tr.querySelector('[data-col="error"]').textContent, rows: tr.querySelector('[data-col="rows"]').textContent })));
    assert.ok(failed.length > 0, `${who}: no failed records`);
    assert.ok(failed.every((r) => r.error !== ''), `${who}: a failed record without its error: ${JSON.stringify(failed.slice(0, 3))}`);
    const denied = failed.find((r) => r.kind === 'statement' && /permission denied/.test(r.error));
    assert.ok(denied, `${who}: the refused SELECT on sales_data is not among the failures with its error`);
    assert.equal(denied.rows, '', `${who}: a failed statement's Rows must be blank, not ${denied.rows}`);
    await page.getByTestId('audit-status').selectOption('');
    await page.getByTestId('audit-kind').selectOption('auth_failure');
    const idp = await page.locator('[data-testid="audit-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.user, tr.children[4].textContent, tr.querySelector('[data-col="error"]').textContent]));
    assert.ok(idp.some(([user, binding, error]) => user === `AWSIDC:${u.email}` && binding === 'idp' && /bad_credentials/.test(error)), `${who}: the wrong password at the IdP is not in the audit log: ${JSON.stringify(idp.slice(0, 5))}`);
    await page.getByTestId('audit-kind').selectOption('');
    await page.getByTestId('audit-user').fill('frank@example.com');
    // The user filter matches the user or the actor, by part (the SCIM directory's records name people without the namespace).
    const users = await page.locator('[data-testid="audit-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.dataset.user} ${tr.children[3].textContent}`));
    assert.ok(users.length > 0 && users.every((x) => x.includes('frank@example.com')), `${who}: the user filter: ${users.slice(0, 5)}`);
    const pageText = await page.getByTestId('audit-page').textContent();
    const total = Number(/of ([\d,]+)/.exec(pageText)?.[1].replace(/,/g, ''));
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('audit-export').click()]);
    const { header, records } = parseCSVObjects(readFileSync(await dl.path(), 'utf8'));
    assert.ok(header.includes('error') && header.includes('time'), `${who}: audit CSV header ${header}`);
    assert.equal(records.length, total, `${who}: the CSV has ${records.length} records, the filtered table says ${total}`);
    const outside = records.filter((r) => !`${r.user} ${r.actor}`.includes('frank@example.com'));
    assert.deepEqual(outside.slice(0, 3), [], `${who}: the CSV holds records the filter excludes`);
    await page.getByTestId('audit-user').fill('');
    const first = await page.getByTestId('audit-page').textContent();
    const all = Number(/of ([\d,]+)/.exec(first)?.[1].replace(/,/g, ''));
    assert.equal(await page.locator('[data-testid="audit-table"] tbody tr').count(), Math.min(50, all), `${who}: the first page (${first})`);
    if (all > 50) {
      await page.getByTestId('audit-next').click();
      const second = await page.getByTestId('audit-page').textContent();
      assert.match(second, /^Records 51–/, `${who}: paging: ${second}`);
    } else {
      assert.ok(await page.getByTestId('audit-next').isDisabled(), `${who}: Next must be disabled with ${all} records`);
    }
    st.a11y['admin-audit-filtered'] = await runAxe(page);
  });

  step(st, 'view-as refuses what is not an email and warns about a person never seen (D14)', async () => {
    await page.goto(`${S.url}/app/#/admin/view-as`);
    const userField = page.getByTestId('viewas-user');
    await userField.waitFor({ state: 'visible' });
    await userField.fill('new.person@example.com');
    assert.ok(await page.getByTestId('viewas-unseen').isVisible(), `${who}: no warning for a person never seen`);
    await userField.fill('not an email');
    await page.getByTestId('viewas-apply').click();
    await page.getByTestId('viewas-invalid').waitFor({ timeout: 5000 });
    const m = await api(ctx, 'GET', '/app/api/me');
    assert.equal(m.json?.viewAs?.email, 'frank@example.com', `${who}: the refused view-as changed the session: ${JSON.stringify(m.json?.viewAs)}`);
  });

  step(st, 'clearing view-as returns to sam\'s own (no-access) view', async () => {
    await page.getByTestId('viewas-clear').click();
    await page.getByTestId('viewas-banner').waitFor({ state: 'hidden', timeout: 30_000 });
    const m = await api(ctx, 'GET', '/app/api/me');
    assert.equal(m.json?.viewAs ?? null, null, `${who}: /app/api/me viewAs after viewas-clear: ${JSON.stringify(m.json?.viewAs)}`);
    if (!/#\/?$/.test(new URL(page.url()).hash || '#/')) await page.getByTestId('nav-dashboard').click();
    await waitUntil(page, () => document.body.dataset.dashboard === 'ready' && !!document.querySelector('[data-testid="no-access"]'), null, 30_000);
    const s = await snapshot(page);
    assert.ok(s.states['no-access'], `${who}: after viewas-clear the dashboard must show no-access again; states ${JSON.stringify(s.states)}, kpi-revenue ${s.kpi.revenue}`);
  });

  step(st, 'accessibility: no serious or critical axe violations', async () => {
    const bad = Object.entries(st.a11y).filter(([, v]) => v.length);
    assert.equal(bad.length, 0, `${who}: axe violations (serious/critical):\n${bad.map(([p, v]) => formatAxe(p, v)).join('\n')}`);
  }, { always: true });

  step(st, 'no uncaught page errors and no CSP violations', async () => {
    assert.deepEqual([...st.pageErrors, ...st.csp].slice(0, 10), [], `${who}: the page threw or the CSP refused something`);
  }, { always: true });
}

// ----------------------------------------------------------- public pages

function publicPages() {
  const st = newState('public', 'signed-out visitor');

  after(() => closeState(st));

  step(st, 'GET / redirects to /app/, which redirects to /signin', async () => {
    const ctx = await newContext(st);
    const r = await api(ctx, 'GET', '/');
    assert.ok([301, 302, 303, 307, 308].includes(r.status), `GET / answered ${r.status}, expected a redirect`);
    assert.equal(new URL(r.headers.location, S.url).pathname, '/app/', `GET / redirects to ${r.headers.location}`);
    const a = await api(ctx, 'GET', '/app/');
    assert.ok([302, 303, 307].includes(a.status), `GET /app/ without a session answered ${a.status}`);
    const loc = new URL(a.headers.location, S.url);
    assert.equal(`${loc.pathname}?${loc.searchParams}`, '/signin?return=%2Fapp%2F', `GET /app/ without a session redirects to ${a.headers.location}`);
    const me = await api(ctx, 'GET', '/app/api/me');
    assert.equal(me.status, 401, `GET /app/api/me without a session answered ${me.status}`);
    assert.equal(me.json?.code, 'signed_out', 'GET /app/api/me without a session: error code');
  });

  step(st, '/signin?reason=expired says the session expired', async () => {
    const ctx = st.contexts[0] ?? (await newContext(st));
    const page = await newPage(ctx, st);
    await page.goto(`${S.url}/signin?reason=expired&return=/app/`);
    const msg = page.getByTestId('signin-message');
    await msg.waitFor({ state: 'visible' });
    const text = await msg.textContent();
    assert.match(text, /expired/i, `signin-message: ${JSON.stringify(text)}`);
    assert.ok(await page.getByTestId('signin-button').count(), 'the expired page has a signin-button');
    const v = await runAxe(page);
    assert.equal(v.length, 0, `axe violations on /signin?reason=expired:\n${formatAxe('signin-expired', v)}`);
  });
}
