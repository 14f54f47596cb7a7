// API tokens on a phone: a person makes a read-only token on their Security page, copies the
// secret shown once, a script uses it against the REST API (as them, refused when it tries to
// write), the page then shows when it was last used, and revoking it stops it at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN, assertNoHorizontalScroll, hydrated, newPage, signIn, PHONE, serverAndBrowser, shot } from './harness.mjs';

describe('API tokens', () => {
  const ctx = serverAndBrowser({ before, after });

  test('make a read-only token on a phone, use it from a script, then revoke it', async () => {
    const base = ctx.server.base;
    const setup = await fetch(`${base}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(setup.status, 200);
    const page = await newPage(ctx.browser, PHONE);
    await signIn(page, base);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(base + '/security');
    await hydrated(page);
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByText('No API tokens.').waitFor();

    // A name is needed: the field says so and nothing is made.
    await page.getByRole('button', { name: 'Make a token' }).click();
    await page.getByText('give the token a name').waitFor();
    await page.getByLabel('Name of the new token').fill('Nightly report');
    await page.getByLabel('Access').selectOption('read');
    await page.getByLabel('Ends after').selectOption('30');
    await page.getByRole('button', { name: 'Make a token' }).click();
    const field = page.getByLabel('Token', { exact: true });
    await field.waitFor();
    const secret = await field.inputValue();
    assert.match(secret, /^gh_[0-9a-f]{64}$/);
    await assertNoHorizontalScroll(page, assert);
    await shot(page, PHONE, '50-api-token-made');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await page.getByLabel('Token', { exact: true }).count(), 0, 'the secret is not shown again');
    const list = page.getByRole('list', { name: 'Your API tokens' });
    await list.getByText('Nightly report').waitFor();
    await list.getByText('never used').waitFor();

    // A script uses it: it reads as the person, and cannot write.
    const auth = { authorization: `Bearer ${secret}` };
    const me = await fetch(`${base}/api/v1/me`, { headers: auth });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).email, ADMIN.email);
    const write = await fetch(`${base}/api/v1/companies`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Northwind' }) });
    assert.equal(write.status, 403);
    assert.equal(write.headers.get('content-type'), 'application/problem+json');
    assert.match((await write.json()).detail, /read-only/);

    await page.reload();
    await hydrated(page);
    await list.getByText(/last used/).waitFor();

    // Revoking asks first, then the token stops at once.
    await page.getByRole('button', { name: 'Revoke Nightly report' }).click();
    await page.getByText('Anything using it stops working at once.').waitFor();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByText('“Nightly report” is revoked.').waitFor();
    await page.getByText('No API tokens.').waitFor();
    const after = await fetch(`${base}/api/v1/me`, { headers: auth });
    assert.equal(after.status, 401);

    // The API reference, from the link on the same card: every operation, read from the
    // server's own OpenAPI document (nothing loaded from elsewhere).
    await page.getByRole('link', { name: 'API reference' }).click();
    await page.getByRole('heading', { name: 'API reference', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'People' }).waitFor();
    const ops = page.locator('.api-op');
    assert.ok(await ops.count() >= 18, 'every documented operation is listed');
    await page.getByRole('list', { name: 'Answers of PATCH /api/v1/users/{id}' }).getByText('412').waitFor();
    await assertNoHorizontalScroll(page, assert);
    await shot(page, PHONE, '51-api-reference');
  });
});

describe("someone else's tokens", () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test("an administrator sees a person's tokens on their page and revokes one", async () => {
    const base = ctx.server.base;
    // Rita makes a token for a script of hers.
    const rita = await newPage(ctx.browser, PHONE);
    const signedIn = await rita.request.post(base + '/api/auth/sign-in', { data: { email: 'rita.rep@demo.gatehouse.test', password: 'harbour lantern demo 2026' } });
    assert.equal(signedIn.status(), 200);
    const made = await rita.request.post(base + '/api/tokens', { data: { input: { name: 'Rita sync', write: false, days: 30 } } });
    assert.equal(made.status(), 200, await made.text());
    const auth = { authorization: `Bearer ${(await made.json()).secret}` };
    assert.equal((await fetch(`${base}/api/v1/me`, { headers: auth })).status, 200);
    await rita.context().close();

    const page = await newPage(ctx.browser, PHONE);
    const admin = await page.request.post(base + '/api/auth/sign-in', { data: { email: 'ada.admin@demo.gatehouse.test', password: 'harbour lantern demo 2026' } });
    assert.equal(admin.status(), 200);
    await page.goto(base + '/users/rita_rep');
    await hydrated(page);
    const widget = page.getByRole('region', { name: 'API tokens' });
    await widget.getByText('Rita sync').waitFor();
    await widget.getByText('Read-only').waitFor();
    await widget.getByRole('button', { name: 'Revoke the API token Rita sync' }).click();
    await widget.getByText('Anything using it stops working at once.').waitFor();
    await assertNoHorizontalScroll(page, assert);
    await widget.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByText('The API token “Rita sync” was revoked.').waitFor();
    await widget.getByText('Rita Rep has no API tokens.').waitFor();
    assert.equal((await fetch(`${base}/api/v1/me`, { headers: auth })).status, 401);
    await page.context().close();
  });
});
