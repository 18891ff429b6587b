// Dev check before the e2e suite exists: visits every page of the mock-served app
// in Debian's Chromium, runs axe-core (WCAG 2.1 AA), checks for horizontal scroll
// at 320 px and for CSP violations, and saves screenshots.
//   MOCK_AUTO_LOGIN=1 MOCK_LANG=ar node pwa/dev/mock-server.mjs 8787 &
//   node pwa/dev/audit.mjs http://127.0.0.1:8787 /tmp/shots
import { chromium } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';

const [,, base = 'http://127.0.0.1:8787', outDir = '/tmp/shots', only] = process.argv;
mkdirSync(outDir, { recursive: true });
const paths = (only ? only.split(',') : ['/', '/cases', '/cases/c1', '/bookings', '/keys', '/notifications', '/services', '/settings', '/nope']);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
let problems = 0;
for (const width of [320, 1024]) {
  const ctx = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') { problems++; console.log(`  console error: ${m.text()}`); } });
  page.on('pageerror', (e) => { problems++; console.log(`  page error: ${e.message}`); });
  for (const p of paths) {
    await page.goto(base + p);
    await page.waitForSelector('h1');
    await page.waitForTimeout(400);
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const h1s = await page.locator('h1').count();
    const name = `${p === '/' ? 'overview' : p.slice(1).replace(/\//g, '-')}-${width}`;
    await page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
    const bad = axe.violations.length || scroll > 0 || h1s !== 1;
    if (bad) problems++;
    console.log(`${bad ? 'FAIL' : 'ok  '} ${p} @${width}: axe ${axe.violations.length}, h-scroll ${scroll}px, h1 ${h1s}`);
    for (const v of axe.violations) console.log(`   - ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')})`);
  }
  await ctx.close();
}
await browser.close();
console.log(problems ? `${problems} problem(s)` : 'no problems');
process.exit(problems ? 1 : 0);
