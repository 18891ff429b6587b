// When a key works, said truthfully: a key that is not active works never (a revoked key has no
// "next time"), one that works now says until when, one that works later says the whole window.
import { formatDateTime } from './i18n.js';

/** keyWhen is the text for key k in lang: the window open now or next, only while the key is active. */
export function keyWhen(k, t, lang) {
  const w = k.status === 'active' ? k.nextWindow : null;
  if (!w) return t('ui.keys.not_usable');
  if (k.validNow) return t('ui.keys.works_until', { end: formatDateTime(w.endsAt, lang) });
  return t('ui.keys.works_between', { start: formatDateTime(w.startsAt, lang), end: formatDateTime(w.endsAt, lang) });
}
