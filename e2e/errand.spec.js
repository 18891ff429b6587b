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
