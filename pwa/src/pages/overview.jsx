// The first screen: what needs the citizen's action, what is coming up, keys,
// what's new, recommended services, and whom they act for. Renders from the stored
// overview at once; the controller refreshes it in the background.
import { useLayoutEffect } from 'preact/hooks';
import { Page, Section, Agency, When, Empty, StaleNote, StatusBadge, Subject, titleOf, useApp } from '../ui.jsx';
import { ActingAs } from './acting-as.jsx';
import { FailedActions } from './failed-actions.jsx';
import { unreadAfterPending } from '../outbox.js';
import { keyWhen } from '../key-when.js';
import { appPath, safeHref } from '../links.js';
import { visible } from '../suggestions.js';
import { SuggestionCard, useReportShown } from './suggestion-card.jsx';
import { NeedsCard, useReportSeen } from './needs-card.jsx';

/** The overview shows the newest few suggestions; the page has them all. */
const OVERVIEW_SUGGESTIONS = 3;

/** bookingLink opens the bookings page at that booking (there is no page per booking). */
const bookingLink = (id) => `/bookings#booking-${encodeURIComponent(id)}`;
const itemLink = (it) => (it.kind === 'case' ? `/cases/${encodeURIComponent(it.id)}` : it.kind === 'errand' ? `/errands/${encodeURIComponent(it.id)}` : it.kind === 'booking' ? bookingLink(it.id) : '/keys');

const OVERVIEW_MARK = 'minside:overview-data';

