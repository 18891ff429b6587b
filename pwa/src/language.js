// The UI language: which messages are shown, <html lang dir>, and fetching a language's
// messages (kept in localStorage between visits, revalidated by ETag).
import { makeTranslator, isRTL } from './i18n.js';
import { bootCache } from './boot-cache.js';
import { sameData } from './state.js';

export function createLanguage({ api, state, fallbackConfig }) {
  let shownMessages = null;

  /** patch switches <html lang dir> and returns the state for lang, or null if nothing changed. */
  function patch(lang, messages) {
    if (lang === state.get().lang && shownMessages && sameData(shownMessages, messages)) return null;
    shownMessages = messages;
    const cfg = state.get().config || fallbackConfig;
    const entry = (cfg.languages || []).find((l) => l.code === lang);
    const dir = entry && entry.dir ? entry.dir : isRTL(lang) ? 'rtl' : 'ltr';
    document.documentElement.lang = lang;
    document.documentElement.dir = dir;
    return { lang, dir, t: makeTranslator(messages || {}, lang) };
  }

  function apply(lang, messages) {
    const p = patch(lang, messages);
    if (p) state.set(p);
  }

  /**
   * fetchMessages asks for a language's messages (conditionally, when a copy is kept)
   * and returns the messages to show: the server's, else the kept copy, else none.
   */
  async function fetchMessages(lang) {
    const cached = bootCache.messages(lang);
    try {
      const res = await api.get(`/api/v1/i18n/${encodeURIComponent(lang)}`, { etag: cached ? cached.etag : undefined });
      if (res.notModified && cached) return cached.messages;
      if (!res.notModified) {
        bootCache.setMessages(lang, { messages: res.data.messages, etag: res.etag });
        return res.data.messages;
      }
    } catch { /* offline or not offered: the kept copy, if any */ }
    return cached ? cached.messages : {};
  }

  /** load shows lang: the kept copy at once, then the server's. */
  async function load(lang) {
    const cached = bootCache.messages(lang);
    if (cached) apply(lang, cached.messages);
    apply(lang, await fetchMessages(lang));
  }

  return { patch, apply, fetchMessages, load };
}
