// End-to-end test of the Streamlit example (examples/streamlit) in headless
// Chromium: the real `tipgate demo --tls`, the real Streamlit app in the
// project's virtualenv, sign-in through streamlit-oauth's popup at the
// embedded IdP's Okta-shaped endpoints, boto3's trusted identity
// propagation flow and the Data API, checked against the ground truth
// computed from the demo's CSV alone (lib/groundtruth.mjs).
//
//   node tests/browser/streamlit.mjs
//
// Environment: TIPGATE_BIN (default bin/tipgate), CHROMIUM (default
// chromium), STREAMLIT_VENV (default .cache/streamlit-venv), ARTIFACTS
// (default test-artifacts/streamlit), ROWS (default 20000). Needs
// scripts/browser-deps.sh and scripts/streamlit-deps.sh first, and the
// app's port 8501 free (its redirect URI is http://localhost:8501).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { USERS, cityKey, load } from './lib/groundtruth.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const repoPath = (p) => (existsSync(resolve(process.cwd(), p)) ? resolve(process.cwd(), p) : resolve(REPO, p));

const CFG = {
  bin: repoPath(process.env.TIPGATE_BIN || 'bin/tipgate'),
  chromium: process.env.CHROMIUM || 'chromium',
  venv: repoPath(process.env.STREAMLIT_VENV || '.cache/streamlit-venv'),
  artifacts: resolve(process.cwd(), process.env.ARTIFACTS || 'test-artifacts/streamlit'),
  rows: Number(process.env.ROWS || 20000),
};
const APP = 'http://localhost:8501';
const S = { procs: [], started: performance.now(), timings: [] };
const log = (msg) => process.stdout.write(`# ${msg}\n`);
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes

// run starts a child process whose output is kept for failure reports and
// which is killed when this process ends.
function run(name, cmd, args, opts) {
  const p = { name, out: '', exited: null };
  p.child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  for (const s of [p.child.stdout, p.child.stderr]) {
    s.setEncoding('utf8');
    s.on('data', (d) => (p.out += d));
  }
  p.exit = new Promise((r) => p.child.on('exit', (code, signal) => r((p.exited = { code, signal }))));
  p.stop = async () => {
    if (!p.exited) {
      p.child.kill('SIGINT');
      const t = setTimeout(() => p.exited || p.child.kill('SIGKILL'), 10_000);
      await p.exit;
      clearTimeout(t);
    }
  };
  S.procs.push(p);
  return p;
}

process.on('exit', () => {
  for (const p of S.procs) if (!p.exited) p.child.kill('SIGKILL');
  if (S.dataDir) rmSync(S.dataDir, { recursive: true, force: true });
});

