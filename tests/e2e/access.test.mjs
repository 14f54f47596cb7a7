// An admin edits a profile, sees the preview of whose access changes, saves, and the affected
// user's Effective access shows the change.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN, DESKTOP, PHONE, activationToken, hydrated, newPage, serverAndBrowser, shot } from './harness.mjs';

describe('access administration', () => {
  const ctx = serverAndBrowser({ before, after });

  test('editing a profile previews, saves, and shows in the user\'s effective access', async () => {
    const admin = await newPage(ctx.browser, DESKTOP);
    const api = admin.request;
    assert.equal((await api.post(ctx.server.base + '/api/setup', { data: ADMIN })).status(), 200);
    const [company] = await (await api.get(ctx.server.base + '/api/companies')).json();
    const [department] = await (await api.get(ctx.server.base + '/api/departments')).json();
    const invite = await api.post(ctx.server.base + '/api/users', { data: { input: {
      full_name: 'Max Manager', email: 'max@example.com', mobile: '', department: department.id, role: 'manager',
      companies: [company.id], is_approver: false,
    } } });
    assert.equal(invite.status(), 200);
    const max = await invite.json();
    const token = await activationToken(ctx.server.outbox, 'max@example.com');
    const done = await ctx.browser.newContext().then((c) => c.request.post(ctx.server.base + '/api/links/complete', { data: { token, password: 'quiet rivers carry old songs' } }));
    assert.equal(done.status(), 200);

    await admin.goto(ctx.server.base + '/roles');
    await hydrated(admin);
    await admin.getByRole('button', { name: 'Edit profile Manager' }).click();
    await admin.getByRole('combobox', { name: 'Export on Leads' }).selectOption('All');
    await admin.getByRole('button', { name: 'Preview changes' }).click();
    await admin.getByText('1 user gains Export on Leads').waitFor();
    await shot(admin, DESKTOP, '20-profile-preview');
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.getByText('Saved: 1 user gains Export on Leads').waitFor();

    await admin.goto(`${ctx.server.base}/users/${max.id}`);
    await hydrated(admin);
    const cell = admin.getByRole('button', { name: 'Export on Leads: Department tree. Show why' });
    await cell.waitFor();
    await cell.click();
    await admin.getByText('Export on Leads at All, from profile Manager, via role Manager').waitFor();
    await admin.getByText('capped at Department tree').waitFor();
    await shot(admin, DESKTOP, '21-effective-access');

    const phone = await newPage(ctx.browser, PHONE);
    await phone.context().addCookies(await admin.context().cookies());
    await phone.goto(`${ctx.server.base}/users/${max.id}`);
    await phone.getByRole('heading', { name: 'Effective access' }).scrollIntoViewIfNeeded();
    await phone.getByRole('button', { name: 'Export on Leads: Department tree. Show why' }).waitFor();
    await shot(phone, PHONE, '22-effective-access');
    // The profile matrix stays editable on a phone: it scrolls sideways with the module column held.
    await phone.goto(ctx.server.base + '/roles');
    await hydrated(phone);
    await phone.getByRole('button', { name: 'Edit profile Manager' }).click();
    await phone.getByRole('combobox', { name: 'Delete on Tasks' }).selectOption('All');
    await phone.getByRole('button', { name: 'Preview changes' }).click();
    await phone.getByText('1 user gets wider Delete on Tasks').waitFor();
    await shot(phone, PHONE, '25-profile-editor');
    // The conflicts report and the groups page render for the administrator.
    await admin.goto(ctx.server.base + '/conflicts');
    await admin.getByRole('heading', { name: 'Permission conflicts' }).waitFor();
    await admin.getByText('No conflicts').waitFor();
    await admin.goto(ctx.server.base + '/groups');
    await admin.getByRole('button', { name: 'Add group' }).click();
    await admin.getByLabel('Group name').fill('Night shift');
    await admin.getByLabel('Max Manager').check();
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.getByText('Group saved.').waitFor();
    await shot(admin, DESKTOP, '23-groups');
    await admin.getByRole('button', { name: 'Delete group Night shift' }).click();
    await admin.getByRole('button', { name: 'Confirm: Delete group Night shift' }).click();
    await admin.getByText('Deleted.').waitFor();
    await admin.getByText('Night shift').waitFor({ state: 'detached' });
    // A role that users still hold is not deleted, and the page says why.
    await admin.goto(ctx.server.base + '/roles');
    await hydrated(admin);
    await admin.getByRole('button', { name: 'Delete role Manager' }).click();
    await admin.getByRole('button', { name: 'Confirm: Delete role Manager' }).click();
    await admin.getByText('users still hold this role').waitFor();
    // A department grant, previewed then saved.
    await admin.goto(ctx.server.base + '/grants');
    await hydrated(admin);
    await admin.getByLabel('Profile', { exact: true }).selectOption({ label: 'Manager' });
    await admin.getByLabel('Who', { exact: true }).selectOption({ label: 'Head office' });
    await admin.getByRole('button', { name: 'Preview changes' }).click();
    await admin.getByText("Nobody's effective access changes.").waitFor();
    await admin.getByRole('button', { name: 'Grant', exact: true }).click();
    await admin.getByText('Manager → department Head office').waitFor();
    await shot(admin, DESKTOP, '24-grants');
    assert.deepEqual(admin.errors, []);
    assert.deepEqual(phone.errors, []);
  });
});
