// Your data: download everything, see who looked at it, and what we sent you.
// The access log arrives in words (`text`, in the reader's language); what we sent is {title, channel, status}.
import { useState } from 'preact/hooks';
import { Empty, ErrorNote, When, useApp } from '../ui.jsx';

function LogList({ path, label, t, lang, api }) {
  const [r, setR] = useState(null);
  async function load() {
    try { setR({ items: (await api.get(path)).data.items || [] }); } catch (error) { setR({ items: [], error }); }
  }
  if (!r) return <p><button type="button" class="btn" onClick={load}>{label}</button></p>;
  return (
    <>
      <ErrorNote error={r.error} t={t} />
      {r.items.length === 0 ? <Empty>{t('ui.common.nothing')}</Empty> : (
        <ul class="list">
          {r.items.map((it, i) => (
            <li key={it.id || i}>
              <When iso={it.at || it.createdAt || it.sentAt} lang={lang} />{' '}
              <span dir="auto">{it.text || [it.title, it.channel, it.status].filter((x) => x && typeof x === 'string').join(' · ')}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function YourData() {
  const { s, ctl, t } = useApp();
  return (
    <>
      <p class="choices">
        <a class="btn" href="/api/v1/me/export.html" target="_blank" rel="noopener">{t('ui.data.read_summary')}</a>
        <a class="btn" href="/api/v1/me/export" download="minside-data.json">{t('ui.data.download')}</a>
      </p>
      <h3>{t('ui.data.access_log')}</h3>
      <p class="meta">{t('ui.data.access_log_explain')}</p>
      <LogList path="/api/v1/me/access-log" label={t('ui.data.show_access_log')} t={t} lang={s.lang} api={ctl.api} />
      <h3>{t('ui.data.deliveries')}</h3>
      <p class="meta">{t('ui.data.deliveries_explain')}</p>
      <LogList path="/api/v1/me/deliveries" label={t('ui.data.show_deliveries')} t={t} lang={s.lang} api={ctl.api} />
    </>
  );
}
