// Whom the citizen acts as: themself, a child, or someone who gave a power of attorney.
import { useState } from 'preact/hooks';
import { useApp } from '../ui.jsx';
import { problemText } from '../api.js';

export function ActingAs() {
  const { s, ctl, t } = useApp();
  const [busy, setBusy] = useState(false);
  const me = s.me;
  if (!me || !me.represents || me.represents.length === 0) return null;
  const current = me.actingAs ? me.actingAs.id : '';
  async function change(e) {
    setBusy(true);
    try {
      await ctl.actAs(e.currentTarget.value || null);
      ctl.announce(t('ui.acting_as.changed'));
    } catch (err) {
      ctl.announce(problemText(err, t));
    } finally { setBusy(false); }
  }
  return (
    <div class="acting-as">
      <label for="acting-as">{t('ui.acting_as.show_for')}</label>
      <select id="acting-as" value={current} onChange={change} disabled={busy || !s.online}>
        <option value="">{t('ui.acting_as.myself', { name: me.name })}</option>
        {me.represents.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}{p.needsAction ? ` (${t('ui.people.needs_action', { count: p.needsAction })})` : ''}
          </option>
        ))}
      </select>
    </div>
  );
}
