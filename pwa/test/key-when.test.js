import { describe, it, expect } from 'vitest';
import { keyWhen } from '../src/key-when.js';
import { makeTranslator } from '../src/i18n.js';

const t = makeTranslator({
  'ui.keys.not_usable': { other: 'Cannot be used now.' },
  'ui.keys.works_until': { other: 'Works now, until {{.End}}' },
  'ui.keys.works_between': { other: 'Works from {{.Start}} until {{.End}}' },
}, 'en');
const window = { startsAt: '2026-12-10T08:00:00Z', endsAt: '2026-12-10T20:00:00Z' };

describe('when a key works', () => {
  it('a revoked or suspended key never says when it works next', () => {
    expect(keyWhen({ status: 'revoked', validNow: false, nextWindow: window }, t, 'en-GB')).toBe('Cannot be used now.');
    expect(keyWhen({ status: 'suspended', validNow: false, nextWindow: window }, t, 'en-GB')).toBe('Cannot be used now.');
  });
  it('an active key that works now says until when', () => {
    expect(keyWhen({ status: 'active', validNow: true, nextWindow: window }, t, 'en-GB')).toBe('Works now, until 10 Dec 2026, 21:00');
  });
  it('a future key gives the whole window', () => {
    expect(keyWhen({ status: 'active', validNow: false, nextWindow: window }, t, 'en-GB')).toBe('Works from 10 Dec 2026, 09:00 until 10 Dec 2026, 21:00');
  });
  it('a key with no window left cannot be used', () => {
    expect(keyWhen({ status: 'active', validNow: false, nextWindow: null }, t, 'en-GB')).toBe('Cannot be used now.');
  });
});
