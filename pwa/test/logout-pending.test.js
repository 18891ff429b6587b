import { describe, it, expect } from 'vitest';
import { pendingLogout, isLoggedOutSession } from '../src/logout-pending.js';

describe('a logout made offline', () => {
  const me = { id: 'c1', name: 'Kari Nordmann', csrfToken: 'secret', sessionStartedAt: '2026-12-03T10:00:00Z' };

  it('keeps only when the session began: no name, no token', () => {
    expect(pendingLogout(me)).toEqual({ sessionStartedAt: '2026-12-03T10:00:00Z' });
  });

  it('ends the session it logged out of', () => {
    expect(isLoggedOutSession(pendingLogout(me), { ...me, csrfToken: 'other copy' })).toBe(true);
  });

  it('leaves a later login alone, even of the same person', () => {
    expect(isLoggedOutSession(pendingLogout(me), { ...me, sessionStartedAt: '2026-12-03T11:30:00Z' })).toBe(false);
  });

  it('without a start time on either side, ends whatever session is there', () => {
    expect(isLoggedOutSession(pendingLogout({ id: 'c1' }), me)).toBe(true);
    expect(isLoggedOutSession(pendingLogout(me), { id: 'c1' })).toBe(true);
  });

  it('does nothing when nothing is pending or nobody is logged in', () => {
    expect(isLoggedOutSession(null, me)).toBe(false);
    expect(isLoggedOutSession(pendingLogout(me), null)).toBe(false);
  });
});
