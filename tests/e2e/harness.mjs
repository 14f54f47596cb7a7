// Starts a real Gatehouse server (the bundle built by `dx build --web`) on a free port with a
// fresh in-memory database, and a headless Debian Chromium driven by Playwright.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const SHOTS = process.env.GATEHOUSE_E2E_SHOTS || join(process.cwd(), 'target', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

export const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800, phone: false },
  { name: 'phone', width: 390, height: 844, phone: true },
];

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the server; resolves once /healthz answers. `env` adds settings; `host` is the name
 * the browser uses (`localhost` where WebAuthn needs a name rather than an IP address). */
export async function startServer(env = {}, { host = '127.0.0.1' } = {}) {
  const binary = process.env.GATEHOUSE_E2E_SERVER;
  if (!binary) throw new Error('GATEHOUSE_E2E_SERVER must name the server built by `dx build --web`');
  const port = await freePort();
  const outbox = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-outbox-'));
  const base = `http://${host}:${port}`;
  // Node may resolve `localhost` to ::1, where the server does not listen: Node calls go here.
  const api = `http://127.0.0.1:${port}`;
  const child = spawn(binary, [], {
    env: {
      ...process.env,
      GATEHOUSE_ADDR: `127.0.0.1:${port}`,
      GATEHOUSE_PUBLIC_URL: base,
      GATEHOUSE_DB: 'mem://',
      GATEHOUSE_OUTBOX: outbox,
      GATEHOUSE_LOG: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = null;
  child.once('exit', (code) => { exited = code; });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`the server exited with ${exited} before answering`);
    try {
      const r = await fetch(`${api}/healthz`);
      if (r.ok) return { base, api, outbox, stop: () => child.kill('SIGTERM') };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not answer /healthz within 30 s');
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A new page at the viewport's size that fails the test on any page error. */
export async function newPage(browser, viewport) {
  const context = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.phone,
    hasTouch: viewport.phone,
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Anything the Content-Security-Policy refused is a failure too (every page is served with one).
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  page.errors = errors;
  return page;
}

export async function shot(page, viewport, name) {
  await page.screenshot({ path: join(SHOTS, `${viewport.name}-${name}.png`), fullPage: true });
}

/** Waits until the WASM app has taken over the server-rendered page. */
export async function hydrated(page) {
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 30_000 });
}

/** Nothing on the page is wider than the viewport (no sideways scrolling on a phone). */
export async function assertNoHorizontalScroll(page, assert) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client + 1, `page is ${scroll}px wide in a ${client}px viewport`);
}

/** Inside a `describe`: a fresh server and browser for the suite, closed after it. */
export function serverAndBrowser(hooks, env = {}) {
  const ctx = {};
  hooks.before(async () => {
    ctx.server = await startServer(env);
    ctx.browser = await launchBrowser();
  });
  hooks.after(async () => {
    await ctx.browser?.close();
    ctx.server?.stop();
  });
  return ctx;
}

export const DESKTOP = VIEWPORTS[0];
export const PHONE = VIEWPORTS[1];
export const ADMIN = { full_name: 'Ada Admin', email: 'ada@example.com', password: 'violet mountain coffee lantern' };

/** The activation token of the invitation sent to `email`, read from the server's outbox. */
export async function activationToken(outbox, email) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const f of readdirSync(outbox)) {
      const text = readFileSync(join(outbox, f), 'utf8').replace(/=\r?\n/g, '');
      if (text.toLowerCase().includes(`<${email}>`)) {
        const m = /\/activate\/([0-9a-f]{64})/.exec(text);
        if (m) return m[1];
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no invitation for ${email} in ${outbox}`);
}

