// The one way the app (and its service worker) talks to the citizen API: CSRF
// header on unsafe methods, Accept-Language, ETags, problem+json errors, and a clear
// split between "the network failed" (retry later) and "the server said no" (don't).
import { isMultipart, toFormData } from './multipart-outbox.js';

/** NetworkError means no answer arrived: offline, DNS, connection reset. Retryable. */
export class NetworkError extends Error {
  constructor(cause) { super('network unavailable'); this.name = 'NetworkError'; this.cause = cause; }
}

/** HttpError carries the server's answer: its status and the problem+json body. */
export class HttpError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.name = 'HttpError';
    this.status = status;
    this.problem = problem || null;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * createApi returns request helpers. getCsrf and getLang are read on every call
 * so a new session or language takes effect at once.
 */
export function createApi({ getCsrf = () => null, getLang = () => null, fetchImpl } = {}) {
  const doFetch = fetchImpl || ((...a) => fetch(...a));

  async function request(method, path, { body, etag, idempotencyKey, headers: extra } = {}) {
    const headers = { Accept: 'application/json', ...extra };
    const lang = getLang();
    if (lang) headers['Accept-Language'] = lang;
    if (UNSAFE.has(method)) {
      const csrf = getCsrf();
      if (csrf) headers['X-CSRF-Token'] = csrf;
    }
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    if (etag) headers['If-None-Match'] = etag;
    // A message with attachments goes as multipart (the browser sets its boundary).
    const multipart = isMultipart(body);
    if (body !== undefined && !multipart) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await doFetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : multipart ? toFormData(body.multipart) : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (err) {
      if (err && err.name === 'AbortError') throw err;
      throw new NetworkError(err);
    }
    if (res.status === 304) return { status: 304, notModified: true, data: null, etag };
    const type = res.headers.get('Content-Type') || '';
    let data = null;
    if (res.status !== 204 && /json/.test(type)) {
      try { data = await res.json(); } catch { data = null; }
    }
    if (!res.ok) throw new HttpError(res.status, data);
    return { status: res.status, notModified: false, data, etag: res.headers.get('ETag') };
  }

  return {
    request,
    get: (path, opts) => request('GET', path, opts),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    del: (path, opts) => request('DELETE', path, opts),
  };
}

/** problemText is what to show a person for an error. */
export function problemText(err, t) {
  if (err instanceof NetworkError) return t('ui.error.offline');
  if (err instanceof HttpError && err.problem && (err.problem.detail || err.problem.title)) {
    return err.problem.detail || err.problem.title;
  }
  return t('ui.error.generic');
}
