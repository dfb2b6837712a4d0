// Starts and stops the real `tipgate demo` for the browser tests.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVING = /tipgate is serving at (http:\/\/127\.0\.0\.1:\d+)/;

// startDemo runs `bin demo` on a free port with a fresh data directory
// and waits until it serves (the "serving at" line, then GET /readyz
// answers 200). It resolves to {url, password, dataDir, csvPath, stop,
// output}; stop() always ends the process and removes the directory.
export async function startDemo({ bin, rows, timeoutMs = 120_000, log = () => {} }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tipgate-browser-'));
  const password = randomBytes(12).toString('base64url');
  const args = ['demo', '--data-dir', dataDir, '--rows', String(rows), '--seed', '7', '--listen', '127.0.0.1:0', '--demo-password', password];
  // TIPGATE_DSN runs the demo on the PostgreSQL engine in that (empty)
  // database (scripts/browser-postgres.sh starts one), or on the engine
  // TIPGATE_ENGINE names (trino: scripts/browser-trino.sh).
  if (process.env.TIPGATE_DSN) args.push('--engine', process.env.TIPGATE_ENGINE || 'postgres', '--dsn', process.env.TIPGATE_DSN);
  const out = { stdout: '', stderr: '' };
  const output = () => `--- tipgate demo stdout ---\n${out.stdout}\n--- tipgate demo stderr ---\n${out.stderr}`;
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let exited = null;
  const exitedP = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (err) => {
      exited = { error: err };
      resolve(exited);
    });
  });
  // If this process dies without running stop(), do not leave the demo
  // (or its data) behind; Ctrl-C and SIGTERM end both too.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = (sig) => {
    killOnExit();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', killOnExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGINT');
      const t = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, 10_000);
      await exitedP;
      clearTimeout(t);
    }
    process.off('exit', killOnExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dataDir, { recursive: true, force: true });
  };

  const started = Date.now();
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tipgate demo did not print "tipgate is serving at" within ${timeoutMs / 1000} s`)), timeoutMs);
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (d) => {
        out.stdout += d;
        const m = SERVING.exec(out.stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.stderr.on('data', (d) => (out.stderr += d));
      exitedP.then((e) => {
        clearTimeout(timer);
        reject(new Error(`tipgate demo ended before serving: ${e.error ? e.error.message : `exit code ${e.code}, signal ${e.signal}`}`));
      });
    });
    log(`demo printed its URL ${url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (;;) {
      if (exited) throw new Error(`tipgate demo ended before /readyz answered 200 (exit code ${exited.code}, signal ${exited.signal})`);
      if (Date.now() - started > timeoutMs) throw new Error(`GET ${url}/readyz did not answer 200 within ${timeoutMs / 1000} s`);
      try {
        const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) });
        if (r.status === 200) break;
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    log(`demo ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {
      url,
      password,
      dataDir,
      csvPath: join(dataDir, 's3', 'tipgate-demo', 'sales_data.csv'),
      stop,
      output,
    };
  } catch (err) {
    await stop();
    err.message += `\n${output()}`;
    throw err;
  }
}
