// A logout made offline wipes the device at once, but the session cookie is HttpOnly:
// only the server can end that session, and until it does, the next person to open the
// app here would be let in. So the device remembers which session it logged out (by when
// it began, which /me tells) and ends it the first time the server answers.

/** pendingLogout is what the device keeps (no name, no token) to end me's session later. */
export function pendingLogout(me) {
  return { sessionStartedAt: (me && me.sessionStartedAt) || null };
}

/**
 * isLoggedOutSession tells whether the server's session (me) is the one logged out
 * offline. A later login on this device is a different session and is left alone.
 */
export function isLoggedOutSession(pending, me) {
  if (!pending || !me) return false;
  // Without a start time on either side, a session the person logged out of may be any.
  if (!pending.sessionStartedAt || !me.sessionStartedAt) return true;
  return pending.sessionStartedAt === me.sessionStartedAt;
}
