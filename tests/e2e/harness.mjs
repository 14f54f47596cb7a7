// Starts a real Gatehouse server (the bundle built by `dx build --web`) on a free port with a
// fresh in-memory database, and a headless Debian Chromium driven by Playwright.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
      if (r.ok) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        // kill(): as a crash or a power cut would stop it (SIGKILL), resolved once it is gone.
        return { base, api, outbox, stop: () => child.kill('SIGTERM'), kill: () => { child.kill('SIGKILL'); return gone; } };
      }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not answer /healthz within 30 s');
}

/** First-run setup of a fresh server with ADMIN; returns the administrator's session cookie. */
export async function setUpAdmin(server) {
  const setup = await fetch(`${server.api}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (setup.status !== 200) throw new Error(`setup answered ${setup.status}`);
  return setup.headers.get('set-cookie').split(';')[0];
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

/** A new page at the viewport's size that fails the test on any page error; `timezoneId`
 * ("Asia/Kolkata") sets the browser's time zone (the machine's otherwise). */
export async function newPage(browser, viewport, { timezoneId } = {}) {
  const context = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.phone,
    hasTouch: viewport.phone,
    deviceScaleFactor: 1,
    ...(timezoneId ? { timezoneId } : {}),
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

/** Signs in through the sign-in form (as ADMIN by default); the caller waits for what follows. */
export async function signIn(page, base, who = ADMIN) {
  await page.goto(base + '/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

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


const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The serious and critical WCAG 2.2 A/AA violations axe-core finds on the page as it is now,
 * one line each (rule, impact, the first elements). axe is evaluated through the DevTools
 * protocol, which the page's Content-Security-Policy does not govern. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.join(' | ')}`);
}

/** Interactive elements smaller than 44 × 44 px (WCAG 2.5.5 AAA, the size a thumb needs).
 * Exceptions, each with its reason (2.5.5 exempts inline targets): links inside a sentence
 * (a paragraph), a table cell's text (a name in a row) or a list item's secondary line. A
 * checkbox or radio button is measured with its label, which toggles it as well. */
export async function smallTargets(page) {
  return page.evaluate(() => [...document.querySelectorAll('button, a[href], input, select, textarea, [role="button"]')]
    .map((el) => {
      const label = (el.type === 'checkbox' || el.type === 'radio') && (el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`)));
      return { el, r: (label || el).getBoundingClientRect() };
    })
    .filter(({ el, r }) => {
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') return false;
      if (el.closest('[inert], [aria-hidden="true"]')) return false;
      if (el.tagName === 'A' && el.closest('p:not(.form-foot), td, li.list-item .list-sub')) return false;
      if (el.tagName === 'INPUT' && el.type === 'hidden') return false;
      return r.height < 43.5 || r.width < 43.5;
    })
    .map(({ el, r }) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') || el.textContent || el.id || el.name).trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`));
}
