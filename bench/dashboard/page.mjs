// Times the dashboard to fully rendered in headless Chromium, for
// bench/dashboard (which runs it; see main.go).
//
// Environment: TIPGATE_URL (the server), TIPGATE_USER (email),
// TIPGATE_PASSWORD, CHROMIUM (the browser's path), PLAYWRIGHT_MODULES (a
// node_modules holding playwright-core, default tests/browser's), REPS.
//
// It signs in the way a person does (/app/ → /signin → the IdP's login
// page → back on /app/), lets that first load finish untimed, then REPS
// times goes from about:blank to /app/ and waits for
// document.body.dataset.dashboard === "ready" (set by the page when every
// panel has rendered). It prints one JSON line:
//   {"ok": true, "version": "...", "times": [ms...], "inPage": [ms...], "apiDone": [ms...], "signInMs": ms}
// where times run from the page.goto call to the ready state being seen;
// inPage from the navigation's start to the moment the page set ready and
// apiDone from the navigation's start to the last byte of the last filter
// or panel answer (both in the page's clock, from Resource Timing). On
// failure: {"ok": false, "error": "..."}.

import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const env = (name, def) => {
  const v = process.env[name] ?? def;
  if (v === undefined || v === '') throw new Error(`${name} is not set`);
  return v;
};

function print(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function main() {
  const base = env('TIPGATE_URL').replace(/\/$/, '');
  const email = env('TIPGATE_USER');
  const password = env('TIPGATE_PASSWORD');
  const chromiumPath = env('CHROMIUM', 'chromium');
  const modules = resolve(env('PLAYWRIGHT_MODULES', join(HERE, '..', '..', 'tests', 'browser', 'node_modules')));
  const reps = Number(env('REPS', '5'));
  const require = createRequire(join(modules, 'noop.js'));
  const { chromium } = require('playwright-core');

  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
    ctx.setDefaultTimeout(120_000);
    ctx.setDefaultNavigationTimeout(120_000);
    // Nothing leaves the machine.
    await ctx.route((u) => !u.href.startsWith(`${base}/`) && u.protocol !== 'about:', (route) => route.abort());
    // The moment the page sets data-dashboard="ready", in the page's own
    // clock (milliseconds since its navigation started). Init scripts run
    // outside the page's CSP.
    await ctx.addInitScript(() => {
      new MutationObserver(() => {
        const b = document.body;
        if (b && b.dataset.dashboard === 'ready' && window.__tipgateReadyAt === undefined) window.__tipgateReadyAt = performance.now();
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-dashboard'] });
    });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const ready = () =>
      page.waitForFunction(() => document.body && document.body.dataset.dashboard === 'ready', null, { polling: 'raf', timeout: 120_000 });

    const t0 = performance.now();
    // A signed-out /app/ goes by /signin straight on to the IdP's login page.
    await page.goto(`${base}/app/`);
    await page.waitForURL((u) => u.origin === base && u.pathname.startsWith('/idp/'));
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(password);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL((u) => u.origin === base && u.pathname === '/app/');
    await ready();
    const signInMs = performance.now() - t0;
    if (await page.getByTestId('error').count()) {
      throw new Error(`a panel failed: ${(await page.getByTestId('error').first().textContent()).trim()}`);
    }

    const times = [];
    const inPage = [];
    const apiDone = [];
    for (let i = 0; i < reps; i++) {
      await page.goto('about:blank');
      const t = performance.now();
      await page.goto(`${base}/app/`, { waitUntil: 'commit' });
      await ready();
      times.push(performance.now() - t);
      const at = await page.evaluate(() => {
        const api = performance
          .getEntriesByType('resource')
          .filter((e) => /\/app\/api\/(filters|panels\/|dashboard)/.test(new URL(e.name).pathname))
          .map((e) => e.responseEnd);
        return { ready: window.__tipgateReadyAt ?? null, api: api.length ? Math.max(...api) : null };
      });
      inPage.push(at.ready);
      apiDone.push(at.api);
      if (await page.getByTestId('error').count()) {
        throw new Error(`a panel failed: ${(await page.getByTestId('error').first().textContent()).trim()}`);
      }
    }
    if (errors.length) throw new Error(`page errors: ${errors.slice(0, 3).join('; ')}`);
    print({ ok: true, version: `Chromium ${browser.version()}`, times, inPage, apiDone, signInMs });
  } finally {
    await browser.close().catch(() => {});
  }
}

main().catch((err) => {
  print({ ok: false, error: String(err && err.message ? err.message : err) });
  process.exitCode = 1;
});
