import { describe, it, expect } from 'vitest';
import { takeLoginRefusal, loginRefusalText, dropLogoutState } from '../src/login-refusal.js';
import { makeTranslator } from '../src/i18n.js';

function at(href) {
  const url = new URL(href, 'https://minside.example.no');
  const calls = [];
  const hist = { state: { kept: true }, replaceState: (st, _title, to) => calls.push({ st, to }) };
  return { loc: { pathname: url.pathname, search: url.search, hash: url.hash }, hist, calls };
}

describe('takeLoginRefusal', () => {
  it('returns the reason and takes it out of the address, keeping the rest', () => {
    const { loc, hist, calls } = at('/?login=failed&reason=cancelled&tab=2#top');
    expect(takeLoginRefusal(loc, hist)).toBe('cancelled');
    expect(calls).toEqual([{ st: { kept: true }, to: '/?tab=2#top' }]);
  });

  it('leaves an address without a refusal alone', () => {
    const { loc, hist, calls } = at('/cases?login=ok');
    expect(takeLoginRefusal(loc, hist)).toBeNull();
    expect(calls).toEqual([]);
  });

  it('turns a missing or odd reason into the general one', () => {
    for (const href of ['/?login=failed', '/?login=failed&reason=%3Cscript%3E', `/?login=failed&reason=${'a'.repeat(41)}`]) {
      const { loc, hist, calls } = at(href);
      expect(takeLoginRefusal(loc, hist)).toBe('failed');
      expect(calls[0].to).toBe('/');
    }
  });
});

describe('loginRefusalText', () => {
  const t = makeTranslator({ 'login.cancelled': 'Du avbrøt innloggingen.', 'login.failed': 'Innloggingen lyktes ikke.' }, 'nb');

  it("shows the server's text for a reason it knows", () => {
    expect(loginRefusalText('cancelled', t)).toBe('Du avbrøt innloggingen.');
  });

  it('shows the general text for a reason it has no text for', () => {
    expect(loginRefusalText('from_a_newer_server', t)).toBe('Innloggingen lyktes ikke.');
  });
});

describe('dropLogoutState', () => {
  it('takes the end-session state out of the start page\'s address', () => {
    const { loc, hist, calls } = at('/?state=abc123');
    dropLogoutState(loc, hist);
    expect(calls).toEqual([{ st: { kept: true }, to: '/' }]);
  });

  it('keeps the rest, and leaves other pages alone', () => {
    const kept = at('/?state=x&tab=2#top');
    dropLogoutState(kept.loc, kept.hist);
    expect(kept.calls.map((c) => c.to)).toEqual(['/?tab=2#top']);
    const other = at('/cases?state=x');
    dropLogoutState(other.loc, other.hist);
    expect(other.calls).toEqual([]);
  });
});
