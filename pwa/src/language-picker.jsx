// The language picker: on the welcome page (readable before login) and in settings.
import { languageName } from './i18n.js';
import { useApp } from './ui.jsx';

/** validLangTag drops private-use pseudo-locales (x-accent, x-rtl in dev): not valid in lang="". */
const validLangTag = (code) => (/^x-/i.test(code) ? undefined : code);

export function LanguagePicker() {
  const { s, ctl, t } = useApp();
  const langs = (s.config && s.config.languages) || [];
  return (
    <fieldset class="fieldset">
      <legend>{t('ui.settings.language_legend')}</legend>
      <div class="choices">
        {langs.map((l) => (
          <label key={l.code} class="check">
            <input type="radio" name="lang" value={l.code} checked={s.lang === l.code}
              onChange={async () => { await ctl.setLanguage(l.code); ctl.announce(languageName(l.code, l.name)); }} />
            <span lang={validLangTag(l.code)} dir={l.dir || 'auto'}>{l.name || languageName(l.code)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
