import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { usedIds, listPath } from '../scripts/messages.mjs';

describe('messages-used.txt', () => {
  it('lists exactly the ids the source uses (run npm run messages)', () => {
    const { ids, unknown } = usedIds();
    expect(unknown).toEqual([]);
    const listed = readFileSync(listPath, 'utf8').trim().split('\n');
    expect(listed).toEqual(ids);
    expect(ids).toContain('ui.nav.overview');
    expect(ids.every((id) => id.startsWith('ui.'))).toBe(true);
  });
});

// The texts live in locales/ (merged from the old proposals in pwa/messages, which only the dev mock
// server still reads): nb is the source and en is always complete, so every id the app uses must be
// in both — the rest of the languages are checked by `minside locales check`.
describe('texts in locales/', () => {
  it.each(['nb', 'en'])('%s.toml has every id the app uses, with an "other" form', async (lang) => {
    const { readLocale } = await import('../scripts/messages.mjs');
    const msgs = readLocale(lang);
    const missing = usedIds().ids.filter((id) => !msgs[id]);
    expect(missing).toEqual([]);
    for (const id of usedIds().ids) expect(msgs[id].other, id).toBeTruthy();
  });
});
