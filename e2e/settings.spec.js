// Settings: Arabic turns the document right-to-left; a language picked offline reaches
// the server later; logging out, online or offline, leaves no personal data in IndexedDB
// or Cache Storage and ends the session.
import { test, expect, login, overviewReady, personalDatabases, cachedApiUrls } from './fixtures.js';

test('switch to Arabic in settings: <html dir="rtl" lang="ar"> and a right-to-left layout', async ({ page }) => {
  await login(page, 'Mari Haugen');
  await page.locator('nav a[href="/settings"]').click();
  await page.locator('input[name="lang"][value="ar"]').check();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  // The layout follows: the navigation starts at the right edge.
  const box = await page.locator('nav .nav li').first().boundingBox();
  const width = page.viewportSize().width;
  expect(box.x + box.width, 'first nav item sits at the right').toBeGreaterThan(width / 2);
  expect(await page.evaluate(() => getComputedStyle(document.body).direction)).toBe('rtl');
  // It sticks across a reload.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
});

test('log out: IndexedDB has no personal database and caches hold no API data', async ({ page }) => {
  await login(page, 'Kari Nordmann');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.locator('nav a[href="/bookings"]').click();
  await expect(page.locator('[data-booking]').first()).toBeVisible();
  expect((await personalDatabases(page)).length).toBe(1);
  await page.locator('nav a[href="/settings"]').click();
  const logoutAnswer = page.waitForResponse((r) => r.url().endsWith('/auth/logout'));
  await page.locator('[data-action="logout"]').click();
  const res = await logoutAnswer;
  expect(res.status()).toBeLessThan(400);
  expect((await res.allHeaders())['clear-site-data'] || '', 'logout answers Clear-Site-Data').toMatch(/storage|cache|\*/);
  await expect(page.locator('[data-action="login"]')).toBeVisible({ timeout: 15_000 });
  expect(await personalDatabases(page)).toEqual([]);
  expect(await cachedApiUrls(page)).toEqual([]);
  expect(await page.evaluate(() => localStorage.getItem('minside.lastUser'))).toBeNull();
  // The session is gone on the server too.
  expect((await page.request.get('/api/v1/me')).status()).toBe(401);
});

test('a language picked offline is saved when the network is back, not undone by the server', async ({ page, context }) => {
  await login(page, 'Per Johansen');
  await page.locator('nav a[href="/settings"]').click();
  // English once online, so the device keeps its messages; then back to bokmål.
  for (const lang of ['en', 'nb']) {
    await page.locator(`input[name="lang"][value="${lang}"]`).check();
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
  }
  await expect.poll(async () => (await page.request.get('/api/v1/me/preferences')).json().then((p) => p.language)).toBe('nb');

  await context.setOffline(true);
  await page.locator('input[name="lang"][value="en"]').check();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect((await (await page.request.get('/api/v1/me/preferences')).json()).language, 'the server has not heard of it').toBe('nb');

  await context.setOffline(false);
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect.poll(async () => (await page.request.get('/api/v1/me/preferences')).json().then((p) => p.language)).toBe('en');
  // The page forgets the pending choice once it has the server's answer, a moment after the server has it.
  await expect.poll(() => page.evaluate(() => localStorage.getItem('minside.langUnsaved'))).toBeNull();
});

/** logOutOffline logs in, cuts the network and presses "log out": the device is wiped at once. */
async function logOutOffline(page, context, name) {
  await login(page, name);
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
    await page.reload();
    await overviewReady(page);
  }
  await page.locator('nav a[href="/settings"]').click();
  await context.setOffline(true);
  await page.locator('[data-action="logout"]').click();
  // The app wipes the device, then leaves for its start page (from the service worker).
  await page.waitForURL((u) => u.pathname === '/');
  await expect(page.locator('#page-title')).toBeVisible();
  expect(await personalDatabases(page)).toEqual([]);
  expect(await page.evaluate(() => localStorage.getItem('minside.lastUser'))).toBeNull();
  expect(await page.evaluate(() => localStorage.getItem('minside.logoutPending'))).not.toBeNull();
  // Only the server can end the session (its cookie is HttpOnly), and it was out of reach.
  expect((await page.request.get('/api/v1/me')).status()).toBe(200);
}

