// Passkeys in Chromium with a virtual authenticator (CDP WebAuthn domain): a signed-in user
// registers a passkey, signs out, then signs in with the passkey alone: no email, no password.
// WebAuthn needs a name for the relying party (an IP address cannot be one): the server's public
// URL and the browser use http://localhost.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN, assertNoHorizontalScroll, DESKTOP, hydrated, launchBrowser, newPage, signIn, PHONE, shot, startServer } from './harness.mjs';

async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

describe('passkeys', () => {
  const ctx = {};
  before(async () => {
    ctx.server = await startServer({}, { host: 'localhost' });
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    ctx.server?.stop();
  });

  test('register a passkey, sign out, sign in with the passkey alone', async () => {
    const base = ctx.server.base;
    assert.match(base, /^http:\/\/localhost:/);
    const setup = await fetch(`${ctx.server.api}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(setup.status, 200);
    const page = await newPage(ctx.browser, DESKTOP);
    const { cdp, authenticatorId } = await virtualAuthenticator(page);
    await signIn(page, base);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.getByRole('link', { name: 'Sign-in and security' }).click();
    await page.getByText('No passkeys yet.').waitFor();
    await page.getByLabel('Name of the new passkey').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Passkey “Test laptop” added').waitFor();
    await page.getByRole('list', { name: 'Your passkeys' }).getByText('Test laptop').waitFor();
    await page.getByText('never used').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1, 'one passkey on the device');
    assert.equal(credentials[0].isResidentCredential, true, 'kept on the device: it signs in without an email');
    await shot(page, DESKTOP, '43-passkeys');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(base + '/security');
    await page.getByText(/last used/).waitFor();

    // The same device, as the second factor after a password, is asked for on the code page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email address').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();

    // On a phone, the sign-in page with its passkey button fits.
    const phone = await newPage(ctx.browser, PHONE);
    await phone.goto(base + '/sign-in');
    await hydrated(phone);
    await phone.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await assertNoHorizontalScroll(phone, assert);
    await shot(phone, PHONE, '44-sign-in-with-passkey');
    await phone.context().close();
  });
});
