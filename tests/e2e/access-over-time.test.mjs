// Access over time in Chromium on the demo organisation (issue 13): an admin schedules a leave date on
// a phone and sees it on the list; offboarding now lists every effect first; the who-has-what
// report filters, downloads and prints; a grant for two weeks is listed as ending soon and
// extended; a license given for two weeks on a phone is listed as ending soon and extended; a
// manager completes an access review on a phone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DESKTOP, PHONE, assertNoHorizontalScroll, hydrated, newPage, serverAndBrowser, shot } from './harness.mjs';

const PASSWORD = 'harbour lantern demo 2026';

async function signedIn(ctx, email, viewport, options = {}) {
  const page = await newPage(ctx.browser, viewport, options);
  const res = await page.request.post(ctx.server.base + '/api/auth/sign-in', { data: { email, password: PASSWORD } });
  assert.equal(res.status(), 200, await res.text());
  return page;
}

/** `YYYY-MM-DD` of a day `days` from now, in UTC. */
function dayFromNow(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe('offboarding', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('on a phone, an admin schedules a leave date in their own time zone, confirms what will happen, and sees it on the list', async () => {
    // India has no summer time: 17:30 there is always 12:00 UTC.
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test', PHONE, { timezoneId: 'Asia/Kolkata' });
    await page.goto(ctx.server.base + '/users/omar_okafor');
    await hydrated(page);
    const widget = page.getByRole('region', { name: 'Offboarding' });
    await widget.getByLabel('Find who takes the records over').fill('Nora');
    await widget.getByLabel('New owner of their records').selectOption({ label: 'Nora North' });
    const day = dayFromNow(10);
    await widget.getByLabel('Leave date and time (UTC+05:30)').fill(`${day}T17:30`);
    await widget.getByRole('button', { name: 'Schedule offboarding…' }).click();
    const dialog = widget.getByRole('alertdialog');
    await dialog.getByText(`On ${day} 17:30 UTC+05:30, offboarding Omar Okafor will:`).waitFor();
    await dialog.getByText(/^Move \d+ records to Nora North/).waitFor();
    await dialog.getByText('Give back the license: Sales.').waitFor();
    await assertNoHorizontalScroll(page, assert);
    await shot(page, PHONE, '50-offboarding-schedule-confirm');
    await dialog.getByRole('button', { name: 'Yes, schedule it' }).click();
    await page.getByText(`Omar Okafor will be offboarded on ${day} 17:30 UTC+05:30.`).waitFor();
    await widget.getByText(`Leaving on ${day} 17:30 UTC+05:30.`).waitFor();
    await widget.getByText('Their records go to Nora North.').waitFor();
    const omar = await (await page.request.get(ctx.server.base + '/api/users/omar_okafor')).json();
    assert.equal(omar.status, 'active', 'nothing happens before the date');
    assert.equal(omar.leave_owner.name, 'Nora North');
    assert.equal(omar.leave_at, Date.parse(`${day}T12:00:00Z`), 'stored as the moment it is, in UTC');

    // The list says who is leaving, and when.
    await page.goto(ctx.server.base + '/users');
    await hydrated(page);
    await page.getByLabel('Search name, email or mobile').fill('Omar');
    await page.getByText(`Leaving ${day}`).waitFor();
    await assertNoHorizontalScroll(page, assert);
    await shot(page, PHONE, '51-users-leaving');

    // Changed plans: cancelled from the user page.
    await page.goto(ctx.server.base + '/users/omar_okafor');
    await hydrated(page);
    await page.getByRole('button', { name: 'Cancel scheduled offboarding' }).click();
    await page.getByText('The scheduled offboarding was cancelled.').waitFor();
    assert.equal((await (await page.request.get(ctx.server.base + '/api/users/omar_okafor')).json()).leave_at, null);
    await page.context().close();
  });

  test('offboarding now lists every effect before it happens, then the person is blocked with nothing left', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test', DESKTOP);
    await page.goto(ctx.server.base + '/users/lena_larsen');
    await hydrated(page);
    const widget = page.getByRole('region', { name: 'Offboarding' });
    await widget.getByLabel('Find who takes the records over').fill('Nora');
    await widget.getByLabel('New owner of their records').selectOption({ label: 'Nora North' });
    // Her leads go to Rita instead.
    await widget.getByText('A different new owner for some modules').click();
    await widget.getByLabel('Find who takes some modules over').fill('Rita');
    await widget.getByLabel('Leads go to').selectOption({ label: 'Rita Rep' });
    await widget.getByRole('button', { name: 'Offboard now…' }).click();
    const dialog = widget.getByRole('alertdialog');
    await dialog.getByText('Offboard Lena Larsen now?').waitFor();
    const toRita = Number((await dialog.getByText(/^Move \d+ Leads to Rita Rep\.$/).textContent()).match(/\d+/)[0]);
    const leadsOf = async (owner) => (await (await page.request.post(ctx.server.base + '/api/records/search', {
      data: { query: { module: 'Leads', search: '', owner } },
    })).json()).page.total;
    const ritasBefore = await leadsOf('rita_rep');
    await dialog.getByText(/^Block Lena Larsen's account \(not signed in anywhere now\)/).waitFor();
    await shot(page, DESKTOP, '52-offboard-now-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await (await page.request.get(ctx.server.base + '/api/users/lena_larsen')).json()).status, 'active');

    await widget.getByRole('button', { name: 'Offboard now…' }).click();
    await page.getByRole('button', { name: 'Yes, offboard now' }).click();
    await page.getByText(/^Lena Larsen was offboarded\./).waitFor();
    await widget.getByText(/^Lena Larsen was offboarded on /).waitFor();
    const lena = await (await page.request.get(ctx.server.base + '/api/users/lena_larsen')).json();
    assert.equal(lena.status, 'blocked');
    const records = await (await page.request.post(ctx.server.base + '/api/records/search', {
      data: { query: { module: 'Opportunities', search: '', owner: 'lena_larsen' } },
    })).json();
    assert.equal(records.page.total, 0, 'her opportunities went to Nora');
    assert.equal(await leadsOf('lena_larsen'), 0);
    assert.equal(await leadsOf('rita_rep'), ritasBefore + toRita, 'her leads went to Rita');
    await page.context().close();
  });
});

describe('who has what, and why', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('the report filters by role, names the reasons, downloads as CSV and prints without the console around it', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test', PHONE);
    await page.goto(ctx.server.base + '/reports/access');
    await hydrated(page);
    await page.getByRole('heading', { name: 'Who has what, and why' }).waitFor();
    await page.getByLabel('Role').selectOption({ label: 'Sales Assistant' });
    await page.getByText('Page 1 of 1 · 2 people').waitFor();
    const ann = page.getByRole('row').filter({ hasText: 'Ann Assistant' });
    await ann.getByText('Opportunities: View, Edit at Department').waitFor();
    await ann.getByText('from profile Sales Assistant, via role Sales Assistant').first().waitFor();
    assert.equal(await page.getByRole('row').filter({ hasText: 'Rita Rep' }).count(), 0, 'the role filter holds');
    await assertNoHorizontalScroll(page, assert);
    await shot(page, PHONE, '53-who-has-what');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    assert.equal(download.suggestedFilename(), 'who-has-what.csv');
    const csv = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'name,email,status,role,department,companies,licenses,last_sign_in_utc,second_factor,module,actions,why');
    assert.ok(lines.some((l) => l.startsWith('Ann Assistant,ann.assistant@demo.gatehouse.test,Active,Sales Assistant,') && l.includes(',Opportunities,"View, Edit at Department",')), csv);
    assert.ok(!csv.includes('Rita Rep'));

    // Printed: the table only, no menu and no filters.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('#sidebar').isVisible(), false);
    assert.equal(await page.getByRole('region', { name: 'Filters' }).isVisible(), false);
    assert.equal(await ann.isVisible(), true);
    await page.context().close();
  });
});

