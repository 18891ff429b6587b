import { describe, it, expect } from 'vitest';
import {
  emptyRule, prefillOf, prefillText, ruleFormOf, ruleBodyOf, expressionsOf, problemsByPointer, formPointer, districtRows, sampleLines,
} from '../src/rule-form.js';

const stored = {
  status: 'published', category: 'family', area: 'kindergarten', appliesTo: 'child', condition: 'child.guardian && child.age < 6',
  texts: { title: { nb: 'Søk barnehageplass' }, why: { nb: 'fordi {child.name} er {child.age} år' }, legalBasis: { nb: 'Barnehageloven § 16' } },
  action: { type: 'link', link: 'https://kommune.no/barnehage', prefill: { alder: '{child.age}' } }, events: ['child.born'],
  expiresAt: '2030-08-01T00:00:00Z', version: 3,
};

describe('the rule form', () => {
  it('round-trips a stored rule to the same body', () => {
    const { status, version, ...body } = stored;
    const back = ruleBodyOf(ruleFormOf(stored));
    expect(back).toEqual(body);
  });

  it('leaves out what the editor left empty, but always sends title and why', () => {
    const f = { ...emptyRule, title: { nb: 'Tittel', en: ' ' }, condition: 'person.age >= 67' };
    expect(ruleBodyOf(f)).toEqual({
      category: '', area: 'other', appliesTo: 'person', condition: 'person.age >= 67',
      texts: { title: { nb: 'Tittel' }, why: {} }, action: { type: 'link' },
    });
  });

  it('reads prefill lines', () => {
    expect(prefillOf('alder={child.age}\n\n navn = {child.name} \nbare')).toEqual({ alder: '{child.age}', navn: '{child.name}', bare: '' });
    expect(prefillText({ a: '{x}', b: 'y' })).toBe('a={x}\nb=y');
  });

  it('sends the expressions to check and preview', () => {
    expect(expressionsOf(ruleFormOf(stored))).toEqual({
      appliesTo: 'child', condition: 'child.guardian && child.age < 6', why: { nb: 'fordi {child.name} er {child.age} år' },
      events: ['child.born'], prefill: { alder: '{child.age}' },
    });
  });
});

describe('problems', () => {
  const t = (id, d) => `${id}:${d.Line}:${d.Column}:${d.Message}`;
  it('are worded per field, with line and column', () => {
    const got = problemsByPointer([
      { pointer: '/condition', line: 2, column: 9, message: 'undefined field' },
      { pointer: '/condition', line: 3, column: 1, message: 'more' },
      { pointer: '/texts/why/nb', line: 1, column: 13, message: 'no such name' },
    ], t);
    expect(got).toEqual({
      '/condition': 'ui.console.rule_problem:2:9:undefined field ui.console.rule_problem:3:1:more',
      '/texts/why/nb': 'ui.console.rule_problem:1:13:no such name',
    });
    expect(formPointer('/texts/why/nb')).toBe('/why/nb');
    expect(formPointer('/condition')).toBe('/condition');
  });
});

describe('the preview', () => {
  it('lists districts by people, unknown last', () => {
    expect(districtRows({ '': 5, Grorud: 2, Frogner: 7, Alna: 2 })).toEqual([['Frogner', 7], ['Alna', 2], ['Grorud', 2], ['', 5]]);
  });
  it('says what a sample holds, without anything else', () => {
    expect(sampleLines({ age: 35, district: 'Grorud', children: [{ age: 0, guardian: true }, { age: 2, guardian: true }],
      cases: [{ kind: 'kindergarten', status: 'received' }] }))
      .toEqual({ age: 35, district: 'Grorud', children: '0, 2', cases: 'kindergarten (received)' });
  });
});
