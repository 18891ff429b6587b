// One policy for links that come from agencies (case deep links, document URLs, tile links,
// notification links), the same rules as backend/internal/links, checked against the same table
// (backend/internal/links/testdata/links.json). A link is judged as the browser will read it:
// a browser drops tabs and newlines, trims control characters and spaces at the ends and reads
// "\" as "/", so "/\t/evil.example" would lead to another site. Such links are refused, not
// repaired; what passes is an https URL on a plain host name, or a path inside the portal.

const MAX_LENGTH = 2000;

/** plain is true when the browser reads s exactly as written. */
function plain(s) {
  if (typeof s !== 'string' || s === '' || s.length > MAX_LENGTH) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c) return false; // controls, space, DEL, backslash
  }
  return true;
}

/** dnsName: an ASCII host name whose last label is not a number, and not localhost. */
function dnsName(host) {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  if (h === '' || h.length > 253 || h === 'localhost' || h.endsWith('.localhost')) return false;
  const labels = h.split('.');
  if (!labels.every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) return false;
  const last = labels[labels.length - 1];
  return !/^[0-9]+$/.test(last) && !/^0x[0-9a-f]*$/.test(last); // a browser reads those as IPv4
}

function allowsHost(host, hosts) {
  if (!hosts || hosts.length === 0) return true;
  const h = host.replace(/\.$/, '');
  return hosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e.startsWith('*.') ? h.endsWith(e.slice(1)) : h === e;
  });
}

/**
 * linkKind classifies an agency link: "path" (inside the portal), "https" (another site, allowed),
 * "not_https" (another scheme, javascript: included) or "invalid". hosts optionally lists the
 * hosts absolute links may name ("kommune.no", "*.kommune.no"); empty allows any.
 */
export function linkKind(link, hosts) {
  if (!plain(link)) return 'invalid';
  if (link[0] === '/') return link[1] === '/' ? 'invalid' : 'path';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):([^]*)$/.exec(link);
  if (!m) return 'invalid';
  if (m[1].toLowerCase() !== 'https') return 'not_https';
  if (!m[2].startsWith('//')) return 'invalid';
  const authority = m[2].slice(2).split(/[/?#]/, 1)[0];
  const a = /^([A-Za-z0-9.-]+)(?::([0-9]*))?$/.exec(authority); // no user info, no IP literal
  if (!a) return 'invalid';
  const host = a[1].toLowerCase();
  if (a[2]) {
    const port = Number(a[2]);
    if (port < 1 || port > 65535) return 'invalid';
  }
  if (!dnsName(host)) return 'invalid';
  let url;
  try {
    url = new URL(link);
  } catch {
    return 'invalid';
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.hostname !== host) return 'invalid';
  return allowsHost(host, hosts) ? 'https' : 'invalid';
}

/**
 * safeHref is the href for an agency link, or null when it must not become one. A path must
 * also resolve to origin (the page's), as the browser will resolve it.
 */
export function safeHref(link, origin = globalThis.location && globalThis.location.origin, hosts = undefined) {
  const kind = linkKind(link, hosts);
  if (kind === 'https') return link;
  if (kind === 'path') {
    if (origin && new URL(link, origin).origin !== origin) return null;
    return link;
  }
  return null;
}

/** appPath is safeHref for links that must stay inside the portal (notifications). */
export function appPath(link, origin = globalThis.location && globalThis.location.origin) {
  return linkKind(link) === 'path' ? safeHref(link, origin) : null;
}
