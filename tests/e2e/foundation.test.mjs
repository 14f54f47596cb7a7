// First run, sign-in and sign-out in Chromium, on a desktop and on a phone.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertNoHorizontalScroll, hydrated, newPage, serverAndBrowser, shot, VIEWPORTS } from './harness.mjs';

const ADMIN = { name: 'Grace Hopper', email: 'grace@example.com', password: 'compilers are a kind of poetry' };

async function openMenuIfPhone(page, viewport) {
  if (viewport.phone) {
    await page.getByRole('button', { name: 'Open menu' }).click();
    await page.getByRole('button', { name: 'Close menu' }).waitFor();
    await page.waitForTimeout(300); // the drawer slides in
  }
}

for (const viewport of VIEWPORTS) {
  describe(`first run, sign in, sign out at ${viewport.width}x${viewport.height}`, () => {
    const ctx = serverAndBrowser({ before, after });

    test('an empty installation leads every page to setup, which refuses bad input and creates the admin', async () => {
      const page = await newPage(ctx.browser, viewport);
      await page.goto(`${ctx.server.base}/some/deep/page`);
      await assert.doesNotReject(page.getByRole('heading', { name: 'Set up Gatehouse' }).waitFor());
      await page.goto(ctx.server.base + '/');
      await hydrated(page);
      await shot(page, viewport, '01-setup');
      await assertNoHorizontalScroll(page, assert);

      // Bad input: each field says what is wrong, and nothing is created.
      await page.getByLabel('Full name').fill('Grace Hopper');
      await page.getByLabel('Email address').fill('grace-at-example');
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Create administrator account' }).click();
      await page.getByText('is missing the @').waitFor();
      await page.getByText('use at least 12 characters').waitFor();
      await shot(page, viewport, '02-setup-errors');

      await page.getByLabel('Email address').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Create administrator account' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await page.getByText('Users by status').waitFor();
      await openMenuIfPhone(page, viewport);
      await page.getByText(ADMIN.name).first().waitFor();
      await shot(page, viewport, '03-dashboard');
      await assertNoHorizontalScroll(page, assert);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    test('sign out, a wrong password, then sign in again', async () => {
      const page = await newPage(ctx.browser, viewport);
      await page.goto(ctx.server.base + '/');
      await hydrated(page);
      // The setup test left this browser context closed; sign in from scratch.
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('Email address').fill(ADMIN.email);
      await page.getByLabel('Password').fill('not my password at all');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText('the email address or password is not right').waitFor();
      await shot(page, viewport, '04-sign-in-wrong');

      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

      await openMenuIfPhone(page, viewport);
      if (viewport.phone) await shot(page, viewport, '05-menu-open');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      assert.match(page.url(), /\/sign-in$/);
      await shot(page, viewport, '06-signed-out');

      // The session is gone on the server: the dashboard asks for sign-in again.
      await page.goto(ctx.server.base + '/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const res = await page.request.get(ctx.server.base + '/api/dashboard');
      assert.equal(res.status(), 401);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  });
}

describe('compressed assets', () => {
  const ctx = serverAndBrowser({ before, after });

  test('the WASM module comes compressed to a browser that asks, and plain to one that does not', async () => {
    // The module the page loads: its script is named in the page, the WASM sits beside it.
    const html = await (await fetch(ctx.server.base + '/')).text();
    const script = html.match(/src="([^"]*\.js)"/)?.[1] ?? html.match(/"([^"]*wasm\/[^"]*\.js)"/)?.[1];
    assert.ok(script, 'the page names its script');
    const dir = join(dirname(process.env.GATEHOUSE_E2E_SERVER), 'public', 'wasm');
    const wasm = readdirSync(dir).find((f) => f.endsWith('.wasm'));
    assert.ok(wasm, `a WASM module in ${dir}`);
    const url = new URL(script.replace(/[^/]*\.js$/, wasm), ctx.server.base).href;
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-encoding'), null);
    const raw = (await plain.arrayBuffer()).byteLength;
    for (const encoding of ['br', 'gzip']) {
      // Node's fetch decodes the body; the header says what travelled.
      const res = await fetch(url, { headers: { 'accept-encoding': encoding } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-encoding'), encoding, url);
      assert.match(res.headers.get('vary') ?? '', /accept-encoding/i);
      assert.equal((await res.arrayBuffer()).byteLength, raw);
    }
  });
});
