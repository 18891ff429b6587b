import { describe, it, expect } from 'vitest';
import { vapidKeyBytes, deviceLabel } from '../src/push.js';
import { isAppLink } from '../src/router.js';

describe('vapidKeyBytes', () => {
  it('decodes base64url without padding to the 65-byte P-256 key', () => {
    const key = 'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U';
    const bytes = vapidKeyBytes(key);
    expect(bytes).toHaveLength(65);
    expect(bytes[0]).toBe(0x04); // uncompressed point
    expect(Buffer.from(bytes).toString('base64url')).toBe(key);
  });
});

describe('deviceLabel', () => {
  it.each([
    ['Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36', 'Chrome · Android'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1', 'Safari · iOS'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox · Windows'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0', 'Edge · Windows'],
    ['curl/8', 'Browser'],
  ])('%s', (ua, want) => expect(deviceLabel(ua)).toBe(want));
});

describe('isAppLink', () => {
  const origin = 'https://minside.example';
  const a = (href, attrs = {}) => ({ href: new URL(href, origin).href, target: attrs.target || '', hasAttribute: (n) => n in attrs });
  it.each([
    [a('/cases/1'), true],
    [a('/'), true],
    [a('/api/v1/me/export'), false],
    [a('/auth/login?returnTo=%2F'), false],
    [a('/calendar/abc.ics'), false],
    [a('/dev-idp/authorize'), false],
    [a('https://other.example/x'), false],
    [a('/cases', { target: '_blank' }), false],
    [a('/x.pdf', { download: '' }), false],
    [null, false],
  ])('%o → %s', (link, want) => expect(isAppLink(link, origin)).toBe(want));
});