async function waitFor(what, p, ok, timeoutMs) {
  const t0 = Date.now();
  for (;;) {
    if (p.exited) throw new Error(`${p.name} ended (${JSON.stringify(p.exited)}) before ${what}\n${p.out}`);
    if (await ok()) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${p.out}`);
    await sleep(200);
  }
}

// parseEnv reads demo.env's export NAME='value' lines.
function parseEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2].replaceAll(`'\\''`, `'`);
  }
  return env;
}

async function portFree(port) {
  return new Promise((r) => {
    const srv = createServer().once('error', () => r(false));
    srv.listen(port, 'localhost', () => srv.close(() => r(true)));
  });
}

// startApp runs `streamlit run app.py` with exactly demo.env's variables
// (plus extra): what README.md tells a person to do.
async function startApp(extra = {}) {
  if (!(await portFree(8501))) throw new Error('port 8501 is in use: the example app must run at http://localhost:8501 (its registered redirect URI)');
  const env = { PATH: process.env.PATH, HOME: S.home, ...S.env, ...extra };
  const p = run('streamlit', join(CFG.venv, 'bin', 'python'),
    ['-m', 'streamlit', 'run', 'app.py', '--server.port', '8501', '--server.address', 'localhost', '--server.headless', 'true',
      '--browser.gatherUsageStats', 'false', '--server.fileWatcherType', 'none'],
    { cwd: join(REPO, 'examples', 'streamlit'), env });
  const t0 = performance.now();
  await waitFor('GET /_stcore/health answered ok', p, async () => {
    try {
      const r = await fetch(`${APP}/_stcore/health`, { signal: AbortSignal.timeout(2000) });
      return r.ok;
    } catch {
      return false;
    }
  }, 60_000);
  log(`streamlit ready in ${secs(performance.now() - t0)}`);
  return p;
}

// ---------------------------------------------------------------- browser

async function newContext() {
  const ctx = await S.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  ctx.setDefaultTimeout(30_000);
  // Nothing leaves the machine: only the app and tipgate are reached (the
  // map's basemap tiles are answered here, empty).
  const local = [APP, S.env.TIPGATE_URL, S.env.TIPGATE_OKTA_ISSUER];
  await ctx.route((u) => !local.some((o) => u.href.startsWith(`${o}/`) || u.href === o), (route) => route.fulfill({ status: 404, body: '' }));
  return ctx;
}

// signIn opens the app, clicks streamlit-oauth's button, signs in on the
// IdP's page in the popup it opens, and waits for the popup to close.
async function signIn(page, email, { goto = true } = {}) {
  if (goto) await page.goto(`${APP}/`);
  const button = page.frameLocator('iframe[title="streamlit_oauth.authorize_button"]').locator('button');
  await button.waitFor();
  const [popup] = await Promise.all([page.waitForEvent('popup'), button.click()]);
  await popup.waitForLoadState();
  const url = new URL(popup.url());
  assert.equal(url.origin, S.env.TIPGATE_OKTA_ISSUER, `the popup shows the IdP's login page at the Okta domain, not ${url.origin}`);
  await popup.fill('input[name=email]', email);
  await popup.fill('input[name=password]', S.env.TIPGATE_DEMO_PASSWORD);
  await Promise.all([popup.waitForEvent('close', { timeout: 30_000 }), popup.locator('button[type=submit]').first().click()]);
}

async function readCities(page) {
  const rows = await page.locator('.st-key-cities table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim())));
  return rows;
}

function centsOf(s) {
  const m = /^(\d+)\.(\d\d)$/.exec(s);
  assert.ok(m, `a sales figure with two decimals, not ${JSON.stringify(s)}`);
  return Number(m[1]) * 100 + Number(m[2]);
}

// gone waits until the page no longer has selector (Streamlit removes the
// previous run's elements when the new run ends) and fails if it stays.
async function gone(page, selector, what) {
  try {
    await page.locator(selector).first().waitFor({ state: 'detached', timeout: 20_000 });
  } catch {
    assert.fail(`${what}: ${selector} is still on the page`);
  }
}

async function artifact(page, name) {
  await page.screenshot({ path: join(CFG.artifacts, name), fullPage: false }).catch(() => {});
}

// ---------------------------------------------------------------- tests

before(async () => {
  mkdirSync(CFG.artifacts, { recursive: true });
  for (const f of [CFG.bin, join(CFG.venv, 'bin', 'python')]) {
    if (!existsSync(f)) throw new Error(`${f} missing: run make build and scripts/streamlit-deps.sh (make test-streamlit does both)`);
  }
  S.dataDir = mkdtempSync(join(tmpdir(), 'tipgate-streamlit-'));
  S.home = join(S.dataDir, 'home');
  mkdirSync(S.home);
  const password = randomBytes(12).toString('base64url');
  let t0 = performance.now();
  S.demo = run('tipgate demo', CFG.bin, ['demo', '--tls', '--data-dir', S.dataDir, '--rows', String(CFG.rows), '--seed', '7',
    '--listen', '127.0.0.1:0', '--demo-password', password], { env: { ...process.env } });
  const envFile = join(S.dataDir, 'demo.env');
  // demo.env is written once the server answers.
  await waitFor('demo.env written', S.demo, async () => existsSync(envFile), 180_000);
  S.env = parseEnv(readFileSync(envFile, 'utf8'));
  log(`tipgate demo --tls ready in ${secs(performance.now() - t0)}: ${S.env.TIPGATE_URL}, Okta domain ${S.env.TIPGATE_OKTA_DOMAIN}`);
  for (const k of ['TIPGATE_OKTA_DOMAIN', 'TIPGATE_STREAMLIT_CLIENT_SECRET', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'AWS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS']) {
    assert.ok(S.env[k], `demo.env sets ${k}`);
  }
  assert.match(S.env.TIPGATE_URL, /^https:\/\/127\.0\.0\.1:\d+$/);
  t0 = performance.now();
  S.gt = load(join(S.dataDir, 's3', 'tipgate-demo', 'sales_data.csv'));
  log(`ground truth of ${S.gt.rows} rows in ${secs(performance.now() - t0)}`);
  S.app = await startApp();
  // Chromium trusts exactly the demo's server key (its SPKI hash), as a
  // person trusts the CA they imported: no certificate error is ignored
  // otherwise.
  const cert = new X509Certificate(readFileSync(join(S.dataDir, 'tls', 'server.pem')));
  const spki = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  S.browser = await chromium.launch({ executablePath: CFG.chromium === 'chromium' ? which('chromium') : CFG.chromium, args: [`--ignore-certificate-errors-spki-list=${spki}`] });
});

function which(name) {
  for (const d of process.env.PATH.split(':')) if (existsSync(join(d, name))) return join(d, name);
  throw new Error(`${name} is not on PATH: run scripts/browser-deps.sh`);
}

after(async () => {
  await S.browser?.close();
  const out = S.procs.map((p) => `--- ${p.name} ---\n${p.out}`).join('\n');
  writeFileSync(join(CFG.artifacts, 'processes.txt'), out);
  for (const p of [...S.procs].reverse()) await p.stop();
  if (S.dataDir) rmSync(S.dataDir, { recursive: true, force: true });
  log(`timings: ${S.timings.join(', ')}; total ${secs(performance.now() - S.started)}`);
  // Nothing secret in what the demo and the app printed (the demo prints
  // the demo users' password on purpose; the app must not).
  const appOut = S.procs.filter((p) => p.name === 'streamlit').map((p) => p.out).join('\n');
  if (S.env && out.includes(S.env.TIPGATE_STREAMLIT_CLIENT_SECRET)) throw new Error('the Streamlit client secret reached the demo or app output');
  if (S.env && appOut.includes(S.env.TIPGATE_DEMO_PASSWORD)) throw new Error("a user's password reached the app's output");
});

describe('the Streamlit example against tipgate demo --tls', () => {
  for (const name of ['ethan', 'frank', 'alex', 'ming']) {
    test(`${name} signs in through the popup and sees exactly their cities, then signs out`, async () => {
      const u = USERS[name];
      const gt = S.gt.users[name];
      const t0 = performance.now();
      const ctx = await newContext();
      const page = await ctx.newPage();
      try {
        await signIn(page, u.email);
        await page.locator('.st-key-cities table').waitFor({ timeout: 60_000 });
        S.timings.push(`${name} ${secs(performance.now() - t0)}`);
        assert.equal((await page.locator('.st-key-who').innerText()).trim(), `Signed in as ${u.email}`);
        // The table: one row per city, exactly the ground truth's.
        const rows = await readCities(page);
        const got = new Map();
        for (const [city, country, sales] of rows) {
          assert.ok(!got.has(cityKey(city, country)), `city ${city}, ${country} listed twice`);
          got.set(cityKey(city, country), centsOf(sales));
        }
        const want = new Map([...gt.cities].map(([k, c]) => [k, c.revenueCents]));
        const missing = [...want.keys()].filter((k) => !got.has(k)).map((k) => k.replace('\u0000', ', '));
        const extra = [...got.keys()].filter((k) => !want.has(k)).map((k) => k.replace('\u0000', ', '));
        assert.deepEqual({ missing: missing.slice(0, 10), extra: extra.slice(0, 10) }, { missing: [], extra: [] }, `${name}'s cities`);
        for (const [k, cents] of want) assert.equal(got.get(k), cents, `sales of ${k.replace('\u0000', ', ')}`);
        assert.equal(rows.length, gt.cities.size);
        // The headline figures.
        const summary = await page.locator('.st-key-summary').innerText();
        const total = (gt.revenueCents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        assert.ok(summary.includes(total), `total sales ${total} in ${JSON.stringify(summary)}`);
        assert.ok(summary.includes(String(gt.cities.size)), `${gt.cities.size} cities in ${JSON.stringify(summary)}`);
        // The map is drawn (deck.gl's canvas).
        await page.locator('.st-key-map canvas, [data-testid="stDeckGlJsonChart"] canvas').first().waitFor();
        // The credentials panel: the identity-enhanced session of this person.
        await page.getByText('Your AWS credentials (identity-enhanced)').click();
        const creds = await page.locator('.st-key-credentials').innerText();
        assert.ok(creds.includes(u.email), `the credentials panel names ${u.email}: ${creds}`);
        assert.match(creds, /assumed-role\/RedshiftDataAPIClientRole\/streamlit/);
        assert.match(creds, /Access key id: ASIA[A-Z0-9]{16}/);
        await artifact(page, `streamlit-${name}.png`);
        // Sign out: back to the sign-in button, with the app saying so.
        await page.locator('.st-key-sign-out button').click();
        await page.locator('.st-key-signed-out').waitFor();
        await page.frameLocator('iframe[title="streamlit_oauth.authorize_button"]').locator('button').waitFor();
        // Streamlit removes the previous run's elements when the new run ends.
        await gone(page, '.st-key-cities', 'no data after sign-out');
        await gone(page, '.st-key-who', 'nobody signed in after sign-out');
      } catch (err) {
        await artifact(page, `failure-streamlit-${name}.png`);
        throw err;
      } finally {
        await ctx.close();
      }
    });
  }

  test('sam (security admin, no SELECT) is told clearly that they have no access to the sales data', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    try {
      await signIn(page, USERS.sam.email);
      const msg = page.locator('.st-key-no-access');
      await msg.waitFor({ timeout: 60_000 });
      const text = await msg.innerText();
      assert.match(text, /You are signed in as sam@example\.com, but you have no access to the sales data/);
      assert.match(text, /permission denied/);
      assert.equal(await page.locator('.st-key-cities').count(), 0);
      assert.equal(await page.locator('.st-key-summary').count(), 0);
      await artifact(page, 'streamlit-sam.png');
    } catch (err) {
      await artifact(page, 'failure-streamlit-sam.png');
      throw err;
    } finally {
      await ctx.close();
    }
  });

  test('the app without its configuration names every missing variable (Streamlit AppTest, no demo.env)', async () => {
    const script = [
      'import json',
      'from streamlit.testing.v1 import AppTest',
      "at = AppTest.from_file('app.py').run(timeout=30)",
      'print(json.dumps({"errors": [e.value for e in at.error], "buttons": len(at.button)}))',
    ].join('\n');
    const p = run('apptest', join(CFG.venv, 'bin', 'python'), ['-c', script], { cwd: join(REPO, 'examples', 'streamlit'), env: { PATH: process.env.PATH, HOME: S.home } });
    await p.exit;
    assert.equal(p.exited.code, 0, p.out);
    const got = JSON.parse(p.out.trim().split('\n').pop());
    assert.equal(got.errors.length, 1, p.out);
    for (const k of ['TIPGATE_OKTA_DOMAIN', 'TIPGATE_STREAMLIT_CLIENT_ID', 'TIPGATE_STREAMLIT_CLIENT_SECRET', 'TIPGATE_STREAMLIT_REDIRECT_URI',
      'TIPGATE_BRIDGE_ROLE_ARN', 'TIPGATE_APP_ARN', 'TIPGATE_CLIENT_ROLE_ARN', 'TIPGATE_WORKGROUP', 'TIPGATE_DATABASE']) {
      assert.ok(got.errors[0].includes(`\`${k}\``), `the message names ${k}: ${got.errors[0]}`);
    }
    assert.equal(got.buttons, 0, 'nothing else is shown');
  });

  test("demo --tls serves the dashboard over HTTPS too: ming signs in at /idp and sees Asia's revenue", async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    try {
      // A signed-out /app/ goes straight on to the IdP's login page.
      await page.goto(`${S.env.TIPGATE_URL}/app/`);
      await page.locator('#email').waitFor({ state: 'visible', timeout: 30_000 });
      await page.locator('#email').fill(USERS.ming.email);
      await page.locator('#password').fill(S.env.TIPGATE_DEMO_PASSWORD);
      await page.locator('form button[type=submit]').click();
      await page.waitForURL(`${S.env.TIPGATE_URL}/app/`);
      await page.waitForFunction(() => document.body.dataset.dashboard === 'ready', null, { timeout: 60_000 });
      const revenue = Number(await page.getByTestId('kpi-revenue').getAttribute('data-value'));
      assert.ok(Math.abs(revenue - S.gt.users.ming.revenueCents / 100) < 0.01, `kpi-revenue ${revenue}, want ${S.gt.users.ming.revenueCents / 100}`);
      const cookie = (await ctx.cookies(S.env.TIPGATE_URL)).find((c) => c.name === 'tipgate_session');
      assert.ok(cookie?.secure, 'the session cookie is Secure over HTTPS');
    } catch (err) {
      await artifact(page, 'failure-streamlit-dashboard-https.png');
      throw err;
    } finally {
      await ctx.close();
    }
  });

  test('an expired session shows the re-authentication path, and signing in again works', async () => {
    // The app again, with sessions that last 30 s (TIPGATE_STREAMLIT_SESSION_SECONDS).
    await S.app.stop();
    S.app = await startApp({ TIPGATE_STREAMLIT_SESSION_SECONDS: '30' });
    const ctx = await newContext();
    const page = await ctx.newPage();
    try {
      await signIn(page, USERS.frank.email);
      await page.locator('.st-key-cities table').waitFor({ timeout: 60_000 });
      // When the app says the session ends (its credentials panel).
      await page.getByText('Your AWS credentials (identity-enhanced)').click();
      const panel = await page.locator('.st-key-credentials').innerText();
      const m = /Session ends: (\d\d):(\d\d):(\d\d) UTC/.exec(panel);
      assert.ok(m, `the credentials panel says when the session ends: ${panel}`);
      const now = new Date();
      const ends = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), +m[1], +m[2], +m[3]);
      assert.ok(ends - Date.now() <= 30_000, `the session ends within 30 s of the sign-in (${new Date(ends).toISOString()})`);
      // Still valid (when the machine was quick enough to leave time): a
      // refresh runs the query again.
      if (ends - Date.now() > 5_000) {
        await page.locator('.st-key-refresh button').click();
        await page.locator('.st-key-summary').waitFor();
        assert.equal(await page.locator('.st-key-expired').count(), 0, 'expired before the session ends');
      } else log('expiry test: less than 5 s of the session left after sign-in; the refresh-while-valid check is skipped');
      await sleep(Math.max(0, ends + 1_500 - Date.now()));
      await page.locator('.st-key-refresh button').click();
      const msg = page.locator('.st-key-expired');
      await msg.waitFor();
      assert.match(await msg.innerText(), /Your session has expired\. Sign in again/);
      await gone(page, '.st-key-cities', 'no data once the session expired');
      await artifact(page, 'streamlit-expired.png');
      await signIn(page, USERS.frank.email, { goto: false });
      await page.locator('.st-key-cities table').waitFor({ timeout: 60_000 });
      assert.equal(await page.locator('.st-key-expired').count(), 0);
      assert.equal((await readCities(page)).length, S.gt.users.frank.cities.size);
    } catch (err) {
      await artifact(page, 'failure-streamlit-expired.png');
      throw err;
    } finally {
      await ctx.close();
    }
  });
});
