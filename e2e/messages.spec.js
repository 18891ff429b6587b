// Messages on a case, on a phone: written offline with a photo attached, the message waits
// in the outbox (shown as waiting) with its file, and is sent once when the network returns.
import { test, expect, login, apiGet } from './fixtures.js';

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

// A 2×2 PNG (red pixels), as a phone would hand the file picker a photo.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==', 'base64');

test('a message written offline with an attachment is sent once when online', async ({ page, context }) => {
  test.setTimeout(60_000);
  await login(page, 'Mohammed Ali');
  const cases = (await apiGet(page, '/api/v1/cases')).body.items;
  const c = cases[0];
  expect(c, 'a case to write on').toBeTruthy();
  await page.goto(`/cases/${c.id}`);
  await expect(page.locator('#h-messages')).toBeVisible();

  const text = `Spørsmål skrevet uten nett ${Date.now()}`;
  const posts = [];
  context.on('request', (req) => { if (req.method() === 'POST' && req.url().endsWith(`/api/v1/cases/${c.id}/messages`)) posts.push(req); });

  await context.setOffline(true);
  await page.locator('#message-text').fill(text);
  await page.locator('#message-files').setInputFiles({ name: 'tomt.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: /^Send$/ }).click();
  const waiting = page.getByTestId('message-waiting');
  await expect(waiting).toContainText(text);
  await expect(waiting).toContainText('tomt.png');

  await context.setOffline(false);
  const thread = page.getByTestId('message-thread');
  await expect(waiting).toHaveCount(0, { timeout: 20_000 });
  await expect(thread.locator('.message-citizen').filter({ hasText: text })).toHaveCount(1, { timeout: 20_000 });
  await expect(thread.locator('.message-citizen').filter({ hasText: text })).toContainText('tomt.png');

  // Stored exactly once, with its attachment; one request reached the server.
  const items = (await apiGet(page, `/api/v1/cases/${c.id}/messages`)).body.items.filter((m) => m.body === text);
  expect(items).toHaveLength(1);
  expect(items[0].attachments.map((a) => [a.name, a.contentType])).toEqual([['tomt.png', 'image/png']]);
  expect(posts.length).toBe(1);
});

// A phone photo (4000×3000) is scaled down in the browser before it is stored or sent: the
// attachment the portal keeps is at most 1600 px on its longest side (the server alone would
// keep 3000), a JPEG still, and its name is kept.
test('a large photo is scaled to 1600 px in the browser before it is sent', async ({ page }) => {
  test.setTimeout(60_000);
  await login(page, 'Mohammed Ali');
  const c = (await apiGet(page, '/api/v1/cases')).body.items[0];
  expect(c, 'a case to write on').toBeTruthy();
  await page.goto(`/cases/${c.id}`);
  await expect(page.locator('#h-messages')).toBeVisible();

  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(4000, 3000);
    const ctx = canvas.getContext('2d');
    const g = ctx.createLinearGradient(0, 0, 4000, 3000);
    g.addColorStop(0, '#2a6f97');
    g.addColorStop(1, '#f4a261');
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, 4000, 3000);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  const text = `Bilde av hagen ${Date.now()}`;
  await page.locator('#message-text').fill(text);
  await page.locator('#message-files').setInputFiles({ name: 'hage.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(base64, 'base64') });
  await page.getByRole('button', { name: /^Send$/ }).click();
  // The thread shows the message at once as waiting (it goes through the outbox); the
  // portal has it only once the waiting copy is replaced by the stored one.
  const thread = page.getByTestId('message-thread');
  await expect(page.getByTestId('message-waiting')).toHaveCount(0, { timeout: 20_000 });
  await expect(thread.locator('.message-citizen:not(.message-waiting)').filter({ hasText: text })).toHaveCount(1, { timeout: 20_000 });

  const m = (await apiGet(page, `/api/v1/cases/${c.id}/messages`)).body.items.find((x) => x.body === text);
  expect(m.attachments.map((a) => [a.name, a.contentType])).toEqual([['hage.jpg', 'image/jpeg']]);
  const size = await page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    const bitmap = await createImageBitmap(await res.blob());
    return { width: bitmap.width, height: bitmap.height };
  }, m.attachments[0].url);
  expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(1600);
  expect(size).toEqual({ width: 1600, height: 1200 });
});
