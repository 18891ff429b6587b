// The public reports page with a tile server configured (MINSIDE_MAP_TILES_URL): this spec
// starts its own portal with a loopback https tile URL whose tiles the test serves itself
// (page.route), so nothing leaves the machine. The map shows the demo's four open reports
// as markers, its chunk is fetched on this page only, and the tile origin is in img-src.
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect } from './fixtures.js';
import { startServer } from './global-setup.js';

const TILE_ORIGIN = 'https://127.0.0.1:9';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const test = base.extend({
  server: [async ({}, use) => {
    const server = await startServer({ MINSIDE_MAP_TILES_URL: `${TILE_ORIGIN}/tiles/{z}/{x}/{y}.png`, MINSIDE_MAP_TILES_ATTRIBUTION: '© Testkart' });
    await use(server);
    await server.stop();
  }, { scope: 'worker' }],
  baseURL: async ({ server }, use) => { await use(server.url); },
});
// The service worker would precache every chunk; without it, each chunk the page needs is a
// request of the page's own, which is what this spec counts.
test.use({ serviceWorkers: 'block' });

const tileZoom = (src) => Number(new URL(src).pathname.split('/')[2]);

test('a map with markers, its chunk loaded on the public page only', async ({ page }) => {
  const tiles = [];
  await page.route(`${TILE_ORIGIN}/**`, (route) => {
    tiles.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
  });
  const chunks = [];
  page.on('request', (r) => { if (/\/assets\/slippy-map-[\w-]+\.js$/.test(r.url())) chunks.push(r.url()); });
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });

  const home = await page.goto('/');
  expect(home.headers()['content-security-policy']).toContain(`img-src 'self' data: ${TILE_ORIGIN};`);
  await expect(page.locator('[data-action="login"]')).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(chunks, 'the map chunk before the public page').toEqual([]);
  expect(tiles).toEqual([]);

  await page.locator('#main a[data-link="public-reports"]').click();
  await expect(page.locator('[data-map]')).toBeVisible();
  await expect(page.locator('[data-marker]')).toHaveCount(4);
  await expect(page.locator('[data-attribution]')).toContainText('© Testkart');
  const loaded = await page.locator('img.slippy-tile').evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
  expect(loaded.length).toBeGreaterThan(0);
  expect(loaded.every(Boolean)).toBe(true);
  expect(tiles.length).toBeGreaterThan(0);
  for (const u of tiles) expect(u).toMatch(/^https:\/\/127\.0\.0\.1:9\/tiles\/\d+\/\d+\/\d+\.png$/);
  expect(chunks).toHaveLength(1);

  // A marker leads to its report in the list.
  const marker = page.locator('[data-marker]').first();
  const id = await marker.getAttribute('data-marker');
  await marker.click();
  await expect(page.locator(`[id="report-${id}"]`)).toBeFocused();

  // The keyboard moves and zooms the map.
  const z = tileZoom(await page.locator('img.slippy-tile').first().getAttribute('src'));
  await page.locator('.slippy-frame').focus();
  await page.keyboard.press('+');
  await expect.poll(async () => tileZoom(await page.locator('img.slippy-tile').first().getAttribute('src'))).toBe(z + 1);
  const left = await page.locator('img.slippy-tile').first().evaluate((i) => i.style.left);
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => page.locator('img.slippy-tile').first().evaluate((i) => i.style.left)).not.toBe(left);

  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await page.setViewportSize({ width: 320, height: 640 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  expect(blocked).toEqual([]);
});

test('the report form places a report with a point on the map', async ({ page }) => {
  await page.route(`${TILE_ORIGIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PNG }));
  await page.goto('/report');
  await page.locator('#report-service-street-light').check();
  await expect(page.locator('[data-position]')).toHaveCount(0);
  // The map's middle starts at the configured centre (Oslo sentrum); Enter picks it.
  const map = page.locator('[data-place-step] .slippy-frame');
  await expect(map).toBeVisible();
  await map.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-position]')).toContainText('59,9');
  await expect(page.locator('[data-place-step] [data-picked]')).toHaveCount(1);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});
