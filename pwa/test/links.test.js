import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { appPath, linkKind, safeHref } from '../src/links.js';

// The table the Go policy (backend/internal/links) is tested with: both sides must agree.
const table = JSON.parse(readFileSync(new URL('../../backend/internal/links/testdata/links.json', import.meta.url), 'utf8'));
const origin = 'https://minside.kommune.no';

describe('linkKind', () => {
  it('has the shared table', () => expect(table.cases.length).toBeGreaterThan(30));
  for (const { link, want } of table.cases) {
    it(`${JSON.stringify(link)} is ${want}`, () => expect(linkKind(link)).toBe(want));
  }
});

describe('safeHref', () => {
  it.each([
    ['/\t/evil.example', null],
    ['/\\evil.example', null],
    [' //evil', null],
    ['//evil.example', null],
    ['javascript:alert(1)', null],
    ['JAVASCRIPT:alert(1)', null],
    ['https://ok.example/sak/1', 'https://ok.example/sak/1'],
    ['https://ok', 'https://ok'],
    ['https://localhost/', null],
    ['/cases/abc', '/cases/abc'],
    [undefined, null],
    [null, null],
  ])('%j → %j', (link, want) => expect(safeHref(link, origin)).toBe(want));

  it('never gives an href that leaves the origin unless it is https', () => {
    for (const { link } of table.cases) {
      const href = safeHref(link, origin);
      if (href === null) continue;
      const url = new URL(href, origin);
      expect(url.origin === origin || url.protocol === 'https:').toBe(true);
    }
  });

  it('honours an allow-list of hosts', () => {
    const hosts = ['kommune.no', '*.kommune.no'];
    expect(safeHref('https://bibliotek.kommune.no/x', origin, hosts)).toBe('https://bibliotek.kommune.no/x');
    expect(safeHref('https://evilkommune.no/x', origin, hosts)).toBe(null);
    expect(safeHref('/cases', origin, hosts)).toBe('/cases');
  });
});

describe('appPath', () => {
  it('keeps paths and refuses other sites', () => {
    expect(appPath('/notifications', origin)).toBe('/notifications');
    expect(appPath('https://ok.example/', origin)).toBe(null);
    expect(appPath('/\t/evil.example', origin)).toBe(null);
  });
});
