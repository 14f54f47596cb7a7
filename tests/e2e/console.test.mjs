// The console as an experienced admin expects it (issue 17, bugs 1–7), on the demo organisation:
// the right data on every route, pages refreshed after a save, refusals that look like refusals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DESKTOP, PHONE, hydrated, newPage, serverAndBrowser, shot, smallTargets } from './harness.mjs';

const PASSWORD = 'harbour lantern demo 2026';

async function signedIn(ctx, email, viewport = DESKTOP) {
  const page = await newPage(ctx.browser, viewport);
  const res = await page.request.post(ctx.server.base + '/api/auth/sign-in', { data: { email, password: PASSWORD } });
  assert.equal(res.status(), 200, await res.text());
  return page;
}

describe('the console on the demo organisation', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('each module in the sidebar shows its own records, and Users reloads on a second click', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/records/leads');
    await hydrated(page);
    // The page says its language, for screen readers and translation (axe: html-has-lang).
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.match(await (await page.request.get(ctx.server.base + '/records/leads')).text(), /<html lang="en"/);
    await page.getByRole('columnheader', { name: 'Source' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    // The table is the customers' (their phone column), not the leads' still on screen.
    await page.getByRole('columnheader', { name: 'Phone' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('columnheader', { name: 'Source' }).count(), 0);
    await shot(page, DESKTOP, '40-customers-after-leads');

    // Users, then a user added elsewhere, then Users again from the sidebar: the list shows them.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('link', { name: 'Ada Admin' }).first().waitFor();
    assert.equal(await page.getByRole('link', { name: 'Aaron Aardvark' }).count(), 0);
    const added = await page.request.post(ctx.server.base + '/api/users', { data: { input: {
      full_name: 'Aaron Aardvark', email: 'aaron@example.com', mobile: '', department: 'people', role: 'manager', companies: ['northwind'], is_approver: false,
    } } });
    assert.equal(added.status(), 200, await added.text());
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('link', { name: 'Aaron Aardvark' }).waitFor({ timeout: 10_000 });
    // A search narrows the list and stands in the address; the menu's Users is the whole list again.
    await page.getByLabel('Search name, email or mobile').fill('Aardvark');
    await page.waitForURL(/\/users\?q=Aardvark$/);
    await page.getByRole('button', { name: 'Remove the filter Search: Aardvark' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(/\/users\??$/);
    assert.equal(await page.getByLabel('Search name, email or mobile').inputValue(), '');
    await page.context().close();
  });

  test('a records list sorts by its title column and by when records changed', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/records/leads');
    await hydrated(page);
    const titles = () => page.locator('table.records-table tbody td[data-label="Name"] a').allTextContents();
    const sorted = (list, dir) => [...list].sort((a, b) => dir * (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
    await page.getByRole('button', { name: 'Sort by name' }).click();
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Name' }).waitFor();
    await page.waitForFunction(() => {
      const t = [...document.querySelectorAll('table.records-table tbody td[data-label="Name"] a')].map((a) => a.textContent.toLowerCase());
      return t.length > 1 && t.every((x, i) => i === 0 || t[i - 1] <= x);
    });
    const ascending = await titles();
    assert.deepEqual(ascending, sorted(ascending, 1));
    // A second click: Z to A.
    await page.getByRole('button', { name: 'Sort by name' }).click();
    await page.locator('th[aria-sort="descending"]', { hasText: 'Name' }).waitFor();
    await page.waitForFunction(() => {
      const t = [...document.querySelectorAll('table.records-table tbody td[data-label="Name"] a')].map((a) => a.textContent.toLowerCase());
      return t.length > 1 && t.every((x, i) => i === 0 || t[i - 1] >= x);
    });
    // By when they changed: newest first, then oldest first.
    await page.getByRole('button', { name: 'Sort by updated' }).click();
    await page.locator('th[aria-sort="descending"]', { hasText: 'Updated' }).waitFor();
    await page.getByRole('button', { name: 'Sort by updated' }).click();
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Updated' }).waitFor();
    await page.waitForFunction(() => {
      const t = [...document.querySelectorAll('table.records-table tbody td[data-label="Updated"]')].map((d) => d.textContent);
      return t.length > 1 && t.every((x, i) => i === 0 || t[i - 1] <= x);
    });
    await page.context().close();
  });

  test('the users list sorts by a column header, and a second click reverses it', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/users');
    await hydrated(page);
    const emails = async () => page.locator('td[data-label="Email"]').allInnerTexts();
    const header = page.locator('th', { has: page.getByRole('button', { name: 'Sort by email' }) });
    await page.getByRole('button', { name: 'Sort by email' }).click();
    await page.waitForFunction(() => document.querySelector('th[aria-sort="ascending"]')?.textContent.includes('Email'));
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('td[data-label="Email"]')].map((c) => c.textContent);
      return cells.length > 1 && cells.every((c, i) => i === 0 || cells[i - 1].toLowerCase() <= c.toLowerCase());
    });
    const up = await emails();
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    await page.getByRole('button', { name: 'Sort by email' }).click();
    await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]')?.textContent.includes('Email'));
    await page.waitForFunction((first) => document.querySelector('td[data-label="Email"]')?.textContent !== first, up[0]);
    const down = await emails();
    assert.ok(down[0].toLowerCase() >= down[1].toLowerCase(), `descending: ${down.slice(0, 3)}`);
    assert.ok(down[0].toLowerCase() > up[0].toLowerCase(), 'the other end of the list comes first');
    await page.context().close();
  });

  test('after saving a role, every widget of the user page shows the saved state', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/users/liam_lee');
    await hydrated(page);
    const memberOf = page.locator('section', { has: page.getByRole('heading', { name: 'Member of' }) });
    await memberOf.getByText('Sales Rep').waitFor();
    await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Sales Manager' });
    // The role change previews like a profile edit, naming the person.
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await page.getByText(/Delete on Leads: Liam Lee/).waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();
    await memberOf.getByText('Sales Manager').waitFor({ timeout: 10_000 });
    const activity = page.locator('section', { has: page.getByRole('heading', { name: 'Activity' }) });
    await activity.getByText("Ada Admin changed Liam Lee's role from Sales Rep to Sales Manager").waitFor({ timeout: 10_000 });
    // The audit log says it in the same words, with no raw data or ids.
    await page.goto(ctx.server.base + '/audit');
    await hydrated(page);
    await page.getByRole('cell', { name: "Ada Admin changed Liam Lee's role from Sales Rep to Sales Manager" }).waitFor();
    await page.getByRole('cell', { name: 'role: Sales Rep → Sales Manager' }).waitFor();
    const text = await page.locator('main').innerText();
    assert.ok(!text.includes('{') && !text.includes('sales_manager'), 'no JSON and no ids on the audit page');
    await shot(page, DESKTOP, '45-audit-log');
    await page.context().close();
  });

  test('a refused grant, then a valid preview, shows only the preview', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/grants');
    await hydrated(page);
    await page.getByRole('button', { name: 'Grant', exact: true }).click();
    await page.getByRole('alert').first().waitFor();
    await page.locator('#grant-profile').selectOption({ label: 'Key Accounts' });
    await page.locator('#grant-target').selectOption({ label: 'Customer Support' });
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await page.getByText(/If you save|Nobody's effective access changes/).waitFor();
    assert.equal(await page.getByText('needs attention').count(), 0, 'the old error is gone');
    assert.equal(await page.locator('.banner-error, .field-error').count(), 0);
    await page.context().close();
  });

  test('a sales rep opening an administration page is told so, not kept waiting', async () => {
    const page = await signedIn(ctx, 'rita.rep@demo.gatehouse.test', PHONE);
    for (const path of ['/grants', '/groups', '/users', '/roles', '/conflicts', '/companies', '/departments', '/licenses', '/sharing', '/settings', '/audit']) {
      await page.goto(ctx.server.base + path);
      await hydrated(page);
      await page.getByRole('heading', { name: 'You cannot use this page' }).waitFor({ timeout: 10_000 })
        .catch((e) => { throw new Error(`${path}: ${e.message}`); });
      assert.equal(await page.getByText('Loading…').count(), 0);
    }
    await shot(page, PHONE, '41-refused-page');
    await page.context().close();
  });

  test('one is not offered to deactivate oneself, and a refused delete looks like a refusal', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/users');
    await hydrated(page);
    await page.getByLabel('Search name, email or mobile').fill('Ada Admin');
    await page.getByRole('link', { name: 'Ada Admin' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Deactivate Ada Admin' }).count(), 0);
    await page.getByLabel('Search name, email or mobile').fill('Rita Rep');
    // Deactivating from the list asks first, in the row, and Cancel changes nothing.
    await page.getByRole('button', { name: 'Deactivate Rita Rep' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Deactivate Rita Rep?' });
    await ask.getByText('Sign Rita Rep out and stop their sign-in?').waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByRole('alertdialog').count(), 0);
    await page.getByRole('button', { name: 'Deactivate Rita Rep' }).waitFor();

    // One's own page offers neither Deactivate nor Block; another person's asks before either.
    await page.getByLabel('Search name, email or mobile').fill('Ada Admin');
    await page.getByRole('link', { name: 'Ada Admin' }).click();
    await page.getByText('This is your own account').waitFor();
    // Sessions name the browser as people do, not by its user agent string.
    await page.getByText('Headless Chrome on Linux').first().waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Deactivate|Block)/ }).count(), 0);
    // Details come first on a person's page.
    assert.equal(await page.locator('.widgets > section h2').first().innerText(), 'Details and company access');
    await page.goto(ctx.server.base + '/users');
    await hydrated(page);
    await page.getByLabel('Search name, email or mobile').fill('Rita Rep');
    await page.getByRole('link', { name: 'Rita Rep' }).click();
    await page.getByRole('button', { name: 'Deactivate…' }).click();
    await page.getByText('Deactivate Rita Rep? They are signed out at once').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Block…' }).waitFor();

    await page.goto(ctx.server.base + '/roles');
    await hydrated(page);
    await page.getByRole('button', { name: 'Delete role Sales Rep' }).click();
    await page.getByRole('button', { name: 'Confirm: Delete role Sales Rep' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'users still hold this role' });
    await refusal.waitFor();
    assert.equal(await page.locator('.banner-ok').filter({ hasText: 'still hold' }).count(), 0, 'not shown as a success');
    // The refusal leads to the people who block it.
    await refusal.getByRole('link', { name: 'See who holds it' }).click();
    await page.waitForURL(/\/users\?role=sales_rep$/);
    await page.getByRole('button', { name: 'Remove the filter Role: Sales Rep' }).waitFor();
    await page.context().close();
  });

  for (const viewport of [DESKTOP, PHONE]) {
    test(`settings fit their cards at ${viewport.width} px`, async () => {
      const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test', viewport);
      await page.goto(ctx.server.base + '/settings');
      await hydrated(page);
      await page.getByRole('heading', { name: 'Settings' }).waitFor();
      // Nothing inside a card reaches past the card's edge (or the window's).
      const cut = await page.evaluate(() => [...document.querySelectorAll('main .card')].flatMap((card) => {
        const edge = Math.min(card.getBoundingClientRect().right, document.documentElement.clientWidth);
        return [...card.querySelectorAll('*')]
          .filter((el) => el.getBoundingClientRect().right > edge + 1 || el.scrollWidth > el.clientWidth + 1)
          .map((el) => `${el.tagName}.${el.className}: ${el.textContent.slice(0, 40)}`);
      }));
      assert.deepEqual(cut, []);
      const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      assert.ok(scroll <= client + 1, `page is ${scroll}px wide in a ${client}px viewport`);
      await shot(page, viewport, '42-settings');
      await page.context().close();
    });
  }
});

