import { describe, it, expect } from 'vitest';
import { fold } from '../src/pages/services.jsx';

describe('offline search matches as the server does', () => {
  it.each([
    ['Søk barnehageplass', 'sok barnehage'],
    ['Sámi girjerádju', 'sami girjeradju'],
    ['Łódź', 'lodz'],
    ['BIBLIOTEKKORT', 'bibliotekkort'],
  ])('%s holds %s', (text, query) => expect(fold(text).includes(fold(query))).toBe(true));
});
