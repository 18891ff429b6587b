// The agency console's form parts: labelled fields whose errors are linked with aria-describedby,
// text fields per language (each with its own lang and dir), and the 422 problem as errors by field.
import { HttpError } from '../api.js';

export const LANGS = ['nb', 'en', 'nn', 'se', 'uk', 'pl', 'ar', 'so', 'ur'];
export const MAIN_LANGS = ['nb', 'en'];
export const RTL = new Set(['ar', 'ur']);

export const fieldId = (prefix, pointer) => `${prefix}${pointer.replace(/[^A-Za-z0-9]+/g, '-')}`;

export function errorsOf(err) {
  const out = {};
  if (err instanceof HttpError && err.status === 422 && err.problem) {
    for (const e of err.problem.errors || []) out[e.pointer] = e.detail || e.code;
  }
  return out;
}

/** Field is one labelled input with its error linked. */
export function Field({ prefix, pointer, label, value, onInput, errors, type = 'text', lang, multiline, hint }) {
  const id = fieldId(prefix, pointer);
  const err = errors[pointer];
  const described = [hint ? `${id}-hint` : '', err ? `${id}-err` : ''].filter(Boolean).join(' ');
  const props = {
    id, value: value ?? '', lang, dir: lang ? (RTL.has(lang) ? 'rtl' : 'ltr') : undefined, class: 'wide',
    'aria-invalid': err ? 'true' : undefined, 'aria-describedby': described || undefined,
    onInput: (e) => onInput(e.currentTarget.value),
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? <p class="meta" id={`${id}-hint`}>{hint}</p> : null}
      {multiline ? <textarea rows={3} {...props} /> : <input type={type} inputMode={type === 'number' ? 'numeric' : undefined} {...props} />}
      {err ? <p class="field-error" id={`${id}-err`}>{err}</p> : null}
    </div>
  );
}

export function focusFirstError(prefix, errors, root) {
  const first = Object.keys(errors)[0];
  if (!first || !root) return;
  const el = root.querySelector(`#${fieldId(prefix, first)}`) || root.querySelector('[aria-invalid="true"]');
  if (el) el.focus();
}

export function LangFields({ prefix, langs, f, set, errors, t, fields }) {
  return langs.map((lang) => (
    <fieldset class="fieldset" key={lang} lang={lang}>
      <legend><bdi>{lang}</bdi></legend>
      {fields.map(([name, label, multiline]) => (
        <Field key={name} prefix={prefix} pointer={`/${name}/${lang}`} label={label} lang={lang} multiline={multiline}
          value={f[name][lang]} errors={errors} onInput={(v) => set({ ...f, [name]: { ...f[name], [lang]: v } })} />
      ))}
    </fieldset>
  ));
}
