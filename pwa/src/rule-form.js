// The console's rule form as data: the form state from a stored rule, the agency API body from the
// form, the expressions the live check and the preview compile, and the problems they report by
// field. Pure functions, so the form's logic is tested without a browser.

export const SUBJECTS = ['person', 'child', 'case', 'booking', 'key'];
export const ACTIONS = ['link', 'book', 'renew_key'];
export const AREAS = ['building', 'kindergarten', 'school', 'health', 'care', 'culture', 'waste', 'library', 'tax', 'other'];
// The events a rule may be triggered by (suggest.Events); none: a rule that holds while its condition does.
export const EVENTS = [
  'case.created', 'case.updated', 'case.decided', 'case.deleted', 'booking.created', 'booking.cancelled', 'booking.deleted',
  'key.issued', 'key.deleted', 'relation.created', 'relation.ended', 'child.born', 'child.birthday', 'key.expiring', 'booking.ended',
];
export const TEXT_FIELDS = ['title', 'body', 'why', 'legalBasis', 'actionLabel'];
export const STATS = ['made', 'shown', 'acted', 'active', 'withdrawn', 'dismissed', 'done'];

export const emptyRule = {
  title: {}, body: {}, why: {}, legalBasis: {}, actionLabel: {}, category: '', area: 'other', appliesTo: 'person', events: [],
  condition: '', actionType: 'link', link: 'https://', prefill: '', expiresAt: '',
};

const nonEmpty = (m) => Object.fromEntries(Object.entries(m || {}).filter(([, v]) => v && v.trim()));

/** prefillOf reads "name={expression}" lines; blank lines are skipped, a line without = keeps its text as the name. */
export function prefillOf(text) {
  const out = {};
  for (const line of (text || '').split('\n')) {
    if (!line.trim()) continue;
    const i = line.indexOf('=');
    if (i < 0) out[line.trim()] = '';
    else out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

export const prefillText = (m) => Object.entries(m || {}).map(([k, v]) => `${k}=${v}`).join('\n');

/** ruleFormOf is the form for a stored rule (the agency API's body). */
export function ruleFormOf(rule) {
  const texts = rule.texts || {};
  const form = { ...emptyRule };
  for (const f of TEXT_FIELDS) form[f] = { ...(texts[f] || {}) };
  return {
    ...form, category: rule.category || '', area: rule.area || 'other', appliesTo: rule.appliesTo || 'person', events: [...(rule.events || [])],
    condition: rule.condition || '', actionType: (rule.action && rule.action.type) || 'link', link: (rule.action && rule.action.link) || '',
    prefill: prefillText(rule.action && rule.action.prefill), expiresAt: rule.expiresAt || '',
  };
}

/** ruleBodyOf is the agency API's body for the form (status and version are the console's). */
export function ruleBodyOf(f) {
  const texts = {};
  for (const name of TEXT_FIELDS) {
    const t = nonEmpty(f[name]);
    if (Object.keys(t).length || name === 'title' || name === 'why') texts[name] = t;
  }
  const action = { type: f.actionType };
  if (f.link && f.link !== 'https://') action.link = f.link;
  const prefill = prefillOf(f.prefill);
  if (Object.keys(prefill).length) action.prefill = prefill;
  const body = { category: f.category, area: f.area, appliesTo: f.appliesTo, condition: f.condition, texts, action };
  if (f.events.length) body.events = f.events;
  if (f.expiresAt) body.expiresAt = f.expiresAt;
  return body;
}

/** expressionsOf is what the live check and the preview compile. */
export function expressionsOf(f) {
  const e = { appliesTo: f.appliesTo, condition: f.condition, why: nonEmpty(f.why) };
  if (f.events.length) e.events = f.events;
  const prefill = prefillOf(f.prefill);
  if (Object.keys(prefill).length) e.prefill = prefill;
  return e;
}

/** problemsByPointer turns the check's problems into one text per field, in the reader's words. */
export function problemsByPointer(problems, t) {
  const out = {};
  for (const p of problems || []) {
    const text = t('ui.console.rule_problem', { Line: p.line, Column: p.column, Message: p.message });
    out[p.pointer] = out[p.pointer] ? `${out[p.pointer]} ${text}` : text;
  }
  return out;
}

/** formPointer maps a pointer of the rule record to the form field that shows it (texts are flat in the form). */
export const formPointer = (pointer) => pointer.replace(/^\/texts\//, '/');

/** districtRows are a preview's districts, most people first ("" last, as unknown). */
export function districtRows(byDistrict) {
  return Object.entries(byDistrict || {}).sort(([a, x], [b, y]) => (a === '') - (b === '') || y - x || a.localeCompare(b, 'nb'));
}

/** sampleLines says what one anonymised fact set holds, as values for the console's phrases. */
export function sampleLines(s) {
  return {
    age: s.age, district: s.district,
    children: (s.children || []).map((c) => c.age).join(', '),
    cases: (s.cases || []).map((c) => `${c.kind} (${c.status})`).join(', '),
  };
}
