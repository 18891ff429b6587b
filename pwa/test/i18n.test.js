import { describe, it, expect } from 'vitest';
import { humanize, choosePlural, interpolate, makeTranslator, relativeAge, dataTime, isRTL } from '../src/i18n.js';

describe('humanize', () => {
  it.each([
    ['ui.overview.needs_action', 'Needs action'],
    ['ui.nav.overview', 'Overview'],
    ['ui.skip_link', 'Skip link'],
    ['ui.keys.works-next', 'Works next'],
    ['plain', 'Plain'],
  ])('%s → %s', (id, want) => expect(humanize(id)).toBe(want));
});

describe('choosePlural', () => {
  const ar = { zero: 'z', one: 'o', two: 't', few: 'f', many: 'm', other: 'x' };
  const pl = { one: 'plik', few: 'pliki', many: 'plików', other: 'pliku' };
  const nb = { one: 'melding', other: 'meldinger' };
  it.each([
    [nb, 1, 'nb', 'melding'],
    [nb, 0, 'nb', 'meldinger'],
    [nb, 2, 'nb', 'meldinger'],
    [ar, 0, 'ar', 'z'],
    [ar, 1, 'ar', 'o'],
    [ar, 2, 'ar', 't'],
    [ar, 3, 'ar', 'f'],
    [ar, 11, 'ar', 'm'],
    [ar, 100, 'ar', 'x'],
    [pl, 1, 'pl', 'plik'],
    [pl, 3, 'pl', 'pliki'],
    [pl, 5, 'pl', 'plików'],
    [pl, 22, 'pl', 'pliki'],
    [{ other: 'only' }, 1, 'nb', 'only'],
    [{ '=0': 'none', one: 'one', other: 'many' }, 0, 'en', 'none'],
    [{ zero: 'none', one: 'one', other: 'many' }, 0, 'en', 'many'], // CLDR, like go-i18n: English has no zero category
    [{ zero: 'none', one: 'one' }, 0, 'en', 'none'],
  ])('%o count %i in %s', (forms, n, lang, want) => expect(choosePlural(forms, n, lang)).toBe(want));
});

describe('interpolate', () => {
  it.each([
    ['Hei, {name}', { name: 'Kari' }, 'Hei, Kari'],
    ['{{.Count}} nye', { count: 3 }, '3 nye'],
    ['{{ .Name }} har {{.Count}}', { name: 'Ola', count: 1 }, 'Ola har 1'],
    ['{missing} stays', {}, '{missing} stays'],
    ['no data', undefined, 'no data'],
  ])('%s', (text, data, want) => expect(interpolate(text, data)).toBe(want));
});

describe('makeTranslator', () => {
  const t = makeTranslator({
    'ui.nav.overview': 'Oversikt',
    'ui.overview.unread': { one: '{{.Count}} ulest', other: '{{.Count}} uleste' },
    'ui.empty': '',
  }, 'nb');
  it.each([
    ['ui.nav.overview', undefined, 'Oversikt'],
    ['ui.overview.unread', { count: 1 }, '1 ulest'],
    ['ui.overview.unread', { count: 4 }, '4 uleste'],
    ['ui.overview.needs_action', undefined, 'Needs action'],
    ['ui.keys.open', { name: 'Hovedinngang' }, 'Open: Hovedinngang'],
    ['ui.empty', undefined, 'Empty'],
    ['ui.app_name', undefined, 'Min side'],
  ])('%s', (id, data, want) => expect(t(id, data)).toBe(want));
});

describe('relativeAge', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const ago = (s) => now - s * 1000;
  it.each([
    [ago(10), 'en', 'now'],
    [ago(5 * 60), 'en', '5 minutes ago'],
    [ago(3 * 3600), 'en', '3 hours ago'],
    [ago(26 * 3600), 'en', 'yesterday'],
    [ago(3 * 86400), 'en', '3 days ago'],
    [ago(15 * 86400), 'en', '2 weeks ago'],
    [now + 2 * 3600e3, 'en', 'in 2 hours'],
    [ago(5 * 60), 'nb', 'for 5 minutter siden'],
    [new Date(ago(3 * 3600)).toISOString(), 'en', '3 hours ago'],
  ])('%s in %s', (then, lang, want) => expect(relativeAge(then, now, lang)).toBe(want));
});

describe('dataTime', () => {
  const now = Date.parse('2026-12-04T14:30:00Z'); // 15:30 in Oslo
  it('gives the clock time for data saved today, even seconds ago', () => {
    expect(dataTime(now - 10_000, now, 'nb')).toBe('15:29');
    expect(dataTime(Date.parse('2026-12-04T07:05:00Z'), now, 'en-GB')).toBe('08:05');
  });
  it('gives the date too for data from another day (in Oslo)', () => {
    const yesterday = dataTime(Date.parse('2026-12-03T20:00:00Z'), now, 'nb');
    expect(yesterday).toContain('3. des');
    expect(yesterday).toContain('21:00');
    expect(dataTime(Date.parse('2026-12-03T23:30:00Z'), now, 'nb')).toBe('00:30'); // after midnight in Oslo: today
  });
});

describe('isRTL', () => {
  it.each([['ar', true], ['ur', true], ['nb', false], ['se', false], ['ar-EG', true], ['', false]])('%s', (code, want) => expect(isRTL(code)).toBe(want));
});
