// "Forslag til deg": every suggestion with its choices, and the person's switches for them
// (off entirely, per agency, push about new ones), saved in the preferences.
import { useEffect, useState } from 'preact/hooks';
import { Page, Empty, ErrorNote, Loading, StaleNote, useApp, useResource } from '../ui.jsx';
import { visible, withAgencyOff } from '../suggestions.js';
import { SuggestionCard, useReportShown } from './suggestion-card.jsx';

export function Suggestions() {
  const { s, ctl, t } = useApp();
  const r = useResource('/api/v1/me/suggestions');
  const items = visible(r.data ? r.data.items : [], s.outbox);
  useReportShown(items);
  const [prefs, setPrefs] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { ctl.api.get('/api/v1/me/preferences').then((res) => setPrefs(res.data)).catch(setError); }, []);

  async function save(change) {
    setError(null);
    try {
      const res = await ctl.api.put('/api/v1/me/preferences', change);
      setPrefs(res.data);
      ctl.announce(t('ui.preferences.saved'));
      await ctl.refresh();
    } catch (err) { setError(err); }
  }
  const sg = prefs && prefs.suggestions ? prefs.suggestions : { off: false, offAgencies: [] };
  const pushOn = !!(prefs && prefs.channels && prefs.channels.suggestions && prefs.channels.suggestions.push);
  const names = Object.fromEntries(items.map((x) => [x.agency.slug, x.agency.name]));
  return (
    <Page title={t('ui.suggestions.title')}>
      <p>{t('ui.suggestions.intro')}</p>
      {r.stale && !s.online ? <StaleNote savedAt={r.savedAt} t={t} lang={s.lang} /> : null}
      <ErrorNote error={r.error} t={t} />
      {r.loading && !r.data ? <Loading t={t} /> : items.length === 0 ? <Empty>{t('ui.suggestions.none')}</Empty> : (
        <ul class="cards">
          {items.map((x) => <SuggestionCard key={x.id} sg={x} />)}
        </ul>
      )}
      <section class="section" aria-labelledby="h-suggestion-settings">
        <h2 id="h-suggestion-settings">{t('ui.suggestions.settings')}</h2>
        <ErrorNote error={error} t={t} />
        {!prefs ? (error ? null : <Loading t={t} />) : (
          <>
            <label class="check">
              <input type="checkbox" role="switch" name="suggestionsOn" checked={!sg.off} disabled={!s.online}
                onChange={(e) => save({ suggestions: { off: !e.currentTarget.checked } })} />
              {t('ui.suggestions.show')}
            </label>
            <label class="check">
              <input type="checkbox" role="switch" name="suggestionsPush" checked={pushOn} disabled={!s.online}
                onChange={(e) => save({ channels: { suggestions: { push: e.currentTarget.checked, inApp: true } } })} />
              {t('ui.suggestions.push')}
            </label>
            {items.length ? (
              <fieldset class="fieldset">
                <legend>{t('ui.suggestions.agencies')}</legend>
                <ul class="list">
                  {[...new Set(items.map((x) => x.agency.slug))].map((slug) => (
                    <li key={slug}>
                      <button type="button" class="btn" data-agency-off={slug} disabled={!s.online}
                        onClick={() => save({ suggestions: { offAgencies: withAgencyOff(sg.offAgencies, slug) } })}>
                        {t('ui.suggestions.agency_off', { agency: names[slug] })}
                      </button>
                    </li>
                  ))}
                </ul>
              </fieldset>
            ) : null}
            {sg.offAgencies && sg.offAgencies.length ? (
              <fieldset class="fieldset">
                <legend>{t('ui.suggestions.agencies_off')}</legend>
                <ul class="list">
                  {sg.offAgencies.map((slug) => (
                    <li key={slug}>
                      <bdi>{names[slug] || slug}</bdi>{' '}
                      <button type="button" class="btn" data-agency-on={slug} disabled={!s.online}
                        onClick={() => save({ suggestions: { offAgencies: sg.offAgencies.filter((x) => x !== slug) } })}>
                        {t('ui.suggestions.agency_on')}
                      </button>
                    </li>
                  ))}
                </ul>
              </fieldset>
            ) : null}
          </>
        )}
      </section>
    </Page>
  );
}
