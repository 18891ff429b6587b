// Keys: open a door per access point (online only — a door opened later is no use),
// or see when the key works next.
import { useState } from 'preact/hooks';
import { Page, Agency, When, Empty, ErrorNote, Loading, StaleNote, StatusBadge, Subject, useApp, useResource } from '../ui.jsx';
import { problemText } from '../api.js';
import { formatDateTime } from '../i18n.js';

export function Keys() {
  const { s, ctl, t } = useApp();
  const r = useResource('/api/v1/keys');
  const [busy, setBusy] = useState(null);
  const [result, setResult] = useState({});
  async function open(k, ap) {
    setBusy(ap.id);
    try {
      const res = await ctl.api.post(`/api/v1/keys/${encodeURIComponent(k.id)}/open`, { accessPointId: ap.id }, { idempotencyKey: crypto.randomUUID() });
      const text = t('ui.keys.opened', { name: ap.name, time: formatDateTime(res.data.at, s.lang, { timeStyle: 'short' }) });
      setResult((m) => ({ ...m, [ap.id]: { ok: true, text } }));
      ctl.announce(text);
    } catch (err) {
      const text = problemText(err, t);
      setResult((m) => ({ ...m, [ap.id]: { ok: false, text } }));
      ctl.announce(text);
    } finally { setBusy(null); }
  }
  const items = r.data ? r.data.items : [];
  return (
    <Page title={t('ui.keys.title')}>
      {r.stale && !s.online ? <StaleNote savedAt={r.savedAt} t={t} lang={s.lang} /> : null}
      <ErrorNote error={r.error} t={t} />
      {r.loading && !r.data ? <Loading t={t} /> : items.length === 0 ? <Empty>{t('ui.keys.none')}</Empty> : (
        <ul class="cards">
          {items.map((k) => (
            <li key={k.id} class="card" data-key={k.id}>
              <h2 class="card-title"><bdi>{k.facility.name}</bdi></h2>
              {k.facility.address ? <p><bdi>{k.facility.address}</bdi></p> : null}
              <div class="meta">
                <StatusBadge kind="keys" value={k.status} t={t} />
                <Agency agency={k.agency} />
                <Subject subject={k.subject} t={t} />
              </div>
              {k.validNow && k.status === 'active' ? (
                <ul class="doors">
                  {k.accessPoints.map((ap) => (
                    <li key={ap.id}>
                      <button type="button" class="btn btn-primary" data-action="open-door" disabled={busy === ap.id || !s.online} onClick={() => open(k, ap)}>
                        {t('ui.keys.open', { name: ap.name })}
                      </button>
                      {result[ap.id] ? <p class={result[ap.id].ok ? 'note note-ok' : 'note note-error'}>{result[ap.id].text}</p> : null}
                    </li>
                  ))}
                  {!s.online ? <li class="meta">{t('ui.keys.needs_online')}</li> : null}
                </ul>
              ) : k.nextWindow ? (
                <p>{t('ui.keys.works_next')}: <When iso={k.nextWindow.startsAt} lang={s.lang} /></p>
              ) : <p>{t('ui.keys.not_usable')}</p>}
              {k.bookingId ? <p><a href="/bookings">{t('ui.keys.see_booking')}</a></p> : null}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
