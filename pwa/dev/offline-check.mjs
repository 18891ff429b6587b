// Dev check of the offline story against the mock server: the service worker
// precaches the shell, an offline reload renders the stored overview fast, an
// action taken offline waits in the outbox and is sent when back online, and
// logout leaves no personal database behind. Run against MOCK_AUTO_LOGIN=1 MOCK_LANG=en.
import { chromium } from '@playwright/test';

const base = process.argv[2] || 'http://127.0.0.1:8787';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const ctx = await browser.newContext({ viewport: { width: 390, height: 800 } });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.log('page error:', e.message));
const step = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) process.exitCode = 1; };

await page.goto(base + '/');
await page.waitForSelector('#h-needs');
await page.evaluate(() => navigator.serviceWorker.ready);
await page.goto(base + '/bookings'); // stores the bookings list for offline use
await page.waitForSelector('.card');
await page.goto(base + '/');
await page.waitForSelector('#h-needs');
step(await page.evaluate(() => !!navigator.serviceWorker.controller), 'service worker controls the page');
const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
step(dbs.includes('minside-user-u-kari'), `per-user database exists (${dbs})`);
const apiCached = await page.evaluate(async () => {
  for (const name of await caches.keys()) {
    const c = await caches.open(name);
    if ((await c.keys()).some((r) => new URL(r.url).pathname.startsWith('/api/'))) return true;
  }
  return false;
});
step(!apiCached, 'no API response in Cache Storage');

await ctx.setOffline(true);
const t0 = Date.now();
await page.reload();
await page.waitForSelector('#h-needs');
const ms = Date.now() - t0;
step(ms < 1000, `offline reload rendered the overview in ${ms} ms`);
step(await page.locator('.note-offline').count() === 1, `offline note: ${await page.locator('.note-offline').first().textContent().catch(() => '-')}`);

// Deep link offline: SPA fallback from the precache.
await page.goto(base + '/bookings').catch(() => {});
await page.waitForSelector('.card');
await page.getByRole('button', { name: 'Cancel booking' }).first().click();
await page.getByRole('button', { name: 'Yes, cancel' }).click();
await page.waitForSelector('.note-pending');
step(true, 'cancel queued offline shows as pending');
const queued = await page.evaluate(async () => {
  const req = indexedDB.open('minside-user-u-kari');
  const db = await new Promise((r) => { req.onsuccess = () => r(req.result); });
  const all = await new Promise((r) => { const q = db.transaction('outbox').objectStore('outbox').getAll(); q.onsuccess = () => r(q.result); });
  db.close();
  return all;
});
step(queued.length === 1 && /^[0-9a-f-]{36}$/.test(queued[0].key), `outbox holds 1 action with an Idempotency-Key (${queued.length})`);

await ctx.setOffline(false);
await page.evaluate(() => dispatchEvent(new Event('online')));
await page.waitForSelector('.note-pending', { state: 'detached', timeout: 5000 }).catch(() => {});
step(await page.locator('.note-pending').count() === 0, 'back online: the queued cancel was sent');

await page.goto(base + '/settings');
await page.getByRole('button', { name: 'Log out' }).click();
await page.waitForURL(base + '/');
await page.waitForTimeout(500);
const after = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
step(!after.some((n) => n.startsWith('minside-user-')), `logout deleted the personal database (${after})`);

// A shared-device login keeps nothing in IndexedDB.
await page.goto(base + '/auth/login?returnTo=%2F&shared=1');
await page.waitForSelector('#h-needs');
await page.waitForTimeout(300);
const shared = await page.evaluate(async () => ({ dbs: (await indexedDB.databases()).map((d) => d.name), last: localStorage.getItem('minside.lastUser') }));
step(!shared.dbs.some((n) => n.startsWith('minside-user-')) && !shared.last, `shared device keeps no database (${shared.dbs})`);

// Navigation moves focus to the new page's h1.
await page.getByRole('link', { name: 'Cases' }).first().click();
await page.waitForURL(base + '/cases');
const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
step(focused === 'page-title', `focus on the h1 after navigation (${focused})`);
await browser.close();
