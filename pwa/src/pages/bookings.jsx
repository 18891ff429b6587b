// Bookings: upcoming and past; cancelling asks once more, then goes through the
// outbox so it also works offline (shown as pending until sent, or as failed).
import { useEffect, useState } from 'preact/hooks';
import { Page, Agency, When, Empty, ErrorNote, Loading, StaleNote, StatusBadge, Subject, MoreButton, useApp, useMore, useResource } from '../ui.jsx';
import { formatTimeRange } from '../i18n.js';
import { pendingTargets } from '../outbox.js';
import { PendingNote } from './pending.jsx';

export function Bookings() {
  const { s, ctl, t } = useApp();
  const [when, setWhen] = useState('upcoming');
  const [confirming, setConfirming] = useState(null);
  const path = `/api/v1/bookings?when=${when}`;
  const r = useResource(path);
  const more = useMore(r, path);
  const pending = pendingTargets(s.outbox || []);
  async function cancel(b) {
    setConfirming(null);
    await ctl.act({ path: `/api/v1/bookings/${encodeURIComponent(b.id)}/cancel`, kind: 'cancelBooking', targetId: b.id, doneText: t('ui.bookings.cancelled_done') });
  }
  const items = more.items;
  // The calendar feed links a booking as /bookings#booking-<id>: show that card once it is there.
  useEffect(() => {
    const target = location.hash.startsWith('#booking-') && document.getElementById(location.hash.slice(1));
    if (target) target.scrollIntoView({ block: 'center' });
  }, [items.length]);
  return (
    <Page title={t('ui.bookings.title')}>
      <div class="segmented" role="group" aria-label={t('ui.bookings.which')}>
        {['upcoming', 'past'].map((w) => (
          <button key={w} type="button" class="btn btn-seg" aria-pressed={when === w ? 'true' : 'false'} onClick={() => setWhen(w)}>
            {t(`ui.bookings.${w}`)}
          </button>
        ))}
      </div>
      {r.stale && !s.online ? <StaleNote savedAt={r.savedAt} t={t} lang={s.lang} /> : null}
      <ErrorNote error={r.error || more.error} t={t} />
      {r.loading && !r.data ? <Loading t={t} /> : items.length === 0 ? <Empty>{t('ui.bookings.none')}</Empty> : (
        <ul class="cards">
          {items.map((b) => {
            const action = pending.get(`cancelBooking:${b.id}`);
            return (
              <li key={b.id} id={`booking-${b.id}`} class="card" data-booking={b.id} data-status={b.status}>
                <span class="card-title"><bdi>{b.resource}</bdi></span>
                <p>{formatTimeRange(b.startsAt, b.endsAt, s.lang)}</p>
                <p><bdi>{b.place.name}</bdi>{b.place.address ? <>, <bdi>{b.place.address}</bdi></> : null}</p>
                <div class="meta">
                  <StatusBadge kind="bookings" value={b.status} t={t} />
                  <Agency agency={b.agency} />
                  <Subject subject={b.subject} t={t} />
                </div>
                {b.keyId ? <p><a href="/keys">{t('ui.bookings.has_key')}</a></p> : null}
                {action ? <PendingNote action={action} /> : b.canCancel && b.status === 'confirmed' ? (
                  confirming === b.id ? (
                    <div class="confirm" role="group" aria-labelledby={`confirm-${b.id}`}>
                      <p id={`confirm-${b.id}`}>{t('ui.bookings.confirm_cancel')}</p>
                      <button type="button" class="btn btn-danger" data-action="confirm-cancel" onClick={() => cancel(b)}>{t('ui.bookings.yes_cancel')}</button>
                      <button type="button" class="btn" onClick={() => setConfirming(null)}>{t('ui.bookings.keep')}</button>
                    </div>
                  ) : (
                    <p>
                      <button type="button" class="btn" data-action="cancel" onClick={() => setConfirming(b.id)}>{t('ui.bookings.cancel')}</button>
                      {b.cancellableUntil ? <span class="meta"> {t('ui.bookings.cancellable_until')}: <When iso={b.cancellableUntil} lang={s.lang} /></span> : null}
                    </p>
                  )
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <MoreButton more={more} t={t} />
    </Page>
  );
}
