// Browser helpers: finding chromium, axe-core, reading the dashboard's
// test hooks, comparing them with the ground truth.

import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { cityKey } from './groundtruth.mjs';

const require = createRequire(import.meta.url);

// which resolves a command name to an absolute path through PATH
// (playwright's executablePath needs a path, not a name).
export function which(cmd) {
  if (cmd.includes('/') || isAbsolute(cmd)) return resolve(cmd);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  throw new Error(`${cmd} is not on PATH: run scripts/browser-deps.sh (or set CHROMIUM to the browser's path)`);
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// runAxe checks the page with axe-core and returns the violations of
// impact serious or critical.
//
// How axe gets into the page: the pages' CSP is `script-src 'self'`, which
// blocks page.addScriptTag (it inserts an inline <script>, tried and
// refused). Instead of weakening the CSP for the whole context
// (bypassCSP), axe's source is evaluated through the DevTools protocol
// (page.evaluate(string) is Runtime.evaluate), which a page's CSP does not
// govern, and axe itself needs no eval. So every page is checked exactly
// as it runs for a person, CSP on; nothing the page itself does is allowed
// that the CSP would refuse.
export async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // preload off: it would re-insert the page's stylesheets as inline
    // <style> elements (for one CSS-orientation rule), which the CSP
    // refuses and reports as if the page had done it.
    const r = await window.axe.run(document, { resultTypes: ['violations'], preload: false });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.length,
      examples: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function formatAxe(label, vs) {
  return vs.map((v) => `  [${label}] ${v.impact} ${v.id} (${v.nodes} nodes): ${v.help}\n${v.examples.map((e) => `      ${e}`).join('\n')}`).join('\n');
}

// snapshot reads every test hook the checks need in one round trip.
export function snapshot(page) {
  return page.evaluate(() => {
    const all = (sel, root = document) => [...root.querySelectorAll(sel)];
    const tid = (id) => document.querySelector(`[data-testid="${id}"]`);
    const shown = (e) => {
      if (e.hidden || e.closest('[hidden]')) return false;
      const s = getComputedStyle(e);
      return s.display !== 'none' && s.visibility !== 'hidden';
    };
    // Some hooks (error, empty) can be on several panels at once.
    const visibleAll = (id) => all(`[data-testid="${id}"]`).filter(shown);
    const visible = (id) => visibleAll(id).length > 0;
    const kpi = (id) => tid(id)?.dataset.value ?? null;
    const chart = (id) => all(`[data-testid="${id}"] tr[data-key]`).map((e) => ({ key: e.dataset.key, revenue: e.dataset.revenue }));
    return {
      url: location.href,
      dashboard: document.body?.dataset.dashboard ?? null,
      userName: tid('user-name')?.textContent.trim() ?? null,
      kpi: { revenue: kpi('kpi-revenue'), units: kpi('kpi-units'), orders: kpi('kpi-orders'), aov: kpi('kpi-aov') },
      bubbles: all('circle[data-testid="city-bubble"]').map((e) => ({ city: e.dataset.city, country: e.dataset.country, region: e.dataset.region, revenue: e.dataset.revenue })),
      regions: chart('chart-regions-data'),
      countries: chart('chart-countries-data'),
      categories: chart('chart-categories-data'),
      timeseries: chart('chart-timeseries-data'),
      cities: all('[data-testid="cities-table"] tbody tr').map((e) => ({ city: e.dataset.city, country: e.dataset.country, region: e.dataset.region, revenue: e.dataset.revenue, units: e.dataset.units, orders: e.dataset.orders })),
      dataRegions: [...new Set(all('[data-region]').map((e) => e.dataset.region))],
      states: Object.fromEntries(['loading', 'error', 'no-access', 'empty', 'viewas-banner'].map((id) => [id, visible(id)])),
      errorText: visibleAll('error').map((e) => e.textContent.trim()).join(' | ') || null,
      hasMap: !!tid('map'),
      navAdmin: ['nav-admin-sql', 'nav-admin-audit', 'nav-admin-viewas'].map((id) => !!tid(id)),
    };
  });
}

export const num = (s) => (s === null || s === undefined || s === '' ? NaN : Number(s));
export const near = (a, b, tol = 0.01) => Number.isFinite(a) && Math.abs(a - b) <= tol + 1e-9;

// diffKeyed compares a list of page items with the expected map (key ->
// {revenue, units?, orders?}) and returns human-readable problems (at most
// `max`), empty when they agree.
export function diffKeyed(items, expected, keyOf, { fields = ['revenue'], max = 10 } = {}) {
  const problems = [];
  const seen = new Map();
  for (const it of items) {
    const k = keyOf(it);
    if (seen.has(k)) problems.push(`duplicate ${fmtKey(k)}`);
    seen.set(k, it);
  }
  for (const [k, want] of expected) {
    const got = seen.get(k);
    if (!got) {
      problems.push(`missing ${fmtKey(k)} (expected revenue ${want.revenue.toFixed(2)})`);
      continue;
    }
    for (const f of fields) {
      const g = num(got[f]);
      const ok = f === 'revenue' ? near(g, want.revenue) : g === want[f];
      if (!ok) problems.push(`${fmtKey(k)}: ${f} ${JSON.stringify(got[f])}, expected ${f === 'revenue' ? want.revenue.toFixed(2) : want[f]}`);
    }
  }
  for (const k of seen.keys()) if (!expected.has(k)) problems.push(`unexpected ${fmtKey(k)} (revenue ${seen.get(k).revenue})`);
  if (problems.length > max) return [...problems.slice(0, max), `… and ${problems.length - max} more`];
  return problems;
}

const fmtKey = (k) => JSON.stringify(String(k).replace('\u0000', ', '));
export const cityOf = (it) => cityKey(it.city, it.country);
