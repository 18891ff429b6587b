// What the identity provider's round trips leave in the address. A refused login comes
// back as /?login=failed&reason=<id>: the server's message login.<id> says why
// (cancelled, too many attempts, a lower security level …). A logout comes back as
// /?state=<…> from the provider's end-session page: nothing to show, so nothing to keep.

const REASON = /^[a-z_]{1,40}$/;

/**
 * takeLoginRefusal reads the refusal from the address once and removes it from the
 * address bar, so a reload, a bookmark or a shared link does not repeat it. Returns
 * the reason, or null when the address carries none.
 */
export function takeLoginRefusal(loc, hist) {
  const q = new URLSearchParams(loc.search);
  if (q.get('login') !== 'failed') return null;
  const reason = REASON.test(q.get('reason') || '') ? q.get('reason') : 'failed';
  q.delete('login');
  q.delete('reason');
  const rest = q.toString();
  hist.replaceState(hist.state, '', loc.pathname + (rest ? `?${rest}` : '') + loc.hash);
  return reason;
}

/** loginRefusalText is the server's text for reason, or the general one for a reason it has no text for. */
export function loginRefusalText(reason, t) {
  const id = `login.${reason}`;
  return t.has(id) ? t(id) : t('login.failed');
}

/** dropLogoutState removes the end-session round trip's ?state= from the start page's address. */
export function dropLogoutState(loc, hist) {
  const q = new URLSearchParams(loc.search);
  if (loc.pathname !== '/' || !q.has('state')) return;
  q.delete('state');
  const rest = q.toString();
  hist.replaceState(hist.state, '', loc.pathname + (rest ? `?${rest}` : '') + loc.hash);
}
