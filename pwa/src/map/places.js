// Lists of places: distances from the person, in their language. Pure; tested in
// pwa/test/places.test.js.
import { distanceM } from './geo.js';

/**
 * byDistance adds distanceM to each item and sorts closest first when a position is
 * known; without one the items keep the server's order (newest first).
 */
export function byDistance(items, position) {
  if (!position) return items;
  return items
    .map((it) => ({ ...it, distanceM: distanceM(position, it) }))
    .sort((a, b) => a.distanceM - b.distanceM);
}

/** formatDistance says "350 m" or "1.2 km" in the reader's language. */
export function formatDistance(metres, lang) {
  const km = metres >= 1000;
  const value = km ? Math.round(metres / 100) / 10 : Math.max(10, Math.round(metres / 10) * 10);
  const opts = { style: 'unit', unit: km ? 'kilometer' : 'meter', unitDisplay: 'short', maximumFractionDigits: 1 };
  try { return new Intl.NumberFormat(lang, opts).format(value); }
  catch { return new Intl.NumberFormat('en', opts).format(value); }
}
