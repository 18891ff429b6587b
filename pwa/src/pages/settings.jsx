// Settings: language, notification preferences, push on this device, devices,
// calendar link, people you act for, your data, and logging out.
import { useEffect, useState } from 'preact/hooks';
import { Page, Section, When, Empty, ErrorNote, Loading, useApp, useResource } from '../ui.jsx';
import { problemText } from '../api.js';
import { enablePush, pushSupported } from '../push.js';
import { Preferences } from './preferences.jsx';
import { YourData } from './your-data.jsx';
import { LanguagePicker } from '../language-picker.jsx';
import { EndedNotes, EndsSoon, Representatives, endDate } from './acting-as.jsx';

function PushSetup() {
  const { s, ctl, t } = useApp();
  const [state, setState] = useState(() => (pushSupported() ? Notification.permission : 'unsupported'));
  const [error, setError] = useState(null);
  if (s.me && s.me.sharedDevice) return <p>{t('ui.push.not_on_shared')}</p>;
  if (state === 'unsupported') return <p>{t('ui.push.unsupported')}</p>;
  async function turnOn() {
    setError(null);
    try {
      const r = await enablePush(ctl.api, s.config && s.config.vapidPublicKey);
      setState(r.ok ? 'granted' : r.reason);
      ctl.announce(r.ok ? t('ui.push.enabled') : t('ui.push.denied'));
      if (r.ok) ctl.refreshDevices();
    } catch (err) { setError(err); }
  }
  return (
    <div>
      <p>{t('ui.push.why')}</p>
      {state === 'denied' ? <p class="note">{t('ui.push.blocked_help')}</p> : (
        <button type="button" class="btn btn-primary" onClick={turnOn} disabled={!s.online}>
          {state === 'granted' ? t('ui.push.renew') : t('ui.push.enable')}
        </button>
      )}
      <ErrorNote error={error} t={t} />
    </div>
  );
}

