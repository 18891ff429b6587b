// The console's rules: an agency editor writes a rule for proactive suggestions (a CEL condition
// over one person's facts and texts that say why), sees the expressions checked as they type,
// previews whom the rule reaches now before publishing it, and reads what became of its
// suggestions after.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Empty, ErrorNote, Loading, useApp, useResource } from '../ui.jsx';
import { LANGS, MAIN_LANGS, Field, LangFields, errorsOf, focusFirstError } from './console-fields.jsx';
import {
  ACTIONS, AREAS, EVENTS, STATS, SUBJECTS, emptyRule, districtRows, expressionsOf, formPointer, problemsByPointer, ruleBodyOf,
  ruleFormOf, sampleLines,
} from '../rule-form.js';

const base = (slug) => `/api/v1/console/${encodeURIComponent(slug)}/rules`;

function textFields(t) {
  return [
    ['title', t('ui.console.title_field')], ['body', t('ui.console.description'), true], ['why', t('ui.console.rule_why')],
    ['legalBasis', t('ui.console.rule_legal_basis'), true], ['actionLabel', t('ui.console.rule_action_label')],
  ];
}

function Select({ id, label, value, onChange, options }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </div>
  );
}

function EventFields({ f, set, t }) {
  const toggle = (ev, on) => set({ ...f, events: on ? [...f.events, ev] : f.events.filter((x) => x !== ev) });
  return (
    <fieldset class="fieldset" aria-describedby="rule-events-hint">
      <legend>{t('ui.console.rule_events')}</legend>
      <p class="meta" id="rule-events-hint">{t('ui.console.rule_events_hint')}</p>
      <div class="console-grid">
        {EVENTS.map((ev, i) => (
          <div class="check" key={ev}>
            <input type="checkbox" id={`rule-event-${i}`} checked={f.events.includes(ev)} onChange={(e) => toggle(ev, e.currentTarget.checked)} />
            <label for={`rule-event-${i}`}><code>{ev}</code></label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

function RulePreview({ slug, f }) {
  const { ctl, t } = useApp();
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { setPreview(null); setError(null); }, [f.condition, f.appliesTo, f.events, f.why, f.prefill]);

  async function run() {
    setBusy(true);
    setError(null);
    try {
      const r = await ctl.api.post(`${base(slug)}/preview`, expressionsOf(f));
      setPreview(r.data);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="section" aria-labelledby="h-rule-preview">
      <h3 id="h-rule-preview">{t('ui.console.rule_preview')}</h3>
      <button type="button" class="btn" onClick={run} disabled={busy}>{t('ui.console.rule_preview_run')}</button>
      <ErrorNote error={error} t={t} />
      {preview ? (
        <div aria-live="polite">
          <p class="console-reach">{t('ui.console.rule_reach', { Count: preview.people })}</p>
          {preview.complete ? null : <p class="meta">{t('ui.console.rule_incomplete', { Count: preview.scanned })}</p>}
          {preview.people > 0 ? (
            <>
              <table class="console-table">
                <caption>{t('ui.console.rule_by_district')}</caption>
                <tbody>
                  {districtRows(preview.byDistrict).map(([d, n]) => (
                    <tr key={d}><th scope="row">{d || t('ui.console.rule_no_district')}</th><td>{n}</td></tr>
                  ))}
                </tbody>
              </table>
              <h4>{t('ui.console.rule_sample')}</h4>
              <ul class="list console-sample">
                {preview.sample.map((s, i) => {
                  const l = sampleLines(s);
                  return (
                    <li key={i}>
                      {t('ui.console.rule_sample_person', { Years: l.age, District: l.district || t('ui.console.rule_no_district') })}
                      {l.children ? <span>{' · '}{t('ui.console.rule_sample_children', { Ages: l.children })}</span> : null}
                      {l.cases ? <span>{' · '}{t('ui.console.rule_sample_cases', { Cases: l.cases })}</span> : null}
                    </li>
                  );
                })}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function RuleEditor({ slug, rule, onDone }) {
  const { ctl, t } = useApp();
  const [f, set] = useState(rule ? ruleFormOf(rule) : emptyRule);
  const [errors, setErrors] = useState({});
  const [problems, setProblems] = useState(null); // the live check's, by form pointer; null: not checked yet
  const [error, setError] = useState(null);
  const root = useRef(null);

  // The live check: compile the expressions a moment after the editor stops typing.
  useEffect(() => {
    if (!f.condition.trim()) { setProblems(null); return undefined; }
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const r = await ctl.api.post(`${base(slug)}/check`, expressionsOf(f));
        const byField = problemsByPointer(r.data.problems, t);
        if (live) setProblems(Object.fromEntries(Object.entries(byField).map(([p, text]) => [formPointer(p), text])));
      } catch (err) {
        const found = errorsOf(err);
        if (live) setProblems(Object.fromEntries(Object.entries(found).map(([p, text]) => [formPointer(p), text])));
      }
    }, 400);
    return () => { live = false; clearTimeout(timer); };
  }, [f.condition, f.appliesTo, f.events, f.why, f.prefill]);

  async function save(e) {
    e.preventDefault();
    setError(null);
    try {
      if (rule) await ctl.api.put(`${base(slug)}/${encodeURIComponent(rule.id)}`, { ...ruleBodyOf(f), version: rule.version });
      else await ctl.api.post(base(slug), ruleBodyOf(f));
      setErrors({});
      ctl.announce(t('ui.console.saved'));
      onDone();
    } catch (err) {
      const found = Object.fromEntries(Object.entries(errorsOf(err)).map(([p, text]) => [formPointer(p), text]));
      setErrors(found);
      setError(err);
      if (Object.keys(found).length) setTimeout(() => focusFirstError('rule', found, root.current), 0);
    }
  }

  const shown = { ...(problems || {}), ...errors };
  const checked = problems && !Object.keys(problems).length;
  return (
    <form class="console-form" ref={root} onSubmit={save} noValidate>
      {Object.keys(errors).length ? <p class="note note-error" role="alert">{t('ui.console.fix_errors')}</p> : <ErrorNote error={error} t={t} />}
      <LangFields prefix="rule" langs={MAIN_LANGS} f={f} set={set} errors={shown} t={t} fields={textFields(t)} />
      <details class="console-more" open={LANGS.some((l) => !MAIN_LANGS.includes(l) && (f.title[l] || shown[`/title/${l}`] || shown[`/why/${l}`]))}>
        <summary>{t('ui.console.more_languages')}</summary>
        <LangFields prefix="rule" langs={LANGS.filter((l) => !MAIN_LANGS.includes(l))} f={f} set={set} errors={shown} t={t} fields={textFields(t)} />
      </details>
      <div class="console-grid">
        <Select id="rule-applies-to" label={t('ui.console.rule_applies_to')} value={f.appliesTo} onChange={(v) => set({ ...f, appliesTo: v })}
          options={SUBJECTS.map((s) => [s, t(`ui.console.rule_subject.${s}`)])} />
        <Select id="rule-area" label={t('ui.console.rule_area')} value={f.area} onChange={(v) => set({ ...f, area: v })}
          options={AREAS.map((a) => [a, t(`ui.people.scope.${a}`)])} />
      </div>
      <Field prefix="rule" pointer="/category" label={t('ui.console.category')} value={f.category} onInput={(v) => set({ ...f, category: v })} errors={shown} />
      <EventFields f={f} set={set} t={t} />
      <Field prefix="rule" pointer="/condition" label={t('ui.console.rule_condition')} hint={t('ui.console.rule_condition_hint')} value={f.condition} multiline lang="zxx"
        onInput={(v) => set({ ...f, condition: v })} errors={shown} />
      {checked ? <p class="note" role="status">{t('ui.console.rule_checked_ok')}</p> : null}
      <Select id="rule-action-type" label={t('ui.console.rule_action_type')} value={f.actionType} onChange={(v) => set({ ...f, actionType: v })}
        options={ACTIONS.map((at) => [at, t(`ui.console.rule_action.${at}`)])} />
      <Field prefix="rule" pointer="/action/link" type="url" label={t('ui.console.link')} value={f.link} onInput={(v) => set({ ...f, link: v })} errors={shown} />
      <Field prefix="rule" pointer="/action/prefill" label={t('ui.console.rule_prefill')} value={f.prefill} multiline lang="zxx"
        onInput={(v) => set({ ...f, prefill: v })} errors={shown} />
      <Field prefix="rule" pointer="/expiresAt" label={t('ui.console.rule_expires')} value={f.expiresAt} onInput={(v) => set({ ...f, expiresAt: v })} errors={shown} />
      <RulePreview slug={slug} f={f} />
      <div class="console-actions">
        <button type="submit" class="btn btn-primary">{t('ui.console.save')}</button>
        <button type="button" class="btn" onClick={onDone}>{t('ui.console.cancel')}</button>
      </div>
    </form>
  );
}

function RuleStats({ slug, rule }) {
  const { t } = useApp();
  const r = useResource(`${base(slug)}/${encodeURIComponent(rule.id)}/stats`, { persist: false });
  if (r.loading && !r.data) return <Loading t={t} />;
  if (!r.data) return <ErrorNote error={r.error} t={t} />;
  const st = r.data;
  return (
    <div class="console-stats">
      <table class="console-table">
        <caption>{t('ui.console.rule_stats')}</caption>
        <tbody>{STATS.map((k) => <tr key={k}><th scope="row">{t(`ui.console.rule_stats_${k}`)}</th><td>{st[k]}</td></tr>)}</tbody>
      </table>
      {st.reasons.length ? (
        <table class="console-table">
          <caption>{t('ui.console.rule_reasons')}</caption>
          <tbody>{st.reasons.map((x) => <tr key={x.reason}><th scope="row" dir="auto">{x.reason || t('ui.console.rule_no_reason')}</th><td>{x.count}</td></tr>)}</tbody>
        </table>
      ) : null}
    </div>
  );
}

export function RuleList({ slug }) {
  const { ctl, t } = useApp();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState(null); // null, 'new' or a rule
  const [stats, setStats] = useState(null); // the id of the rule whose stats are open
  const [error, setError] = useState(null);
  const r = useResource(base(slug), { persist: false, version });
  const rules = r.data ? r.data.rules : [];
  const done = () => { setEditing(null); setVersion((v) => v + 1); };

  async function setStatus(rule, action) {
    setError(null);
    try {
      await ctl.api.post(`${base(slug)}/${encodeURIComponent(rule.id)}/${action}`, { version: rule.version });
      setVersion((v) => v + 1);
    } catch (err) {
      setError(err);
    }
  }

  if (editing) return <RuleEditor slug={slug} rule={editing === 'new' ? null : editing} onDone={done} />;
  return (
    <>
      <ErrorNote error={r.error || error} t={t} />
      <button type="button" class="btn btn-primary" onClick={() => setEditing('new')}>{t('ui.console.new_rule')}</button>
      {r.loading && !r.data ? <Loading t={t} /> : rules.length === 0 ? <Empty>{t('ui.console.rules_none')}</Empty> : (
        <ul class="list console-tiles">
          {rules.map((rule) => (
            <li key={rule.id}>
              <span class="card-title" dir="auto">{rule.texts.title.nb || Object.values(rule.texts.title)[0]}</span>{' '}
              <span class={`badge badge-${rule.status}`}>{rule.status === 'published' ? t('ui.console.status_published') : t('ui.console.status_draft')}</span>
              <p class="meta"><code>{rule.condition}</code></p>
              <div class="console-actions">
                <button type="button" class="btn" onClick={() => setEditing(rule)}>{t('ui.console.edit')}</button>
                {rule.status === 'published'
                  ? <button type="button" class="btn" onClick={() => setStatus(rule, 'unpublish')}>{t('ui.console.unpublish')}</button>
                  : <button type="button" class="btn" onClick={() => setStatus(rule, 'publish')}>{t('ui.console.publish')}</button>}
                <button type="button" class="btn" aria-expanded={stats === rule.id ? 'true' : 'false'}
                  onClick={() => setStats(stats === rule.id ? null : rule.id)}>{t('ui.console.rule_show_stats')}</button>
              </div>
              {stats === rule.id ? <RuleStats slug={slug} rule={rule} /> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
