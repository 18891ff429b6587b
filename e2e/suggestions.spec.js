// Proactive suggestions: Fatima (Amina is five) sees "Forslag til deg" on her overview, opens "Hvorfor ser jeg
// dette?" (the why-text with her own facts and the legal basis), dismisses the suggestion with a
// reason, and after a reload it is gone (the choice is kept on the server, not only on the page).
import AxeBuilder from '@axe-core/playwright';
import { test, expect, login, apiGet } from './fixtures.js';

/** axe is the WCAG 2.1 AA violations on the page, as rule ids with their elements. */
async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('see a suggestion, read why, dismiss it, and it stays gone after reload', async ({ page }) => {
  await login(page, 'Fatima Hassan');
  const before = (await apiGet(page, '/api/v1/me/suggestions')).body.items;
  const sg = before.find((x) => x.why && x.why.legalBasis);
  expect(sg, 'a demo suggestion for Fatima with a legal basis').toBeTruthy();

  const card = page.locator(`[data-suggestion="${sg.id}"]`);
  await expect(card).toBeVisible();
  await expect(card.locator('.card-title')).toHaveText(sg.title);

  // "Why do I see this?": closed at first, then the filled why-text and the legal basis.
  const why = card.locator('[data-why]');
  await expect(why).toBeHidden();
  await card.locator('details.why summary').click();
  await expect(why).toBeVisible();
  await expect(why).toContainText('Amina Hassan'); // her own child's name, not a placeholder
  await expect(why).not.toContainText('{');
  await expect(why).toContainText('2027'); // the sixth birthday, written out in Norwegian
  await expect(card.locator('details.why')).toContainText(sg.why.legalBasis);
  await card.locator('[data-action="dismiss"]').click();
  expect(await axe(page), 'the overview with an open suggestion passes axe').toEqual([]);
  await card.locator('[data-action="dismiss"]').click(); // closed again

  await card.locator('[data-action="dismiss"]').click();
  await card.locator('textarea[name="reason"]').fill('Vi har allerede meldt henne på');
  await card.locator('[data-action="confirm-dismiss"]').click();
  await expect(page.locator(`[data-suggestion="${sg.id}"]`)).toHaveCount(0);
  // Sent, not only queued on this device.
  await expect.poll(async () => (await apiGet(page, '/api/v1/me/suggestions')).body.items.some((x) => x.id === sg.id)).toBe(false);

  await page.reload();
  await expect(page.locator('#h-needs')).toBeVisible();
  await expect(page.locator(`[data-suggestion="${sg.id}"]`)).toHaveCount(0);
  await page.goto('/suggestions');
  await expect(page.locator('#page-title')).toBeVisible();
  await expect(page.locator(`[data-suggestion="${sg.id}"]`)).toHaveCount(0);
  await expect(page.locator('input[name="suggestionsOn"]')).toBeChecked();
  expect(await axe(page), 'the suggestions page passes axe').toEqual([]);
});