describe('lists, links and feedback an admin expects', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('a dashboard card opens the filtered list; the filter is in the address, shown as a chip, and cleared', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/');
    await hydrated(page);
    await page.getByRole('link', { name: 'Invited', exact: true }).click();
    await page.waitForURL(/\/users\?status=invited$/);
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Remove the filter Status: Invited' }).waitFor();
    assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'invited');
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('td[data-label="Status"]')].map((c) => c.textContent.trim());
      return cells.length > 0 && cells.every((c) => c === 'Invited');
    });
    // Two filters: each a chip, and "Clear all" empties the address again.
    await page.getByLabel('Search name, email or mobile').fill('a');
    await page.getByRole('button', { name: 'Remove the filter Search: a' }).waitFor();
    await page.getByRole('button', { name: 'Clear all' }).click();
    await page.waitForURL(/\/users\??$/);
    assert.equal(await page.locator('.chip').count(), 0);
    assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), '');
    // A filtered address opened directly (bookmarked, reloaded) is the filtered list.
    await page.goto(ctx.server.base + '/users?status=blocked');
    await hydrated(page);
    await page.getByRole('button', { name: 'Remove the filter Status: Blocked' }).waitFor();
    assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'blocked');

    // The failed sign-ins card opens the audit log on exactly those.
    await page.goto(ctx.server.base + '/');
    await hydrated(page);
    await page.getByRole('link', { name: /Failed sign-ins, last 24 hours/ }).click();
    await page.waitForURL(/\/audit\?action=auth\.sign_in_failed$/);
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    assert.equal(await page.getByLabel('What happened').inputValue(), 'auth.sign_in_failed');

    // Who holds a profile, by any path: from the profile's row to the report, filtered.
    await page.goto(ctx.server.base + '/roles');
    await hydrated(page);
    await page.getByRole('link', { name: 'People holding the profile Sales Rep' }).click();
    await page.waitForURL(/\/reports\/access\?profile=sales_rep$/);
    await page.waitForFunction(() => document.querySelector('#report-profile')?.value === 'sales_rep');
    await page.getByRole('cell', { name: /Rita Rep/ }).first().waitFor();
    assert.equal(await page.getByRole('cell', { name: /Ada Admin/ }).count(), 0);
    await page.context().close();
  });

  test('controls a person lacks are not offered, and say why', async () => {
    const page = await signedIn(ctx, 'peter.people@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/users');
    await hydrated(page);
    // Peter may add people but not export or import them.
    await page.getByRole('link', { name: 'Add user' }).waitFor();
    const exportButton = page.getByRole('button', { name: 'Export CSV' });
    assert.equal(await exportButton.isDisabled(), true);
    assert.equal(await exportButton.getAttribute('title'), 'You need Export on Users; ask an administrator');
    assert.equal(await page.getByRole('button', { name: 'Import CSV' }).isDisabled(), true);
    // Groups: he may see them, not add, change or delete them; each control says why.
    await page.goto(ctx.server.base + '/groups');
    await hydrated(page);
    const addGroup = page.getByRole('button', { name: 'Add group' });
    await addGroup.waitFor();
    assert.equal(await addGroup.isDisabled(), true);
    assert.equal(await addGroup.getAttribute('title'), 'You need Create on Departments & Groups; ask an administrator');
    const editGroup = page.getByRole('button', { name: 'Edit group Key accounts' });
    assert.equal(await editGroup.isDisabled(), true);
    assert.equal(await editGroup.getAttribute('title'), 'You need Edit on Departments & Groups; ask an administrator');
    assert.equal(await page.getByRole('button', { name: 'Delete group Key accounts' }).isDisabled(), true);
    // The same on Departments.
    await page.goto(ctx.server.base + '/departments');
    await hydrated(page);
    const addDepartment = page.getByRole('button', { name: 'Add department' });
    await addDepartment.waitFor();
    assert.equal(await addDepartment.isDisabled(), true);
    await page.context().close();
  });

  test("a group's members, nested groups' included, open as the searchable users list", async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/groups');
    await hydrated(page);
    await page.getByRole('link', { name: 'Members of EMEA leadership' }).click();
    await page.waitForURL(/\/users\?group=emea$/);
    await page.getByRole('button', { name: 'Remove the filter Group: EMEA leadership' }).waitFor();
    await page.getByRole('cell', { name: 'Victor Vance', exact: true }).waitFor();
    const names = await page.locator('td[data-label="Name"] a').allTextContents();
    assert.deepEqual(names, ['Kai Kowalski', 'Pia Petrov', 'Rita Rep', 'Victor Vance']);
    await page.getByLabel('Search name, email or mobile').fill('rita');
    await page.waitForFunction(() => document.querySelectorAll('td[data-label="Name"]').length === 1);
    await page.context().close();
  });

  test('an invitation link can be copied to hand over; the new link opens the activation', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.base });
    await page.goto(ctx.server.base + '/users?status=invited');
    await hydrated(page);
    await page.getByRole('link', { name: 'Yara Young' }).click();
    await page.getByRole('heading', { name: 'Yara Young', level: 1 }).waitFor();
    const invitation = page.locator('section[aria-labelledby="w-invite"]');
    await invitation.getByRole('button', { name: 'Copy a new invitation link' }).click();
    const field = invitation.getByLabel('Invitation link');
    await field.waitFor();
    const link = await field.inputValue();
    assert.match(link, /\/activate\/[0-9a-f]{32,}$/);
    await invitation.getByText(/the link sent earlier no longer works/).waitFor();
    await invitation.getByRole('button', { name: 'Copy link' }).click();
    await invitation.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    // Whoever receives it reaches Yara's activation.
    const info = await page.request.post(ctx.server.base + '/api/links/info', { data: { token: link.split('/').pop() } });
    assert.equal(info.status(), 200, await info.text());
    assert.equal((await info.json()).full_name, 'Yara Young');
    await page.context().close();
  });

  test('selecting every user that matches, across pages', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/users');
    await hydrated(page);
    const total = Number((await page.locator('.pager .muted').textContent()).match(/· (\d+) users/)[1]);
    assert.ok(total > 25, `the demo has more than a page of people (${total})`);
    await page.getByLabel('Select every user on this page').check();
    await page.getByText('All 25 on this page are selected.').waitFor();
    await page.getByRole('button', { name: `Select all ${total} users that match` }).click();
    await page.getByText(`All ${total} users that match are selected.`).waitFor();
    await page.locator('.bulk-bar').getByText(`${total} selected`).waitFor();
    await page.getByRole('button', { name: 'Clear the selection' }).click();
    assert.equal(await page.locator('.bulk-bar').count(), 0);
    await page.context().close();
  });

  test('quick find opens a person; breadcrumbs lead back; audit rows link to what they are about; a toast confirms', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/');
    await hydrated(page);
    // One request per search, whatever the menu holds.
    const calls = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) calls.push(new URL(r.url()).pathname); });
    await page.getByLabel('Find', { exact: true }).fill('Gus');
    const results = page.locator('.quick-results');
    await results.getByRole('link', { name: /Person\s*Gus Garcia/ }).waitFor();
    assert.deepEqual(calls.filter((c) => /find|search|roles|admin\/org/.test(c)), ['/api/find']);
    await results.getByRole('link', { name: /Person\s*Gus Garcia/ }).click();
    await page.getByRole('heading', { name: 'Gus Garcia', level: 1 }).waitFor();
    assert.equal(await page.getByLabel('Find', { exact: true }).inputValue(), '');
    assert.equal(await page.title(), 'Gus Garcia · Users · Gatehouse');
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    assert.equal(await crumbs.locator('[aria-current="page"]').textContent(), 'Gus Garcia');
    // Roles are found by name too.
    await page.getByLabel('Find', { exact: true }).fill('Sales Rep');
    await results.getByRole('link', { name: /Role\s*Sales Rep/ }).waitFor();
    await page.getByLabel('Find', { exact: true }).press('Escape');
    assert.equal(await results.count(), 0);

    // Reassigning all records says what moves, per module, before anything moves.
    const records = page.locator('section[aria-labelledby="w-reassign"]');
    await records.getByLabel('Find the new owner').fill('Sam');
    await records.locator('option', { hasText: 'Sam South' }).waitFor({ state: 'attached' });
    await records.getByLabel('New owner', { exact: true }).selectOption({ label: 'Sam South' });
    await records.getByRole('button', { name: 'Reassign all records…' }).click();
    await records.getByText(/^Move \d+ records? to Sam South: \d+ [A-Z]/).waitFor();
    await records.getByRole('button', { name: 'Cancel' }).click();
    await records.getByRole('button', { name: 'Reassign all records…' }).waitFor();

    // Groups are changed from the person's page: joining previews, leaving asks first.
    const made = await page.request.post(ctx.server.base + '/api/admin/save', {
      data: { change: { SaveGroup: { id: null, name: 'Pricing desk', users: [], groups: [] } }, notify: false },
    });
    assert.equal(made.status(), 200, await made.text());
    await page.reload();
    await hydrated(page);
    const member = page.locator('section[aria-labelledby="w-member"]');
    await member.getByLabel('Add to a group').selectOption({ label: 'Pricing desk' });
    await member.getByRole('button', { name: 'Preview' }).click();
    await member.getByText('If you save').waitFor();
    await member.getByRole('button', { name: 'Add to group' }).click();
    await member.getByRole('button', { name: 'Remove from group Pricing desk' }).waitFor();
    await member.getByRole('button', { name: 'Remove from group Pricing desk' }).click();
    await member.getByRole('button', { name: 'Yes, remove' }).click();
    await member.getByText('No groups.').waitFor();

    await crumbs.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();

    // The audit log names who a row is about, as a link to them.
    await page.goto(ctx.server.base + '/audit?action=user.');
    await hydrated(page);
    const link = page.locator('td .target-link a').first();
    const email = (await link.textContent()).trim();
    const href = await link.getAttribute('href');
    assert.match(href, /^\/users\/[^/]+$/);
    await link.click();
    await page.waitForURL((u) => u.pathname === href);
    await page.getByText(email).first().waitFor();
    await page.getByRole('navigation', { name: 'Breadcrumb' }).waitFor();

    // A finished action is confirmed in a toast (a live region), which can be dismissed.
    await page.goto(ctx.server.base + '/audit');
    await hydrated(page);
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const toast = page.locator('.toasts .toast', { hasText: 'The CSV file was downloaded.' });
    await toast.waitFor();
    assert.equal(await page.locator('.toasts').getAttribute('aria-live'), 'polite');
    await toast.getByRole('button', { name: 'Dismiss this message' }).click();
    await toast.waitFor({ state: 'detached' });

    // A sharing default previews like a grant: who gains reach, by name, before saving.
    await page.goto(ctx.server.base + '/sharing');
    await hydrated(page);
    await page.getByLabel('Leads', { exact: true }).selectOption('PublicReadWrite');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const preview = page.locator('.why', { hasText: 'If you save' });
    await preview.waitFor();
    assert.match(await preview.textContent(), /Leads/);

    // A record says who can see it, and why.
    await page.goto(ctx.server.base + '/records/opportunities');
    await hydrated(page);
    await page.locator('main a[href^="/records/opportunities/"]:not([href$="/new"])').first().click();
    const audience = page.locator('section[aria-labelledby="w-audience"]');
    await audience.getByRole('button', { name: 'Show who can see it' }).click();
    await audience.getByText(/\d+ people can see this record/).waitFor();
    const ada = audience.locator('li.list-item', { has: page.getByRole('link', { name: 'Ada Admin' }) });
    await ada.locator('summary').click();
    assert.ok((await ada.locator('details li').count()) > 0, 'the engine says why');

    // Settings: a test email goes out through the installation's own mail path.
    await page.goto(ctx.server.base + '/settings');
    await hydrated(page);
    await page.getByRole('button', { name: 'Send a test email to me' }).click();
    await page.locator('.toasts').getByText(/A test email is on its way to ada\.admin@demo\.gatehouse\.test/).waitFor();
    // Lifetimes change while the console runs: checked at the field, then saved.
    await page.getByLabel('Invitation links work for').fill('5');
    await page.getByRole('button', { name: 'Save lifetimes' }).click();
    await page.getByText(/must be between 60 and 43200 minutes/).waitFor();
    await page.getByLabel('Invitation links work for').fill('120');
    await page.getByRole('button', { name: 'Save lifetimes' }).click();
    await page.locator('.toasts').getByText(/Lifetimes saved/).waitFor();
    await page.getByText('2 hours').waitFor();
    await page.context().close();
  });
});

