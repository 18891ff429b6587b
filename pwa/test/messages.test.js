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

describe('proposed texts in pwa/messages', () => {
  it.each(['nb', 'en'])('%s.toml has every used id and nothing else', async (lang) => {
    const { readProposal } = await import('../scripts/messages.mjs');
    const msgs = readProposal(lang);
    expect(Object.keys(msgs).sort()).toEqual(usedIds().ids);
    for (const [id, m] of Object.entries(msgs)) {
      if (typeof m === 'object') expect(m.other, id).toBeTruthy();
      else expect(m, id).not.toBe('');
    }
  });
});
