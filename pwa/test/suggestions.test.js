import { describe, it, expect } from 'vitest';
import { whyText, choice, chosen, visible, snoozeDate, applySuggestion, unshown, withAgencyOff } from '../src/suggestions.js';
import { applyChanges } from '../src/deltas.js';

const parts = [{ t: 'Fordi ' }, { v: 'Jonas' }, { t: ' fyller 6 år ' }, { d: '2027-08-14' }, { t: ' og du har ' }, { n: 1234.5 }, { t: ' kr.' }];

describe('whyText', () => {
  it('fills the why-text with dates and numbers in the reader\'s language', () => {
    expect(whyText(parts, 'nb')).toBe('Fordi Jonas fyller 6 år 14. august 2027 og du har 1\u00a0234,5 kr.');
    expect(whyText(parts, 'en')).toBe('Fordi Jonas fyller 6 år August 14, 2027 og du har 1,234.5 kr.');
  });
  it('is empty without parts', () => {
    expect(whyText(undefined, 'nb')).toBe('');
  });
});

describe('choices', () => {
  it('are outbox actions on the suggestion', () => {
    expect(choice('dismiss', 'a/b', { reason: 'Ikke for oss' })).toEqual({
      path: '/api/v1/me/suggestions/a%2Fb/dismiss', kind: 'suggestionDismiss', targetId: 'a/b', body: { reason: 'Ikke for oss' },
    });
    expect(choice('done', 'x', {})).toEqual({ path: '/api/v1/me/suggestions/x/done', kind: 'suggestionDone', targetId: 'x' });
    expect(() => choice('delete', 'x')).toThrow();
  });
  it('hide the suggestion while they wait to be sent, not once they failed', () => {
    const list = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const outbox = [
      { kind: 'suggestionSnooze', targetId: 'a', status: 'pending' },
      { kind: 'suggestionDismiss', targetId: 'b', status: 'failed' },
      { kind: 'cancelBooking', targetId: 'c', status: 'pending' },
    ];
    expect(visible(list, outbox).map((s) => s.id)).toEqual(['b', 'c']);
    expect(chosen('a', outbox)).toBe(true);
  });
});

describe('snoozeDate', () => {
  it('is a local date some days ahead', () => {
    expect(snoozeDate(7, new Date(2026, 11, 29, 23, 30))).toBe('2027-01-05');
  });
});

describe('the changes feed', () => {
  const a = { id: 'a', createdAt: '2026-12-01T10:00:00Z', title: 'A' };
  const b = { id: 'b', createdAt: '2026-12-02T10:00:00Z', title: 'B' };
  it('adds, replaces and removes suggestions, newest first', () => {
    let list = applySuggestion([a], { kind: 'suggestion', id: 'b', op: 'upsert', data: b });
    expect(list.map((s) => s.id)).toEqual(['b', 'a']);
    list = applySuggestion(list, { kind: 'suggestion', id: 'a', op: 'upsert', data: { ...a, title: 'A2' } });
    expect(list.find((s) => s.id === 'a').title).toBe('A2');
    list = applySuggestion(list, { kind: 'suggestion', id: 'b', op: 'delete', data: null });
    expect(list.map((s) => s.id)).toEqual(['a']);
  });
  it('reaches the overview through applyChanges', () => {
    const o = applyChanges({ suggestions: [a] }, [{ kind: 'suggestion', id: 'a', op: 'delete', data: null },
      { kind: 'suggestion', id: 'b', op: 'upsert', data: b }], 'next');
    expect(o.suggestions).toEqual([b]);
    expect(o.cursor).toBe('next');
  });
  it('leaves an overview from an older server without suggestions working', () => {
    expect(applyChanges({}, [], null).suggestions).toBeUndefined();
    expect(applyChanges({}, [{ kind: 'suggestion', id: 'b', op: 'upsert', data: b }], null).suggestions).toEqual([b]);
  });
});

describe('shown and preferences', () => {
  it('reports each shown suggestion once', () => {
    const reported = new Set(['a']);
    expect(unshown([{ id: 'a' }, { id: 'b' }], reported)).toEqual(['b']);
  });
  it('adds an agency to the ones turned off once', () => {
    expect(withAgencyOff(['x', 'b'], 'b')).toEqual(['b', 'x']);
    expect(withAgencyOff(undefined, 'a')).toEqual(['a']);
  });
});
