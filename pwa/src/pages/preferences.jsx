// Notification preferences: per category and channel, quiet hours (a switch and two clock times), and whether
// to hear about the people you act for.
import { useEffect, useState } from 'preact/hooks';
import { ErrorNote, Loading, useApp } from '../ui.jsx';

const CATEGORIES = ['cases', 'bookings', 'keys', 'messages', 'general', 'suggestions', 'reports'];
const CHANNELS = ['push', 'inApp'];

export function Preferences() {
  const { s, ctl, t } = useApp();
  const [prefs, setPrefs] = useState(null);
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => { ctl.api.get('/api/v1/me/preferences').then((r) => setPrefs(r.data)).catch(setError); }, []);
  if (!prefs) return error ? <ErrorNote error={error} t={t} /> : <Loading t={t} />;

  const setChannel = (cat, ch, on) => setPrefs((p) => ({ ...p, channels: { ...p.channels, [cat]: { ...(p.channels[cat] || {}), [ch]: on } } }));
  // Quiet hours are on unless the server says enabled: false (an older server sends no flag).
  const quietOn = !(prefs.quietHours && prefs.quietHours.enabled === false);
  const setQuiet = (field, v) => setPrefs((p) => ({ ...p, quietHours: { ...(p.quietHours || {}), [field]: v } }));
  async function save(e) {
    e.preventDefault();
    setSaving(true); setError(null);
    try {
      const r = await ctl.api.put('/api/v1/me/preferences', prefs);
      setPrefs(r.data || prefs);
      ctl.announce(t('ui.preferences.saved'));
    } catch (err) { setError(err); } finally { setSaving(false); }
  }
  return (
    <form onSubmit={save}>
      {CATEGORIES.map((cat) => (
        <fieldset key={cat} class="fieldset">
          <legend>{t(`ui.notifications.category.${cat}`)}</legend>
          <div class="choices">
            {CHANNELS.map((ch) => (
              <label key={ch} class="check">
                <input type="checkbox" checked={!!(prefs.channels && prefs.channels[cat] && prefs.channels[cat][ch])}
                  onChange={(e) => setChannel(cat, ch, e.currentTarget.checked)} />
                {t(`ui.preferences.channel.${ch}`)}
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      <fieldset class="fieldset">
        <legend>{t('ui.preferences.quiet_hours')}</legend>
        <p class="meta">{t('ui.preferences.quiet_hours_explain')}</p>
        <label class="check">
          <input type="checkbox" role="switch" name="quietEnabled" checked={quietOn}
            onChange={(e) => setQuiet('enabled', e.currentTarget.checked)} />
          {t('ui.preferences.quiet_on')}
        </label>
        <div class="choices">
          <label class="field"><span>{t('ui.preferences.quiet_from')}</span>
            <input type="time" name="quietStart" required={quietOn} disabled={!quietOn} value={(prefs.quietHours && prefs.quietHours.start) || ''} onInput={(e) => setQuiet('start', e.currentTarget.value)} /></label>
          <label class="field"><span>{t('ui.preferences.quiet_to')}</span>
            <input type="time" name="quietEnd" required={quietOn} disabled={!quietOn} value={(prefs.quietHours && prefs.quietHours.end) || ''} onInput={(e) => setQuiet('end', e.currentTarget.value)} /></label>
        </div>
      </fieldset>
      <label class="check">
        <input type="checkbox" checked={!!prefs.representedNotifications}
          onChange={(e) => setPrefs((p) => ({ ...p, representedNotifications: e.currentTarget.checked }))} />
        {t('ui.preferences.represented')}
      </label>
      <ErrorNote error={error} t={t} />
      <p><button type="submit" class="btn btn-primary" disabled={saving || !s.online}>{t('ui.preferences.save')}</button></p>
    </form>
  );
}
