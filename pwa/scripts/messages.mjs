// Lists every UI message id the app uses, for translators: `npm run messages`
// writes pwa/src/messages-used.txt; the unit tests fail when it is out of date.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src/', import.meta.url));
// The server's status vocabularies (generated: see backend/internal/web/vocabularies_test.go).
const { caseStatuses, ideaStatuses, reportStatuses } = JSON.parse(readFileSync(join(src, 'vocabularies.json'), 'utf8'));

// Ids built from data: each template in the source and the values it can take.
export const TEMPLATES = {
  'ui.nav.${id}': ['overview', 'cases', 'bookings', 'keys', 'notifications', 'services', 'report', 'ideas', 'settings'],
  'ui.ideas.area.${a}': ['environment', 'transport', 'culture_leisure', 'health_care', 'schools_kindergartens', 'digital_services', 'other'],
  'ui.ideas.area.${idea.area}': ['environment', 'transport', 'culture_leisure', 'health_care', 'schools_kindergartens', 'digital_services', 'other'],
  'ui.cases.status.${c.status}': caseStatuses,
  'ui.cases.status.${ev.status}': caseStatuses,
  'ui.cases.status.${v}': caseStatuses,
  'ui.${kind}.status.${value}': [
    ...caseStatuses.map((v) => `cases.status.${v}`),
    ...['confirmed', 'cancelled', 'completed'].map((v) => `bookings.status.${v}`),
    ...['active', 'suspended', 'revoked', 'expired'].map((v) => `keys.status.${v}`),
    ...ideaStatuses.map((v) => `ideas.status.${v}`),
    ...reportStatuses.map((v) => `reports.status.${v}`),
  ],
  'ui.bookings.${w}': ['upcoming', 'past'],
  'ui.keys.use_result.${u.result}': ['opened', 'refused', 'failed'],
  'ui.notifications.category.${n.category}': ['cases', 'bookings', 'keys', 'messages', 'general'],
  'ui.notifications.category.${cat}': ['cases', 'bookings', 'keys', 'messages', 'general', 'suggestions'],
  'ui.suggestions.snooze_${name}': ['week', 'month', 'quarter'],
  'ui.preferences.channel.${ch}': ['push', 'inApp'],
  'ui.people.relation.${p.relation}': ['guardian', 'power_of_attorney'],
  'ui.people.relation.${r.relation}': ['guardian', 'power_of_attorney'],
  'ui.people.scope.${sc}': ['building', 'kindergarten', 'school', 'health', 'care', 'culture', 'waste', 'library', 'tax', 'other'],
  'ui.people.scope.${a}': ['building', 'kindergarten', 'school', 'health', 'care', 'culture', 'waste', 'library', 'tax', 'other'],
  'ui.console.rule_subject.${s}': ['person', 'child', 'case', 'booking', 'key'],
  'ui.console.rule_action.${at}': ['link', 'book', 'renew_key'],
  'ui.console.rule_stats_${k}': ['made', 'shown', 'acted', 'active', 'withdrawn', 'dismissed', 'done'],
  'ui.translate.filter_${f}': ['missing', 'outdated', 'review', 'all'],
  'ui.translate.filter_${msg.status}': ['missing', 'outdated', 'review', 'translated'],
};

// Ids named in lookup tables rather than in t(…) calls.
const TABLE_IDS = /'(ui\.(?:outbox\.kind|cases\.doc_type|document|report\.error|report\.place)\.\w+)'/g;

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.(js|jsx)$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** usedIds returns the sorted ids, and templates found without an expansion rule. */
export function usedIds() {
  const ids = new Set();
  const unknown = [];
  for (const f of files(src)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'(ui\.[\w.]+)'/g)) ids.add(m[1]);
    for (const m of text.matchAll(TABLE_IDS)) ids.add(m[1]);
    for (const m of text.matchAll(/\bt\(\s*`(ui\.[^`]+)`/g)) {
      const tpl = m[1];
      const values = TEMPLATES[tpl];
      if (!values) { unknown.push(`${f}: ${tpl}`); continue; }
      const prefix = tpl.startsWith('ui.${') ? 'ui.' : tpl.slice(0, tpl.indexOf('${'));
      for (const v of values) ids.add(prefix + v);
    }
  }
  return { ids: [...ids].sort(), unknown };
}

export const listPath = join(src, 'messages-used.txt');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ids, unknown } = usedIds();
  if (unknown.length) { console.error('templates without values in pwa/scripts/messages.mjs:\n' + unknown.join('\n')); process.exit(1); }
  writeFileSync(listPath, ids.join('\n') + '\n');
  console.log(`${ids.length} message ids → ${listPath}`);
}

/**
 * readProposal parses pwa/messages/<lang>.toml — only the flat form written there:
 * "id" = "text" lines and ["id"] tables of plural forms.
 */
export function readProposal(lang) {
  const text = readFileSync(fileURLToPath(new URL(`../messages/${lang}.toml`, import.meta.url)), 'utf8');
  const out = {};
  let table = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const head = line.match(/^\[("(?:[^"\\]|\\.)*")\]$/);
    if (head) { table = JSON.parse(head[1]); out[table] = {}; continue; }
    const kv = line.match(/^("(?:[^"\\]|\\.)*"|\w+)\s*=\s*("(?:[^"\\]|\\.)*")$/);
    if (!kv) throw new Error(`${lang}.toml: cannot read: ${line}`);
    const key = kv[1].startsWith('"') ? JSON.parse(kv[1]) : kv[1];
    const value = JSON.parse(kv[2]);
    if (table) out[table][key] = value; else out[key] = value;
  }
  return out;
}

/**
 * readLocale parses locales/<lang>.toml (the files the server embeds) in the shape written there:
 * one [id] table per message with its description/hash and one "form" = "text" line per plural
 * category. It returns id → {form: text}, without description and hash.
 */
export function readLocale(lang) {
  const text = readFileSync(fileURLToPath(new URL(`../../locales/${lang}.toml`, import.meta.url)), 'utf8');
  const out = {};
  let id = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const head = line.match(/^\[([\w.]+)\]$/);
    if (head) { id = head[1]; out[id] = {}; continue; }
    const kv = line.match(/^(\w+)\s*=\s*("(?:[^"\\]|\\.)*")$/);
    if (!kv || !id) throw new Error(`${lang}.toml: cannot read: ${line}`);
    if (kv[1] !== 'description' && kv[1] !== 'hash') out[id][kv[1]] = JSON.parse(kv[2]);
  }
  return out;
}
