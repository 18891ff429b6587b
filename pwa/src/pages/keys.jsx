// Keys: open a door per access point (online only — a door opened later is no use),
// or see when the key works next, and the key's history of uses.
import { useState } from 'preact/hooks';
import { Page, Agency, When, Empty, ErrorNote, Loading, StaleNote, StatusBadge, Subject, MoreButton, useApp, useMore, useResource } from '../ui.jsx';
import { problemText } from '../api.js';
import { formatDateTime } from '../i18n.js';
import { doorNote } from '../door-note.js';
import { keyWhen } from '../key-when.js';

/** UseList shows a key's uses (online, not stored: history is looked up, not kept). */
function UseList({ keyId, version }) {
  const { s, t } = useApp();
  const path = `/api/v1/keys/${encodeURIComponent(keyId)}/uses`;
  const r = useResource(path, { persist: false, version });
  const more = useMore(r, path);
  if (r.loading && !r.data) return <Loading t={t} />;
  return (
    <>
      <ErrorNote error={r.error || more.error} t={t} />
      {more.items.length === 0 ? <Empty>{t('ui.keys.no_uses')}</Empty> : (
        <ul class="list uses">
          {more.items.map((u) => (
            <li key={u.id} data-use={u.id}>
              <When iso={u.at} lang={s.lang} /> · <bdi>{u.accessPointName}</bdi> · {t(`ui.keys.use_result.${u.result}`)}
              {u.byOther ? <span class="meta"> · {t('ui.keys.by_representative')}</span> : null}
            </li>
          ))}
        </ul>
      )}
      <MoreButton more={more} t={t} />
    </>
  );
}

function KeyHistory({ keyId, version }) {
  const { t } = useApp();
  const [open, setOpen] = useState(false);
  const id = `uses-${keyId}`;
  return (
    <div class="key-history">
      <button type="button" class="btn" data-action="key-uses" aria-expanded={open ? 'true' : 'false'} aria-controls={id} onClick={() => setOpen(!open)}>
        {open ? t('ui.keys.hide_uses') : t('ui.keys.show_uses')}
      </button>
      <div id={id}>{open ? <UseList keyId={keyId} version={version} /> : null}</div>
    </div>
  );
}

export function Keys() {
  const { s, ctl, t } = useApp();
  const r = useResource('/api/v1/keys');
  const [busy, setBusy] = useState(null);
  const [result, setResult] = useState({});
  const [opened, setOpened] = useState(0);
  async function open(k, ap) {
    setBusy(ap.id);
    try {
      const res = await ctl.api.post(`/api/v1/keys/${encodeURIComponent(k.id)}/open`, { accessPointId: ap.id }, { idempotencyKey: crypto.randomUUID() });
      const text = t('ui.keys.opened', { name: ap.name, time: formatDateTime(res.data.at, s.lang, { timeStyle: 'short' }) });
      setResult((m) => ({ ...m, [ap.id]: { ok: true, text } }));
      ctl.announce(text);
      setOpened((n) => n + 1);
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
              {k.facility.openingHours ? (
                <p class="opening-hours" data-opening-hours="">{t('ui.keys.opening_hours')}: <bdi>{k.facility.openingHours}</bdi></p>
              ) : null}
              <div class="meta">
                <StatusBadge kind="keys" value={k.status} t={t} />
                <Agency agency={k.agency} />
                <Subject subject={k.subject} t={t} />
              </div>
              {k.validNow && k.status === 'active' ? (
                <ul class="doors">
                  {k.accessPoints.map((ap) => {
                    const note = doorNote(ap, result[ap.id], t);
                    return (
                      <li key={ap.id} data-out-of-order={ap.outOfOrder ? 'true' : undefined}>
                        <button type="button" class={ap.outOfOrder ? 'btn' : 'btn btn-primary'} data-action="open-door" disabled={busy === ap.id || !s.online} onClick={() => open(k, ap)}>
                          {t('ui.keys.open', { name: ap.name })}
                        </button>
                        {note ? <p class={`note note-${note.kind}`}>{note.text}</p> : null}
                      </li>
                    );
                  })}
                  {!s.online ? <li class="meta">{t('ui.keys.needs_online')}</li> : null}
                </ul>
              ) : null}
              <p data-key-when="">{keyWhen(k, t, s.lang)}</p>
              {k.bookingId ? <p><a href="/bookings">{t('ui.keys.see_booking')}</a></p> : null}
              {s.online ? <KeyHistory keyId={k.id} version={opened} /> : null}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
