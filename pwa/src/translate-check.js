// The translator console's checks, kept free of the view so they are unit-tested: the same
// placeholder and plural rules the server applies (i18n.Bundle.ValidateOverride), run before saving.

const PLACEHOLDER = /\{\{\s*\.(\w+)\s*\}\}/g;

/** placeholdersOf lists the {{.Name}} placeholders of a text, sorted and distinct. */
export function placeholdersOf(text) {
  return [...new Set([...String(text || '').matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/**
 * formProblems checks each form against the source's placeholders the way the server does: every
 * form is required, none may use a placeholder the source lacks, and each must keep the source's
 * placeholders ({{.Count}} may be left out of zero, one and two). It returns category → problem.
 */
export function formProblems(msg, forms) {
  const allowed = new Set(msg.placeholders || []);
  const out = {};
  for (const cat of msg.plurals) {
    const text = forms[cat] || '';
    if (!text.trim()) { out[cat] = { key: 'required' }; continue; }
    const got = placeholdersOf(text);
    const extra = got.filter((p) => !allowed.has(p));
    const ref = placeholdersOf(msg.source[cat] ?? msg.source.other);
    const lacking = ref.filter((p) => !got.includes(p) && !(p === 'Count' && ['zero', 'one', 'two'].includes(cat)));
    if (extra.length || lacking.length) out[cat] = { key: 'placeholders', names: ref.map((p) => `{{.${p}}}`).join(' ') || '–' };
  }
  return out;
}

/** sampleCounts finds, per plural category of lang, a small number that selects it (for the preview). */
export function sampleCounts(lang, plurals) {
  const rules = new Intl.PluralRules(lang);
  const out = {};
  for (let n = 0; n <= 200 && Object.keys(out).length < plurals.length; n++) {
    const cat = rules.select(n);
    if (plurals.includes(cat) && out[cat] === undefined) out[cat] = n;
  }
  return out;
}

// --- Finding messages: every one is reachable by search, filter and page ---

/** fold makes text comparable the way a reader types it: no case, no accents (á → a, š → s). */
export function fold(text) {
  return String(text || '').normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** FILTERS are the console's filters, most useful first. */
export const FILTERS = ['missing', 'outdated', 'review', 'all'];

/** inFilter tells whether a message belongs under a filter ("review": marked for review, whatever else). */
export function inFilter(msg, filter) {
  if (filter === 'all') return true;
  if (filter === 'review') return !!msg.needsReview || msg.status === 'review';
  return msg.status === filter;
}

/** filterCounts counts the messages under each filter. */
export function filterCounts(messages) {
  return Object.fromEntries(FILTERS.map((f) => [f, messages.filter((m) => inFilter(m, f)).length]));
}

/**
 * findMessages keeps the messages under filter whose id, source text or translation contains
 * every word of q (case- and accent-insensitive), in their order.
 */
export function findMessages(messages, { q = '', filter = 'all' } = {}) {
  const words = fold(q).split(/\s+/).filter(Boolean);
  return messages.filter((m) => {
    if (!inFilter(m, filter)) return false;
    if (!words.length) return true;
    const hay = fold([m.id, ...Object.values(m.source || {}), ...Object.values(m.forms || {})].join('\n'));
    return words.every((w) => hay.includes(w));
  });
}

/** PAGE_SIZE messages are shown at a time: each is a form, and a phone scrolls a long way. */
export const PAGE_SIZE = 20;

/** pageOf cuts page (0-based, clamped) out of list: its items, the page, the number of pages and the range shown (1-based). */
export function pageOf(list, page, size = PAGE_SIZE) {
  const pages = Math.max(1, Math.ceil(list.length / size));
  const p = Math.min(Math.max(0, page | 0), pages - 1);
  const items = list.slice(p * size, (p + 1) * size);
  return { items, page: p, pages, from: items.length ? p * size + 1 : 0, to: p * size + items.length, total: list.length };
}

// --- Sample values for the preview: each placeholder filled with a value of its kind ---

// A fixed moment, so previews do not change while a translator looks at them.
const SAMPLE_TIME = new Date('2026-03-14T13:30:00Z');

// The kind of a placeholder, from its name (go-i18n names say what they hold). First match wins.
const KINDS = [
  ['count', /^(count|n)$/i],
  ['position', /^(line|column)$/i],
  ['coordinates', /^(position|coordinates)$/i],
  ['years', /^(years|ages)$/i],
  ['message', /^message$/i],
  ['why', /^why$/i],
  ['district', /district/i],
  ['distance', /distance/i],
  ['number', /^(first|last|page|pages)$|total|reach|translated|missing|outdated|review|current|max|min|number|sent|version|left|unread|days|hours|minutes|seconds|percent|metres|size$/i],
  ['url', /url|link|href/i],
  ['datetime', /^(at|when|from|until|since|start|end|starts|ends|expires|deadline)$|date|deadline|until|expires|valid|[a-z]At$/i],
  ['time', /time|clock/i],
  ['age', /age$|ago|elapsed|duration/i],
  ['bytes', /limit|bytes/i],
  ['party', /^party$/i],
  ['agency', /agency|etat/i],
  ['name', /name$|^who$|^by$|^actor$|person|guardian|representative|citizen|translator/i],
  ['langs', /langs|languages|supported/i],
  ['lang', /^lang|language$/i],
  ['areas', /^areas$/i],
  ['list', /allowed|names|values|list|kinds/i],
  ['title', /title|subject|case|resource|place|door|facility|service/i],
  ['field', /other|field|pointer/i],
  ['media', /expected|type|media/i],
  ['form', /form|category/i],
  ['code', /authority|code|kind|scope/i],
  ['status', /^status$/i],
  ['id', /^id$/i],
];

/** placeholderKind names the kind of value a placeholder holds ("count", "datetime", "name", …; "text" when unknown). */
export function placeholderKind(name) {
  const hit = KINDS.find(([, re]) => re.test(name));
  return hit ? hit[0] : 'text';
}

/** sampleValue is a value of name's kind, written the way lang writes it; count fills the plural count. */
export function sampleValue(name, lang, count = 3) {
  const fmt = (opts) => { try { return new Intl.DateTimeFormat(lang, { timeZone: 'Europe/Oslo', ...opts }).format(SAMPLE_TIME); } catch { return SAMPLE_TIME.toISOString(); } };
  const list = (items) => { try { return new Intl.ListFormat(lang, { type: 'conjunction' }).format(items); } catch { return items.join(', '); } };
  switch (placeholderKind(name)) {
    case 'count': return count;
    case 'number': return 12;
    case 'position': return 3;
    case 'coordinates': { const f = (x) => x.toLocaleString(lang, { minimumFractionDigits: 5 }); return `${f(59.91273)}, ${f(10.74609)}`; }
    case 'years': return '0, 2';
    case 'message': return "undeclared reference to 'shoeSize'";
    case 'why': return 'Fordi Jonas fyller 6 år 2027-08-14, og du er foresatt.';
    case 'district': return 'Grorud';
    case 'distance': try { return new Intl.NumberFormat(lang, { style: 'unit', unit: 'meter' }).format(350); } catch { return '350 m'; }
    case 'url': return 'https://minside.oslo.kommune.no/cases';
    case 'datetime': return fmt({ dateStyle: 'medium', timeStyle: 'short' });
    case 'time': return fmt({ timeStyle: 'short' });
    case 'age': try { return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(-5, 'minute'); } catch { return '5 min'; }
    case 'bytes': return '1 MB';
    case 'party': return 'Byantikvaren';
    case 'agency': return 'Bymiljøetaten';
    case 'name': return 'Kari Nordmann';
    case 'langs': return 'nb, en, uk';
    case 'lang': return lang;
    case 'areas': return list(['helse', 'omsorg']);
    case 'list': return list(['low', 'normal', 'high']);
    case 'title': return 'Byggesøknad, Sørkedalsveien 3';
    case 'field': return 'startsAt';
    case 'media': return 'application/json';
    case 'form': return 'few';
    case 'code': return 'guardian';
    case 'status': return 'Prøves ut';
    case 'id': return '0f3c9a52-7d1e-4b8a-9c21-5e6f7a8b9c0d';
    default: return `‹${name}›`;
  }
}

/** sampleData fills every placeholder of a message for the preview; count picks the plural form. */
export function sampleData(placeholders, lang, count) {
  const data = Object.fromEntries((placeholders || []).map((p) => [p, sampleValue(p, lang, count)]));
  return { ...data, count };
}
