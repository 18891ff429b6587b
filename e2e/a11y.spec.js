// axe-core (WCAG 2.1 A and AA rules) on every page, in Norwegian bokmål and in Arabic
// (right-to-left). Any violation fails, listed with its rule, impact and elements. Then
// reflow (WCAG 1.4.10): at 320 CSS pixels no page scrolls sideways.
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

const PAGES = ['/', '/cases', 'case', 'errand', '/bookings', '/keys', '/notifications', '/services', '/report', '/settings'];

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
    const errandId = (await apiGet(page, '/api/v1/me/overview')).body.errands[0].id;
    for (const p of PAGES) {
      const path = p === 'case' ? `/cases/${caseId}` : p === 'errand' ? `/errands/${errandId}` : p;
      if (p === 'case') await page.locator(`#main a[href="/cases/${caseId}"]`).first().click();
      else if (p === 'errand') {
        // Kari's extension is an errand: from the overview's errands section to its page.
        await page.locator('nav a[href="/"]').click();
        await page.locator(`#main a[href="${path}"]`).first().click();
        await expect(page.locator('[data-waiting-for]').first()).toBeVisible();
      } else await page.locator(`nav a[href="${path}"]`).click();
      await expect(page).toHaveURL(new RegExp(`${path.replace(/\//g, '\\/')}$`));
      problems.push(await audit(page, `${path} (${lang})`));
    }
    const found = problems.filter(Boolean);
    expect(found.join('\n'), 'axe violations').toBe('');
  });
}

/** sideways is how far the page scrolls horizontally (0 when it reflows), with what sticks out. */
async function sideways(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const over = root.scrollWidth - root.clientWidth;
    if (over <= 0) return null;
    // Boxes past the edge, or boxes whose content spills out of them (a long word, a pre).
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0) return false;
        if (r.right > root.clientWidth + 1 || r.left < -1) return true;
        return el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible';
      })
      .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}`);
    return `${over}px too wide: ${wide.join(', ')}`;
  });
}

for (const lang of ['nb', 'ar']) {
  test(`reflow: no page scrolls sideways at 320 px (${lang})`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 320, height: 640 });
    const problems = [];
    await page.goto('/');
    await settled(page);
    const out = await sideways(page);
    if (out) problems.push(`logged-out page: ${out}`);
    // People no other test logs in as, one per language, each with an errand: the choice below is
    // saved on the server.
    await login(page, lang === 'nb' ? 'Berit Johansen' : 'Máret Eira');
    await page.goto('/settings');
    await page.locator(`input[name="lang"][value="${lang}"]`).check();
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    const caseId = (await apiGet(page, '/api/v1/cases')).body.items[0].id;
    const errandId = (await apiGet(page, '/api/v1/me/overview')).body.errands[0].id;
    for (const p of PAGES) {
      const path = p === 'case' ? `/cases/${caseId}` : p === 'errand' ? `/errands/${errandId}` : p;
      await page.goto(path);
      await settled(page);
      const found = await sideways(page);
      if (found) problems.push(`${path} (${lang}): ${found}`);
    }
    expect(problems.join('\n'), 'pages wider than 320 px').toBe('');
  });
}
