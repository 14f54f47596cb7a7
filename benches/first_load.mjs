// First load on a phone (issue 16): the release server, a cold browser cache and Lighthouse's
// mobile profile (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, CPU slowed 4×). For the
// sign-in page and, signed in, the users list: bytes on the wire by type and the time from
// navigation until the app answers input (the mark the WASM app sets once it has taken over the
// page), as the median of 5 runs.
//
//   node benches/first_load.mjs [server] [runs]
//
// `server` defaults to the release bundle `scripts/run` builds
// ($CARGO_TARGET_DIR/dx/gatehouse/release/web/server); playwright-core comes from tests/e2e.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../tests/e2e/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache/gatehouse/target');
const SERVER = process.argv[2] || join(target, 'dx/gatehouse/release/web/server');
const RUNS = Number(process.argv[3] || 5);
const DEMO_PASSWORD = 'harbour lantern demo 2026';
const PROFILE = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function startServer() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(SERVER, [], {
    env: { ...process.env, GATEHOUSE_ADDR: `127.0.0.1:${port}`, GATEHOUSE_PUBLIC_URL: base, GATEHOUSE_DB: 'mem://',
      GATEHOUSE_OUTBOX: mkdtempSync(join(tmpdir(), 'gatehouse-bench-outbox-')), GATEHOUSE_LOG: 'warn', GATEHOUSE_DEMO: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) return { base, stop: () => child.kill('SIGTERM') }; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${SERVER} did not answer within 60 s`);
}

function kind(type, url) {
  if (type === 'Document') return 'html';
  if (url.endsWith('.wasm')) return 'wasm';
  if (type === 'Script') return 'js';
  if (type === 'Stylesheet') return 'css';
  if (type === 'Fetch' || type === 'XHR') return 'data';
  return 'other';
}

/** One cold load of `path`: bytes on the wire by type, and milliseconds until the app answers. */
async function load(browser, base, path, signedIn, ready) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  if (signedIn) {
    const r = await context.request.post(`${base}/api/auth/sign-in`, { data: { email: 'ada.admin@demo.gatehouse.test', password: DEMO_PASSWORD } });
    if (r.status() !== 200) throw new Error(`sign-in answered ${r.status()}`);
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', PROFILE);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const types = new Map();
  const bytes = {};
  cdp.on('Network.responseReceived', (e) => types.set(e.requestId, kind(e.type, e.response.url)));
  cdp.on('Network.loadingFinished', (e) => {
    const k = types.get(e.requestId) || 'other';
    bytes[k] = (bytes[k] || 0) + e.encodedDataLength;
  });
  const started = Date.now();
  await page.goto(base + path, { waitUntil: 'commit' });
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 120_000 });
  const interactive = Date.now() - started;
  // What the page shows once its data is in (the list's rows), then a moment for trailing requests.
  if (ready) await page.waitForSelector(ready, { timeout: 120_000 });
  await page.waitForTimeout(1000);
  await context.close();
  return { interactive, bytes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;

const server = await startServer();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'] });
try {
  for (const [name, path, signedIn, goal, ready] of [
    ['sign-in page', '/sign-in', false, 3000, null],
    ['users list, signed in', '/users', true, 4000, 'td[data-label="Email"]'],
  ]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await load(browser, server.base, path, signedIn, ready));
    const total = (r) => Object.values(r.bytes).reduce((a, b) => a + b, 0);
    const mid = runs.find((r) => r.interactive === median(runs.map((x) => x.interactive)));
    const by = Object.entries(mid.bytes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${kb(v)}`).join(', ');
    console.log(`${name}: interactive after ${(median(runs.map((r) => r.interactive)) / 1000).toFixed(2)} s (median of ${RUNS}; goal ≤ ${goal / 1000} s), `
      + `${kb(median(runs.map(total)))} on the wire (${by})`);
  }
} finally {
  await browser.close();
  server.stop();
}
