import { describe, expect, it } from 'vitest';
import { actingText, areasText, daysLeft, endDate } from '../src/pages/acting-as.jsx';
import { makeTranslator } from '../src/i18n.js';

const t = makeTranslator({
  'ui.people.scope.health': 'Helse', 'ui.people.scope.care': 'Omsorg',
  'ui.acting_as.banner_guardian': 'Dette er siden til {{.Name}}. Du handler som foresatt.',
  'ui.acting_as.banner_attorney': 'Dette er siden til {{.Name}}. Du handler med fullmakt for {{.Areas}}.',
  'ui.acting_as.banner_attorney_general': 'Dette er siden til {{.Name}}. Du handler med en generell fullmakt.',
}, 'nb');

describe('acting for someone', () => {
  it('shows the end of a guardianship as a date, not a clock time', () => {
    // A guardianship ends at the 18th birthday, midnight UTC: 02:00 in Oslo in summer.
    const text = endDate('2033-06-15T00:00:00Z', 'nb');
    expect(text).toContain('2033');
    expect(text).toMatch(/15\.?\s*juni/);
    expect(text).not.toMatch(/\d{1,2}[:.]\d{2}/);
  });
  it('counts the days left, rounded up', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    expect(daysLeft('2026-12-16T12:00:00Z', now)).toBe(12);
    expect(daysLeft('2026-12-04T13:00:00Z', now)).toBe(1);
    expect(daysLeft('2026-12-01T00:00:00Z', now)).toBe(0);
  });
  it('names the areas of a power of attorney in a sentence', () => {
    expect(areasText(['health', 'care'], t, 'nb')).toBe('helse og omsorg');
    expect(areasText(['health', 'care'], t, 'en')).toBe('helse and omsorg');
  });
  it('says whose page it is and by which right', () => {
    expect(actingText({ name: 'Emma Nordmann', relation: 'guardian', scopes: null }, t, 'nb'))
      .toBe('Dette er siden til Emma Nordmann. Du handler som foresatt.');
    expect(actingText({ name: 'Ingrid Hansen', relation: 'power_of_attorney', scopes: ['health', 'care'] }, t, 'nb'))
      .toBe('Dette er siden til Ingrid Hansen. Du handler med fullmakt for helse og omsorg.');
    expect(actingText({ name: 'Ingrid Hansen', relation: 'power_of_attorney', scopes: null }, t, 'nb'))
      .toBe('Dette er siden til Ingrid Hansen. Du handler med en generell fullmakt.');
  });
});
