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