export function Overview() {
  const { s, t } = useApp();
  const o = s.overview;
  const name = s.me ? s.me.name : '';
  const stale = !s.online && s.overviewSavedAt;
  const suggestions = o ? visible(o.suggestions, s.outbox).slice(0, OVERVIEW_SUGGESTIONS) : [];
  useReportShown(suggestions);
  useReportSeen(o ? o.needsAction : []);
  // A User Timing mark when data is first in the document (layout effect: right after the
  // commit), so tests can read "data rendered" relative to the navigation (the e2e offline
  // reload asserts < 1 s).
  useLayoutEffect(() => {
    if (o && typeof performance !== 'undefined' && performance.mark && !performance.getEntriesByName(OVERVIEW_MARK).length) {
      performance.mark(OVERVIEW_MARK);
    }
  }, [o]);
  return (
    <Page title={t('ui.overview.hello', { name })}>
      <ActingAs />
      <FailedActions />
      {stale ? <StaleNote savedAt={s.overviewSavedAt} t={t} lang={s.lang} /> : null}
      {!o ? <p class="loading">{t('ui.common.loading')}</p> : (
        <div class="overview-grid">
          <Section id="h-needs" title={t('ui.overview.needs_action')}>
            {o.needsAction.length === 0 ? <Empty>{t('ui.overview.nothing_needs_action')}</Empty> : (
              <ul class="cards">
                {o.needsAction.map((it) => <NeedsCard key={`${it.kind}:${it.id}`} it={it} href={itemLink(it)} />)}
              </ul>
            )}
          </Section>

          {o.errands && o.errands.length ? (
            <Section id="h-errands" title={t('ui.errands.heading')}>
              <ul class="cards">
                {o.errands.map((e) => (
                  <li key={e.id} class="card">
                    <a href={`/errands/${encodeURIComponent(e.id)}`} class="card-title"><bdi>{e.title}</bdi></a>
                    <div class="meta">
                      <StatusBadge kind="cases" value={e.status} t={t} />
                      <Agency agency={e.agency} />
                      <Subject subject={e.subject} t={t} />
                    </div>
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}

          {suggestions.length ? (
            <Section id="h-suggestions" title={t('ui.suggestions.title')} more={<a href="/suggestions">{t('ui.suggestions.all')}</a>}>
              <ul class="cards">
                {suggestions.map((sg) => <SuggestionCard key={sg.id} sg={sg} />)}
              </ul>
            </Section>
          ) : null}

          <Section id="h-upcoming" title={t('ui.overview.upcoming')} more={<a href="/bookings">{t('ui.overview.all_bookings')}</a>}>
            {o.upcoming.length === 0 ? <Empty>{t('ui.overview.no_upcoming')}</Empty> : (
              <ul class="cards">
                {o.upcoming.map((b) => (
                  <li key={b.id} class="card">
                    <a href={bookingLink(b.id)} class="card-title"><bdi>{b.resource}</bdi></a>
                    <div class="meta"><When iso={b.startsAt} lang={s.lang} /> · <bdi>{b.place && b.place.name}</bdi></div>
                    <div class="meta"><Agency agency={b.agency} /><Subject subject={b.subject} t={t} /></div>
                  </li>
                ))}
              </ul>
            )}
          </Section>

          <Section id="h-keys" title={t('ui.overview.keys')} more={<a href="/keys">{t('ui.overview.all_keys')}</a>}>
            {o.keys.length === 0 ? <Empty>{t('ui.overview.no_keys')}</Empty> : (
              <ul class="cards">
                {o.keys.map((k) => (
                  <li key={k.id} class="card">
                    <a href="/keys" class="card-title"><bdi>{k.facility && k.facility.name}</bdi></a>
                    <div class="meta">
                      {k.validNow ? <span class="badge badge-active">{t('ui.keys.works_now')}</span> : null}
                      <span data-key-when="">{keyWhen(k, t, s.lang)}</span>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Section>

          <Section id="h-new" title={t('ui.overview.whats_new')} more={<a href="/notifications">{t('ui.overview.all_notifications')}</a>}>
            <p class="count">{t('ui.overview.unread', { count: unreadAfterPending(o.notifications.unread, s.outbox) })}</p>
            <ul class="list">
              {o.notifications.items.map((n) => (
                <li key={`n${n.id}`}>
                  <a href={appPath(n.link) || '/notifications'}><bdi>{n.title}</bdi></a>
                  <span class="meta"> <When iso={n.createdAt} lang={s.lang} /></span> <Subject subject={n.subject} t={t} />
                </li>
              ))}
              {o.recent.map((c) => (
                <li key={`c${c.id}`}>
                  <a href={`/cases/${encodeURIComponent(c.id)}`}><bdi>{titleOf(c, t)}</bdi></a>
                  <span class="meta"> {c.status ? <>{t(`ui.cases.status.${c.status}`)} · </> : null}<When iso={c.updatedAt} lang={s.lang} /></span> <Subject subject={c.subject} t={t} />
                </li>
              ))}
            </ul>
            {o.notifications.items.length === 0 && o.recent.length === 0 ? <Empty>{t('ui.overview.nothing_new')}</Empty> : null}
          </Section>

          <Section id="h-recommended" title={t('ui.overview.recommended')} more={<a href="/services">{t('ui.overview.all_services')}</a>}>
            {o.tiles.length === 0 ? <Empty>{t('ui.services.none')}</Empty> : (
              <ul class="tiles">
                {o.tiles.slice(0, 6).map((tile) => (
                  <li key={tile.id} class="tile">
                    <a href={safeHref(tile.link) || '/services'} class="card-title" dir="auto">{tile.title}</a>
                    <p dir="auto">{tile.description}</p>
                    <div class="meta"><Agency agency={tile.agency} /></div>
                  </li>
                ))}
              </ul>
            )}
          </Section>

          {o.people && o.people.length ? (
            <Section id="h-people" title={t('ui.overview.people')}>
              <ul class="list">
                {o.people.map((p) => (
                  <li key={p.id}>
                    <bdi>{p.name}</bdi> <span class="meta">{t(`ui.people.relation.${p.relation}`)}</span>
                    {p.needsAction ? <span class="badge badge-awaiting_citizen">{t('ui.people.needs_action', { count: p.needsAction })}</span> : null}
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
        </div>
      )}
    </Page>
  );
}
