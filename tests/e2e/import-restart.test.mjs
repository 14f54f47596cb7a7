// A CSV import survives its server being killed half-way (SIGKILL, as a crash or a power cut
// would stop it): the server restarted on the same database resumes the job, and in the end
// every row's person exists exactly once, none half-written.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { ADMIN, setUpAdmin, startServer } from './harness.mjs';

const ROWS = 300;

/** The body as JSON, after checking the status (the text is in the message otherwise). */
async function ok(r) {
  const text = await r.text();
  assert.equal(r.status, 200, text);
  return text ? JSON.parse(text) : null;
}

async function signedIn(server) {
  const r = await fetch(`${server.api}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
  });
  await ok(r);
  return r.headers.get('set-cookie').split(';')[0];
}

async function job(server, cookie, id) {
  return ok(await fetch(`${server.api}/api/imports/${id}`, { headers: { cookie } }));
}

test('an import killed half-way is resumed after the restart and adds everyone exactly once', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-kill-'));
  const env = { GATEHOUSE_DB: `surrealkv://${join(dir, 'db')}`, GATEHOUSE_LOG: 'error' };
  let server = await startServer(env);
  try {
    const cookie = await setUpAdmin(server);
    const rows = ['full_name,email,role,department,companies'];
    for (let i = 0; i < ROWS; i++) rows.push(`Crash Person ${i},crash${i}@example.com,Manager,Head office,My company`);
    const started = await fetch(`${server.api}/api/users/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ file_name: 'crash.csv', csv: rows.join('\n') + '\n' }),
    });
    const { id } = await ok(started);
    // Kill it as soon as some rows are in and many are not.
    let before;
    for (;;) {
      before = await job(server, cookie, id);
      if (before.done >= 10) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(before.done < ROWS, `killed half-way (${before.done} of ${ROWS} done)`);
    await server.kill();

    server = await startServer(env);
    const again = await signedIn(server);
    let after;
    for (let i = 0; i < 1200; i++) {
      after = await job(server, again, id);
      if (after.status === 'done') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(after.status, 'done', `resumed and finished: ${JSON.stringify(after)}`);
    console.log(`killed with ${before.done} of ${ROWS} rows done; after the restart: ${after.created} created, ${after.unchanged} unchanged`);
    assert.equal(after.done, ROWS);
    assert.equal(after.created + after.unchanged, ROWS, 'each row applied once (a row applied just before the kill counts as unchanged)');
    assert.deepEqual(after.failed, []);
    // Everyone exactly once, each complete (name, role, department, company).
    let seen = 0;
    for (const number of [1, 2]) {
      const list = await fetch(`${server.api}/api/users/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: again },
        body: JSON.stringify({ query: { search: 'crash', page: number, per_page: 200 } }),
      });
      const page = await ok(list);
      assert.equal(page.total, ROWS, 'no one doubled, no one missing');
      for (const u of page.items) {
        assert.match(u.full_name, /^Crash Person \d+$/);
        assert.equal(u.role.name, 'Manager');
        assert.ok(u.department && u.companies.length === 1, `${u.email} is whole`);
      }
      seen += page.items.length;
    }
    assert.equal(seen, ROWS);
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