describe('grants with an end', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('a grant for two weeks shows its end, is listed as expiring soon, and is extended in one click', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test', DESKTOP);
    await page.goto(ctx.server.base + '/grants');
    await hydrated(page);
    // The demo's expiring grant is there already; the Grants page points to the page that lists it.
    await page.getByText('1 granted profile ends within 14 days.').waitFor();
    const form = page.getByRole('region', { name: 'Grant a profile' });
    await form.getByLabel('Profile', { exact: true }).selectOption({ label: 'Key Accounts' });
    await form.getByLabel('Grant to a').selectOption({ label: 'User' });
    await form.getByLabel('Find people').fill('Rita');
    await form.getByLabel('Who', { exact: true }).selectOption({ label: 'Rita Rep' });
    await form.getByLabel('How long').selectOption({ label: 'For 2 weeks' });
    await page.getByRole('button', { name: 'Grant', exact: true }).click();
    await page.getByText('Granted.').waitFor();
    const grants = (await (await page.request.get(ctx.server.base + '/api/admin/org')).json()).grants;
    const rita = grants.find((g) => g.to.User === 'rita_rep' && g.profile === 'key_accounts');
    assert.ok(rita && rita.until > Date.now() + 13 * 86_400_000 && rita.until <= Date.now() + 14 * 86_400_000 + 60_000, JSON.stringify(rita));
    await page.getByText('2 granted profiles end within 14 days.').waitFor();
    await page.getByRole('link', { name: 'See what is expiring soon and extend it' }).click();
    await page.getByRole('heading', { name: 'Expiring soon', level: 1 }).waitFor();
    // Soonest first: Kai's (10 days) before Rita's (14 days); the scheduled leaver is listed too.
    const ending = page.getByRole('region', { name: 'Granted profiles that end' });
    await ending.getByText('The profile Key Accounts, given to Rita Rep').waitFor();
    const labels = await ending.locator('.list-main').allTextContents();
    assert.deepEqual(labels, ['The profile Key Accounts, given to Kai Kowalski', 'The profile Key Accounts, given to Rita Rep']);
    await page.getByRole('region', { name: 'Scheduled offboardings' }).getByRole('link', { name: 'Liam Lee' }).waitFor();
    await shot(page, DESKTOP, '54-expiring-soon');
    await page.getByRole('button', { name: 'Extend 2 weeks: the profile Key Accounts, given to Rita Rep' }).click();
    await page.getByText(/^Extended until /).waitFor();
    const after = (await (await page.request.get(ctx.server.base + '/api/admin/org')).json()).grants.find((g) => g.to.User === 'rita_rep' && g.profile === 'key_accounts');
    assert.equal(after.until, rita.until + 14 * 86_400_000);
    // Extended past the two weeks, it leaves the page.
    await ending.getByText('The profile Key Accounts, given to Rita Rep').waitFor({ state: 'detached' });
    await page.context().close();
  });
});

