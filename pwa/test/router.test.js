import { describe, it, expect } from 'vitest';
import { matchRoute } from '../src/router.js';
import { pickLanguage } from '../src/boot-cache.js';
import { loginHref } from '../src/pages/public.jsx';

describe('matchRoute', () => {
  it.each([
    ['/', 'overview', {}],
    ['/cases', 'cases', {}],
    ['/cases/', 'cases', {}],
    ['/cases/abc%20d', 'case', { id: 'abc d' }],
    ['/errands/e-1', 'errand', { id: 'e-1' }],
    ['/bookings', 'bookings', {}],
    ['/keys', 'keys', {}],
    ['/notifications', 'notifications', {}],
    ['/services', 'services', {}],
    ['/settings', 'settings', {}],
    ['/cases/a/b', 'notfound', {}],
    ['/nope', 'notfound', {}],
  ])('%s', (path, name, params) => expect(matchRoute(path)).toEqual({ name, params }));
});

describe('pickLanguage', () => {
  const config = { defaultLanguage: 'nb', languages: ['nb', 'nn', 'en', 'ar'].map((code) => ({ code })) };
  it.each([
    [{ me: { language: 'ar' }, saved: 'en' }, 'ar'],
    [{ me: { language: 'xx' }, saved: 'en' }, 'en'],
    [{ browser: ['no-NO'] }, 'nb'],
    [{ browser: ['en-GB', 'nb'] }, 'en'],
    [{ browser: ['de'] }, 'nb'],
  ])('%o → %s', (opts, want) => expect(pickLanguage(config, opts)).toBe(want));
});

describe('loginHref', () => {
  it.each([
    ['/auth/login', '/cases/1', false, '/auth/login?returnTo=%2Fcases%2F1'],
    ['/auth/login', '/', true, '/auth/login?returnTo=%2F&shared=1'],
    [undefined, '/', false, '/auth/login?returnTo=%2F'],
  ])('%s %s shared=%s', (url, ret, shared, want) => expect(loginHref(url, ret, shared)).toBe(want));
});
