// Messages, plurals and locale formatting. Message ids are under "ui."; a missing
// message shows its id's last segment humanized, so the app works with any key set.

/** humanize turns "ui.overview.needs_action" into "Needs action". */
export function humanize(id) {
  const last = String(id).split('.').pop().replace(/[_-]+/g, ' ').trim();
  return last ? last[0].toUpperCase() + last.slice(1) : String(id);
}

const pluralRulesCache = new Map();
function pluralRules(lang) {
  let r = pluralRulesCache.get(lang);
  if (!r) {
    try { r = new Intl.PluralRules(lang); } catch { r = new Intl.PluralRules('en'); }
    pluralRulesCache.set(lang, r);
  }
  return r;
}

/**
 * choosePlural picks the form of a plural message {one, other, few, …} for count,
 * using the language's CLDR rules; "=0"-style exact forms and "zero" win when present.
 */
export function choosePlural(forms, count, lang) {
  if (typeof forms === 'string') return forms;
  const exact = forms['=' + count];
  if (exact !== undefined) return exact;
  const cat = pluralRules(lang).select(Number(count));
  if (forms[cat] !== undefined) return forms[cat];
  if (count === 0 && forms.zero !== undefined) return forms.zero;
  return forms.other ?? forms.one ?? Object.values(forms)[0] ?? '';
}

/**
 * interpolate fills {name} and go-i18n's {{.Name}} placeholders from data
 * (keys matched case-insensitively, so {{.Count}} finds data.count).
 */
export function interpolate(text, data) {
  if (!data) return text;
  const lookup = (k) => {
    if (k in data) return data[k];
    const lower = k.toLowerCase();
    for (const key of Object.keys(data)) if (key.toLowerCase() === lower) return data[key];
    return undefined;
  };
  return text.replace(/\{\{\s*\.(\w+)\s*\}\}|\{(\w+)\}/g, (m, goName, name) => {
    const v = lookup(goName || name);
    return v === undefined || v === null ? m : String(v);
  });
}

// The product name reads right even before any messages arrive.
const BUILT_IN = { 'ui.app_name': 'Min side' };

// A missing message still carries its values: "Open: Main door", "Unread: 3".
function fallback(id, data) {
  if (BUILT_IN[id]) return BUILT_IN[id];
  const values = data ? Object.values(data).filter((v) => v !== undefined && v !== null && v !== '') : [];
  return values.length ? `${humanize(id)}: ${values.join(', ')}` : humanize(id);
}

/** makeTranslator builds t(id, data) over a message map for one language. */
export function makeTranslator(messages, lang) {
  const has = (id) => {
    const msg = messages ? messages[id] : undefined;
    return msg !== undefined && msg !== null && msg !== '';
  };
  function t(id, data) {
    if (!has(id)) return fallback(id, data);
    const msg = messages[id];
    const text = typeof msg === 'object'
      ? choosePlural(msg, data && data.count !== undefined ? data.count : 1, lang)
      : msg;
    return interpolate(String(text), data);
  }
  /** t.has tells whether the message set has id (for ids that come from the server). */
  t.has = has;
  return t;
}

const OSLO = 'Europe/Oslo';

/** formatDateTime shows an RFC 3339 time in Europe/Oslo in the chosen locale. */
// Building an Intl formatter costs far more than using one: keep them per locale and options.
const formatters = new Map();
function dateFormatter(lang, opts) {
  const key = `${lang}|${JSON.stringify(opts)}`;
  let f = formatters.get(key);
  if (!f) {
    try { f = new Intl.DateTimeFormat(lang, { timeZone: OSLO, ...opts }); }
    catch { f = new Intl.DateTimeFormat('en', { timeZone: OSLO, ...opts }); }
    formatters.set(key, f);
  }
  return f;
}

const DATE_TIME = { dateStyle: 'medium', timeStyle: 'short' };

export function formatDateTime(iso, lang, opts = DATE_TIME) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return dateFormatter(lang, opts).format(d);
}

/**
 * warmFormatters builds the date formatter and plural rules for lang ahead of use. The first
 * Intl.DateTimeFormat in a page loads ICU's locale and time-zone data: about 50 ms
 * on a laptop and 200 ms on a cheap phone, in one piece that cannot be split. Done
 * before the first paint it costs a blank screen that short; done in the overview's
 * first render with data, it froze the page just as the person could use it.
 */
export function warmFormatters(lang) {
  dateFormatter(lang, DATE_TIME);
  pluralRules(lang);
}

/**
 * dataTime names when data was saved: the clock time on the same day in Oslo, else date and
 * time. "Now" or "5 minutes ago" alone says little to someone who has been offline a while.
 */
export function dataTime(savedAt, now, lang) {
  const day = (t) => formatDateTime(t, 'en', { dateStyle: 'short' });
  return day(savedAt) === day(now) ? formatDateTime(savedAt, lang, { timeStyle: 'short' }) : formatDateTime(savedAt, lang);
}

export function formatDate(iso, lang) {
  return formatDateTime(iso, lang, { dateStyle: 'medium' });
}

export function formatTimeRange(startIso, endIso, lang) {
  const start = new Date(startIso), end = new Date(endIso);
  try {
    const f = dateFormatter(lang, DATE_TIME);
    return f.formatRange ? f.formatRange(start, end) : `${f.format(start)} – ${f.format(end)}`;
  } catch {
    return `${formatDateTime(startIso, lang)} – ${formatDateTime(endIso, lang)}`;
  }
}

export function formatNumber(n, lang) {
  try { return new Intl.NumberFormat(lang).format(n); } catch { return String(n); }
}

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * relativeAge says how long ago (or until) `then` is relative to `now`, e.g.
 * "5 minutes ago", "yesterday", "in 2 hours", in the chosen locale.
 */
export function relativeAge(then, now, lang) {
  const thenMs = typeof then === 'number' ? then : new Date(then).getTime();
  const nowMs = typeof now === 'number' ? now : new Date(now).getTime();
  const secs = Math.round((thenMs - nowMs) / 1000);
  let rtf;
  try { rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }); }
  catch { rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' }); }
  const abs = Math.abs(secs);
  if (abs < 45) return rtf.format(0, 'second');
  for (const [unit, size] of UNITS) {
    if (abs >= size) return rtf.format(Math.trunc(secs / size), unit);
  }
  return rtf.format(Math.sign(secs) * Math.max(1, Math.round(abs / 60)), 'minute');
}

/** languageName names a language in itself ("norsk bokmål", "العربية"). */
export function languageName(code, fallback) {
  try {
    const n = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    if (n && n !== code) return n;
  } catch { /* unsupported code */ }
  return fallback || code;
}

/** isRTL is true for the languages written right to left. */
export function isRTL(code) {
  return /^(ar|ur|fa|he|ps|sd|ug|yi|ckb)(-|$)/.test(code || '');
}
