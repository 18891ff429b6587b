// Tasks, drafts and sensitive items on a phone: Ola sees the building agency's task with its
// date and link, his draft with "continue", the task is reported seen, and the health agency's
// sensitive task shows as a placeholder until he logs in again at the higher level through the
// dev identity provider (the real OIDC flow). This spec runs its own portal, where content
// marked sensitive needs BankID level (MINSIDE_STEP_UP_ACR=idporten-loa-high).
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, login, apiGet, personButton } from './fixtures.js';
import { startServer } from './global-setup.js';

const HIGH = 'idporten-loa-high';

const test = base.extend({
  server: [async ({}, use) => {
    const server = await startServer({ MINSIDE_STEP_UP_ACR: HIGH });
    await use(server);
    await server.stop();
  }, { scope: 'worker' }],
  baseURL: async ({ server }, use) => { await use(server.url); },
});

test('a task, a draft, and a sensitive task behind step-up', async ({ page }) => {
  await login(page, 'Ola Nordmann'); // the dev provider's default level: substantial (MinID)
  const needs = page.locator('#main'); // the overview (#h-needs is its section's heading)

  const overview = (await apiGet(page, '/api/v1/me/overview')).body;
  const task = overview.needsAction.find((it) => it.kind === 'task' && !it.sensitive);
  expect(task, 'the demo task').toBeTruthy();
  const taskCard = needs.locator(`[data-item="task"][data-id="${task.id}"]`);
  await expect(taskCard).toContainText('Last opp situasjonsplan');
  await expect(taskCard.locator('.due')).toBeVisible();
  await expect(taskCard.locator('[data-action="do-task"]')).toHaveAttribute('href', /^https:\/\/innsyn\.example\.kommune\.no\//);

  const draft = needs.locator('[data-item="draft"]');
  await expect(draft).toContainText('Søknad om kulturstipend');
  await expect(draft.locator('[data-action="continue"]')).toHaveAttribute('href', /utkast/);

  // Shown on screen: the PWA reports the task seen (so no reminder comes).
  await expect.poll(async () => (await apiGet(page, `/api/v1/tasks/${task.id}`)).body.seenAt).toBeTruthy();

  // The sensitive task: a neutral placeholder, nothing of its content anywhere on the page.
  const hidden = needs.locator('[data-sensitive="withheld"]');
  await expect(hidden).toHaveCount(1);
  await expect(hidden).toContainText('Helseetaten');
  await expect(page.locator('body')).not.toContainText('psykolog');
  await expect(page.locator('body')).not.toContainText('egenerklæring');
  const stepUp = hidden.locator('[data-action="step-up"]');
  await expect(stepUp).toHaveAttribute('href', new RegExp(`acr=${HIGH}`));
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  // Step up through the dev identity provider at the higher level: the content shows.
  await stepUp.click();
  await expect(page).toHaveURL(/\/dev-idp\/authorize/);
  await personButton(page, 'Ola Nordmann').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/dev-idp') && !u.pathname.startsWith('/auth/'));
  await expect(needs.locator('[data-sensitive="withheld"]')).toHaveCount(0);
  await expect(needs).toContainText('psykolog');
});
