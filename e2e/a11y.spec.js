// axe-core (WCAG 2.1 A and AA rules) on every page, in Norwegian bokmål and in Arabic
// (right-to-left). Any violation fails, listed with its rule, impact and elements.
import AxeBuilder from '@axe-core/playwright';
import { test, expect, login, apiGet } from './fixtures.js';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

function describe(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`).join('\n');
}

async function settled(page) {
  await expect(page.locator('h1')).toBeVisible();
  await expect(page.locator('#main .loading')).toHaveCount(0);
}

async function audit(page, label) {
  await settled(page);
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return result.violations.length ? `${label}:\n  ${describe(result.violations)}` : null;
}

const PAGES = ['/', '/cases', 'case', '/bookings', '/keys', '/notifications', '/services', '/settings'];

for (const lang of ['nb', 'ar']) {
  test(`axe: no WCAG 2.1 AA violations on every page (${lang})`, async ({ page, browser, baseURL }) => {
    test.setTimeout(240_000);
    const problems = [];
    // The logged-out page, in a fresh context whose browser language is the one under test.
    const anon = await browser.newContext({ baseURL, locale: lang === 'ar' ? 'ar' : 'nb-NO' });
    const anonPage = await anon.newPage();
    await anonPage.goto('/');
    await expect(anonPage.locator('[data-action="login"]')).toBeVisible();
    await expect(anonPage.locator('html')).toHaveAttribute('lang', lang);
    problems.push(await audit(anonPage, `logged-out page (${lang})`));
    await anon.close();

    await login(page, 'Kari Nordmann');
    if (lang !== 'nb') {
      await page.locator('nav a[href="/settings"]').click();
      await page.locator(`input[name="lang"][value="${lang}"]`).check();
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
    }
    const caseId = (await apiGet(page, '/api/v1/cases')).body.items[0].id;
    for (const p of PAGES) {
      const path = p === 'case' ? `/cases/${caseId}` : p;
      if (p === 'case') await page.locator(`#main a[href="/cases/${caseId}"]`).first().click();
      else await page.locator(`nav a[href="${path}"]`).click();
      await expect(page).toHaveURL(new RegExp(`${path.replace(/\//g, '\\/')}$`));
      problems.push(await audit(page, `${path} (${lang})`));
    }
    const found = problems.filter(Boolean);
    expect(found.join('\n'), 'axe violations').toBe('');
  });
}