function Devices({ version }) {
  const { s, ctl, t } = useApp();
  const [gone, setGone] = useState([]);
  const r = useResource('/api/v1/push/subscriptions', { persist: false, version });
  const items = r.data ? r.data.items.filter((d) => !gone.includes(d.id)) : [];
  async function forget(d) {
    try {
      await ctl.api.del(`/api/v1/push/subscriptions/${encodeURIComponent(d.id)}`);
      setGone((g) => [...g, d.id]);
      ctl.announce(t('ui.devices.forgotten', { name: d.label }));
    } catch (err) { ctl.announce(problemText(err, t)); }
  }
  if (r.loading && !r.data) return <Loading t={t} />;
  return (
    <>
      <ErrorNote error={r.error} t={t} />
      {items.length === 0 ? <Empty>{t('ui.devices.none')}</Empty> : (
        <ul class="list">
          {items.map((d) => (
            <li key={d.id} class="row">
              <span><bdi>{d.label}</bdi> <span class="meta">{t('ui.devices.added')} <When iso={d.createdAt} lang={s.lang} /></span></span>
              <button type="button" class="btn" onClick={() => forget(d)}>{t('ui.devices.forget', { name: d.label })}</button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Calendar() {
  const { s, ctl, t } = useApp();
  const [url, setUrl] = useState(undefined);
  const [error, setError] = useState(null);
  useEffect(() => {
    ctl.api.get('/api/v1/me/calendar').then((r) => setUrl(r.data.url)).catch(setError);
  }, []);
  async function run(fn, msg) {
    setError(null);
    try { await fn(); ctl.announce(msg); } catch (err) { setError(err); }
  }
  return (
    <div>
      <p>{t('ui.calendar.explain')}</p>
      <ErrorNote error={error} t={t} />
      {url ? (
        <>
          <label for="cal-url">{t('ui.calendar.url_label')}</label>
          <input id="cal-url" class="wide" type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
          <div class="buttons">
            <button type="button" class="btn" disabled={!s.online} onClick={() => run(async () => setUrl((await ctl.api.post('/api/v1/me/calendar')).data.url), t('ui.calendar.renewed'))}>{t('ui.calendar.renew')}</button>
            <button type="button" class="btn btn-danger" disabled={!s.online} onClick={() => run(async () => { await ctl.api.del('/api/v1/me/calendar'); setUrl(null); }, t('ui.calendar.revoked'))}>{t('ui.calendar.revoke')}</button>
          </div>
        </>
      ) : url === null ? (
        <button type="button" class="btn btn-primary" disabled={!s.online} onClick={() => run(async () => setUrl((await ctl.api.post('/api/v1/me/calendar')).data.url), t('ui.calendar.created'))}>{t('ui.calendar.create')}</button>
      ) : null}
    </div>
  );
}

/** People the citizen acts for (ends shown as dates, with a warning before they end), and what ended lately. */
function People() {
  const { s, t } = useApp();
  const people = (s.me && s.me.represents) || [];
  return (
    <>
      {people.length === 0 ? <Empty>{t('ui.people.none')}</Empty> : (
        <ul class="list" data-represents="">
          {people.map((p) => (
            <li key={p.id}>
              <bdi>{p.name}</bdi> <span class="meta">{t(`ui.people.relation.${p.relation}`)}</span>
              {p.scopes && p.scopes.length ? <span class="meta"> · {t('ui.people.scopes')}: {p.scopes.map((sc) => t(`ui.people.scope.${sc}`)).join(', ')}</span> : null}
              {p.validUntil ? <span class="meta"> · {t('ui.people.valid_until')} <time dateTime={p.validUntil}>{endDate(p.validUntil, s.lang)}</time></span> : null}
              {' '}<EndsSoon person={p} />
            </li>
          ))}
        </ul>
      )}
      <EndedNotes />
    </>
  );
}

/**
 * CloseAccount: says what closing means (Min side forgets you; agencies keep their
 * own records), asks once more, then deletes the account and wipes this device.
 */
function CloseAccount() {
  const { s, ctl, t } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  if (s.me && s.me.actingAs) return <p>{t('ui.close_account.not_while_acting')}</p>;
  async function close() {
    setBusy(true);
    setError(null);
    try { await ctl.closeAccount(); } catch (err) { setError(err); setBusy(false); }
  }
  return (
    <div>
      <p>{t('ui.close_account.explain')}</p>
      <p>{t('ui.close_account.agencies_keep')}</p>
      <p>{t('ui.close_account.public_space')}</p>
      <ErrorNote error={error} t={t} />
      {confirming ? (
        <div class="confirm" role="group" aria-labelledby="close-confirm">
          <p id="close-confirm"><strong>{t('ui.close_account.confirm')}</strong></p>
          <button type="button" class="btn btn-danger" data-action="confirm-close-account" disabled={busy || !s.online} onClick={close}>{t('ui.close_account.yes')}</button>
          <button type="button" class="btn" onClick={() => setConfirming(false)}>{t('ui.close_account.keep')}</button>
        </div>
      ) : (
        <button type="button" class="btn btn-danger" data-action="close-account" disabled={!s.online} onClick={() => setConfirming(true)}>{t('ui.close_account.button')}</button>
      )}
    </div>
  );
}

export function Settings() {
  const { s, ctl, t } = useApp();
  const [devVersion, setDevVersion] = useState(0);
  ctl.refreshDevices = () => setDevVersion((v) => v + 1);
  return (
    <Page title={t('ui.settings.title')}>
      <Section id="h-lang" title={t('ui.settings.language')}><LanguagePicker /></Section>
      <Section id="h-prefs" title={t('ui.settings.notifications')}><Preferences /></Section>
      <Section id="h-push" title={t('ui.settings.push')}><PushSetup /></Section>
      <Section id="h-devices" title={t('ui.settings.devices')}><Devices version={devVersion} /></Section>
      <Section id="h-cal" title={t('ui.settings.calendar')}><Calendar /></Section>
      <Section id="h-people" title={t('ui.settings.people')}><People /></Section>
      <Section id="h-representatives" title={t('ui.settings.representatives')}><Representatives /></Section>
      <Section id="h-data" title={t('ui.settings.your_data')}><YourData /></Section>
      <Section id="h-close" title={t('ui.close_account.title')}><CloseAccount /></Section>
      <Section id="h-logout" title={t('ui.settings.logout')}>
        <p>{t('ui.settings.logout_explain')}</p>
        <button type="button" class="btn btn-primary" data-action="logout-settings" onClick={() => ctl.logout()}>{t('ui.settings.logout_button')}</button>
      </Section>
    </Page>
  );
}
