import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { isServerPath } from '../src/server-paths.js';
import { ROUTES } from '../src/router.js';

// Every top-level path the Fiber app registers outside the app's catch-all.
function serverPrefixes() {
  const routes = readFileSync(new URL('../../backend/internal/web/routes.go', import.meta.url), 'utf8');
  const prefixes = new Set();
  for (const m of routes.matchAll(/(?:app|api)\.(?:Get|Post|Put|Delete|All|Use|Group)\("(\/[^"]*)"/g)) {
    const path = m[1].startsWith('/v1') ? `/api${m[1]}` : m[1];
    const first = path.split('/')[1];
    if (first && first !== '*') prefixes.add(`/${first}`);
  }
  return [...prefixes];
}

describe('isServerPath', () => {
  it('covers every path the server registers, so the worker never answers one with the app shell', () => {
    const prefixes = serverPrefixes();
    expect(prefixes).toEqual(expect.arrayContaining(['/api', '/auth', '/dev-idp', '/calendar', '/healthz']));
    for (const p of prefixes) {
      const sample = ['/healthz', '/readyz', '/metrics'].includes(p) ? p : `${p}/x`;
      expect(isServerPath(sample), sample).toBe(true);
    }
  });

  it('leaves every app route to the app', () => {
    for (const [pattern] of ROUTES) {
      const path = pattern.replace(':id', 'c1');
      expect(isServerPath(path), path).toBe(false);
    }
    expect(isServerPath('/calendars')).toBe(false);
    expect(isServerPath('/apiary')).toBe(false);
  });
});
