// Acting for someone, as the demo people see it (docs/demo.md): whose page it is on every page,
// with the scope of a power of attorney; others' items marked in "what's new"; an expired power
// of attorney that says when and where to renew; who may act for you, warned before it ends;
// ends shown as dates.
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, login } from './fixtures.js';

const NAV = ['/', '/cases', '/bookings', '/keys', '/notifications', '/services', '/settings'];
const CLOCK_TIME = /\b\d{1,2}[:.]\d{2}\b/;

async function actAs(page, name) {
  const picker = page.locator('#acting-as');
  const value = await picker.locator('option', { hasText: name }).getAttribute('value');
  await picker.selectOption(value);
  await expect(page.locator('[data-acting-banner]')).toBeVisible();
}

test('a guardian sees whose page it is on every page, and can go back to their own', async ({ page }) => {
  await login(page, 'Kari Nordmann');
  await expect(page.locator('[data-acting-banner]')).toHaveCount(0);
  await actAs(page, 'Emma Nordmann');
  for (const path of NAV) {
    await page.locator(`nav a[href="${path}"]`).click();
    await expect(page.locator('[data-acting-banner]'), `banner on ${path}`)
      .toContainText('Dette er siden til Emma Nordmann. Du handler som foresatt.');
  }
  await page.locator('[data-acting-banner] button').click();
  await expect(page.locator('[data-acting-banner]')).toHaveCount(0);
  await expect(page.locator('header .who')).toContainText('Kari Nordmann');
});

test('a power of attorney says its scope in the banner', async ({ page }) => {
  await login(page, 'Lars Hansen');
  await actAs(page, 'Ingrid Hansen');
  await expect(page.locator('[data-acting-banner]'))
    .toContainText('Dette er siden til Ingrid Hansen. Du handler med fullmakt for helse.');
  await page.locator('nav a[href="/cases"]').click();
  await expect(page.locator('[data-acting-banner]')).toContainText('fullmakt for helse');
  const axe = await new AxeBuilder({ page }).include('[data-acting-banner]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => v.id), 'axe on the banner').toEqual([]);
  await page.locator('[data-acting-banner] button').click(); // leave the session as it was
  await expect(page.locator('[data-acting-banner]')).toHaveCount(0);
});

test("what's new marks the items that are someone else's", async ({ page }) => {
  await login(page, 'Kari Nordmann');
  const marked = page.locator('section[aria-labelledby="h-new"] .subject');
  await expect(marked.first()).toBeVisible();
  await expect(marked.filter({ hasText: 'Emma Nordmann' }).first()).toContainText('På vegne av');
});

test('an expired power of attorney says when it expired and where it is renewed', async ({ page }) => {
  await login(page, 'Per Johansen');
  const note = page.locator('[data-ended="expired"]');
  await expect(note).toContainText('Fullmakten din for Berit Johansen gikk ut');
  await expect(note).toContainText('Berit Johansen gi deg en ny fullmakt');
  await expect(note).toContainText('Folkeregisteret');
  await page.locator('nav a[href="/settings"]').click();
  await expect(page.locator('[data-ended="expired"]')).toContainText('Folkeregisteret');
});

test('the one who gave a power of attorney sees who may act for them, until a date', async ({ page }) => {
  await login(page, 'Ingrid Hansen');
  await page.locator('nav a[href="/settings"]').click();
  const reps = page.locator('[data-representatives] li');
  await expect(reps).toHaveCount(1);
  await expect(reps).toContainText('Lars Hansen kan handle for deg innen helse.');
  await expect(reps).toContainText('Gyldig til');
  expect(await reps.locator('time').innerText()).not.toMatch(CLOCK_TIME);
  await expect(reps.locator('[data-ends-soon]')).toHaveCount(0); // it ends in more than a year
});

test('a guardianship ends on a date, not at "02:00"', async ({ page }) => {
  await login(page, 'Aisha Khan'); // reads Urdu
  await page.locator('nav a[href="/settings"]').click();
  const yusuf = page.locator('[data-represents] li', { hasText: 'Yusuf Khan' });
  await expect(yusuf.locator('time')).toBeVisible();
  const until = await yusuf.locator('time').innerText();
  expect(until).toMatch(/2031/); // Yusuf (born 25 January 2013) turns 18 in 2031
  expect(until).not.toMatch(CLOCK_TIME);
});

test('a power of attorney that ends within 30 days is announced to both sides', async ({ page }) => {
  // A registry for powers of attorney writes one that ends in 12 days, through the agency API.
  const bin = resolve(process.env.MINSIDE_BIN || 'bin/minside');
  const dir = dirname(process.env.MINSIDE_E2E_LOG);
  const env = { ...process.env, MINSIDE_ENV: 'dev', MINSIDE_DATA_DIR: dir, MINSIDE_DATABASE_URL: `sqlite:${dir}/minside.db`, MINSIDE_SEED_DEMO: 'false' };
  const { stdout } = await promisify(execFile)(bin, ['agency', 'create', '--slug', 'statsforvalteren', '--name', 'Statsforvalteren i Oslo og Viken',
    '--authority', 'power_of_attorney'], { env });
  const key = stdout.split('\n').map((l) => l.trim()).find((l) => /^\S{30,}$/.test(l));
  expect(key, 'the new agency key').toBeTruthy();
  const ends = new Date(Date.now() + 12 * 24 * 3600 * 1000 - 60_000).toISOString();
  const res = await page.request.put('/api/agency/v1/relations/fullmakt-e2e-1', {
    headers: { Authorization: `Bearer ${key}` },
    data: { kind: 'power_of_attorney', representativePid: '29894849906', subjectPid: '06866049988', // Jan Eriksen for Erik Solberg
      scopes: ['health', 'care'], validFrom: '2026-01-01T00:00:00Z', validUntil: ends, version: 1 },
  });
  expect(res.status()).toBe(201);

  await login(page, 'Erik Solberg');
  const warning = page.locator('[data-representatives] li', { hasText: 'Jan Eriksen' });
  await expect(warning).toContainText('Jan Eriksen kan handle for deg innen helse og omsorg.');
  await expect(warning.locator('[data-ends-soon]')).toContainText('Slutter snart: 12 dager igjen');

  await page.context().clearCookies();
  await login(page, 'Jan Eriksen');
  await expect(page.locator('#acting-as option', { hasText: 'Erik Solberg' })).toContainText('Slutter snart');
  await page.locator('nav a[href="/settings"]').click();
  await expect(page.locator('[data-represents] li', { hasText: 'Erik Solberg' }).locator('[data-ends-soon]'))
    .toContainText('12 dager igjen');
});
