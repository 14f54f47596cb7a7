// Signed in as a sales rep, the Opportunities list shows exactly the records in reach, and the
// amount (hidden by the rep's profile) appears nowhere on screen, on a desktop or a phone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN, DESKTOP, PHONE, activationToken, hydrated, newPage, serverAndBrowser, shot } from './harness.mjs';

describe('records under the access model', () => {
  const ctx = serverAndBrowser({ before, after });

  test('a sales rep sees exactly their records and never the hidden amount', async () => {
    const admin = await newPage(ctx.browser, DESKTOP);
    const api = admin.request;
    const base = ctx.server.base;
    assert.equal((await api.post(base + '/api/setup', { data: ADMIN })).status(), 200);
    const [company] = await (await api.get(base + '/api/companies')).json();
    const [department] = await (await api.get(base + '/api/departments')).json();

    const profile = await api.post(base + '/api/admin/save', { data: { change: { SaveProfile: {
      id: null, name: 'Sales Rep', field_rules: [{ module: 'Opportunities', field: 'amount', rule: 'Hidden' }],
      permissions: ['View', 'Create', 'Edit'].map((action) => ({ module: 'Opportunities', action, level: 'Own' })),
    } } } });
    assert.equal(profile.status(), 200, await profile.text());
    let org = await (await api.get(base + '/api/admin/org')).json();
    const profileId = org.profiles.find((p) => p.name === 'Sales Rep').id;
    const role = await api.post(base + '/api/admin/save', { data: { change: { SaveRole: {
      id: null, name: 'Sales Rep', parent: 'administrator', profiles: [profileId],
    } } } });
    assert.equal(role.status(), 200, await role.text());
    org = await (await api.get(base + '/api/admin/org')).json();
    const roleId = org.roles.find((r) => r.name === 'Sales Rep').id;

    const invite = await api.post(base + '/api/users', { data: { input: {
      full_name: 'Rita Rep', email: 'rita@example.com', mobile: '', department: department.id, role: roleId,
      companies: [company.id], is_approver: false,
    } } });
    assert.equal(invite.status(), 200);
    const rita = await invite.json();
    const token = await activationToken(ctx.server.outbox, 'rita@example.com');
    const ritaContext = await ctx.browser.newContext({ viewport: { width: DESKTOP.width, height: DESKTOP.height } });
    const done = await ritaContext.request.post(base + '/api/links/complete', { data: { token, password: 'quiet rivers carry old songs' } });
    assert.equal(done.status(), 200);

    const create = async (name, owner) => {
      const r = await api.post(base + '/api/records/create', { data: { module: 'Opportunities', input: {
        values: { name, amount: '424242', stage: 'Proposal', close_date: '2026-12-15' }, company: company.id, owner,
      } } });
      assert.equal(r.status(), 200, await r.text());
    };
    await create('Rita: Acme renewal', rita.id);
    await create('Rita: Globex upsell', rita.id);
    await create('Ada: Initech expansion', null);

    const page = await ritaContext.newPage();
    await page.goto(base + '/records/opportunities');
    await hydrated(page);
    const rows = page.locator('table.records-table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    const text = await page.locator('main').innerText();
    assert.match(text, /Rita: Acme renewal/);
    assert.match(text, /Rita: Globex upsell/);
    assert.doesNotMatch(text, /Initech/);
    assert.doesNotMatch(text, /424[,.]?242/);
    assert.doesNotMatch(text, /Amount/);
    // The menu offers only what the rep may open.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Opportunities' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Leads' }).count(), 0);
    assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
    await shot(page, DESKTOP, '30-rep-opportunities');

    await page.getByRole('link', { name: 'Rita: Acme renewal' }).click();
    await page.getByRole('heading', { name: 'Rita: Acme renewal' }).waitFor();
    await hydrated(page);
    const detail = await page.locator('main').innerText();
    assert.doesNotMatch(detail, /424[,.]?242/);
    assert.doesNotMatch(detail, /Amount/);
    await page.getByLabel('Stage').selectOption('Negotiation');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();
    await shot(page, DESKTOP, '31-rep-opportunity');

    const phone = await newPage(ctx.browser, PHONE);
    await phone.context().addCookies(await ritaContext.cookies());
    await phone.goto(base + '/records/opportunities');
    await hydrated(phone);
    await phone.getByRole('link', { name: 'Rita: Globex upsell' }).waitFor();
    const phoneText = await phone.locator('main').innerText();
    assert.doesNotMatch(phoneText, /Initech|424[,.]?242|Amount/);
    await shot(phone, PHONE, '32-rep-opportunities');

    // The admin sees all three, with the amount.
    await admin.goto(base + '/records/opportunities');
    await hydrated(admin);
    await admin.getByRole('link', { name: 'Ada: Initech expansion' }).waitFor();
    assert.match(await admin.locator('main').innerText(), /424,242\.00/);
  });

  test('an admin adds a sharing rule and reads the settings, on a phone', async () => {
    const page = await newPage(ctx.browser, PHONE);
    const base = ctx.server.base;
    const signIn = await page.request.post(base + '/api/auth/sign-in', { data: { email: ADMIN.email, password: ADMIN.password } });
    assert.equal(signIn.status(), 200);
    await page.goto(base + '/sharing');
    await hydrated(page);
    await page.getByLabel('Records of').selectOption('Opportunities');
    await page.getByRole('group', { name: 'Owned by members of' }).getByLabel('Which').selectOption({ label: 'Sales Rep' });
    await page.getByRole('group', { name: 'Shared with members of' }).getByLabel('Which').selectOption({ label: 'Administrator' });
    await page.getByRole('button', { name: 'Add sharing rule' }).click();
    await page.getByText('Sharing rule added.').waitFor();
    await page.getByText('Opportunities owned by role Sales Rep are shared with role Administrator, read only').waitFor();
    await shot(page, PHONE, '33-sharing');
    await page.goto(base + '/settings');
    await hydrated(page);
    await page.getByText('Invitation links expire after').waitFor();
    await page.getByText('Grant access using hierarchies').waitFor();
    await shot(page, PHONE, '34-settings');
  });

  test('an administrator views the console as the sales rep, read-only, and comes back', async () => {
    const page = await newPage(ctx.browser, DESKTOP);
    const base = ctx.server.base;
    assert.equal((await page.request.post(base + '/api/auth/sign-in', { data: { email: ADMIN.email, password: ADMIN.password } })).status(), 200);
    const found = await (await page.request.post(base + '/api/users/search', { data: { query: { search: 'rita' } } })).json();
    const rita = found.items[0];
    await page.goto(`${base}/users/${rita.id}`);
    await hydrated(page);
    await page.getByRole('button', { name: 'View as Rita Rep' }).click();
    const banner = page.getByRole('status').filter({ hasText: 'you are viewing the console as' });
    await banner.waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Opportunities' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0, 'Rita has no Users module');
    await nav.getByRole('link', { name: 'Opportunities' }).click();
    await page.getByRole('link', { name: 'Rita: Globex upsell' }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /Initech|424[,.]?242/);
    assert.equal(await page.getByRole('link', { name: 'New record' }).count(), 0, 'no writing while viewing as');
    await shot(page, DESKTOP, '35-view-as');
    await page.getByRole('button', { name: 'Back to Ada Admin' }).click();
    // Back on the page the view started from: the sales rep's.
    await page.getByRole('heading', { name: 'Rita Rep' }).waitFor();
    assert.equal(await page.getByText('you are viewing the console as').count(), 0);
  });

  test('a new record on a phone: field messages, then the record page', async () => {
    const page = await newPage(ctx.browser, PHONE);
    const base = ctx.server.base;
    assert.equal((await page.request.post(base + '/api/auth/sign-in', { data: { email: ADMIN.email, password: ADMIN.password } })).status(), 200);
    await page.goto(base + '/records/opportunities/new');
    await hydrated(page);
    await page.getByLabel('Name').fill('Umbrella framework deal');
    await page.getByLabel('Amount').fill('lots');
    await page.getByRole('button', { name: 'Create record' }).click();
    await page.getByText('Amount must be an amount such as 12500 or 12500.50').waitFor();
    await page.getByText('choose a company', { exact: true }).waitFor();
    await shot(page, PHONE, '36-new-record-errors');
    await page.getByLabel('Company').selectOption({ label: 'My company' });
    await page.getByLabel('Amount').fill('48000');
    await page.getByRole('button', { name: 'Create record' }).click();
    await page.getByRole('heading', { name: 'Umbrella framework deal' }).waitFor();
    await hydrated(page);
    assert.equal(await page.getByLabel('Amount').inputValue(), '48000.00');
    await shot(page, PHONE, '37-record-page');
  });
});

