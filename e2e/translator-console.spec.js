// The translator's and the agency editor's consoles as their people use them: a translator finds
// a message far down the list by searching, publishes it, sees it confirmed, and a citizen's open
// page shows the new text without a reload; an editor picks a district from the known list and
// sees the preview's reach and icon.
import { test, expect, login, apiSend } from './fixtures.js';

const MESSAGE = 'ui.nav.settings';

test('a translator finds a message beyond the first page, publishes it, and an open page picks it up', async ({ page, browser, baseURL }) => {
  // The citizen's open page: Olena (translator for uk) reads Min side in Ukrainian in another browser.
  const other = await browser.newContext({ baseURL, locale: 'uk-UA', timezoneId: 'Europe/Oslo', viewport: { width: 390, height: 844 } });
  const reader = await other.newPage();
  await login(reader, 'Olena Shevchenko');
  expect((await apiSend(reader, 'PUT', '/api/v1/me/preferences', { body: { language: 'uk' } })).status).toBeLessThan(300);
  await reader.reload();
  const settingsLink = reader.locator('nav a[href="/settings"]');
  const original = (await settingsLink.textContent()).trim();
  expect(original).toBe('Налаштування');

  await login(page, 'Olena Shevchenko', { returnTo: '/translate' });
  await apiSend(page, 'PUT', '/api/v1/me/preferences', { body: { language: 'nb' } }); // her console in nb; the reader's page is in uk
  await page.goto('/translate');
  await page.locator('.card').filter({ has: page.locator('[lang="uk"]') }).getByRole('button').click();
  await page.locator('#tf-all').check();
  const editorOf = page.locator(`form[aria-labelledby="tr-${MESSAGE.replace(/\W/g, '-')}-h"]`);
  await expect(page.locator('.translate-item').first()).toBeVisible();
  await expect(editorOf).toHaveCount(0); // not on the first page of all messages
  const total = Number((await page.locator('#translate-results').textContent()).match(/(\d+)\s*$/)[1]);
  expect(total).toBeGreaterThan(300);

  await page.locator('#translate-q').fill('налаштув'); // a part of the translation, as the translator remembers it
  await expect(editorOf).toBeVisible();
  const text = `Налаштування ✓ ${Date.now() % 10000}`;
  await editorOf.locator('textarea').fill(text);
  // The preview fills the text the way the app will show it.
  await expect(editorOf.locator('.translate-preview li')).toHaveText(text);
  await editorOf.locator('button[type="submit"]').click();

  const confirmation = page.locator('#translate-published');
  await expect(confirmation).toBeVisible();
  await expect(confirmation).toContainText(MESSAGE);
  await expect(confirmation).toContainText(text);

  // The reader's page was not reloaded: the live stream told it, and it fetched its messages.
  const start = Date.now();
  await expect(settingsLink).toHaveText(text, { timeout: 5000 });
  console.log(`published text on the open page ${Date.now() - start} ms after the confirmation`);

  // Leave the language as it was for the other tests.
  const put = await apiSend(page, 'PUT', `/api/v1/translate/uk/messages/${MESSAGE}`, { body: { forms: { other: original } } });
  expect(put.status).toBe(200);
  await expect(settingsLink).toHaveText(original, { timeout: 5000 });
  await other.close();
});

test('an editor picks a district from the list and sees the preview reach and icon', async ({ page }) => {
  await login(page, 'Anne-Lise Berg', { returnTo: '/console' });
  await page.getByRole('button', { name: 'Ny flis' }).click();

  // An empty form says why there is nothing to preview.
  const invalid = page.locator('.console-preview-invalid');
  await expect(invalid).toBeVisible();
  await expect(invalid).toContainText('/title');

  await page.locator('#tile-title-nb').fill('Lesesal på Frogner');
  await page.locator('#tile-link').fill('https://deichman.no/frogner');
  await page.locator('#tile-icon').selectOption('book');
  const tileForm = page.locator('form.console-form').filter({ has: page.locator('#tile-icon') });
  await tileForm.getByRole('checkbox', { name: 'Frogner', exact: true }).check();
  await expect(invalid).toHaveCount(0);

  const preview = tileForm.locator('.tiles .tile');
  await expect(preview).toContainText('Lesesal på Frogner');
  await expect(preview.getByRole('img', { name: 'book' })).toHaveText('📚');
  const expected = await apiSend(page, 'POST', '/api/v1/console/bibliotek/tiles/preview', {
    body: { tile: { title: { nb: 'x' }, link: 'https://deichman.no/frogner', icon: 'book', targeting: { districts: ['Frogner'] } } },
  });
  expect(expected.body.reach).toBeGreaterThan(0);
  await expect(tileForm.locator('.console-reach')).toContainText(String(expected.body.reach));
});

// The consoles pass the same checks as the citizen's pages (a11y.spec.js): axe (WCAG 2.1 AA) and
// reflow at 320 px, with search, paging, the publish confirmation and the tile form on screen.
test('the consoles pass axe and reflow at 320 px', async ({ page }) => {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const axe = async (label) => {
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    return r.violations.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  };
  const wider = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize({ width: 320, height: 640 });
  const problems = [];

  await login(page, 'Olena Shevchenko', { returnTo: '/translate' });
  await page.locator('.card').filter({ has: page.locator('[lang="se"]') }).getByRole('button').click();
  await page.locator('#tf-all').check();
  await expect(page.locator('.translate-item').first()).toBeVisible();
  problems.push(...await axe('/translate (se)'));
  if (await wider() > 0) problems.push(`/translate scrolls sideways by ${await wider()} px`);

  await login(page, 'Anne-Lise Berg', { returnTo: '/console' });
  await page.getByRole('button', { name: 'Ny flis' }).click();
  await expect(page.locator('.console-preview-invalid')).toBeVisible();
  problems.push(...await axe('/console (tile form)'));
  if (await wider() > 0) problems.push(`/console scrolls sideways by ${await wider()} px`);
  expect(problems.join('\n')).toBe('');
});
