import { describe, it, expect } from 'vitest';
import { placeholdersOf, formProblems, sampleCounts } from '../src/translate-check.js';
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
