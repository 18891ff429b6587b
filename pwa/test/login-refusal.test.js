import { describe, it, expect } from 'vitest';
import { takeLoginRefusal, loginRefusalText } from '../src/login-refusal.js';
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
