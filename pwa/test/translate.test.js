import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  placeholdersOf, formProblems, sampleCounts, fold, findMessages, filterCounts, pageOf, placeholderKind, sampleValue, sampleData, PAGE_SIZE,
} from '../src/translate-check.js';
import { makeTranslator } from '../src/i18n.js';

const hello = { id: 'ui.overview.hello', plurals: ['other'], placeholders: ['Name'], source: { other: 'Hei, {{.Name}}' } };
const unread = {
  id: 'ui.overview.unread', plurals: ['zero', 'one', 'two', 'few', 'many', 'other'], placeholders: ['Count'],
  source: { one: '{{.Count}} ulest melding', other: '{{.Count}} uleste meldinger' },
};

describe('placeholdersOf', () => {
  it.each([
    ['Hei, {{.Name}}', ['Name']],
    ['{{ .Count }} av {{.Total}} – {{.Count}}', ['Count', 'Total']],
    ['ingen', []],
  ])('%s', (text, want) => expect(placeholdersOf(text)).toEqual(want));
});

describe('formProblems (the server rules, before saving)', () => {
  it.each([
    ['a correct text', hello, { other: 'Bures, {{.Name}}' }, {}],
    ['a lost placeholder', hello, { other: 'Bures!' }, { other: 'placeholders' }],
    ['a misspelt placeholder', hello, { other: 'Bures, {{.Nama}}' }, { other: 'placeholders' }],
    ['an empty form', hello, { other: ' ' }, { other: 'required' }],
    ['Arabic with all six forms; zero/one/two may leave out the count', unread,
      { zero: 'لا رسائل', one: 'رسالة واحدة', two: 'رسالتان', few: '{{.Count}} رسائل', many: '{{.Count}} رسالة', other: '{{.Count}} رسالة' }, {}],
    ['Arabic missing "few", and "many" without the count', unread,
      { zero: 'a', one: 'b', two: 'c', few: '', many: 'رسالة', other: '{{.Count}} x' }, { few: 'required', many: 'placeholders' }],
  ])('%s', (_, msg, forms, want) => {
    const got = Object.fromEntries(Object.entries(formProblems(msg, forms)).map(([k, v]) => [k, v.key]));
    expect(got).toEqual(want);
  });
});

describe('sampleCounts and the live preview', () => {
  it('finds a number for every CLDR category of the language', () => {
    expect(sampleCounts('ar', unread.plurals)).toEqual({ zero: 0, one: 1, two: 2, few: 3, many: 11, other: 100 });
    expect(sampleCounts('pl', ['one', 'few', 'many', 'other'])).toMatchObject({ one: 1, few: 2, many: 0 });
  });
  it('renders each form through the app\'s own t()', () => {
    const forms = { one: '{{.Count}} dzień', few: '{{.Count}} dni', many: '{{.Count}} dni', other: '{{.Count}} dnia' };
    const t = makeTranslator({ 'ui.x': forms }, 'pl');
    const samples = sampleCounts('pl', Object.keys(forms));
    expect(t('ui.x', { count: samples.few })).toBe('2 dni');
    expect(t('ui.x', { count: samples.one })).toBe('1 dzień');
  });
});

// Messages as GET /api/v1/translate/:lang/messages?filter=all lists them.
const many = Array.from({ length: 120 }, (_, i) => ({
  id: `ui.demo.m${String(i).padStart(3, '0')}`, source: { other: `Tekst nummer ${i}` }, forms: i % 3 ? { other: `Teksta ${i}` } : {},
  status: i % 3 === 0 ? 'missing' : i % 5 === 0 ? 'outdated' : 'translated', needsReview: i % 7 === 0 && i % 3 !== 0,
}));
const sami = { id: 'ui.nav.overview', source: { other: 'Oversikt' }, forms: { other: 'Čoahkkáigeassu' }, status: 'review', needsReview: true };

