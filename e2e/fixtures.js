// Shared test fixtures: the server address from global-setup.js, login through the
// dev identity provider, and small helpers to look at the server and the browser's
// storage. Selectors use roles, ids and data attributes, not texts, because the
// texts are translated (locales/*.toml) and may change.
import { test as base, expect } from '@playwright/test';

export { expect };

export const test = base.extend({
  baseURL: async ({}, use) => {
    const url = process.env.MINSIDE_E2E_URL;
    if (!url) throw new Error('MINSIDE_E2E_URL is not set: global-setup.js starts the server');
    await use(url);
  },
  page: async ({ page }, use) => {
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

/** A demo person's button on the dev IdP page: "<name> – <what they show> (masked)". */
export function personButton(page, name) {
  return page.getByRole('button', { name: new RegExp(`^${name}\\b`) });
}

/**
 * login signs in as a demo person through the dev identity provider and waits for the
 * overview to show data. shared=true is the "shared device" login (nothing kept offline).
 */
export async function login(page, name, { shared = false, returnTo = '/' } = {}) {
  const q = new URLSearchParams({ returnTo });
  if (shared) q.set('shared', '1');
  await page.goto(`/auth/login?${q}`);
  await expect(page).toHaveURL(/\/dev-idp\/authorize/);
  await personButton(page, name).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/dev-idp') && !u.pathname.startsWith('/auth/'));
  if (returnTo === '/') await overviewReady(page);
}

/** overviewReady waits until the overview renders data (not just the loading text). */
export async function overviewReady(page) {
  await expect(page.locator('#h-needs')).toBeVisible();
}

/** me fetches GET /api/v1/me with the page's session cookie. */
export async function me(page) {
  const res = await page.request.get('/api/v1/me');
  expect(res.status()).toBe(200);
  return res.json();
}

/** apiGet is a GET on the citizen API with the page's session. */
export async function apiGet(page, path) {
  const res = await page.request.get(path, { headers: { Accept: 'application/json' } });
  return { status: res.status(), body: res.status() === 204 ? null : await res.json().catch(() => null) };
}

/** apiSend is an unsafe call with the session's CSRF token. */
export async function apiSend(page, method, path, { body, idempotencyKey } = {}) {
  const m = await me(page);
  const headers = { Accept: 'application/json', 'X-CSRF-Token': m.csrfToken, Origin: new URL(page.url()).origin };
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const res = await page.request.fetch(path, { method, headers, data: body });
  return { status: res.status(), headers: res.headers(), body: await res.json().catch(() => null) };
}

/** personalDatabases lists this origin's IndexedDB databases that hold personal data. */
export async function personalDatabases(page) {
  return page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n && n.startsWith('minside-user-')));
}

/** cachedApiUrls lists Cache Storage entries under /api/ (there must never be any). */
export async function cachedApiUrls(page) {
  return page.evaluate(async () => {
    const found = [];
    for (const name of await caches.keys()) {
      const c = await caches.open(name);
      for (const r of await c.keys()) if (new URL(r.url).pathname.startsWith('/api/')) found.push(`${name}: ${r.url}`);
    }
    return found;
  });
}
