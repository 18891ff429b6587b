// Public, non-personal data kept between visits so the shell can render offline in
// an instant: runtime config, UI messages, the chosen language, and which user's
// IndexedDB database to open (an opaque id, never a name or an identity number). Also
// what waits for the server: a logout made offline (only when its session began) and
// a language picked offline (with that opaque id).
const K = {
  config: 'minside.config', lang: 'minside.lang', lastUser: 'minside.lastUser', msgs: (l) => `minside.i18n.${l}`,
  logoutPending: 'minside.logoutPending', langUnsaved: 'minside.langUnsaved',
};

function read(key) {
  try { const v = localStorage.getItem(key); return v ? JSON.parse(v) : null; } catch { return null; }
}
function write(key, value) {
  try {
    if (value === null || value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch { /* storage full or disabled: we just lose the head start */ }
}

export const bootCache = {
  config: () => read(K.config),
  setConfig: (c) => write(K.config, c),
  lang: () => read(K.lang),
  setLang: (l) => write(K.lang, l),
  lastUser: () => read(K.lastUser),
  setLastUser: (id) => write(K.lastUser, id),
  messages: (lang) => read(K.msgs(lang)),
  setMessages: (lang, m) => write(K.msgs(lang), m),
  // A logout the server has not heard of yet (logout-pending.js); null when none.
  logoutPending: () => read(K.logoutPending),
  setLogoutPending: (p) => write(K.logoutPending, p),
  // A language picked while the server could not be reached: { userId, code }, or null.
  langUnsaved: () => read(K.langUnsaved),
  setLangUnsaved: (v) => write(K.langUnsaved, v),
};

/** pickLanguage chooses the UI language from what the server offers. */
export function pickLanguage(config, { saved, me, browser = [] } = {}) {
  const codes = (config && config.languages ? config.languages : []).map((l) => l.code);
  const has = (c) => c && codes.includes(c);
  if (me && has(me.language)) return me.language;
  if (has(saved)) return saved;
  for (const b of browser) {
    const base = String(b).toLowerCase().split('-')[0];
    if (has(b)) return b;
    if (has(base)) return base;
    if (base === 'no' && has('nb')) return 'nb';
  }
  return (config && config.defaultLanguage) || codes[0] || 'nb';
}
