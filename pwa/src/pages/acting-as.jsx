// Acting for someone: the picker of whose page is shown, the banner that says whose page it is
// on every page, and the notes about representation that ends soon or has ended.
import { useState } from 'preact/hooks';
import { useApp, useResource } from '../ui.jsx';
import { problemText } from '../api.js';
import { formatDateTime } from '../i18n.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_ONLY = { dateStyle: 'long' };

/**
 * endDate shows when a representation ends as a date: a guardianship ends on the child's 18th
 * birthday and a power of attorney on a day, so a clock time ("02:00") would only mislead.
 */
export function endDate(iso, lang) {
  return formatDateTime(iso, lang, DATE_ONLY);
}

/** daysLeft counts the days until iso, rounded up (an end later today is 1 day). */
export function daysLeft(iso, now = Date.now()) {
  return Math.max(0, Math.ceil((new Date(iso).getTime() - now) / DAY_MS));
}

/**
 * areasText names the areas of a power of attorney inside a sentence: "helse og omsorg". Area
 * names are common nouns, lower-cased to sit mid-sentence, joined the language's way.
 */
export function areasText(scopes, t, lang) {
  const names = (scopes || []).map((a) => t(`ui.people.scope.${a}`).toLocaleLowerCase(lang));
  try { return new Intl.ListFormat(lang, { type: 'conjunction' }).format(names); } catch { return names.join(', '); }
}

/** actingText is the sentence that says whose page it is and by which right the viewer acts. */
export function actingText(a, t, lang) {
  if (a.relation === 'guardian') return t('ui.acting_as.banner_guardian', { name: a.name });
  if (a.scopes) return t('ui.acting_as.banner_attorney', { name: a.name, areas: areasText(a.scopes, t, lang) });
  return t('ui.acting_as.banner_attorney_general', { name: a.name });
}

/** ActingBanner: on every page while acting for someone, whose page it is and a way back. */
export function ActingBanner() {
  const { s, ctl, t } = useApp();
  const a = s.me && s.me.actingAs;
  if (!a) return null;
  async function back() {
    try {
      await ctl.actAs(null);
      ctl.announce(t('ui.acting_as.changed'));
    } catch (err) { ctl.announce(problemText(err, t)); }
  }
  return (
    <div class="acting-banner" role="region" aria-label={t('ui.acting_as.short')} data-acting-banner="">
      <p><bdi>{actingText(a, t, s.lang)}</bdi></p>
      <button type="button" class="btn" onClick={back} disabled={!s.online}>{t('ui.acting_as.back_to_own')}</button>
    </div>
  );
}

/** EndsSoon: the warning on a representation that ends within 30 days, with the days left. */
export function EndsSoon({ person }) {
  const { t } = useApp();
  if (!person.endsSoon || !person.validUntil) return null;
  return (
    <span class="badge badge-warning" data-ends-soon="">
      {t('ui.people.ends_soon')}: {t('ui.count.days_left', { count: daysLeft(person.validUntil) })}
    </span>
  );
}

/**
 * useRepresentation is who may act for the person and the accesses they lost lately
 * (GET /api/v1/me/representation, kept for offline use like every list).
 */
function useRepresentation() {
  const r = useResource('/api/v1/me/representation');
  return r.data || { representatives: [], ended: [] };
}

/** EndedNotes: each access the person lost lately, when it ended and, for a power of attorney, how to renew it. */
export function EndedNotes() {
  const { s, t } = useApp();
  const { ended } = useRepresentation();
  if (ended.length === 0) return null;
  return (
    <ul class="notes">
      {ended.map((e) => {
        const data = { name: e.name, date: endDate(e.endedAt, s.lang), agency: e.agency && e.agency.name };
        return (
          <li key={e.id} class="note" data-ended={e.reason}>
            {e.relation === 'power_of_attorney'
              ? <>{t('ui.people.ended_attorney', data)} {t('ui.people.ended_renew', data)}</>
              : e.reason === 'adult' ? t('ui.people.ended_adult', data) : t('ui.people.ended_guardian', data)}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Representatives: who may act for the person, in which areas, until when. endingOnly keeps
 * those that end soon and shows nothing when none do (the overview's warning).
 */
export function Representatives({ endingOnly = false }) {
  const { s, t } = useApp();
  const reps = useRepresentation().representatives.filter((r) => !endingOnly || r.endsSoon);
  if (reps.length === 0) return endingOnly ? null : <p class="empty">{t('ui.people.nobody_acts_for_you')}</p>;
  return (
    <ul class="list" data-representatives="">
      {reps.map((r) => (
        <li key={r.id}>
          <bdi>{r.scopes
            ? t('ui.people.may_act_for_you_in', { name: r.name, areas: areasText(r.scopes, t, s.lang) })
            : t('ui.people.may_act_for_you_all', { name: r.name })}</bdi>
          {' '}<span class="meta">{t(`ui.people.relation.${r.relation}`)}</span>
          {r.validUntil ? <span class="meta"> · {t('ui.people.valid_until')} <time dateTime={r.validUntil}>{endDate(r.validUntil, s.lang)}</time></span> : null}
          {' '}<EndsSoon person={r} />
        </li>
      ))}
    </ul>
  );
}

export function ActingAs() {
  const { s, ctl, t } = useApp();
  const [busy, setBusy] = useState(false);
  const me = s.me;
  if (!me) return null;
  const represents = me.represents || [];
  // On the overview, only what needs attention: who may act for the person until soon, and what ended.
  const notes = <><EndedNotes /><Representatives endingOnly /></>;
  if (represents.length === 0) return notes;
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
    <>
      {notes}
      <div class="acting-as">
        <label for="acting-as">{t('ui.acting_as.show_for')}</label>
        <select id="acting-as" value={current} onChange={change} disabled={busy || !s.online}>
          <option value="">{t('ui.acting_as.myself', { name: me.name })}</option>
          {represents.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}{p.needsAction ? ` (${t('ui.people.needs_action', { count: p.needsAction })})` : ''}
              {p.endsSoon ? ` – ${t('ui.people.ends_soon')}` : ''}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}
