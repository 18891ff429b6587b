// The shell: skip link, header, navigation, main, the status region, the update
// offer, and the router. Focus moves to the page's h1 after each navigation.
import { useEffect, useRef, useState } from 'preact/hooks';
import { AppContext, Loading, useApp } from './ui.jsx';
import { useStateOf } from './state.js';
import { matchRoute, PUBLIC_ROUTES } from './router.js';
import { loginRefusalText } from './login-refusal.js';
import { unreadAfterPending } from './outbox.js';
import { Overview } from './pages/overview.jsx';
import { ActingBanner } from './pages/acting-as.jsx';
import { isEditor } from './roles.js';
import { LoggedOut, OfflineNoData, NotFound, BootError } from './pages/public.jsx';

/**
 * lazyPage loads a page's module on first use, so the first load carries only the
 * shell and the overview. The service worker precaches every chunk, so this works
 * offline too; prefetchPages warms them once the overview is on screen.
 */
function lazyPage(load, name) {
  let Comp = null;
  let promise = null;
  const get = () => (promise ||= load().then((m) => { Comp = m[name]; }));
  function Lazy(props) {
    const [, setReady] = useState(!!Comp);
    useEffect(() => { if (!Comp) get().then(() => setReady(true), () => setReady('failed')); }, []);
    if (Comp) return <Comp {...props} />;
    return <LazyLoading />;
  }
  Lazy.prefetch = () => get().catch(() => {});
  return Lazy;
}

function LazyLoading() {
  const { t } = useApp();
  return <Loading t={t} />;
}

const Cases = lazyPage(() => import('./pages/cases.jsx'), 'Cases');
const CaseDetail = lazyPage(() => import('./pages/cases.jsx'), 'CaseDetail');
const ErrandDetail = lazyPage(() => import('./pages/errand.jsx'), 'ErrandDetail');
const Bookings = lazyPage(() => import('./pages/bookings.jsx'), 'Bookings');
const Keys = lazyPage(() => import('./pages/keys.jsx'), 'Keys');
const Notifications = lazyPage(() => import('./pages/notifications.jsx'), 'Notifications');
const Services = lazyPage(() => import('./pages/services.jsx'), 'Services');
const Ideas = lazyPage(() => import('./pages/ideas.jsx'), 'Ideas');
const Report = lazyPage(() => import('./pages/report.jsx'), 'Report');
const MyReports = lazyPage(() => import('./pages/reports.jsx'), 'MyReports');
const ReportDetail = lazyPage(() => import('./pages/reports.jsx'), 'ReportDetail');
const Suggestions = lazyPage(() => import('./pages/suggestions.jsx'), 'Suggestions');
const Settings = lazyPage(() => import('./pages/settings.jsx'), 'Settings');
const Translate = lazyPage(() => import('./pages/translate.jsx'), 'Translate');
const Console = lazyPage(() => import('./pages/console.jsx'), 'Console');
// Not prefetched: a public page for anyone, and its map chunk loads only where it is shown.
const PublicReports = lazyPage(() => import('./pages/public-reports.jsx'), 'PublicReports');

/**
 * prefetchPages loads the other pages' code at the person's first interaction (or after
 * 10 s), not at once: evaluating seven chunks right after the first render showed up as
 * blocking time on slow phones, and the chunks are precached by the worker anyway.
 */
function prefetchPages() {
  const all = [Cases, CaseDetail, ErrandDetail, Bookings, Keys, Notifications, Services, Report, MyReports, Suggestions, Settings, Translate];
  // pointerdown covers touch too; a touchstart listener on the window would make the
  // compositor track touch regions for nothing.
  const events = ['pointerdown', 'keydown'];
  let timer = null;
  const go = () => {
    clearTimeout(timer);
    events.forEach((e) => removeEventListener(e, go, true));
    all.forEach((p) => p.prefetch());
  };
  events.forEach((e) => addEventListener(e, go, { capture: true, passive: true, once: true }));
  timer = setTimeout(go, 10_000);
}

const NAV = [
  ['/', 'overview'], ['/cases', 'cases'], ['/bookings', 'bookings'], ['/keys', 'keys'],
  ['/notifications', 'notifications'], ['/services', 'services'], ['/report', 'report'], ['/ideas', 'ideas'], ['/settings', 'settings'],
];

function current(route, path) {
  if (path === '/') return route.name === 'overview';
  return route.name === path.slice(1) || (path === '/cases' && route.name === 'case')
    || (path === '/report' && (route.name === 'reports' || route.name === 'reportDetail'));
}

function Content({ route }) {
  switch (route.name) {
    case 'overview': return <Overview />;
    case 'cases': return <Cases />;
    case 'case': return <CaseDetail id={route.params.id} />;
    case 'errand': return <ErrandDetail id={route.params.id} />;
    case 'bookings': return <Bookings />;
    case 'keys': return <Keys />;
    case 'notifications': return <Notifications />;
    case 'services': return <Services />;
    case 'ideas': return <Ideas />;
    case 'report': return <Report />;
    case 'reports': return <MyReports />;
    case 'reportDetail': return <ReportDetail id={route.params.id} />;
    case 'suggestions': return <Suggestions />;
    case 'settings': return <Settings />;
    case 'translate': return <Translate />;
    case 'console': return <Console />;
    case 'public_reports': return <PublicReports />;
    default: return <NotFound />;
  }
}

