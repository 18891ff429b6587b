// Proactive suggestions ("Forslag til deg"), outside the views: the why-text in the
// reader's language, the choices as queued actions, what to hide while a choice waits to
// be sent, and the changes feed's "suggestion" kind. Pure, so it is tested without a page.
import { formatDateTime, formatNumber } from './i18n.js';

/** The kinds of a queued choice (outbox action kinds), by the choice's path segment. */
export const CHOICES = { dismiss: 'suggestionDismiss', snooze: 'suggestionSnooze', done: 'suggestionDone', act: 'suggestionAct' };

/** The overview shows this many suggestions at most, as the server does. */
export const MAX_OVERVIEW = 20;

/**
 * whyText joins a suggestion's why parts ({t}, {v}, {n}, {d}) into one text, with dates
 * and numbers written the way the reader's language writes them.
 */
export function whyText(parts, lang) {
  return (parts || []).map((p) => {
    if (p.d) return formatDateTime(`${p.d}T12:00:00Z`, lang, { dateStyle: 'long', timeZone: 'UTC' }) || p.d;
    if (typeof p.n === 'number') return formatNumber(p.n, lang);
    if (p.v) return p.v;
    return p.t || '';
  }).join('');
}

/**
 * choice is the outbox action of one choice about suggestion id: dismiss {reason}, snooze
 * {until: "YYYY-MM-DD"}, done, act. Kind and target let the views hide the suggestion
 * while the choice waits to be sent.
 */
export function choice(name, id, body) {
  const kind = CHOICES[name];
  if (!kind) throw new Error(`unknown suggestion choice ${name}`);
  const a = { path: `/api/v1/me/suggestions/${encodeURIComponent(id)}/${name}`, kind, targetId: id };
  if (body && Object.keys(body).length) a.body = body;
  return a;
}

/** chosen is true when a choice about the suggestion waits in the outbox (or failed). */
export function chosen(id, actions) {
  return (actions || []).some((a) => a.targetId === id && Object.values(CHOICES).includes(a.kind) && a.status === 'pending');
}

/** visible drops the suggestions a pending choice has already put away on this device. */
export function visible(list, actions) {
  return (list || []).filter((sg) => !chosen(sg.id, actions));
}

/** snoozeDate is the day `days` days after now, as the API's date (YYYY-MM-DD, local). */
export function snoozeDate(days, now = new Date()) {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const newestFirst = (a, b) => Date.parse(b.createdAt || 0) - Date.parse(a.createdAt || 0);

/** applySuggestion applies one change of kind "suggestion" to a list of suggestions. */
export function applySuggestion(list, ch, max = MAX_OVERVIEW) {
  const rest = (list || []).filter((x) => x.id !== ch.id);
  if (ch.op === 'delete' || !ch.data) return rest;
  return [...rest, ch.data].sort(newestFirst).slice(0, max);
}

/**
 * unshown lists the ids among list not yet reported as shown (reported: a Set kept for
 * the page's life), so one call reports what a screen showed.
 */
export function unshown(list, reported) {
  return (list || []).map((sg) => sg.id).filter((id) => !reported.has(id));
}

/** withAgencyOff returns the preferences' off-agencies with slug added (sorted, once). */
export function withAgencyOff(offAgencies, slug) {
  return [...new Set([...(offAgencies || []), slug])].sort();
}
