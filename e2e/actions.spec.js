// Acting online: cancel a booking (with the confirm step) and open a door.
import { test, expect, login, apiGet } from './fixtures.js';

/** firstCancellable returns an upcoming booking the person may cancel. */
export async function firstCancellable(page) {
  const items = (await apiGet(page, '/api/v1/bookings?when=upcoming')).body.items;
  const b = items.find((x) => x.canCancel && x.status === 'confirmed');
  expect(b, 'a cancellable upcoming booking in the demo data').toBeTruthy();
  return b;
}

test('cancel a booking: confirm step, then it shows as cancelled', async ({ page }) => {
  // Erik's barbecue area: Nguyen's booking within a day stays for the overview's "starts soon" test.
  await login(page, 'Erik Solberg');
  const b = await firstCancellable(page);
  await page.locator('nav a[href="/bookings"]').click();
  const card = page.locator(`[data-booking="${b.id}"]`);
  await expect(card).toBeVisible();
  await card.locator('[data-action="cancel"]').click();
  // Nothing happens before the confirm step.
  const confirm = card.locator('[data-action="confirm-cancel"]');
  await expect(confirm).toBeVisible();
  expect((await apiGet(page, '/api/v1/bookings?when=upcoming')).body.items.find((x) => x.id === b.id).status).toBe('confirmed');
  await confirm.click();
  await expect(card.locator('.badge-cancelled')).toBeVisible();
  await expect(card.locator('[data-action="cancel"]')).toHaveCount(0);
  // The confirmation is on screen, not only read out by a screen reader.
  const status = page.getByRole('status');
  await expect(status).toBeVisible();
  await expect(status).not.toBeEmpty();
  await expect(status).toBeInViewport();
  const box = await status.boundingBox(); // a visually hidden live region is 1 px
  expect(box.width * box.height, 'the confirmation is readable on screen').toBeGreaterThan(1000);
  const all = [...(await apiGet(page, '/api/v1/bookings?when=upcoming')).body.items, ...(await apiGet(page, '/api/v1/bookings?when=past')).body.items];
  expect(all.find((x) => x.id === b.id).status).toBe('cancelled');
});

test('open a door: press "Open …" on the key page and see success', async ({ page }) => {
  await login(page, 'Nguyen Thi Lan');
  const keys = (await apiGet(page, '/api/v1/keys')).body.items;
  const k = keys.find((x) => x.validNow && x.status === 'active' && x.accessPoints.length);
  expect(k, 'a key that works now').toBeTruthy();
  await page.locator('nav a[href="/keys"]').click();
  const card = page.locator(`[data-key="${k.id}"]`);
  const button = card.locator('[data-action="open-door"]').first();
  await expect(button).toBeVisible();
  await expect(button).toContainText(k.accessPoints[0].name);
  // The library sends its opening hours; the card shows them with the key.
  expect(k.facility.openingHours, 'the facility\'s opening hours in the API').toBeTruthy();
  await expect(card.locator('[data-opening-hours]')).toContainText(k.facility.openingHours.split('\n')[0]);
  await button.click();
  await expect(card.locator('.note-ok').first()).toBeVisible();
  await expect(card.locator('.note-error')).toHaveCount(0);
  // The key's history now lists that use.
  await card.locator('[data-action="key-uses"]').click();
  await expect(card.locator('[data-use]').first()).toBeVisible();
  const uses = (await apiGet(page, `/api/v1/keys/${k.id}/uses`)).body.items;
  expect(uses.length).toBeGreaterThan(0);
  await expect(card.locator('[data-use]')).toHaveCount(uses.length);
  expect(uses[0].accessPointName).toBe(k.accessPoints[0].name);
});

test('a key whose booking was cancelled says it cannot be used, not when it works next', async ({ page }) => {
  await login(page, 'Ola Nordmann'); // the meeting room booking carries a key
  const booking = (await apiGet(page, '/api/v1/bookings?when=upcoming')).body.items.find((b) => b.keyId && b.canCancel);
  expect(booking, 'a cancellable booking with a key').toBeTruthy();
  const { messages } = (await apiGet(page, '/api/v1/me/messages')).body;
  await page.locator('nav a[href="/keys"]').click();
  const card = page.locator(`[data-key="${booking.keyId}"]`);
  await expect(card.locator('[data-key-when]'), 'the whole window, with its times').toContainText(/\d/);

  await page.locator('nav a[href="/bookings"]').click();
  const bcard = page.locator(`[data-booking="${booking.id}"]`);
  await bcard.locator('[data-action="cancel"]').click();
  await bcard.locator('[data-action="confirm-cancel"]').click();
  await expect(bcard.locator('.badge-cancelled')).toBeVisible();

  await page.locator('nav a[href="/keys"]').click();
  await expect(card.locator('.badge-revoked')).toBeVisible();
  await expect(card.locator('[data-key-when]')).toHaveText(messages['ui.keys.not_usable']);
});