describe('groups, companies and licenses for a while', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('on a phone, an admin gives a license for two weeks from the person\'s page, sees it ending soon, and extends it', async () => {
    const page = await signedIn(ctx, 'ada.admin@demo.gatehouse.test', PHONE);
    await page.goto(ctx.server.base + '/users/rita_rep');
    await hydrated(page);
    const widget = page.getByRole('region', { name: 'Time-limited access' });
    await widget.getByText('Nothing is held for a limited time.').waitFor();
    await widget.getByLabel('Group, company or license').selectOption({ label: 'License Support' });
    await widget.getByLabel('How long').selectOption({ label: 'For 2 weeks' });
    await widget.getByRole('button', { name: 'Give', exact: true }).click();
    await widget.locator('.list-main', { hasText: 'License Support' }).getByText(/^\(until /).waitFor();
    const setup = await (await page.request.get(ctx.server.base + '/api/users/rita_rep/setup')).json();
    const held = setup.windows.find((w) => w.what.License === 'support');
    assert.ok(held && held.until > Date.now() + 13 * 86_400_000 && held.until <= Date.now() + 14 * 86_400_000 + 60_000, JSON.stringify(setup.windows));
    assert.ok(setup.licenses.includes('support'), 'she holds it now');
    // Joining a group from "Member of" can be for a while too.
    const member = page.getByRole('region', { name: 'Member of' });
    await member.getByLabel('Add to a group').selectOption({ label: 'EMEA leadership' });
    await member.getByLabel('How long').selectOption({ label: 'For 1 week' });
    await member.getByRole('button', { name: 'Add to group' }).click();
    await member.locator('.list-main', { hasText: 'EMEA leadership' }).getByText(/^\(until /).waitFor();
    await assertNoHorizontalScroll(page, assert);
    await shot(page, PHONE, '57-time-limited-access');

    // Expiring soon lists them, soonest first, with the demo's membership (Pia, 12 days); one
    // click extends one.
    await page.goto(ctx.server.base + '/expiring');
    await hydrated(page);
    const ending = page.getByRole('region', { name: 'Groups, companies and licenses held for a while' });
    await ending.getByText('Rita Rep: the Support license').waitFor();
    const labels = await ending.locator('.list-main').allTextContents();
    assert.deepEqual(labels, ['Rita Rep: the group EMEA leadership', 'Pia Petrov: the group Key accounts', 'Rita Rep: the Support license']);
    await assertNoHorizontalScroll(page, assert);
    await ending.getByRole('button', { name: 'Extend 2 weeks: Rita Rep: the Support license' }).click();
    await page.getByText(/^Extended until /).waitFor();
    await ending.getByText('Rita Rep: the Support license').waitFor({ state: 'detached' });
    const after = (await (await page.request.get(ctx.server.base + '/api/users/rita_rep/setup')).json()).windows.find((w) => w.what.License === 'support');
    assert.equal(after.until, held.until + 14 * 86_400_000);
    await page.context().close();
  });
});

describe('access reviews', () => {
  const ctx = serverAndBrowser({ before, after }, { GATEHOUSE_DEMO: '1' });

  test('a manager completes a review on a phone: keeps one line, revokes another with a reason', async () => {
    const admin = await signedIn(ctx, 'ada.admin@demo.gatehouse.test', DESKTOP);
    const due = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const started = await admin.request.post(ctx.server.base + '/api/reviews', { data: { input: {
      name: 'Sales North, Q1', scope: { Department: 'sales_north' }, reviewer: null, fallback: 'ada_admin', due, unanswered_keep: true,
    } } });
    assert.equal(started.status(), 200, await started.text());
    const review = await started.json();
    await admin.context().close();

    const page = await signedIn(ctx, 'nora.north@demo.gatehouse.test', PHONE);
    await page.goto(ctx.server.base + '/reviews');
    await hydrated(page);
    await page.getByRole('link', { name: 'Sales North, Q1' }).click();
    await page.getByRole('heading', { name: 'Sales North, Q1' }).waitFor();
    // Nora sees the people of her department she may see, with why they have what they have.
    const rita = page.getByRole('region', { name: 'Rita Rep' });
    await rita.getByText('What Rita Rep may do, and why').click();
    await rita.getByText('from profile Sales Rep, via role Sales Rep').first().waitFor();
    const ritaLicense = rita.getByRole('group', { name: 'License Sales' });
    await ritaLicense.getByLabel('Revoke').check();
    await ritaLicense.getByLabel('Justification (optional)').fill('Moved to support; no longer sells');
    await ritaLicense.getByRole('button', { name: 'Save the answer for License Sales' }).click();
    await page.getByText('License Sales: to be revoked.').waitFor();
    const ann = page.getByRole('region', { name: 'Ann Assistant' });
    const annLicense = ann.getByRole('group', { name: 'License Sales' });
    await annLicense.getByLabel('Keep').check();
    await annLicense.getByRole('button', { name: 'Save the answer for License Sales' }).click();
    await page.getByText('License Sales: kept.').waitFor();
    await assertNoHorizontalScroll(page, assert);
    await shot(page, PHONE, '55-review-answered');
    const detail = await (await page.request.get(ctx.server.base + `/api/reviews/${review}`)).json();
    const lineOf = (name) => detail.people.find((p) => p.user.name === name).lines.find((l) => l.label === 'License Sales');
    assert.equal(lineOf('Rita Rep').keep, false);
    assert.equal(lineOf('Rita Rep').justification, 'Moved to support; no longer sells');
    assert.equal(lineOf('Ann Assistant').keep, true);
    // Kai also works for Contoso, which Nora cannot see: his lines went to the fallback reviewer.
    assert.equal(detail.people.some((p) => p.user.name === 'Kai Kowalski'), false);
    await page.context().close();
  });
});
