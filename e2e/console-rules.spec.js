// An agency editor writes a rule for proactive suggestions as they would: the live check points
// at the line and column of a mistake under the condition field, the preview says whom the rule
// reaches now, and after publishing the stats count its suggestions. The form passes axe (WCAG
// 2.1 AA) and reflows at 320 px. The rule is unpublished at the end: other tests see no suggestions.
import { test, expect, login, apiSend } from './fixtures.js';

test('an editor checks, previews, saves and publishes a rule, and reads its stats', async ({ page }) => {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  await page.setViewportSize({ width: 320, height: 640 });
  await login(page, 'Anne-Lise Berg', { returnTo: '/console' });
  await page.getByRole('button', { name: 'Ny regel' }).click();

  const title = `Trygghetsalarm ${Date.now() % 100000}`;
  await page.locator('#rule-title-nb').fill(title);
  await page.locator('#rule-why-nb').fill('fordi du er {person.age} år');
  await page.locator('#rule-category').fill('care');
  await page.locator('#rule-action-link').fill('https://kommune.no/trygghetsalarm');
  const condition = page.locator('#rule-condition');
  await condition.fill('person.age >=\n  person.shoeSize');
  const problem = page.locator('#rule-condition-err');
  await expect(problem).toContainText('Linje 2, kolonne 9');
  await expect(condition).toHaveAttribute('aria-invalid', 'true');

  await condition.fill('person.age >= 67');
  await expect(problem).toHaveCount(0);
  await expect(page.getByText('Uttrykkene er gyldige.')).toBeVisible();

  await page.getByRole('button', { name: 'Forhåndsvis' }).click();
  const expected = await apiSend(page, 'POST', '/api/v1/console/bibliotek/rules/preview', {
    body: { appliesTo: 'person', condition: 'person.age >= 67', why: { nb: 'fordi du er {person.age} år' } },
  });
  expect(expected.body.people).toBeGreaterThan(0);
  await expect(page.locator('.console-reach')).toContainText(String(expected.body.people));
  await expect(page.locator('.console-sample li').first()).toContainText('år');

  const problems = (await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations
    .map((v) => `${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  const wider = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (wider > 0) problems.push(`/console (rule form) scrolls sideways by ${wider} px`);
  expect(problems.join('\n')).toBe('');

  await page.getByRole('button', { name: 'Lagre' }).click();
  const item = page.locator('.console-tiles li').filter({ hasText: title });
  await expect(item).toContainText('Utkast');
  await item.getByRole('button', { name: 'Publiser' }).click();
  await expect(item).toContainText('Publisert');
  await item.getByRole('button', { name: 'Statistikk' }).click();
  await expect(item.locator('.console-stats')).toContainText('Laget');
  await item.getByRole('button', { name: 'Trekk tilbake' }).click();
  await expect(item).toContainText('Utkast');
});
