// The public page of open reports (/public/reports) on the shared demo portal, which has no
// tile server: a list, without login and without anything about who reported. The demo has
// five reports near Oslo sentrum; the graffiti is fixed and is not listed (the page shows
// what is still open, nothing else).
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures.js';

const OPEN = [
  'Gatelyset ved trikkeholdeplassen er helt mørkt.', 'Lykta blinker hele natten.',
  'Dypt hull i sykkelfeltet, farlig i mørket.', 'Glass- og metallreturen er full.',
];
const FIXED = 'Tagging på veggen ved inngangen.';
const PUBLIC_FIELDS = ['id', 'service', 'serviceName', 'status', 'description', 'address', 'lat', 'lon', 'createdAt'];

test('open reports without login, the fixed one left out, nothing personal', async ({ page }) => {
  const chunks = [];
  page.on('request', (r) => { if (/\/assets\/slippy-map-/.test(r.url())) chunks.push(r.url()); });
  await page.goto('/');
  await expect(page.locator('[data-action="login"]')).toBeVisible();
  await page.locator('#main a[data-link="public-reports"]').click();
  await expect(page).toHaveURL(/\/public\/reports$/);
  await expect(page.locator('h1')).toBeVisible();

  const list = page.locator('[data-public-reports]');
  for (const d of OPEN) await expect(list.getByText(d, { exact: true })).toBeVisible();
  await expect(page.getByText(FIXED)).toHaveCount(0);
  const statuses = await list.locator('[data-report]').evaluateAll((els) => els.map((e) => e.dataset.status));
  expect(statuses.length).toBeGreaterThanOrEqual(OPEN.length);
  for (const st of statuses) expect(['submitted', 'received', 'in_progress']).toContain(st);
  await expect(list.getByText('Karl Johans gate 22')).toBeVisible();
  await expect(list.locator('[data-report]').first().locator('.card-title')).not.toBeEmpty(); // the service's name

  // Nothing about who reported: Ola Nordmann sent the street-light report while logged in.
  expect(await page.locator('body').innerText()).not.toMatch(/Ola|Nordmann|Kari/);
  const res = await page.request.get('/api/v1/public/reports?bbox=10.70,59.89,10.80,59.94', { headers: { Accept: 'application/json' } });
  expect(res.status()).toBe(200);
  for (const item of (await res.json()).items) for (const key of Object.keys(item)) expect(PUBLIC_FIELDS).toContain(key);

  // No tile server on this portal: a list, and the map's code is never fetched.
  await expect(page.locator('[data-map]')).toHaveCount(0);
  expect(chunks).toEqual([]);
  expect((await page.request.get('/api/v1/me')).status()).toBe(401); // still nobody logged in
});

test('near me asks for the position only on the press, then lists the closest first', async ({ browser, baseURL }) => {
  const ctx = await browser.newContext({ baseURL, locale: 'nb-NO', permissions: ['geolocation'], geolocation: { latitude: 59.9127, longitude: 10.7461 } });
  // Count the page's questions for the position.
  await ctx.addInitScript(() => {
    window.positionAsked = 0;
    const ask = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);
    navigator.geolocation.getCurrentPosition = (...args) => { window.positionAsked += 1; return ask(...args); };
  });
  const page = await ctx.newPage();
  await page.goto('/public/reports');
  await expect(page.locator('[data-public-reports] [data-report]').first()).toBeVisible();
  expect(await page.evaluate(() => window.positionAsked)).toBe(0);
  await expect(page.locator('[data-distance]')).toHaveCount(0);

  await page.locator('[data-action="near-me"]').click();
  await expect(page.locator('[data-geo="found"]')).toBeVisible();
  expect(await page.evaluate(() => window.positionAsked)).toBe(1);
  const first = page.locator('[data-public-reports] [data-report]').first();
  await expect(first).toContainText('Gatelyset ved trikkeholdeplassen');
  await expect(first.locator('[data-distance]')).toHaveText(/^\d+\s?m unna$/);
  await ctx.close();
});

for (const lang of ['nb', 'ar']) {
  test(`axe and 320 px on the public reports page (${lang})`, async ({ browser, baseURL }) => {
    const ctx = await browser.newContext({ baseURL, locale: lang === 'ar' ? 'ar' : 'nb-NO', viewport: { width: 320, height: 640 } });
    const page = await ctx.newPage();
    await page.goto('/public/reports');
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await expect(page.locator('[data-public-reports] [data-report]').first()).toBeVisible();
    await expect(page.locator('#main .loading')).toHaveCount(0);
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await ctx.close();
  });
}
