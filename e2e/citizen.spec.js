// Logging in and reading: the dev identity provider, the overview across agencies, a
// case with its timeline, and acting for a child.
import { test, expect, login, me, apiGet, personButton, overviewReady } from './fixtures.js';

test('log in through the dev identity provider from the welcome page', async ({ page }) => {
  await page.goto('/');
  const loginLink = page.locator('[data-action="login"]');
  await expect(loginLink).toBeVisible();
  await loginLink.click();
  await expect(page).toHaveURL(/\/dev-idp\/authorize/);
  await personButton(page, 'Kari Nordmann').click();
  await page.waitForURL((u) => u.pathname === '/');
  await overviewReady(page);
  const who = await me(page);
  expect(who.name).toBe('Kari Nordmann');
  await expect(page.locator('header .who')).toContainText('Kari Nordmann');
  // The national identity number never travels in a URL of the app.
  expect(page.url()).not.toMatch(/\d{11}/);
});

test('the welcome page says what happens to your data and lets you pick a language before logging in', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('[data-privacy]')).toContainText('Fødselsnummeret ditt lagres ikke i klartekst');
  await page.locator('input[name="lang"][value="en"]').check();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('[data-privacy]')).toContainText('never stored in clear text');
  await expect(page.locator('[data-action="login"]')).toHaveText('Log in');
});

