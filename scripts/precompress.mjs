// Writes a Brotli copy (`name.br`, quality 11) beside every script, style sheet, WASM module and
// SVG of a built bundle, so the server sends the precompressed file to browsers that accept `br`
// instead of compressing on each request. Usage: node scripts/precompress.mjs <public dir>
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const root = process.argv[2];
if (!root) {
  console.error('usage: node scripts/precompress.mjs <public dir>');
  process.exit(2);
}
const worth = /\.(wasm|js|mjs|css|svg|json|txt)$/;
let before = 0;
let after = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) {
      walk(path);
    } else if (worth.test(name) && st.size > 1024) {
      const data = readFileSync(path);
      const br = brotliCompressSync(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          [constants.BROTLI_PARAM_MODE]: name.endsWith('.wasm') ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
        },
      });
      writeFileSync(path + '.br', br);
      before += data.length;
      after += br.length;
    }
  }
}
walk(root);
console.error(`precompressed ${Math.round(before / 1024)} KB of assets to ${Math.round(after / 1024)} KB (Brotli)`);
