// A tiny stand-in for the Go server, for trying the PWA before the server exists:
// serves the citizen API contract with sample data, and pwa/dist with the same
// caching and CSP the real server will use. 127.0.0.1 only; dev only.
//   node pwa/dev/mock-server.mjs [port]     MOCK_AUTO_LOGIN=1 MOCK_LANG=ar
import http from 'node:http';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtures, config, messages as extra } from './fixtures.mjs';
import { readProposal } from '../scripts/messages.mjs';

const messages = { nb: readProposal('nb'), en: readProposal('en'), ar: extra.ar };

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json', '.txt': 'text/plain' };
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

export function createMockServer({ autoLogin = false, lang = 'nb' } = {}) {
  const db = fixtures();
  db.me.language = lang;
  let loggedIn = autoLogin;
  let seq = 0;
  const log = [];
  const change = (kind, id, data) => { seq++; log.push({ seq, kind, id, op: data ? 'upsert' : 'delete', data }); };

  const overview = () => ({
    generatedAt: new Date().toISOString(), cursor: String(seq), person: { id: db.me.id, name: db.me.name }, actingAs: db.me.actingAs,
    needsAction: db.cases.filter((c) => c.status === 'awaiting_citizen').map((c) => ({ kind: 'case', id: c.id, title: c.title, agency: c.agency, dueAt: c.nextAction?.dueAt ?? null, nextAction: c.nextAction?.text ?? null, subject: c.subject })),
    upcoming: db.bookings.filter((b) => b.status === 'confirmed'),
    keys: db.keys.filter((k) => k.status === 'active'),
    notifications: { unread: db.notifications.filter((n) => !n.readAt).length, items: db.notifications.filter((n) => !n.readAt).slice(0, 5) },
    recent: db.cases.slice(0, 5), tiles: db.tiles, people: db.people,
  });

  const routes = [
    ['GET', /^\/api\/v1\/config$/, () => [200, config]],
    ['GET', /^\/api\/v1\/i18n\/([\w-]+)$/, (m) => [200, { lang: m[1], dir: ['ar', 'ur'].includes(m[1]) ? 'rtl' : 'ltr', messages: messages[m[1]] || {} }]],
    ['GET', /^\/api\/v1\/me$/, () => [200, db.me]],
    ['PUT', /^\/api\/v1\/me\/acting-as$/, (m, body) => { const p = db.me.represents.find((r) => r.id === body.citizenId); db.me.actingAs = p ? { id: p.id, name: p.name } : null; return [200, db.me]; }],
    ['GET', /^\/api\/v1\/me\/overview$/, () => [200, overview()]],
    ['GET', /^\/api\/v1\/changes$/, (m, b, url) => { const c = Number(url.searchParams.get('cursor') || 0); if (c < seq - 100) return [410, problem(410, 'cursor too old')]; return [200, { changes: log.filter((x) => x.seq > c).map(({ seq: _s, ...x }) => x), cursor: String(seq), more: false }]; }],
    ['GET', /^\/api\/v1\/cases$/, (m, b, url) => { const st = url.searchParams.get('status'); return [200, { items: db.cases.filter((c) => !st || c.status === st), nextCursor: null }]; }],
    ['GET', /^\/api\/v1\/cases\/([\w-]+)$/, (m) => { const c = db.cases.find((x) => x.id === m[1]); return c ? [200, { ...c, events: [{ id: 'e1', at: c.updatedAt, status: c.status, title: 'Saken er oppdatert', body: 'Vi har behandlet søknaden din.' }, { id: 'e0', at: new Date(Date.parse(c.updatedAt) - 864e5 * 3).toISOString(), status: 'received', title: 'Søknaden er mottatt', body: null }], documents: [{ id: 'd1', name: 'Vedtak.pdf', type: 'application/pdf', url: '/api/v1/documents/d1' }] }] : [404, problem(404, 'Not found')]; }],
    ['GET', /^\/api\/v1\/bookings$/, (m, b, url) => [200, { items: url.searchParams.get('when') === 'past' ? db.bookings.filter((x) => x.status !== 'confirmed') : db.bookings.filter((x) => x.status === 'confirmed'), nextCursor: null }]],
    ['POST', /^\/api\/v1\/bookings\/([\w-]+)\/cancel$/, (m) => { const bk = db.bookings.find((x) => x.id === m[1]); if (!bk || !bk.canCancel) return [409, problem(409, 'Denne bookingen kan ikke avbestilles')]; bk.status = 'cancelled'; bk.canCancel = false; change('booking', bk.id, bk); return [200, bk]; }],
    ['GET', /^\/api\/v1\/keys$/, () => [200, { items: db.keys, nextCursor: null }]],
    ['POST', /^\/api\/v1\/keys\/([\w-]+)\/open$/, () => [200, { opened: true, at: new Date().toISOString() }]],
    ['GET', /^\/api\/v1\/notifications$/, (m, b, url) => [200, { items: db.notifications.filter((n) => url.searchParams.get('unread') !== '1' || !n.readAt), nextCursor: null }]],
    ['POST', /^\/api\/v1\/notifications\/read-all$/, () => { for (const n of db.notifications) if (!n.readAt) { n.readAt = new Date().toISOString(); change('notification', n.id, n); } return [204, null]; }],
    ['POST', /^\/api\/v1\/notifications\/([\w-]+)\/read$/, (m) => { const n = db.notifications.find((x) => x.id === m[1]); if (!n) return [404, problem(404, 'Not found')]; n.readAt = new Date().toISOString(); change('notification', n.id, n); return [204, null]; }],
    ['GET', /^\/api\/v1\/tiles$/, () => [200, { items: db.tiles, nextCursor: null }]],
    ['GET', /^\/api\/v1\/search$/, (m, b, url) => { const q = (url.searchParams.get('q') || '').toLowerCase(); return [200, { items: [...db.tiles.map((x) => ({ kind: 'tile', ...x })), ...db.cases.map((x) => ({ kind: 'case', ...x }))].filter((x) => x.title.toLowerCase().includes(q)).map(({ kind, id, title, agency, link }) => ({ kind, id, title, agency, link })) }]; }],
    ['GET', /^\/api\/v1\/me\/preferences$/, () => [200, db.prefs]],
    ['PUT', /^\/api\/v1\/me\/preferences$/, (m, body) => { db.prefs = body; if (body.language) db.me.language = body.language; return [200, db.prefs]; }],
    ['GET', /^\/api\/v1\/push\/vapid-public-key$/, () => [200, { key: config.vapidPublicKey }]],
    ['GET', /^\/api\/v1\/push\/subscriptions$/, () => [200, { items: db.subs, nextCursor: null }]],
    ['POST', /^\/api\/v1\/push\/subscriptions$/, (m, body) => { const s = { id: `s${db.subs.length + 1}`, label: body.label || 'Browser', createdAt: new Date().toISOString() }; db.subs.push(s); return [201, s]; }],
    ['DELETE', /^\/api\/v1\/push\/subscriptions\/([\w-]+)$/, (m) => { db.subs = db.subs.filter((s) => s.id !== m[1]); return [204, null]; }],
    ['GET', /^\/api\/v1\/me\/calendar$/, () => [200, { url: db.calendar }]],
    ['POST', /^\/api\/v1\/me\/calendar$/, () => { db.calendar = `http://127.0.0.1/cal/${Math.random().toString(36).slice(2)}.ics`; return [200, { url: db.calendar }]; }],
    ['DELETE', /^\/api\/v1\/me\/calendar$/, () => { db.calendar = null; return [204, null]; }],
    ['GET', /^\/api\/v1\/me\/access-log$/, () => [200, { items: [{ id: 'a1', at: new Date().toISOString(), actor: 'Oslo kommune', action: 'Leste saken Søknad om barnehageplass' }], nextCursor: null }]],
    ['GET', /^\/api\/v1\/me\/deliveries$/, () => [200, { items: [{ id: 'dl1', createdAt: new Date().toISOString(), channel: 'push', title: 'Tilbud om barnehageplass', status: 'delivered' }], nextCursor: null }]],
  ];
  db.prefs = { language: lang, quietHours: { start: '22:00', end: '07:00' }, channels: Object.fromEntries(['cases', 'bookings', 'keys', 'messages', 'general'].map((c) => [c, { push: true, inApp: true }])), representedNotifications: true };
  db.subs = [{ id: 's0', label: 'Safari · iOS', createdAt: new Date(Date.now() - 864e6).toISOString() }];
  db.calendar = null;

  function problem(status, title) { return { type: 'about:blank', title, status, code: 'mock', requestId: 'mock' }; }

  async function serveStatic(req, res, path) {
    const clean = normalize(decodeURIComponent(path)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, clean);
    let fallback = false;
    try { if (!(await stat(file)).isFile()) throw new Error('dir'); } catch { file = join(dist, 'index.html'); fallback = true; }
    try {
      const body = await readFile(file);
      const immutable = !fallback && clean.startsWith('/assets/');
      const headers = { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Content-Security-Policy': CSP, 'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache', Vary: 'Accept-Encoding' };
      // Like the real server should: compress text assets.
      if (/gzip/.test(req.headers['accept-encoding'] || '') && /\.(js|css|html|svg|webmanifest)$/.test(file)) {
        headers['Content-Encoding'] = 'gzip';
        res.writeHead(200, headers);
        res.end(gzipSync(body));
        return;
      }
      res.writeHead(200, headers);
      res.end(body);
    } catch { res.writeHead(404); res.end('build the PWA first: npm run build'); }
  }

  return http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const p = url.pathname;
    if (p === '/auth/login') { loggedIn = true; db.me.sharedDevice = url.searchParams.get('shared') === '1'; res.writeHead(302, { Location: url.searchParams.get('returnTo') || '/' }); res.end(); return; }
    if (p === '/auth/logout' && req.method === 'POST') { loggedIn = false; res.writeHead(200, { 'Content-Type': 'application/json', 'Clear-Site-Data': '"cache", "storage"' }); res.end(JSON.stringify({ endSessionUrl: '/' })); return; }
    if (p === '/api/v1/events') { res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' }); res.write(': hello\n\n'); return; }
    if (!p.startsWith('/api/')) { await serveStatic(req, res, p); return; }
    const publicPath = /^\/api\/v1\/(config|i18n\/)/.test(p);
    if (!publicPath && !loggedIn) { res.writeHead(401, { 'Content-Type': 'application/problem+json' }); res.end(JSON.stringify(problem(401, 'Not logged in'))); return; }
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== db.me.csrfToken) { res.writeHead(403, { 'Content-Type': 'application/problem+json' }); res.end(JSON.stringify(problem(403, 'CSRF'))); return; }
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : {};
    for (const [method, re, handler] of routes) {
      const m = p.match(re);
      if (!m || method !== req.method) continue;
      const [status, data] = handler(m, body, url);
      const headers = { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', 'Cache-Control': 'no-store' };
      if (data === null) { res.writeHead(status, headers); res.end(); return; }
      let json = JSON.stringify(data);
      if (p === '/api/v1/me/overview') {
        const { generatedAt: _g, ...stable } = data;
        const etag = `"${createHash('sha256').update(JSON.stringify(stable)).digest('base64url').slice(0, 22)}"`;
        headers.ETag = etag;
        if (req.headers['if-none-match'] === etag) { res.writeHead(304, headers); res.end(); return; }
        json = JSON.stringify(data);
      }
      res.writeHead(status, headers);
      res.end(json);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/problem+json' });
    res.end(JSON.stringify(problem(404, 'Not found')));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] || 8787);
  createMockServer({ autoLogin: process.env.MOCK_AUTO_LOGIN === '1', lang: process.env.MOCK_LANG || 'nb' })
    .listen(port, '127.0.0.1', () => console.log(`mock Min side on http://127.0.0.1:${port}`));
}
