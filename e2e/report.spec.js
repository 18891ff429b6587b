// Reporting a problem in the street from a phone (390×844): a street light with a photo and the
// device's position (Chromium's geolocation override), offline with the outbox, a duplicate
// found nearby and followed instead, an anonymous report followed by its private link, and the
// agency's status change (agency API) reaching the report's page. axe on each page, and no
// sideways scroll at 320 px.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, login, apiGet } from './fixtures.js';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** axeClean fails with the rules broken on the page as it is now. */
async function axeClean(page, label) {
  await expect(page.locator('#main .loading')).toHaveCount(0);
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  expect(violations.map((v) => `${label}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** fitsAt320 checks that the page reflows at 320 CSS pixels (WCAG 1.4.10). */
async function fitsAt320(page) {
  await page.setViewportSize({ width: 320, height: 700 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await page.setViewportSize({ width: 390, height: 844 });
}

/** cameraPhoto is a 2000×1500 JPEG as a phone camera would give one (the page scales it to 1600). */
async function cameraPhoto(page, name = 'gatelys.jpg') {
  const b64 = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 2000; c.height = 1500;
    const g = c.getContext('2d');
    g.fillStyle = '#123456'; g.fillRect(0, 0, 2000, 1500);
    g.fillStyle = '#fc0'; g.fillRect(900, 200, 200, 1100);
    const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.8));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = ''; for (const x of bytes) s += String.fromCharCode(x);
    return btoa(s);
  });
  return { name, mimeType: 'image/jpeg', buffer: Buffer.from(b64, 'base64') };
}

/** at puts the device at a place; the page asks for it only when the button is pressed. */
async function at(context, baseURL, latitude, longitude) {
  await context.grantPermissions(['geolocation'], { origin: baseURL });
  await context.setGeolocation({ latitude, longitude, accuracy: 8 });
}

/** fillStreetLight fills the form for a dark street light with a photo and the device's position. */
async function fillStreetLight(page, description, { photo = true } = {}) {
  await page.locator('#report-service-street-light').check();
  await page.locator('#report-q-fault').check();
  await page.locator('#report-description').fill(description);
  if (photo) {
    await page.locator('#report-photos').setInputFiles(await cameraPhoto(page));
    await expect(page.locator('[data-photos] li')).toHaveCount(1);
  }
  await page.locator('[data-action="use-position"]').click();
  await expect(page.locator('[data-position]')).toBeVisible();
}

/** agencyKey gives Bymiljøetaten (the demo's agency for street lights) a new API key. */
async function agencyKey() {
  const bin = resolve(process.env.MINSIDE_BIN || 'bin/minside');
  const dir = dirname(process.env.MINSIDE_E2E_LOG);
  const env = { ...process.env, MINSIDE_ENV: 'dev', MINSIDE_DATA_DIR: dir, MINSIDE_DATABASE_URL: `sqlite:${dir}/minside.db`, MINSIDE_SEED_DEMO: 'false' };
  const { stdout } = await promisify(execFile)(bin, ['agency', 'key', 'rotate', '--slug', 'bymiljoetaten'], { env });
  const key = stdout.split('\n').map((l) => l.trim()).find((l) => /^\S{30,}$/.test(l));
  expect(key, 'the new agency key').toBeTruthy();
  return key;
}

test('Berit reports a dark street light with a photo and her position, sees it in her reports, and follows the work of the agency on it', async ({ page, context, baseURL }) => {
  test.setTimeout(180_000);
  await at(context, baseURL, 59.93011, 10.77023);
  // Berit, whom no other spec logs in as: the a11y spec, running beside this one on the same
  // portal, switches Kari's language to Arabic.
  await login(page, 'Berit Johansen');
  await page.locator('nav a[href="/report"]').click();
  await expect(page.locator('#report-service-street-light')).toBeVisible();
  await axeClean(page, 'report form');
  const description = `Gatelyset utenfor nr. 4 er mørkt ${Date.now()}`;

  // Sending without what the service needs names each field, linked to it.
  await page.locator('#report-service-street-light').check();
  await page.getByRole('button', { name: 'Send meldingen' }).click();
  await expect(page.locator('#report-description')).toHaveAttribute('aria-describedby', 'report-description-err');
  await expect(page.locator('#report-description-err')).toBeVisible();
  await expect(page.locator('#report-address')).toHaveAttribute('aria-invalid', 'true');
  await axeClean(page, 'report form with errors');

  await fillStreetLight(page, description);
  await fitsAt320(page);
  await page.getByRole('button', { name: 'Send meldingen' }).click();
  await expect(page.locator('[data-receipt="sent"]')).toBeVisible();
  await axeClean(page, 'receipt');
  await page.locator('[data-receipt-link]').click();
  const detail = page.locator('[data-report-detail]');
  await expect(detail).toContainText(description);
  const id = await detail.getAttribute('data-report-detail');
  await expect(detail.locator('img')).toHaveCount(1);
  expect(await detail.locator('img').evaluate((img) => img.complete && img.naturalWidth)).toBe(1600); // scaled on the phone
  await expect(detail).toContainText('Lyser ikke'); // the answer, with the service's own label
  await expect(page.locator('.badge-submitted').first()).toHaveText('Sendt');
  await axeClean(page, 'report page');
  await fitsAt320(page);

  await page.locator('nav a[href="/report"]').click();
  await page.locator('a[href="/reports"]').first().click();
  const mine = page.locator(`[data-report="${id}"]`);
  await expect(mine).toContainText(description);
  await expect(mine).toContainText('Meldt av deg');
  await axeClean(page, 'my reports');
  const server = (await apiGet(page, `/api/v1/reports/${id}`)).body;
  expect(server).toMatchObject({ service: 'street-light', answers: { fault: 'dark' }, lat: 59.93011, lon: 10.77023 });

  // The agency works on it, then closes it with a reason; the open report page shows each step
  // without a reload.
  await mine.locator('a').click();
  await expect(detail).toContainText(description);
  const key = await agencyKey();
  const setStatus = (data) => page.request.put(`/api/agency/v1/reports/${id}/status`, { headers: { Authorization: `Bearer ${key}` }, data });
  expect((await setStatus({ status: 'in_progress' })).status()).toBe(200);
  await expect(page.locator('[data-history] [data-status="in_progress"]')).toContainText('Under arbeid', { timeout: 20_000 });
  expect((await setStatus({ status: 'closed', reason: { nb: 'Lyset er på privat grunn; vi har sagt fra til eieren.', en: 'The light is on private ground.' } })).status()).toBe(200);
  await expect(page.locator('[data-history] [data-status="closed"]')).toContainText('Avsluttet', { timeout: 20_000 });
  await expect(page.locator('[data-history] > li')).toHaveCount(3); // sent, in progress, closed
  await expect(page.locator('[data-status-reason]')).toContainText('Lyset er på privat grunn');
  await axeClean(page, 'closed report');
});

test('Ola reports without signal: the report waits with its photo and is sent once when the network returns', async ({ page, context, baseURL }) => {
  test.setTimeout(90_000);
  await at(context, baseURL, 59.94021, 10.72017);
  await login(page, 'Ola Nordmann');
  await page.goto('/report');
  await expect(page.locator('#report-service-street-light')).toBeVisible();
  const description = `Lykta blinker, sendt uten dekning ${Date.now()}`;
  const posts = [];
  context.on('request', (req) => { if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/reports') posts.push(req); });

  await context.setOffline(true);
  await fillStreetLight(page, description);
  await page.getByRole('button', { name: 'Send meldingen' }).click();
  await expect(page.locator('[data-receipt="queued"]')).toBeVisible();
  const waiting = page.locator('[data-report-waiting="pending"]');
  await expect(waiting).toContainText(description);
  await expect(waiting).toContainText('1 bilde');
  await expect(page.locator('.badge-pending').first()).toBeVisible();
  await axeClean(page, 'report waiting offline');

  await context.setOffline(false);
  await expect(waiting).toHaveCount(0, { timeout: 20_000 });
  const mine = (await apiGet(page, '/api/v1/me/reports')).body.items.filter((r) => r.description === description);
  expect(mine).toHaveLength(1);
  expect(mine[0].photos).toHaveLength(1);
  expect(posts.length).toBe(1);
  await page.goto('/reports');
  await expect(page.locator(`[data-report="${mine[0].id}"]`)).toContainText(description);
});

test('a second person at the same place finds the report nearby and follows it instead', async ({ page, context, browser, baseURL }) => {
  test.setTimeout(180_000);
  const [lat, lon] = [59.95037, 10.70043];
  await at(context, baseURL, lat, lon);
  await login(page, 'Lars Hansen'); // not Per: the settings spec switches his language beside this one
  await page.goto('/report');
  const description = `Mørk lyktestolpe ved lekeplassen ${Date.now()}`;
  await fillStreetLight(page, description, { photo: false });
  await page.getByRole('button', { name: 'Send meldingen' }).click();
  await expect(page.locator('[data-receipt="sent"]')).toBeVisible();
  const id = (await apiGet(page, '/api/v1/me/reports')).body.items.find((r) => r.description === description).id;

  // Someone without login sees it too, and is told to log in to follow it.
  const anon = await browser.newContext({ baseURL });
  await at(anon, baseURL, lat, lon + 0.0001); // about 6 m away
  const anonPage = await anon.newPage();
  await anonPage.goto('/report');
  await anonPage.locator('#report-service-street-light').check();
  await anonPage.locator('[data-action="use-position"]').click();
  await expect(anonPage.locator(`[data-nearby-report="${id}"]`)).toContainText(description);
  await expect(anonPage.locator('[data-login-to-follow]')).toBeVisible();
  await expect(anonPage.locator('[data-action="follow"]')).toHaveCount(0);
  await anon.close();

  const other = await browser.newContext({ baseURL });
  await at(other, baseURL, lat, lon);
  const sigrid = await other.newPage();
  await login(sigrid, 'Sigrid Bakken');
  await sigrid.goto('/report');
  await sigrid.locator('#report-service-street-light').check();
  await sigrid.locator('[data-action="use-position"]').click();
  const nearby = sigrid.locator(`[data-nearby-report="${id}"]`);
  await expect(nearby).toContainText(description);
  await expect(nearby).toContainText('0 m unna');
  await axeClean(sigrid, 'nearby reports');
  await nearby.locator('[data-action="follow"]').click();
  await expect(nearby.locator('[data-followed]')).toContainText('Du følger nå denne meldingen.');
  await sigrid.goto('/reports');
  await expect(sigrid.locator(`[data-report="${id}"]`)).toContainText('Du følger denne');
  const hers = (await apiGet(sigrid, '/api/v1/me/reports')).body.items;
  expect(hers.filter((r) => r.id === id).map((r) => r.following)).toEqual([true]);
  await other.close();
});

test('without login: a report by the place in words, sent when the signal returns, kept by its private link', async ({ browser, baseURL }) => {
  const anon = await browser.newContext({ baseURL });
  const page = await anon.newPage();
  await page.goto('/');
  await page.locator('[data-action="report"]').click();
  await expect(page.locator('#report-service-pothole')).toBeVisible();
  await page.locator('#report-service-pothole').check();
  await page.locator('#report-q-where').check();
  const description = `Dypt hull i fortauet ${Date.now()}`;
  await page.locator('#report-description').fill(description);
  await page.locator('#report-address').fill('Storgata 12, ved bussholdeplassen');
  // No signal: the form keeps the report and says so; it goes by itself when the network returns, once.
  const posts = [];
  anon.on('request', (req) => { if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/reports') posts.push(req.headers()['idempotency-key']); });
  await anon.setOffline(true);
  await page.getByRole('button', { name: 'Send meldingen' }).click();
  await expect(page.locator('[data-anonymous-offline]')).toBeVisible();
  await anon.setOffline(false);
  await expect(page.locator('[data-receipt="sent"]')).toBeVisible({ timeout: 20_000 });
  expect(new Set(posts).size).toBe(1); // every try carried the same key
  const link = await page.locator('#report-follow-link').inputValue();
  expect(link).toMatch(/\/reports\/[^?]+\?token=/);
  await axeClean(page, 'anonymous receipt');
  await page.goto(link);
  const detail = page.locator('[data-report-detail]');
  await expect(detail).toContainText(description);
  await expect(detail).toContainText('Storgata 12, ved bussholdeplassen');
  await axeClean(page, 'report by private link');
  await fitsAt320(page);
  // Without the token the report is not there.
  const id = await detail.getAttribute('data-report-detail');
  expect((await page.request.get(`/api/v1/reports/${id}`)).status()).toBe(404);
  await anon.close();
});
