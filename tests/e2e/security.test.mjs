// Two-step sign-in in Chromium: an administrator sets up an authenticator app from the QR
// page (the code computed from the secret shown, by the `otpauth` library, as a phone would),
// signs out, signs in with password and code; the same code is refused the second time; a
// recovery code works once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';

import { ADMIN, assertNoHorizontalScroll, DESKTOP, hydrated, newPage, signIn, PHONE, serverAndBrowser, shot } from './harness.mjs';

function authenticator(secret) {
  return new OTPAuth.TOTP({ issuer: 'Gatehouse', secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

describe('two-step sign-in with an authenticator app', () => {
  const ctx = serverAndBrowser({ before, after });

  test('set up from the QR page, then password and code; a code counts once; a recovery code works once', async () => {
    const setup = await fetch(`${ctx.server.base}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    assert.equal(setup.status, 200);
    const page = await newPage(ctx.browser, DESKTOP);
    // Every page comes with a Content-Security-Policy that runs only its own inline scripts.
    const first = await page.goto(ctx.server.base + '/sign-in');
    const csp = first.headers()['content-security-policy'] || '';
    assert.match(csp, /script-src 'self' 'sha256-[^']+'/);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    assert.doesNotMatch(scriptSrc, /'unsafe-inline'/);
    // No text is ever run as script: the app works without 'unsafe-eval' (and any refusal by
    // the policy fails the page, see harness.mjs).
    assert.doesNotMatch(scriptSrc, /'unsafe-eval'/);
    assert.match(csp, /frame-ancestors 'none'/);
    await signIn(page, ctx.server.base);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // The tab's title follows the page, set by the app without evaluating text.
    await page.waitForFunction(() => document.title === 'Dashboard · Gatehouse');

    // The Security page, from the signed-in user's corner of the sidebar.
    await page.getByRole('link', { name: 'Sign-in and security' }).click();
    await page.getByRole('heading', { name: 'Sign-in and security' }).waitFor();
    await page.getByText('Signing in needs only your password.').waitFor();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    assert.ok(await page.locator('.qr svg').count() === 1, 'the QR code is drawn in the page');
    const secret = (await page.locator('#totp-secret').textContent()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/, '160 bits in base32');
    const app = authenticator(secret);
    // A wrong code first: a message under the field, nothing turned on.
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.getByText('this code is not right').waitFor();
    await shot(page, DESKTOP, '40-totp-enrol');
    // The previous step's code (still accepted as drift) leaves this step's code for the sign-in.
    await page.getByLabel('Code from the app').fill(app.generate({ timestamp: Date.now() - 30_000 }));
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.getByRole('list', { name: 'Recovery codes' }).waitFor();
    const codes = await page.getByRole('list', { name: 'Recovery codes' }).locator('li').allTextContents();
    assert.equal(codes.length, 10);
    await shot(page, DESKTOP, '41-recovery-codes');
    await page.getByRole('button', { name: 'I have saved these codes' }).click();
    await page.getByText(/Set up .* Signing in asks for its code/).waitFor();
    await page.getByText('10 of 10 unused.').waitFor();

    // Password, then code.
    await signOut(page);
    await signIn(page, ctx.server.base);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    const code = app.generate();
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // The same code again: refused. A recovery code instead: in.
    await signOut(page);
    await signIn(page, ctx.server.base);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByText('this code was already used').waitFor();
    await page.getByLabel('Code', { exact: true }).fill(codes[0].trim());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(ctx.server.base + '/security');
    await page.getByText('9 of 10 unused.').waitFor();

    // That recovery code does not work twice.
    await signOut(page);
    await signIn(page, ctx.server.base);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.getByLabel('Code', { exact: true }).fill(codes[0].trim());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByText('this recovery code was already used').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();

    // The code step on a phone.
    const phone = await newPage(ctx.browser, PHONE);
    await signIn(phone, ctx.server.base);
    await phone.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await assertNoHorizontalScroll(phone, assert);
    await shot(phone, PHONE, '42-second-factor-code');
    await phone.getByRole('button', { name: 'Cancel and sign out' }).click();
    await phone.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
  });
});
