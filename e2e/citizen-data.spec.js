// The citizen's own data: the access log in words (not action codes), "download my data" as a
// readable page beside the JSON, and quiet hours that can be switched off and stay off.
import { test, expect, login, me, apiGet, apiSend } from './fixtures.js';

const CODE = /\b(?:act_as_start|act_as_end|account\.export|read\.[a-z_]+|booking\.cancel|login_failed|login|logout)\b/;

async function openYourData(page) {
  await page.locator('nav a[href="/settings"]').click();
  await expect(page.locator('#h-data')).toBeVisible();
}

async function showAccessLog(page) {
  const section = page.locator('section[aria-labelledby="h-data"]');
  const answer = page.waitForResponse((r) => r.url().includes('/api/v1/me/access-log'));
  await section.getByRole('button', { name: 'Vis innsynsloggen' }).click();
  expect((await answer).status()).toBe(200);
  const items = section.locator('ul.list').first().locator('li');
  await expect(items.first()).toBeVisible();
  return items;
}

test('the access log speaks words: a guardian\'s reads show by name and relation, to both people', async ({ page, browser }) => {
  await login(page, 'Fatima Hassan');
  const amina = (await me(page)).represents.find((p) => p.name === 'Amina Hassan');
  expect(amina, 'Fatima is Amina\'s guardian in the demo').toBeTruthy();
  expect((await apiSend(page, 'PUT', '/api/v1/me/acting-as', { body: { citizenId: amina.id } })).status).toBe(200);
  expect((await apiGet(page, '/api/v1/cases')).status).toBe(200);
  expect((await apiSend(page, 'PUT', '/api/v1/me/acting-as', { body: { citizenId: null } })).status).toBe(200);

  await page.goto('/');
  await openYourData(page);
  const mine = await showAccessLog(page);
  const texts = await mine.allInnerTexts();
  expect(texts.join('\n')).toContain('Du logget inn');
  expect(texts.join('\n')).toContain('Du begynte å handle for Amina Hassan');
  expect(texts.join('\n')).toContain('Du så på dataene til Amina Hassan: saker');
  for (const t of texts) expect(t, 'an entry shows a code').not.toMatch(CODE);

  // Amina sees who looked, by name and relation.
  const context = await browser.newContext();
  const child = await context.newPage();
  await login(child, 'Amina Hassan');
  await openYourData(child);
  const hers = (await (await showAccessLog(child)).allInnerTexts()).join('\n');
  expect(hers).toContain('Fatima Hassan (Foresatt) så på dine data: saker');
  expect(hers).toContain('Fatima Hassan (Foresatt) begynte å handle for deg');
  expect(hers).not.toMatch(CODE);
  await context.close();
});

test('download my data: a readable page in the person\'s language opens beside the JSON', async ({ page }) => {
  await login(page, 'Aisha Khan');
  await openYourData(page);
  const section = page.locator('section[aria-labelledby="h-data"]');
  await expect(section.locator('a[href="/api/v1/me/export"]')).toBeVisible();
  const readable = section.locator('a[href="/api/v1/me/export.html"]');
  await expect(readable).toBeVisible();

  const [summary] = await Promise.all([page.context().waitForEvent('page'), readable.click()]);
  await summary.waitForLoadState();
  // Aisha reads Urdu (her saved language in the demo): the page is in Urdu, right to left.
  await expect(summary.locator('html')).toHaveAttribute('lang', 'ur');
  await expect(summary.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(summary.locator('h1')).toHaveText('Min side پر آپ کا ڈیٹا');
  // About you, settings, cases, errands, messages, tasks, acknowledgements, reports, ideas, bookings, keys,
  // notifications, relations, devices, access log.
  await expect(summary.locator('h2')).toHaveCount(15);
  // Its one style element is allowed by the page's Content-Security-Policy (the style applies).
  expect(await summary.evaluate(() => getComputedStyle(document.body).maxWidth)).toBe('768px');
  await expect(summary.getByText('Yusuf Khan', { exact: false }).first()).toBeVisible();
  const html = await summary.content();
  expect(html).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  expect(html).not.toMatch(/\d{11}/);
  expect(await summary.locator('script').count()).toBe(0);
  await summary.close();

  const json = await page.request.get('/api/v1/me/export');
  expect(json.status()).toBe(200);
  const data = await json.json();
  expect(data.format).toBe('minside-export/1');
  expect(data.person.name).toBe('Aisha Khan');
  // Ids stay in the JSON, and a random id can hold eleven digits in a row: look past them.
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  expect(JSON.stringify(data).replace(uuid, '')).not.toMatch(/\d{11}/);
});

test('quiet hours can be switched off, and stay off after a reload', async ({ page }) => {
  await login(page, 'Ahmed Hassan');
  await page.locator('nav a[href="/settings"]').click();
  const quiet = page.locator('input[name="quietEnabled"]');
  await expect(quiet).toBeChecked();
  await expect(page.locator('input[name="quietStart"]')).toHaveAttribute('type', 'time');
  await quiet.uncheck();
  await expect(page.locator('input[name="quietStart"]')).toBeDisabled();
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/preferences') && r.request().method() === 'PUT');
  await page.locator('form:has(input[name="quietEnabled"]) button[type="submit"]').click();
  expect((await saved).status()).toBe(200);

  await page.reload();
  await expect(page.locator('input[name="quietEnabled"]')).not.toBeChecked();
  await expect(page.locator('input[name="quietEnd"]')).toBeDisabled();
  const prefs = (await apiGet(page, '/api/v1/me/preferences')).body;
  expect(prefs.quietHours).toEqual({ enabled: false, start: '22:00', end: '07:00' });
});
