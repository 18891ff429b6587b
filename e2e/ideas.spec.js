// The idea channel on a phone (320 px): Mohammed sends an idea with a photo while offline (it
// waits in the outbox and is sent once when the network returns), Kari supports it, Innolab sets a
// status with a reason through the agency API, and Mohammed sees the status and the reason.
// It runs its own portal, so the shared demo data of the other specs stays as it was.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, login, apiGet } from './fixtures.js';
import { startServer } from './global-setup.js';

const test = base.extend({
  server: [async ({}, use) => {
    const server = await startServer({});
    await use(server);
    await server.stop();
  }, { scope: 'worker' }],
  baseURL: async ({ server }, use) => { await use(server.url); },
});

test.use({ viewport: { width: 320, height: 740 } });

// A 2×2 PNG, as a phone's camera roll would hand it over.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGNQSFgARAwQCgAdjgSBQe+XXgAAAABJRU5ErkJggg==', 'base64');

async function axeClean(page) {
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

async function fitsTheScreen(page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
}

/** moderatorKey gives Innolab (the demo's moderator, without a key) an API key through the operator's CLI. */
async function moderatorKey(server) {
  const bin = resolve(process.env.MINSIDE_BIN || 'bin/minside');
  const env = { ...process.env, MINSIDE_ENV: 'dev', MINSIDE_DATA_DIR: server.dir, MINSIDE_DATABASE_URL: `sqlite:${server.dir}/minside.db`, MINSIDE_SEED_DEMO: 'false' };
  const { stdout } = await promisify(execFile)(bin, ['agency', 'key', 'rotate', '--slug', 'innolab'], { env });
  const key = stdout.split('\n').map((l) => l.trim()).find((l) => /^\S{30,}$/.test(l));
  expect(key, 'the new key of innolab').toBeTruthy();
  return key;
}

test('an idea: sent offline, supported, given a status with a reason', async ({ page, context, server }) => {
  const title = `Lys i Stovner-tunnelen ${Date.now()}`;
  await login(page, 'Mohammed Ali');
  await page.locator('nav a[href="/ideas"]').click();
  await expect(page.locator('#page-title')).toHaveText('Idéer til kommunen');
  await fitsTheScreen(page);
  await axeClean(page);

  // Offline: the idea waits in the outbox with its photo; the server has not heard of it.
  await context.setOffline(true);
  await page.locator('#idea-title').fill(title);
  await page.locator('#idea-area').selectOption('transport');
  await page.locator('#idea-body').fill('Tunnelen under jernbanen er mørk om kvelden. Bedre lys gjør den tryggere.');
  await page.locator('#idea-photo').setInputFiles({ name: 'tunnel.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: 'Send idéen' }).click();
  await expect(page.locator('[data-testid="idea-waiting"]')).toContainText(title);
  // Asked while the page is still offline (page.request is not): once the network is back,
  // Background Sync lets the service worker send the idea at once, as it should.
  const before = (await apiGet(page, '/api/v1/me/ideas')).body.items.filter((i) => i.title === title);
  expect(before, 'not sent while offline').toHaveLength(0);

  // Online again (the browser says so itself): sent once, with its photo, and shown as received.
  await context.setOffline(false);
  const mine = page.locator('[data-testid="my-ideas"] [data-testid="idea"]', { hasText: title });
  await expect(mine).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('[data-testid="idea-waiting"]')).toHaveCount(0);
  await expect(mine).toContainText('Mottatt');
  const sent = (await apiGet(page, '/api/v1/me/ideas')).body.items.filter((i) => i.title === title);
  expect(sent).toHaveLength(1);
  expect(sent[0].photoUrl).toBeTruthy();
  await fitsTheScreen(page);
  await axeClean(page);

  // Kari supports it: she sees only the district, and the count moves once.
  await context.clearCookies();
  await login(page, 'Kari Nordmann');
  await page.goto('/ideas');
  const card = page.locator('[data-testid="all-ideas"] [data-testid="idea"]', { hasText: title });
  await expect(card).toContainText('En innbygger i Stovner');
  await expect(card).not.toContainText('Mohammed');
  await card.getByRole('button', { name: 'Støtt idéen' }).click();
  await expect(card.locator('[data-testid="support-count"]')).toHaveText('Støttet av: 1');
  await expect(card.getByRole('button', { name: 'Trekk støtten' })).toBeVisible();
  await fitsTheScreen(page);

  // Innolab assesses it, with a reason, through the agency API.
  const key = await moderatorKey(server);
  const res = await page.request.put(`/api/agency/v1/ideas/${sent[0].id}/status`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { status: 'being_assessed', reason: { nb: 'Bymiljøetaten måler lyset i tunnelen i januar.', en: 'The roads agency measures the light in the tunnel in January.' } },
  });
  expect(res.status()).toBe(200);

  // Mohammed sees the status, the reason and the support.
  await context.clearCookies();
  await login(page, 'Mohammed Ali');
  await page.goto('/ideas');
  await expect(mine).toContainText('Vurderes');
  await expect(mine).toContainText('Bymiljøetaten måler lyset i tunnelen i januar.');
  await expect(mine.locator('[data-testid="support-count"]')).toHaveText('Støttet av: 1');
  await expect(mine.getByRole('button', { name: 'Støtt idéen' })).toHaveCount(0);
  await fitsTheScreen(page);
  await axeClean(page);
});