describe('finding messages', () => {
  it('folds case and accents the way a reader types', () => {
    expect(fold('Čoahkkáigeassu ÅØ')).toBe('coahkkaigeassu aø');
  });
  it.each([
    ['an id', 'ui.demo.m117', ['ui.demo.m117']],
    ['a source text, without its case', 'NUMMER 118', ['ui.demo.m118']],
    ['a translation, without accents', 'coahkkaigeassu', ['ui.nav.overview']],
    ['every word, in any order', '119 tekst', ['ui.demo.m119']],
    ['nothing', 'ingenting slikt', []],
  ])('by %s', (_, q, want) => {
    expect(findMessages([...many, sami], { q, filter: 'all' }).map((m) => m.id)).toEqual(want);
  });
  it('filters by status, and "review" takes every message marked for review', () => {
    const all = [...many, sami];
    const counts = filterCounts(all);
    expect(counts.all).toBe(121);
    expect(counts.missing).toBe(40);
    expect(findMessages(all, { filter: 'missing' }).every((m) => m.status === 'missing')).toBe(true);
    expect(findMessages(all, { filter: 'review' }).every((m) => m.needsReview)).toBe(true);
    expect(findMessages(all, { filter: 'review', q: 'oversikt' }).map((m) => m.id)).toEqual(['ui.nav.overview']);
    expect(findMessages(all, { filter: 'missing', q: 'ui.demo.m001' })).toEqual([]); // translated, so not under "missing"
  });
  it('pages through every message: none is out of reach', () => {
    const seen = [];
    const first = pageOf(many, 0);
    for (let p = 0; p < first.pages; p++) seen.push(...pageOf(many, p).items.map((m) => m.id));
    expect(seen).toEqual(many.map((m) => m.id));
    expect(first).toMatchObject({ page: 0, pages: Math.ceil(120 / PAGE_SIZE), from: 1, to: PAGE_SIZE, total: 120 });
    expect(pageOf(many, 99)).toMatchObject({ page: first.pages - 1, to: 120 }); // clamped, as after a narrower search
    expect(pageOf([], 3)).toMatchObject({ items: [], page: 0, pages: 1, from: 0, to: 0, total: 0 });
  });
});

describe('sample values for the preview', () => {
  it.each([
    ['Count', 'count'], ['Agency', 'agency'], ['Name', 'name'], ['Actor', 'name'], ['URL', 'url'], ['Time', 'time'], ['Age', 'age'],
    ['Deadline', 'datetime'], ['ValidUntil', 'datetime'], ['StartsAt', 'datetime'], ['Limit', 'bytes'], ['Max', 'number'],
    ['Langs', 'langs'], ['Areas', 'areas'], ['Allowed', 'list'], ['Title', 'title'], ['Expected', 'media'],
    ['Distance', 'distance'],
  ])('%s is a %s', (name, kind) => expect(placeholderKind(name)).toBe(kind));

  it('knows the kind of every placeholder the messages use', () => {
    const names = new Set([...readFileSync(new URL('../../locales/nb.toml', import.meta.url), 'utf8').matchAll(/\{\{\s*\.(\w+)/g)].map((m) => m[1]));
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((n) => placeholderKind(n) === 'text')).toEqual([]);
  });

  it('writes values the way the language does, and Count picks the plural form', () => {
    expect(sampleValue('Deadline', 'nb')).toMatch(/2026/);
    expect(sampleValue('Deadline', 'uk')).not.toBe(sampleValue('Deadline', 'en'));
    expect(sampleValue('URL', 'nb')).toMatch(/^https:\/\//);
    const t = makeTranslator({ [unread.id]: { one: '{{.Count}} ulest fra {{.Agency}}', other: '{{.Count}} uleste fra {{.Agency}}' } }, 'nb');
    expect(t(unread.id, sampleData(['Count', 'Agency'], 'nb', 1))).toBe('1 ulest fra Bymiljøetaten');
    expect(t(unread.id, sampleData(['Count', 'Agency'], 'nb', 5))).toBe('5 uleste fra Bymiljøetaten');
    const filled = makeTranslator({ x: 'Frist {{.Deadline}} – {{.Name}} – {{.URL}}' }, 'nb')('x', sampleData(['Deadline', 'Name', 'URL'], 'nb', 1));
    expect(filled).not.toMatch(/\{\{/);
  });
});
