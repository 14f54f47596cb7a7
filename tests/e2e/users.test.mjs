// The Users module in Chromium with a real SMTP server (maildev): an admin adds a user, the
// invitation arrives over SMTP, its link activates the account, and the new user is signed in.
// With SMTP down the user page says "not delivered", and the mail goes out once SMTP is back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MailDev } from 'maildev';

import { assertNoHorizontalScroll, freePort, hydrated, launchBrowser, newPage, shot, startServer } from './harness.mjs';

const PHONE = { name: 'phone', width: 390, height: 844, phone: true };
const DESKTOP = { name: 'desktop', width: 1280, height: 800, phone: false };
const ADMIN = { full_name: 'Ada Admin', email: 'ada@example.com', password: 'violet mountain coffee lantern' };

async function startMailDev(smtp, web) {
  const md = new MailDev({ smtp, web, ip: '127.0.0.1', webIp: '127.0.0.1', silent: true });
  await md.start();
  return md;
}

/** Waits for a message to `to` on maildev's API and returns it. */
async function mailTo(web, to, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const path of ['/api/email', '/email']) {
      try {
        const r = await fetch(`http://127.0.0.1:${web}${path}`);
        if (r.ok) {
          const list = await r.json();
          const found = (Array.isArray(list) ? list : []).find((m) =>
            (m.to || []).some((t) => (t.address || '').toLowerCase() === to.toLowerCase()));
          if (found) return found;
        }
      } catch { /* not up yet */ }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no mail to ${to} arrived within ${timeoutMs} ms`);
}

function activationLink(mail) {
  const m = /(https?:\/\/\S+\/activate\/[0-9a-f]{64})/.exec(mail.text || '');
  assert.ok(m, `the invitation has an activation link: ${mail.text}`);
  return m[1];
}

async function addUser(page, name, email) {
  await page.goto(page.base + '/users/new');
  await hydrated(page);
  // One company and one department: both are chosen already.
  await page.waitForFunction(() => document.querySelector('#department')?.selectedOptions[0]?.textContent === 'Head office');
  assert.equal(await page.getByLabel('My company').isChecked(), true);
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Department').selectOption({ label: 'Head office' });
  await page.getByLabel('Role').selectOption({ label: 'Manager' });
  await page.getByLabel('My company').check();
  await page.getByRole('button', { name: 'Add user and send invitation' }).click();
  await page.getByRole('heading', { name }).waitFor();
}

describe('users: invite over SMTP, activate, sign in', () => {
  let server;
  let browser;
  let smtpPort;
  let webPort;
  let maildev;
  before(async () => {
    smtpPort = await freePort();
    webPort = await freePort();
    maildev = await startMailDev(smtpPort, webPort);
    server = await startServer({
      GATEHOUSE_SMTP_HOST: '127.0.0.1',
      GATEHOUSE_SMTP_PORT: String(smtpPort),
      GATEHOUSE_SMTP_TLS: 'none',
      GATEHOUSE_MAIL_FROM: 'Gatehouse <noreply@example.com>',
      GATEHOUSE_MAIL_RETRY_SECONDS: '1',
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.stop();
    await maildev?.stop().catch(() => {});
  });

  test('an admin adds a user; the emailed link activates the account and signs them in', async () => {
    const admin = await newPage(browser, PHONE);
    admin.base = server.base;
    const setup = await admin.request.post(server.base + '/api/setup', { data: ADMIN });
    assert.equal(setup.status(), 200);

    // Bad input first: the form names each problem and nothing is created.
    await admin.goto(server.base + '/users/new');
    await hydrated(admin);
    await admin.getByRole('button', { name: 'Add user and send invitation' }).click();
    await admin.getByText('enter the full name').waitFor();
    await admin.getByText('choose a role: every user needs one').waitFor();
    await shot(admin, PHONE, '10-add-user-errors');

    await addUser(admin, 'Nina Newcomer', 'nina@example.com');
    await shot(admin, PHONE, '11-user-page-invited');
    await assertNoHorizontalScroll(admin, assert);

    const mail = await mailTo(webPort, 'nina@example.com');
    assert.match(mail.subject, /invited/);
    assert.ok(mail.html && mail.html.includes('Activate my account'), 'the invitation has an HTML part');
    const link = activationLink(mail);

    const nina = await newPage(browser, PHONE);
    await nina.goto(link);
    await hydrated(nina);
    await nina.getByRole('heading', { name: 'Activate your account' }).waitFor();
    await nina.getByText('nina@example.com').waitFor();
    await shot(nina, PHONE, '12-activation');
    await assertNoHorizontalScroll(nina, assert);
    await nina.getByLabel('New password').fill('short');
    await nina.getByLabel('Repeat the password').fill('different');
    await nina.getByRole('button', { name: 'Activate and sign in' }).click();
    await nina.getByText('use at least 12 characters').waitFor();
    await nina.getByText('the two passwords differ').waitFor();
    await nina.getByLabel('New password').fill('quiet rivers carry old songs');
    await nina.getByLabel('Repeat the password').fill('quiet rivers carry old songs');
    await nina.getByRole('button', { name: 'Activate and sign in' }).click();
    // A new person starts on their welcome: what they can do, their manager, whom to ask.
    await nina.getByRole('heading', { name: 'Welcome, Nina' }).waitFor();
    await nina.getByRole('heading', { name: 'What you can do here' }).waitFor();
    await nina.locator('.access-lines li').first().waitFor();
    await nina.getByText('Your manager is Ada Admin').waitFor();
    await nina.getByRole('listitem').filter({ hasText: 'Ada Admin (ada@example.com)' }).waitFor();
    await shot(nina, PHONE, '56-welcome');
    await nina.getByRole('link', { name: 'Go to the dashboard' }).click();
    await nina.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await nina.getByText('Welcome, Nina Newcomer').waitFor();
    const me = await nina.request.get(server.base + '/api/auth/me');
    assert.equal((await me.json()).email, 'nina@example.com');

    // The link worked once.
    const again = await newPage(browser, PHONE);
    await again.goto(link);
    await again.getByRole('heading', { name: 'This link no longer works' }).waitFor();
    await again.getByText('already used').waitFor();
    await shot(again, PHONE, '13-activation-used');

    // The list shows her as active, on a phone as cards.
    await admin.goto(server.base + '/users');
    await hydrated(admin);
    await admin.getByRole('link', { name: 'Nina Newcomer' }).waitFor();
    await shot(admin, PHONE, '14-users-list');
    await assertNoHorizontalScroll(admin, assert);
    const desk = await newPage(browser, DESKTOP);
    await desk.context().addCookies(await admin.context().cookies());
    await desk.goto(server.base + '/users');
    await desk.getByRole('link', { name: 'Nina Newcomer' }).waitFor();
    await shot(desk, DESKTOP, '14-users-list');
    // The user page's widgets: sessions and activity.
    await admin.getByRole('link', { name: 'Nina Newcomer' }).click();
    await admin.getByRole('heading', { name: 'Activity' }).waitFor();
    await admin.getByText('Nina Newcomer activated their account').waitFor();
    await admin.getByRole('heading', { name: 'Sessions' }).waitFor();
    await shot(admin, PHONE, '16-user-page-active');
    // The audit log lists the invitation and exports what it shows.
    await desk.goto(server.base + '/audit');
    await desk.getByRole('cell', { name: 'Ada Admin invited Nina Newcomer' }).first().waitFor();
    await shot(desk, DESKTOP, '17-audit-log');
    for (const p of [admin, nina, again, desk]) assert.deepEqual(p.errors, []);
  });

  test('with SMTP down the invite shows "not delivered", and it is delivered when SMTP is back', async () => {
    await maildev.stop();
    const admin = await newPage(browser, PHONE);
    admin.base = server.base;
    const r = await admin.request.post(server.base + '/api/auth/sign-in', { data: { email: ADMIN.email, password: ADMIN.password } });
    assert.equal(r.status(), 200);
    await addUser(admin, 'Olga Offline', 'olga@example.com');
    // The worker's first attempt fails; the page says so after a reload.
    const deadline = Date.now() + 20_000;
    let shown = false;
    while (!shown && Date.now() < deadline) {
      await admin.reload();
      await admin.getByRole('heading', { name: 'Invitation' }).waitFor();
      shown = await admin.getByText('Invite not delivered').isVisible().catch(() => false);
      if (!shown) await new Promise((res) => setTimeout(res, 500));
    }
    assert.ok(shown, 'the user page says the invite was not delivered');
    await shot(admin, PHONE, '15-invite-not-delivered');

    maildev = await startMailDev(smtpPort, webPort);
    const mail = await mailTo(webPort, 'olga@example.com', 60_000);
    assert.ok(activationLink(mail));
    await admin.reload();
    await admin.getByRole('heading', { name: 'Invitation' }).waitFor();
    await admin.getByText('The invitation was sent').waitFor({ timeout: 10_000 });
    assert.equal(await admin.getByText('Invite not delivered').count(), 0);
    assert.deepEqual(admin.errors, []);
  });
});
