// SCIM 2.0 conformance with scim2-tester (PyPI): a fresh server (the one `dx build --web` made,
// as the browser tests use), an administrator, a service account whose new people get the
// Manager role, then every check scim2-tester has over /scim/v2. Prints its lines and summary;
// exits with its status.
//
//   GATEHOUSE_E2E_SERVER=… SCIM_PYTHON=…/bin/python node tests/scim/run.mjs
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { setUpAdmin, startServer } from '../e2e/harness.mjs';

const python = process.env.SCIM_PYTHON || 'python3';
const server = await startServer({ GATEHOUSE_LOG: 'error' });
let status = 1;
try {
  const cookie = await setUpAdmin(server);
  const made = await fetch(`${server.api}/api/service-accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ input: { name: 'scim2-tester', role: 'administrator', provision_role: 'manager', days: 1 } }),
  });
  if (made.status !== 200) throw new Error(`the service account was not made: ${made.status} ${await made.text()}`);
  const { secret } = await made.json();
  const check = join(dirname(fileURLToPath(import.meta.url)), 'check.py');
  const run = spawnSync(python, [check, `${server.api}/scim/v2`, secret], { stdio: 'inherit' });
  if (run.error) throw run.error;
  status = run.status ?? 1;
} finally {
  server.stop();
}
process.exit(status);
