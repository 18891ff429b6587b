// A document to confirm having read, on a phone: Ola's letter of deficiencies waits in "needs your
// action" with "I have read"; pressed offline, the confirmation waits in the outbox and is sent
// when the network returns; the card leaves, and the case page says he confirmed it and when.
// It runs its own portal, so the shared demo data of the other specs stays as it was.
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

test('Ola confirms having read a document, offline first', async ({ page, context }) => {
  await login(page, 'Ola Nordmann');
  const overview = (await apiGet(page, '/api/v1/me/overview')).body;
  const doc = overview.needsAction.find((it) => it.kind === 'document');
  expect(doc, 'the demo document to acknowledge').toBeTruthy();
  expect(doc.requires).toBe('acknowledge');

  const card = page.locator(`#main [data-item="document"][data-id="${doc.id}"]`);
  await expect(card).toContainText('Mangelbrev.pdf');
  await expect(card.locator('.due')).toBeVisible();
  await expect(card.locator('[data-action="open-document"]')).toHaveAttribute('href', /^https:\/\/innsyn\.example\.kommune\.no\//);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  // Offline: the press waits in the outbox; the server has not heard of it.
  await context.setOffline(true);
  await card.locator('[data-action="acknowledge"]').click();
  await expect(card.locator('.note-pending')).toBeVisible();
  const still = (await apiGet(page, '/api/v1/me/overview')).body.needsAction.find((it) => it.id === doc.id);
  expect(still, 'not sent while offline').toBeTruthy();

  // Online again: sent once, and the document leaves "needs your action".
  await context.setOffline(false);
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await expect(card).toHaveCount(0, { timeout: 15_000 });
  const after = (await apiGet(page, '/api/v1/me/overview')).body.needsAction.find((it) => it.id === doc.id);
  expect(after).toBeFalsy();

  // The case page: "Acknowledged by you" with the time.
  await page.goto(`/cases/${doc.caseId}`);
  const line = page.locator(`[data-document="${doc.id}"] [data-acknowledged]`);
  await expect(line).toContainText('Bekreftet av deg');
  await expect(line).toContainText(/\d{1,2}[:.]\d{2}/);
  await expect(page.locator(`[data-document="${doc.id}"] [data-action="acknowledge"]`)).toHaveCount(0);
});
