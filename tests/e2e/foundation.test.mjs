// First run, sign-in and sign-out in Chromium, on a desktop and on a phone.
import assert from 'node:assert/strict';
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
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('the email address or password is not right').waitFor();
      await shot(page, viewport, '04-sign-in-wrong');

      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
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
