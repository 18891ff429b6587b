// Ola's garage: one errand of three agencies. On a phone-sized screen he sees it once in the
// overview, opens it, and reads one timeline marked by agency, the documents and who waits for
// whom (the heritage office included); the page then works offline from its stored copy.
import { test, expect, login, overviewReady, apiGet } from './fixtures.js';

// settings.spec.js switches Ola to English while this may run: either language will do.
const TITLE = /^(Garasje i Kirkeveien 88|Garage at Kirkeveien 88)$/;
const HERITAGE = /Byantikvaren|heritage office/;

test('Ola reads his garage errand, online and offline', async ({ page, context }) => {
  expect(page.viewportSize().width).toBeLessThanOrEqual(414);
  await login(page, 'Ola Nordmann');
  const ov = (await apiGet(page, '/api/v1/me/overview')).body;
  expect(ov.errands).toHaveLength(1);
  const errand = ov.errands[0];
  const detail = (await apiGet(page, `/api/v1/me/errands/${errand.id}`)).body;
  // The overview shows the errand, not its three cases one by one.
  const caseIds = detail.cases.map((c) => c.id);
  expect(caseIds).toHaveLength(3);
  for (const id of caseIds) {
    expect(ov.recent.map((c) => c.id)).not.toContain(id);
    expect(ov.needsAction.map((it) => it.id)).not.toContain(id);
  }
  // (A notification may still link to one of the cases; the cases themselves are not listed.)
  for (const c of detail.cases) await expect(page.locator('#main a', { hasText: c.title })).toHaveCount(0);
  await expect(page.locator(`#main a[href="/errands/${errand.id}"]`).first()).toBeVisible();

  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
    await page.reload();
    await overviewReady(page);
  }
  await page.locator(`#main a[href="/errands/${errand.id}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`/errands/${errand.id}$`));
  await expect(page.locator('h1')).toHaveText(TITLE);
  const agencies = new Set(detail.timeline.map((e) => e.agency.name));
  expect(agencies.size).toBe(3);
  for (const name of agencies) await expect(page.locator('.timeline .agency-mark', { hasText: name }).first()).toBeVisible();
  await expect(page.locator('[data-waiting-for="third_party"]', { hasText: HERITAGE })).toBeVisible();
  await expect(page.locator('[data-waiting-for="citizen"]').first()).toBeVisible();
  await expect(page.locator('#h-docs ~ ul li').first()).toBeVisible();

  // Offline: back to the overview and into the errand again, from the stored copies.
  await page.locator('nav a[href="/"]').click();
  await overviewReady(page);
  await context.setOffline(true);
  await page.locator(`#main a[href="/errands/${errand.id}"]`).first().click();
  await expect(page.locator('h1')).toHaveText(TITLE);
  await expect(page.locator('[data-waiting-for="third_party"]', { hasText: HERITAGE })).toBeVisible();
  await context.setOffline(false);
});

// The errand's thread: Ola reads the water agency's answer, then writes offline to the water
// agency (not the lead); the message waits in the outbox and is sent once when the network returns.
test('Ola writes on his garage errand offline, to one of its agencies, and it is sent once online', async ({ page, context }) => {
  await login(page, 'Ola Nordmann');
  const ov = (await apiGet(page, '/api/v1/me/overview')).body;
  const errand = ov.errands[0];
  await page.goto(`/errands/${errand.id}`);
  const thread = page.getByTestId('message-thread');
  await expect(thread.locator('.message-agency').first()).toContainText(/Vann- og avløpsetaten/);
  const { recipients } = (await apiGet(page, `/api/v1/me/errands/${errand.id}/messages`)).body;
  const water = recipients.find((a) => /Vann/.test(a.name));
  expect(recipients[0].slug).not.toBe(water.slug); // the lead comes first, the water agency is one of the others

  const text = `Spørsmål om garasjen skrevet uten nett ${Date.now()}`;
  const posts = [];
  context.on('request', (req) => { if (req.method() === 'POST' && req.url().endsWith(`/api/v1/me/errands/${errand.id}/messages`)) posts.push(req); });
  await context.setOffline(true);
  await page.locator('#message-to').selectOption(water.slug);
  await page.locator('#message-text').fill(text);
  await page.getByRole('button', { name: /^Send$/ }).click();
  const waiting = page.getByTestId('message-waiting');
  await expect(waiting).toContainText(text);

  await context.setOffline(false);
  await expect(waiting).toHaveCount(0, { timeout: 20_000 });
  await expect(thread.locator('.message-citizen').filter({ hasText: text })).toHaveCount(1, { timeout: 20_000 });
  const items = (await apiGet(page, `/api/v1/me/errands/${errand.id}/messages`)).body.items.filter((m) => m.body === text);
  expect(items).toHaveLength(1);
  expect(items[0].agency.slug).toBe(water.slug);
  expect(posts.length).toBe(1);
});
