// Measures what the first load transfers: the JavaScript (and CSS) that
// dist/index.html references, gzipped. Fails above the 50 KB JavaScript budget, and when
// the entry script lost its compile hint (see compileHints in vite.config.js).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const BUDGET = 50 * 1024;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\bhref)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let js = 0;
let css = 0;
let failed = false;
for (const ref of refs) {
  const body = readFileSync(join(dist, ref));
  const gz = gzipSync(body, { level: 9 }).length;
  if (ref.endsWith('.js') && !body.toString('utf8', 0, 64).startsWith('//# allFunctionsCalledOnLoad\n')) {
    console.error(`${ref} does not start with the compile hint`);
    failed = true;
  }
  if (ref.endsWith('.js')) js += gz; else css += gz;
  console.log(`${ref.padEnd(40)} ${(gz / 1024).toFixed(1)} KB gzipped`);
}
console.log(`first-load JavaScript: ${(js / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB); CSS ${(css / 1024).toFixed(1)} KB`);
if (js > BUDGET) { console.error('over budget'); failed = true; }
if (failed) process.exit(1);