function Header({ s, t }) {
  const { ctl } = useApp(); // logout is on every page, in the header
  const unread = unreadAfterPending(s.overview && s.overview.notifications ? s.overview.notifications.unread : 0, s.outbox);
  const route = matchRoute(s.path);
  const pendingCount = (s.outbox || []).filter((a) => a.status === 'pending').length;
  return (
    <header class="site-header">
      <div class="bar">
        <a href="/" class="brand">{t('ui.app_name')}</a>
        {s.me ? (
          <span class="who">
            {s.me.actingAs ? <>{t('ui.acting_as.short')} <bdi>{s.me.actingAs.name}</bdi></> : <bdi>{s.me.name}</bdi>}
          </span>
        ) : null}
        {!s.online ? <span class="badge badge-offline">{t('ui.offline.badge')}</span> : null}
        {pendingCount ? <span class="badge badge-pending">{t('ui.outbox.count', { count: pendingCount })}</span> : null}
        {s.me && s.phase === 'ready' ? (
          <button type="button" class="btn-logout" data-action="logout" onClick={() => ctl.logout()}>{t('ui.settings.logout_button')}</button>
        ) : null}
      </div>
      {s.phase === 'ready' || s.phase === 'boot' ? (
        <nav aria-label={t('ui.nav.label')}>
          <ul class="nav">
            {NAV.map(([path, id]) => (
              <li key={path}>
                <a href={path} aria-current={current(route, path) ? 'page' : undefined}>
                  {t(`ui.nav.${id}`)}
                  {id === 'notifications' && unread ? <span class="count-pill"> {unread}</span> : null}
                </a>
              </li>
            ))}
            {s.me && (s.me.roles || []).some((r) => r.startsWith('translator:')) ? <li><a href="/translate" aria-current={route.name === 'translate' ? 'page' : undefined}>{t('ui.nav.translate')}</a></li> : null}
            {isEditor(s.me) ? <li><a href="/console" aria-current={route.name === 'console' ? 'page' : undefined}>{t('ui.nav.console')}</a></li> : null}
          </ul>
        </nav>
      ) : null}
    </header>
  );
}

/**
 * TypeSamples lays out a word in each text style of the overview, unseen, while the shell
 * waits for the network. The first use of a font size and weight costs a font lookup (in
 * Chromium on Linux a round trip to the browser process, 5–15 ms each; 30–90 ms in all on
 * a cold start): paid here, before the first paint, rather than in the task that shows
 * the person's data.
 */
function TypeSamples() {
  return (
    <div class="type-samples" aria-hidden="true">
      <span class="type-h1">Aa</span><span class="type-h2">Aa</span><span class="card-title">Aa</span>
      <span class="meta"><span class="agency">Aa</span></span><span class="badge">Aa</span><span class="count">Aa</span><span class="empty">Aa</span>
    </div>
  );
}

/** How long a confirmation ("Booking cancelled") stays on screen. */
const STATUS_SHOWN_MS = 6000;

/**
 * StatusMessage shows what just happened where everyone can see it, for a few seconds, and is
 * the polite live region that reads it out. Hidden, it keeps its text for the screen reader.
 */
function StatusMessage({ status }) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!status) return undefined;
    setShown(true);
    const timer = setTimeout(() => setShown(false), STATUS_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [status && status.at]);
  return (
    <div class={shown ? 'toast' : 'visually-hidden'} role="status" aria-live="polite" aria-atomic="true">
      {status ? status.text : ''}
    </div>
  );
}

export function App({ state, ctl }) {
  const s = useStateOf(state);
  const t = s.t;
  const route = matchRoute(s.path);
  const first = useRef(true);
  const prefetched = useRef(false);
  useEffect(() => {
    if (!prefetched.current && s.phase === 'ready' && s.overview) { prefetched.current = true; prefetchPages(); }
  }, [s.phase, s.overview]);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    const h1 = document.getElementById('page-title');
    if (h1) h1.focus();
    scrollTo(0, 0);
  }, [s.path]);

  let body;
  if (s.phase === 'boot') body = <><p class="loading">{t('ui.common.loading')}</p><TypeSamples /></>;
  else if (PUBLIC_ROUTES.has(route.name) && s.phase !== 'offline') body = <Content route={route} />;
  else if (s.phase === 'loggedout') body = <LoggedOut />;
  else if (s.phase === 'offline') body = <OfflineNoData />;
  else if (s.phase === 'error') body = <BootError />;
  else body = <Content route={route} />;

  return (
    <AppContext.Provider value={{ s, ctl, t }}>
      <a class="skip-link" href="#main">{t('ui.skip_link')}</a>
      <Header s={s} t={t} />
      {s.phase === 'ready' ? <ActingBanner /> : null}
      {s.updateWorker ? (
        <div class="update" role="region" aria-label={t('ui.update.label')}>
          <p>{t('ui.update.available')}</p>
          <button type="button" class="btn btn-primary" onClick={() => ctl.applyUpdate()}>{t('ui.update.reload')}</button>
        </div>
      ) : null}
      <main id="main" tabIndex={-1}>
        {s.loginRefusal && s.phase !== 'boot' ? (
          <p class="note note-error" role="alert" data-login-refusal="">{loginRefusalText(s.loginRefusal, t)}</p>
        ) : null}
        {body}
      </main>
      <footer class="site-footer">
        <p><a href="/public/reports" data-link="public-reports">{t('ui.footer.public_reports')}</a></p>
        <p><a href="/settings">{t('ui.footer.your_data')}</a></p>
      </footer>
      <StatusMessage status={s.status} />
    </AppContext.Provider>
  );
}
