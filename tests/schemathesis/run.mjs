// The REST API against its own OpenAPI document, with schemathesis (PyPI): a fresh server (the
// one `dx build --web` made, as the browser tests use), an administrator and a read-write API
// token, then every check schemathesis has over every documented operation. Prints schemathesis's
// summary; exits with its status.
//
//   GATEHOUSE_E2E_SERVER=… SCHEMATHESIS=…/bin/schemathesis node tests/schemathesis/run.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { setUpAdmin, startServer } from '../e2e/harness.mjs';

const bin = process.env.SCHEMATHESIS || 'schemathesis';
const server = await startServer({ GATEHOUSE_LOG: 'error' });
let status = 1;
try {
  const cookie = await setUpAdmin(server);
  const made = await fetch(`${server.api}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ input: { name: 'schemathesis', write: true, days: 1 } }),
  });
  if (made.status !== 200) throw new Error(`the token was not made: ${made.status} ${await made.text()}`);
  const { secret } = await made.json();
  const config = join(dirname(fileURLToPath(import.meta.url)), 'schemathesis.toml');
  const args = [
    '--config-file', config, '--no-color',
    'run', `${server.api}/api/v1/openapi.json`,
    '--header', `Authorization: Bearer ${secret}`,
    '--checks', 'all',
    '--workers', '1',
    '--max-examples', process.env.SCHEMATHESIS_EXAMPLES || '25',
    '--request-timeout', '20',
    '--seed', process.env.SCHEMATHESIS_SEED || '20261201',
  ];
  // schemathesis keeps a cache folder where it runs: a temporary one, not the repository.
  const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-schemathesis-'));
  const run = spawnSync(bin, args, { stdio: 'inherit', cwd, env: { ...process.env, SCHEMATHESIS_HOOKS: '' } });
  if (run.error) throw run.error;
  status = run.status ?? 1;
} finally {
  server.stop();
}
process.exit(status);