describe('previews name the people and every gain', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('granting a profile to a department previews who gains what, field rules included', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/grants');
    await hydrated(page);
    // Key Accounts states no field rule: Ann Assistant, whose profile hides annual revenue, would see it.
    await page.locator('#grant-profile').selectOption({ label: 'Key Accounts' });
    await page.locator('#grant-target').selectOption({ label: 'Sales North' });
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await page.getByText(/Customers · annual revenue Editable \(was Hidden\): .*Ann Assistant/).waitFor();
    await page.getByText('1 user gains Edit on Customers: Ann Assistant').waitFor();
    await shot(page, DESKTOP, '43-grant-preview');
    await page.getByRole('button', { name: 'Grant', exact: true }).click();
    await page.getByText('Granted.').waitFor();
    // Removing it asks first and names who loses what; Cancel keeps it, Yes removes it.
    await page.getByRole('button', { name: /^Remove grant Key Accounts → department Sales North/ }).click();
    const ask = page.getByRole('alertdialog', { name: /^Remove grant Key Accounts → department Sales North/ });
    await ask.getByText('1 user loses Edit on Customers: Ann Assistant').waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: /^Remove grant Key Accounts → department Sales North/ }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Yes, remove' }).click();
    await page.getByText(/^Removed/).waitFor();
    await page.getByRole('button', { name: /^Remove grant Key Accounts → department Sales North/ }).waitFor({ state: 'detached' });
    await page.context().close();
  });
});