test('a cancelled login says why on the welcome page, once', async ({ page }) => {
  await page.goto('/');
  await page.locator('[data-action="login"]').click();
  await expect(page).toHaveURL(/\/dev-idp\/authorize/);
  await page.getByRole('button', { name: 'Avbryt' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await expect(page.getByRole('alert')).toHaveText('Du avbrøt innloggingen.');
  await expect(page.locator('[data-action="login"]')).toBeVisible();
  // The reason leaves the address bar, so a reload does not say it again.
  expect(new URL(page.url()).search).toBe('');
  await page.reload();
  await expect(page.locator('[data-action="login"]')).toBeVisible();
  await expect(page.locator('[data-login-refusal]')).toHaveCount(0);
});

test('the overview shows items from several agencies', async ({ page }) => {
  await login(page, 'Kari Nordmann');
  const agencies = new Set((await page.locator('#main .agency').allTextContents()).map((s) => s.trim()).filter(Boolean));
  expect([...agencies].length, `agencies on the overview: ${[...agencies].join(', ')}`).toBeGreaterThanOrEqual(3);
  // What needs action is there, and the same title the server holds.
  const ov = (await apiGet(page, '/api/v1/me/overview')).body;
  expect(ov.needsAction.length).toBeGreaterThan(0);
  await expect(page.locator('#main').getByText(ov.needsAction[0].title).first()).toBeVisible();
});

test('a booking soon is labelled by its start, and overview bookings open the bookings page at that booking', async ({ page }) => {
  await login(page, 'Nguyen Thi Lan');
  const ov = (await apiGet(page, '/api/v1/me/overview')).body;
  const soon = ov.needsAction.find((it) => it.kind === 'booking');
  expect(soon, 'a booking within the attention window').toBeTruthy();
  const card = page.locator('section[aria-labelledby="h-needs"] li', { has: page.locator(`a[href="/bookings#booking-${soon.id}"]`) });
  const { messages } = (await apiGet(page, '/api/v1/me/messages')).body; // in the language Nguyen reads
  expect(messages['ui.common.starts']).not.toBe(messages['ui.common.due']);
  await expect(card.locator('.due')).toHaveText(new RegExp(`^${messages['ui.common.starts']}: `));
  const first = ov.upcoming[0];
  await page.locator(`section[aria-labelledby="h-upcoming"] a[href="/bookings#booking-${first.id}"]`).click();
  await expect(page).toHaveURL(new RegExp(`/bookings#booking-${first.id}$`));
  await expect(page.locator(`#booking-${first.id}`)).toBeInViewport();
});

test('open a case: detail with its timeline', async ({ page }) => {
  await login(page, 'Kari Nordmann');
  const cases = (await apiGet(page, '/api/v1/cases')).body.items;
  const withEvents = [];
  for (const c of cases) {
    const d = (await apiGet(page, `/api/v1/cases/${c.id}`)).body;
    if (d.events.length > 0) withEvents.push(d);
  }
  expect(withEvents.length).toBeGreaterThan(0);
  const target = withEvents[0];
  await page.locator('nav a[href="/cases"]').click();
  await expect(page).toHaveURL(/\/cases$/);
  await page.locator(`#main a[href="/cases/${target.id}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`/cases/${target.id}$`));
  await expect(page.locator('h1')).toHaveText(target.title);
  const timeline = page.locator('ol.timeline > li');
  await expect(timeline).toHaveCount(target.events.length);
  await expect(timeline.first().locator('h3')).toHaveText(target.events[0].title);
});

test('a message about a case opens that case', async ({ page }) => {
  await login(page, 'Kari Nordmann'); // the kindergarten's deadline message is about her case
  const ov = (await apiGet(page, '/api/v1/me/overview')).body;
  const message = ov.notifications.items.find((n) => n.link && n.link.startsWith('/cases/'));
  expect(message, 'an unread message that names its case').toBeTruthy();
  await page.locator(`section[aria-labelledby="h-new"] a[href="${message.link}"]`).filter({ hasText: message.title }).click();
  await expect(page).toHaveURL(new RegExp(`${message.link}$`));
  const c = (await apiGet(page, `/api/v1${message.link}`)).body;
  await expect(page.locator('h1')).toHaveText(c.title);
});

test('a case document says what kind it is in words, not as a media type', async ({ page }) => {
  await login(page, 'Emma Nordmann'); // her school transfer decision has a document
  let withDocs = null;
  for (const c of (await apiGet(page, '/api/v1/cases')).body.items) {
    const d = (await apiGet(page, `/api/v1/cases/${c.id}`)).body;
    if (d.documents.some((doc) => doc.type && doc.type.includes('/'))) { withDocs = d; break; }
  }
  expect(withDocs, 'a case with a document that has a media type').toBeTruthy();
  await page.goto(`/cases/${withDocs.id}`);
  const docs = page.locator('section[aria-labelledby="h-docs"] li');
  await expect(docs).toHaveCount(withDocs.documents.length);
  for (const doc of withDocs.documents) await expect(docs.filter({ hasText: doc.name }).locator('.meta')).not.toContainText('/');
});

test('search finds services too, whatever the case and accents', async ({ page }) => {
  await login(page, 'Fatima Hassan'); // a parent of a child under 6: offered "Søk barnehageplass"
  await page.locator('nav a[href="/services"]').click();
  for (const [q, title] of [['bibliotekkort', 'Bibliotekkort'], ['SOK BARNEHAGE', 'Søk barnehageplass']]) {
    await page.locator('#q').fill(q);
    await page.locator('form[role="search"] button[type="submit"]').click();
    await expect(page.locator('section[aria-labelledby="h-results"] a').filter({ hasText: title })).toBeVisible();
  }
});

test('switch to acting for a child and see the child\'s items', async ({ page }) => {
  await login(page, 'Kari Nordmann');
  const before = await me(page);
  const child = before.represents.find((p) => p.name === 'Emma Nordmann');
  expect(child, `Kari represents ${before.represents.map((p) => p.name)}`).toBeTruthy();
  await page.locator('select#acting-as').selectOption(child.id);
  await expect(page.locator('header .who')).toContainText('Emma Nordmann');
  const after = await me(page);
  expect(after.actingAs && after.actingAs.id).toBe(child.id);
  const cases = (await apiGet(page, '/api/v1/cases')).body.items;
  expect(cases.length).toBeGreaterThan(0);
  // The overview now lists Emma's case (the school transfer) and not Kari's own.
  const ov = (await apiGet(page, '/api/v1/me/overview')).body;
  const titles = [...ov.needsAction.map((i) => i.title), ...ov.recent.map((c) => c.title)];
  expect(titles.length).toBeGreaterThan(0);
  await expect(page.locator('#main').getByText(titles[0]).first()).toBeVisible();
  await expect(page.locator('#main').getByText('Byggesøknad: tilbygg', { exact: false })).toHaveCount(0);
  // And back to oneself.
  await page.locator('select#acting-as').selectOption('');
  await expect(page.locator('header .who')).toContainText('Kari Nordmann');
});

test('a returning visit asks for each answer of the first screen once (the preloads are used)', async ({ page }) => {
  await login(page, 'Mari Haugen');
  const asked = new Map();
  const unused = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/v1/')) asked.set(path, (asked.get(path) || 0) + 1);
  });
  page.on('console', (m) => { if (/preload .* not used/i.test(m.text())) unused.push(m.text()); });
  // The changes feed is asked for after the first screen is on it: by then all four were.
  const feed = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/changes');
  await page.reload();
  await overviewReady(page);
  await feed;
  for (const path of ['/api/v1/config', '/api/v1/me', '/api/v1/me/messages', '/api/v1/me/overview']) {
    expect(asked.get(path), `requests for ${path}`).toBe(1);
  }
  expect(unused).toEqual([]);
});
