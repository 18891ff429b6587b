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
