import { describe, expect, it } from 'vitest';
import { byDistance, formatDistance } from '../src/map/places.js';

const items = [
  { id: 'far', lat: 59.9165, lon: 10.7528 },
  { id: 'near', lat: 59.9127, lon: 10.7461 },
];

describe('byDistance', () => {
  it('keeps the server order without a position', () => {
    expect(byDistance(items, null).map((i) => i.id)).toEqual(['far', 'near']);
    expect(byDistance(items, null)[0].distanceM).toBeUndefined();
  });
  it('sorts closest first and says how far', () => {
    const out = byDistance(items, { lat: 59.9127, lon: 10.7460 });
    expect(out.map((i) => i.id)).toEqual(['near', 'far']);
    expect(out[0].distanceM).toBeLessThan(10);
    expect(out[1].distanceM).toBeGreaterThan(400);
  });
});

describe('formatDistance', () => {
  it('says metres to the ten below a kilometre and kilometres above', () => {
    expect(formatDistance(347, 'en')).toBe('350 m');
    expect(formatDistance(3, 'en')).toBe('10 m');
    expect(formatDistance(1234, 'en')).toBe('1.2 km');
    expect(formatDistance(1234, 'nb')).toMatch(/^1,2\s?km$/);
  });
});