describe('the phone menu', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('closed, it is out of the Tab order; open, its links are reachable', async () => {
    const page = await signedIn(ctx, 'rita.rep@demo.gatehouse.test', PHONE);
    await page.goto(ctx.server.base + '/');
    await hydrated(page);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const focusedInMenu = () => page.evaluate(() => !!document.activeElement?.closest('#sidebar'));
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      assert.equal(await focusedInMenu(), false, `Tab ${i + 1} reached the closed menu`);
    }
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Opportunities' }).isVisible(), false);
    await page.getByRole('button', { name: 'Open menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Opportunities' }).click();
    await page.getByRole('heading', { name: 'Opportunities' }).waitFor();
    await page.context().close();
  });
});

describe('wide actions say what they do first', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('deactivating people in bulk asks first and says what happens to them', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    const status = async () => (await (await page.request.get(ctx.server.base + '/api/users/rita_rep')).json()).status;
    await page.goto(ctx.server.base + '/users');
    await hydrated(page);
    await page.getByLabel('Search name, email or mobile').fill('Rita Rep');
    await page.getByLabel('Select Rita Rep').check();
    await page.getByRole('region', { name: 'Bulk actions' }).getByRole('button', { name: 'Deactivate', exact: true }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('Deactivate 1 person? They are signed out at once').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await status(), 'active');
    await page.getByRole('region', { name: 'Bulk actions' }).getByRole('button', { name: 'Deactivate', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, deactivate 1' }).click();
    await page.getByText('1 user updated.').waitFor();
    assert.equal(await status(), 'inactive');
    // The audit log's picker offers actions in words; choosing one lists only those rows.
    await page.goto(ctx.server.base + '/audit');
    await hydrated(page);
    await page.getByLabel('What happened').selectOption({ label: 'Deactivated a user' });
    await page.getByRole('cell', { name: 'Ada Admin deactivated Rita Rep' }).waitFor();
    await page.waitForFunction(() => {
      const sentences = [...document.querySelectorAll('td[data-label="What happened"]')].map((c) => c.textContent);
      return sentences.length > 0 && sentences.every((t) => / deactivated /.test(t));
    });
    await page.context().close();
  });

  test('archiving a company asks first, with how many people lose access', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    const companies = await (await page.request.get(ctx.server.base + '/api/companies')).json();
    const contoso = companies.find((c) => c.id === 'contoso');
    await page.goto(ctx.server.base + '/companies');
    await hydrated(page);
    await page.getByRole('button', { name: 'Archive Contoso Europe' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText(`${contoso.users} people lose access to Contoso Europe`).waitFor();
    await shot(page, DESKTOP, '44-archive-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await (await page.request.get(ctx.server.base + '/api/companies')).json()).find((c) => c.id === 'contoso').archived, false);
    await page.getByRole('button', { name: 'Archive Contoso Europe' }).click();
    await page.getByRole('button', { name: 'Yes, archive' }).click();
    await page.getByText('Company archived.').waitFor();
    assert.equal((await (await page.request.get(ctx.server.base + '/api/companies')).json()).find((c) => c.id === 'contoso').archived, true);
    await page.context().close();
  });
});

describe('sensible defaults', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test("adding a user starts in the admin's own department", async () => {
    const page = await signedIn(ctx, 'peter.people@demo.gatehouse.test', PHONE);
    await page.goto(ctx.server.base + '/users/new');
    await hydrated(page);
    await page.waitForFunction(() => document.querySelector('#department')?.selectedOptions[0]?.textContent === 'People & Finance');
    // He manages Northwind only: the one company he can give is chosen.
    assert.equal(await page.getByLabel('Northwind Traders').isChecked(), true);
    assert.equal(await page.getByLabel('Contoso Europe').count(), 0);
    // The role list offers what he may give: his own kind of role, not Administrator.
    const roles = await page.locator('#role option').allTextContents();
    assert.ok(roles.includes('People Admin'), roles.join(', '));
    assert.ok(!roles.includes('Administrator') && !roles.includes('Sales Director'), roles.join(', '));
    await page.context().close();
  });
});

describe('touch targets on a phone', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('at 1280 × 800 the sidebar reaches its last items; the main pages saved as screenshots', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test');
    await page.goto(ctx.server.base + '/');
    await hydrated(page);
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Settings', 'Audit log']) {
      const link = nav.getByRole('link', { name, exact: true });
      await link.scrollIntoViewIfNeeded();
      // Really reachable: inside the window and not covered by anything else.
      const reachable = await link.evaluate((a) => {
        const r = a.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return r.bottom <= window.innerHeight && (hit === a || a.contains(hit));
      });
      assert.ok(reachable, `${name} is out of reach in the sidebar`);
    }
    await nav.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.context().close();

    // The pages an admin lives in, at both widths, kept as the suite's artifacts.
    for (const viewport of [DESKTOP, PHONE]) {
      const p = await signedIn(ctx, 'ada.admin@demo.gatehouse.test', viewport);
      for (const [path, name, ready] of [
        ['/', '60-demo-dashboard', 'Dashboard'], ['/users', '61-demo-users', 'Users'], ['/roles', '62-demo-roles', 'Roles & profiles'],
        ['/grants', '63-demo-grants', 'Grants'], ['/audit', '64-demo-audit-log', 'Audit log'],
      ]) {
        await p.goto(ctx.server.base + path);
        await hydrated(p);
        await p.getByRole('heading', { name: ready, level: 1 }).waitFor();
        await p.waitForFunction(() => ![...document.querySelectorAll('[role="status"]')].some((e) => /Loading/.test(e.textContent)));
        if (path === '/') {
          // The cards an admin checks each morning.
          for (const label of ['Failed sign-ins, last 24 hours', 'Invitations expiring within a day', 'Stale accounts']) await p.locator('.stat-label', { hasText: label }).waitFor();
        }
        await shot(p, viewport, name);
      }
      await p.goto(ctx.server.base + '/users');
      await p.getByRole('link', { name: 'Gus Garcia' }).first().click();
      await p.getByRole('heading', { name: 'Gus Garcia' }).waitFor();
      await shot(p, viewport, '65-demo-user-page');
      await p.goto(ctx.server.base + '/records/opportunities');
      await p.locator('main a[href^="/records/opportunities/"]:not([href$="/new"])').first().click();
      await p.getByRole('button', { name: /Save/ }).first().waitFor();
      await shot(p, viewport, '66-demo-record-page');
      await p.context().close();
    }
  });

  test('sign-in page and users list: every control is at least 44 × 44 px', async () => {
    const anon = await newPage(ctx.browser, PHONE);
    await anon.goto(ctx.server.base + '/');
    await hydrated(anon);
    await anon.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(await smallTargets(anon), []);
    await anon.context().close();
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test', PHONE);
    await page.goto(ctx.server.base + '/users');
    await hydrated(page);
    await page.getByRole('link', { name: 'Ada Admin' }).first().waitFor();
    assert.deepEqual(await smallTargets(page), []);
    await page.context().close();
  });
});
