// Every page of the console, public and signed in, audited as a phone and a desktop user would
// meet it (issue 16): axe-core's WCAG 2.2 A/AA rules at 1280 and 390 px wide (no serious or
// critical violation), no sideways scrolling at 360 px, and targets a thumb can hit at 390 px.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DESKTOP, axeViolations, hydrated, newPage, serverAndBrowser, smallTargets } from './harness.mjs';

const PASSWORD = 'harbour lantern demo 2026';

/** Waits until the page has its heading and nothing on it is still loading. */
async function settled(page) {
  await hydrated(page);
  await page.locator('h1').first().waitFor();
  await page.waitForFunction(() => ![...document.querySelectorAll('[role="status"]')].some((e) => /Loading/.test(e.textContent)), null, { timeout: 15_000 });
}

/** Audits the page at 1280 px, then 390 px, then 360 px; returns what failed, by width. */
async function audit(page, name) {
  const failures = [];
  for (const width of [1280, 390, 360]) {
    await page.setViewportSize({ width, height: width > 400 ? 800 : 844 });
    await page.waitForTimeout(50);
    if (width !== 360) {
      for (const v of await axeViolations(page)) failures.push(`${name} at ${width} px: ${v}`);
    }
    if (width === 390) {
      for (const s of await smallTargets(page)) failures.push(`${name} at 390 px: small target ${s}`);
    }
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    if (scroll > client + 1) failures.push(`${name} at ${width} px: the page is ${scroll} px wide`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  return failures;
}

describe('accessibility of every page', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('the pages a person opens before signing in', async () => {
    const page = await newPage(ctx.browser, DESKTOP);
    const failures = [];
    for (const path of ['/sign-in', '/forgot', '/activate/0000', '/reset/0000']) {
      await page.goto(ctx.server.base + path);
      await settled(page);
      failures.push(...await audit(page, path));
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('every page of the console, signed in as the administrator', async () => {
    const page = await newPage(ctx.browser, DESKTOP);
    const res = await page.request.post(ctx.server.base + '/api/auth/sign-in', { data: { email: 'ada.admin@demo.gatehouse.test', password: PASSWORD } });
    assert.equal(res.status(), 200, await res.text());
    const failures = [];
    const pages = ['/', '/users', '/users/new', '/users/import', '/companies', '/departments', '/roles', '/groups', '/grants', '/conflicts', '/reports/access', '/reviews', '/welcome', '/api-docs',
      '/licenses', '/sharing', '/settings', '/security', '/audit', '/records/leads', '/records/customers', '/records/opportunities',
      '/records/tasks', '/records/projects', '/records/support', '/records/leads/new', '/no-such-page'];
    for (const path of pages) {
      await page.goto(ctx.server.base + path);
      await settled(page);
      failures.push(...await audit(page, path));
    }
    // A person's page and a record's page, reached as an admin would: from their lists.
    await page.goto(ctx.server.base + '/users');
    await settled(page);
    await page.getByRole('link', { name: 'Gus Garcia' }).first().click();
    await page.getByRole('heading', { name: 'Gus Garcia' }).waitFor();
    await settled(page);
    failures.push(...await audit(page, 'a user page'));
    await page.goto(ctx.server.base + '/records/leads');
    await settled(page);
    await page.locator('table.records-table tbody a').first().click();
    await page.getByRole('button', { name: /Save/ }).first().waitFor();
    await settled(page);
    failures.push(...await audit(page, 'a record page'));
    assert.deepEqual(failures, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
