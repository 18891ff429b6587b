// Pages without a session: the welcome page with login, offline without stored
// data, not found, and a boot failure.
import { useState } from 'preact/hooks';
import { Page, Section, useApp } from '../ui.jsx';
import { LanguagePicker } from '../language-picker.jsx';

/** loginHref builds the login URL; shared=1 asks the server to keep nothing offline. */
export function loginHref(loginUrl, returnTo, shared) {
  const q = new URLSearchParams({ returnTo });
  if (shared) q.set('shared', '1');
  return `${loginUrl || '/auth/login'}?${q}`;
}

export function LoggedOut() {
  const { s, t } = useApp();
  const [shared, setShared] = useState(false);
  const returnTo = s.path && s.path.startsWith('/') && !s.path.startsWith('//') ? s.path : '/';
  return (
    <Page title={t('ui.welcome.title')}>
      {s.notice ? <p class="note note-ok" role="status" data-notice="">{s.notice}</p> : null}
      <p class="lead">{t('ui.welcome.lead')}</p>
      <ul class="benefits">
        <li>{t('ui.welcome.benefit_cases')}</li>
        <li>{t('ui.welcome.benefit_bookings')}</li>
        <li>{t('ui.welcome.benefit_keys')}</li>
      </ul>
      <div class="login-box">
        <label class="check">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} aria-describedby="shared-help" />
          {t('ui.welcome.shared_device')}
        </label>
        <p id="shared-help" class="meta">{t('ui.welcome.shared_device_help')}</p>
        <a class="btn btn-primary btn-large" data-action="login" href={loginHref(s.config && s.config.loginUrl, returnTo, shared)}>{t('ui.welcome.login')}</a>
      </div>
      <Section id="h-welcome-report" title={t('ui.welcome.report_title')}>
        <p>{t('ui.welcome.report_lead')}</p>
        <p><a class="btn" href="/report" data-action="report">{t('ui.nav.report')}</a></p>
      </Section>
      <Section id="h-welcome-reports" title={t('ui.welcome.reports_title')}>
        <p>{t('ui.welcome.reports_text')}</p>
        <p><a href="/public/reports" data-link="public-reports">{t('ui.welcome.reports_link')}</a></p>
      </Section>
      <Section id="h-welcome-privacy" title={t('ui.welcome.privacy_title')}>
        <p data-privacy="">{t('ui.welcome.privacy')}</p>
      </Section>
      <Section id="h-welcome-language" title={t('ui.settings.language')}><LanguagePicker /></Section>
    </Page>
  );
}

export function OfflineNoData() {
  const { t } = useApp();
  return (
    <Page title={t('ui.offline.title')}>
      <p>{t('ui.offline.no_data')}</p>
      <button type="button" class="btn btn-primary" onClick={() => location.reload()}>{t('ui.common.try_again')}</button>
    </Page>
  );
}

export function BootError() {
  const { t } = useApp();
  return (
    <Page title={t('ui.error.title')}>
      <p>{t('ui.error.generic')}</p>
      <button type="button" class="btn btn-primary" onClick={() => location.reload()}>{t('ui.common.try_again')}</button>
    </Page>
  );
}

export function NotFound() {
  const { t } = useApp();
  return (
    <Page title={t('ui.not_found.title')}>
      <p>{t('ui.not_found.text')}</p>
      <p><a href="/">{t('ui.not_found.home')}</a></p>
    </Page>
  );
}
