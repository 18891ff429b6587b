// A tiny History API router: real paths (deep links work, the server falls back to
// index.html), no hashes. Pure matching plus a click handler for in-app links.

import { isServerPath } from './server-paths.js';

export const ROUTES = [
  ['/', 'overview'],
  ['/cases', 'cases'],
  ['/cases/:id', 'case'],
  ['/errands/:id', 'errand'],
  ['/bookings', 'bookings'],
  ['/keys', 'keys'],
  ['/notifications', 'notifications'],
  ['/services', 'services'],
  ['/ideas', 'ideas'],
  ['/ideas/:id', 'ideas'], // a notice about one idea opens the page; the idea is under "My ideas"
  ['/report', 'report'], // report a problem in the street; open without login
  ['/reports', 'reports'], // the person's reports and the ones they follow
  ['/reports/:id', 'reportDetail'], // also opened by an anonymous reporter's private link (?token=)
  ['/suggestions', 'suggestions'],
  ['/settings', 'settings'],
  ['/translate', 'translate'], // the translator console
  ['/console', 'console'], // agency console (agencyconsole)
  ['/public/reports', 'public_reports'], // open reports by area, without login (PUBLIC_ROUTES)
];

/** PUBLIC_ROUTES open without a session and show nothing personal: open reports by area, the
 * report form (anyone may report a problem) and a report's page (followed by its private link). */
export const PUBLIC_ROUTES = new Set(['public_reports', 'report', 'reportDetail']);

/** matchRoute maps a pathname to {name, params}; unknown paths give "notfound". */
export function matchRoute(pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  for (const [pattern, name] of ROUTES) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < want.length; i++) {
      if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(parts[i]);
      else if (want[i] !== parts[i]) { ok = false; break; }
    }
    if (ok) return { name, params };
  }
  return { name: 'notfound', params: {} };
}

/** isAppLink is true for a same-origin link the app should handle itself. */
export function isAppLink(a, origin) {
  if (!a || !a.href || a.target || a.hasAttribute('download')) return false;
  const url = new URL(a.href, origin);
  if (url.origin !== origin) return false;
  return !isServerPath(url.pathname);
}

/** startRouter calls onChange(location) on back/forward and intercepts app links. */
export function startRouter(onChange) {
  const navigate = (to, { replace = false } = {}) => {
    if (to === location.pathname + location.search + location.hash) return;
    history[replace ? 'replaceState' : 'pushState'](null, '', to);
    onChange(location);
  };
  addEventListener('popstate', () => onChange(location));
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest && e.target.closest('a');
    if (!isAppLink(a, location.origin)) return;
    e.preventDefault();
    const url = new URL(a.href);
    navigate(url.pathname + url.search + url.hash); // the hash points at an item on the page
  });
  return navigate;
}