test('log out offline, stay on the page: the session ends as soon as the network is back', async ({ page, context }) => {
  await logOutOffline(page, context, 'Erik Solberg');
  await context.setOffline(false); // the app's "online" handler ends the session
  await expect.poll(async () => (await page.request.get('/api/v1/me')).status(), { timeout: 15_000 }).toBe(401);
  await expect(page.locator('[data-action="login"]')).toBeVisible({ timeout: 15_000 });
  await expect.poll(() => page.evaluate(() => localStorage.getItem('minside.logoutPending')).catch(() => 'navigating'),
    { timeout: 15_000 }).toBeNull();
});

test('log out offline, come back later: the app ends the session before it shows anything', async ({ page, context }) => {
  await logOutOffline(page, context, 'Jan Eriksen');
  const later = await context.newPage();
  await page.close();
  await context.setOffline(false);
  await later.goto('/');
  await expect(later.locator('[data-action="login"]')).toBeVisible({ timeout: 15_000 });
  expect((await later.request.get('/api/v1/me')).status()).toBe(401);
  // Ending it may still be travelling through the identity provider's end-session page and back.
  await expect.poll(() => later.evaluate(() => localStorage.getItem('minside.logoutPending')).catch(() => 'navigating'),
    { timeout: 15_000 }).toBeNull();
  await expect(later.locator('[data-action="login"]')).toBeVisible({ timeout: 15_000 });
  await expect(later.locator('header .who')).toHaveCount(0);
});

test('close the account: confirm step, the server forgets the person, this device too', async ({ page }) => {
  await login(page, 'Sara Khan');
  await page.locator('nav a[href="/settings"]').click();
  await page.locator('[data-action="close-account"]').click();
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'DELETE');
  await page.locator('[data-action="confirm-close-account"]').click();
  const res = await answer;
  expect(res.status()).toBe(200);
  expect(JSON.parse(res.request().postData())).toEqual({ confirm: true });
  // The logged-out page with the server's note that the agencies keep what they hold.
  await expect(page.locator('[data-action="login"]')).toBeVisible();
  await expect(page.locator('[data-notice]')).not.toBeEmpty();
  expect(await personalDatabases(page)).toEqual([]);
  expect(await cachedApiUrls(page)).toEqual([]);
  expect((await page.request.get('/api/v1/me')).status()).toBe(401);
});

test('a new language reaches agency content too: errand and case titles, without a reload', async ({ page }) => {
  await login(page, 'Ola Nordmann'); // reads bokmål; no other test changes his language
  // His garage case is part of an errand: the overview shows the errand's title.
  await expect(page.getByText('Garasje i Kirkeveien 88').first()).toBeVisible();
  await page.locator('nav a[href="/settings"]').click();
  await page.locator('input[name="lang"][value="en"]').check();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.locator('nav a[href="/"]').click();
  await expect(page.getByText('Garage at Kirkeveien 88').first()).toBeVisible();
  await expect(page.getByText('Garasje i Kirkeveien 88')).toHaveCount(0);
  // The cases list, stored for offline use, follows as well.
  await page.locator('nav a[href="/cases"]').click();
  await expect(page.getByText('Building permit: garage, Kirkeveien 88').first()).toBeVisible();
});

test('log out is on every page, and works from any of them', async ({ page }) => {
  await login(page, 'Ingrid Hansen');
  for (const path of ['/', '/cases', '/bookings', '/keys', '/notifications', '/services', '/settings']) {
    await page.locator(`nav a[href="${path}"]`).click();
    await expect(page.locator('header [data-action="logout"]'), `log out on ${path}`).toBeVisible();
  }
  await page.locator('nav a[href="/cases"]').click();
  await page.locator('header [data-action="logout"]').click();
  await expect(page.locator('[data-action="login"]')).toBeVisible({ timeout: 15_000 });
  expect(new URL(page.url()).search, 'nothing left in the address from the round trip (?state=)').toBe('');
  expect((await page.request.get('/api/v1/me')).status()).toBe(401);
});
