// Importing people on a phone: the administrator chooses a CSV file, the dry run names the
// refused cells by line and column, the import runs and its progress bar reaches 100 %, and
// the new people are in the users list (invited).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN, assertNoHorizontalScroll, hydrated, newPage, signIn, PHONE, serverAndBrowser, shot } from './harness.mjs';

describe('import people from CSV', () => {
  const ctx = serverAndBrowser({ before, after });

  test('choose a file on a phone, read the dry run, import, watch the bar reach 100 %', async () => {
    const base = ctx.server.base;
    const setup = await fetch(`${base}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(setup.status, 200);
    const rows = ['full_name,email,role,department,companies'];
    for (let i = 0; i < 60; i++) rows.push(`Imported Person ${i},imported${i}@example.com,${i === 7 ? 'Astronaut' : 'Manager'},Head office,My company`);
    rows.push('=SUM(A1:A2),formula@example.com,Manager,Head office,My company');
    const file = join(tmpdir(), `people-${Date.now()}.csv`);
    writeFileSync(file, rows.join('\n') + '\n');

    const page = await newPage(ctx.browser, PHONE);
    await signIn(page, base);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(base + '/users');
    await hydrated(page);
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await page.getByRole('heading', { name: 'Import people' }).waitFor();
    await page.getByLabel('CSV file', { exact: true }).setInputFiles(file);
    await page.getByRole('heading', { name: /What importing/ }).waitFor();
    const refused = page.getByRole('table', { name: 'Refused cells' });
    await refused.getByRole('row', { name: /^9 role no role is called `Astronaut`/ }).waitFor();
    await refused.getByRole('row', { name: /^62 full_name starts like a spreadsheet formula/ }).waitFor();
    assert.equal(await refused.getByRole('row').count(), 3, 'the header and exactly the two refused cells');
    await assertNoHorizontalScroll(page, assert);
    await shot(page, PHONE, '52-import-dry-run');

    await page.getByRole('button', { name: 'Import 59 people' }).click();
    await page.getByRole('heading', { name: 'Import done' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#import-progress').getAttribute('value'), '100');
    await page.getByText('59 of 59 rows · 100 %').waitFor();
    await page.getByText('59 people added, 0 people changed, 0 unchanged.').waitFor();
    await shot(page, PHONE, '53-import-done');

    await page.getByRole('link', { name: 'See the users list' }).click();
    await page.getByLabel('Search name, email or mobile').fill('Imported Person 42');
    await page.getByText('imported42@example.com').first().waitFor();
  });
});
