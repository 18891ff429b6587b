// The UI language: which messages are shown, <html lang dir>, fetching a language's
// messages (kept in localStorage between visits, revalidated by ETag), and saving the
// person's choice on the server, later if it cannot be reached now.
import { HttpError } from './api.js';
import { makeTranslator, isRTL } from './i18n.js';
import { bootCache } from './boot-cache.js';
import { sameData } from './state.js';

/**
 * createLanguage manages the UI language. onChosen runs after the person picks one:
 * agency content (case titles, tiles) comes from the server in the reader's language,
 * so everything on screen that carries it must be asked for again.
 */
export function createLanguage({ api, state, fallbackConfig, onChosen = async () => {} }) {
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

  /** saveOnServer saves the person's language: 'saved', 'refused' or 'unreachable'. */
  async function saveOnServer(code, csrfToken) {
    if (!csrfToken) return 'unreachable'; // a boot made offline has none yet
    try {
      await api.put('/api/v1/me/preferences', { language: code }, { headers: { 'X-CSRF-Token': csrfToken } });
      return 'saved';
    } catch (err) {
      return err instanceof HttpError && err.status < 500 ? 'refused' : 'unreachable';
    }
  }

  /**
   * choose shows code at once and saves it for the person logged in. When the server
   * cannot be reached the choice waits on this device for withUnsaved: otherwise the
   * server's old choice would undo it at the next start.
   */
  async function choose(code) {
    bootCache.setLang(code);
    await load(code);
    const me = state.get().me;
    if (me) {
      const saved = await saveOnServer(code, me.csrfToken);
      bootCache.setLangUnsaved(saved === 'unreachable' ? { userId: me.id, code } : null);
      if (saved === 'saved') state.set({ me: { ...me, language: code } }, { quiet: true });
    }
    state.set({ dataVersion: state.get().dataVersion + 1 });
    if (me) await onChosen(code);
  }

  /**
   * withUnsaved saves a language this person picked while the server could not be
   * reached, and returns me with it; until the server has it, the device shows it anyway.
   */
  async function withUnsaved(me) {
    const unsaved = bootCache.langUnsaved();
    if (!unsaved) return me;
    if (unsaved.userId !== me.id || unsaved.code === me.language) {
      bootCache.setLangUnsaved(null);
      return me;
    }
    const saved = await saveOnServer(unsaved.code, me.csrfToken);
    if (saved !== 'unreachable') bootCache.setLangUnsaved(null);
    return saved === 'refused' ? me : { ...me, language: unsaved.code };
  }

  /** reload revalidates the shown language's messages (by ETag): a translator published. */
  const reload = () => (state.get().lang ? load(state.get().lang) : Promise.resolve());

  return { patch, apply, fetchMessages, choose, withUnsaved, reload };
}
