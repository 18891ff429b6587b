// Services: the tiles offered to this citizen, and a search across services and
// their own cases (server search online; tile titles offline).
import { useState } from 'preact/hooks';
import { Page, Agency, Empty, ErrorNote, Loading, useApp, useResource } from '../ui.jsx';
import { NetworkError } from '../api.js';
import { safeHref } from '../links.js';

const STROKE_FREE = { ø: 'o', æ: 'ae', đ: 'd', ŧ: 't', ŋ: 'n', ł: 'l' };
/** fold is text for matching as the server matches tiles: no case, no accents ("søk" finds "Søk", "sami" "Sámi"). */
export const fold = (s) => (s || '').normalize('NFD').replace(/\p{Mn}/gu, '').toLowerCase().replace(/[øæđŧŋł]/g, (c) => STROKE_FREE[c]);

const linkFor = (it) => (it.kind === 'case' ? `/cases/${encodeURIComponent(it.id)}` : it.kind === 'booking' ? '/bookings' : it.kind === 'key' ? '/keys' : safeHref(it.link) || '/services');

export function Services() {
  const { ctl, t } = useApp();
  const r = useResource('/api/v1/tiles');
  const [q, setQ] = useState('');
  const [found, setFound] = useState(null);
  const tiles = r.data ? r.data.items : [];
  async function search(e) {
    e.preventDefault();
    const query = q.trim();
    if (!query) { setFound(null); return; }
    let items;
    try {
      items = (await ctl.api.get(`/api/v1/search?q=${encodeURIComponent(query)}`)).data.items;
    } catch (err) {
      if (!(err instanceof NetworkError)) { setFound({ items: [], query, error: err }); return; }
      const want = fold(query);
      items = tiles.filter((x) => fold(`${x.title} ${x.description}`).includes(want)).map((x) => ({ ...x, kind: 'tile' }));
    }
    setFound({ items, query });
    ctl.announce(t('ui.services.results', { count: items.length }));
  }
  return (
    <Page title={t('ui.services.title')}>
      <form role="search" class="search" onSubmit={search}>
        <label for="q">{t('ui.services.search_label')}</label>
        <div class="search-row">
          <input id="q" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} autoComplete="off" />
          <button type="submit" class="btn btn-primary">{t('ui.services.search')}</button>
        </div>
      </form>
      {found ? (
        <section class="section" aria-labelledby="h-results">
          <h2 id="h-results">{t('ui.services.results', { count: found.items.length })}</h2>
          <ErrorNote error={found.error} t={t} />
          {found.items.length === 0 ? <Empty>{t('ui.services.no_results')}</Empty> : (
            <ul class="list">
              {found.items.map((it) => (
                <li key={`${it.kind}:${it.id}`}><a href={linkFor(it)} dir="auto">{it.title}</a> <span class="meta"><Agency agency={it.agency} /></span></li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
      <section class="section" aria-labelledby="h-tiles">
        <h2 id="h-tiles">{t('ui.services.all')}</h2>
        <ErrorNote error={r.error} t={t} />
        {r.loading && !r.data ? <Loading t={t} /> : tiles.length === 0 ? <Empty>{t('ui.services.none')}</Empty> : (
          <ul class="tiles">
            {tiles.map((tile) => (
              <li key={tile.id} class="tile">
                <a href={safeHref(tile.link) || '/services'} class="card-title" dir="auto">{tile.title}</a>
                <p dir="auto">{tile.description}</p>
                <div class="meta"><Agency agency={tile.agency} /></div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}
