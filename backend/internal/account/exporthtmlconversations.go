package account

import (
	"strconv"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/messages"
	"minside/backend/internal/tasks"
)

// conversationSections are the readable summary's errands, messages, tasks and drafts, and the
// documents the person confirmed: words and local dates, no ids and no links.
func conversationSections(d Data, tr func(string, map[string]any) string, when func(time.Time) string) (errands, msgs, todo, acknowledged htmlSection) {
	errands = htmlSection{Heading: tr("ui.errands.heading", nil)}
	hidden := tr("ui.task.sensitive_hint", nil) // in place of what is withheld below the step-up level
	titles := map[string]string{}
	for _, c := range d.Cases {
		titles[c.ID] = c.Title
		if c.Withheld {
			titles[c.ID] = sensitiveFrom(tr, c.Agency)
		}
	}
	for _, e := range d.Errands {
		it := htmlItem{Heading: e.Title, Lines: []string{join(e.Agency, tr("ui.cases.status."+e.Status, nil), tr("ui.cases.updated", nil)+" "+when(e.UpdatedAt))}}
		for _, id := range e.CaseIDs {
			it.List = append(it.List, titles[id])
		}
		errands.Items = append(errands.Items, it)
	}

	msgs = htmlSection{Heading: tr("ui.messages.title", nil)}
	for _, m := range d.Messages {
		by := m.WrittenBy
		switch {
		case m.OnBehalf:
			by = tr("ui.messages.written_by", map[string]any{"Name": m.WrittenBy})
		case m.Direction == messages.FromCitizen:
			by = tr("ui.messages.from_you", nil)
		}
		receipt := tr("ui.messages.not_seen", nil)
		switch {
		case m.SeenAt != nil && m.Direction == messages.FromCitizen:
			receipt = tr("ui.messages.seen_by_agency", nil) + ": " + when(*m.SeenAt)
		case m.SeenAt != nil:
			receipt = tr("ui.messages.seen_by_you", nil) + ": " + when(*m.SeenAt)
		case m.Direction == messages.FromAgency:
			receipt = ""
		}
		body := m.Body
		if m.Withheld {
			body = hidden
		}
		it := htmlItem{Heading: join(when(m.SentAt), by), Lines: []string{body, join(m.Agency, receipt)}}
		for _, a := range m.Attachments {
			it.List = append(it.List, tr("export.attachment", map[string]any{"Name": a.Name, "Type": a.ContentType, "Size": kilobytes(a.Size)}))
		}
		msgs.Items = append(msgs.Items, it)
	}

	todo = htmlSection{Heading: tr("export.tasks", nil)}
	for _, t := range d.Tasks {
		title := t.Title
		if t.Withheld {
			title = sensitiveFrom(tr, t.Agency)
		}
		status := tr("export.task_finished", nil)
		if t.Status == tasks.StatusOpen {
			status = tr("export.task_open", nil)
		}
		line := join(t.Agency, status)
		if t.DueAt != nil {
			line = join(line, tr("ui.common.due", nil)+" "+when(*t.DueAt))
		}
		if t.ExpiresAt != nil {
			line = join(line, tr("ui.task.expires", nil)+" "+when(*t.ExpiresAt))
		}
		todo.Items = append(todo.Items, htmlItem{Heading: title, Lines: []string{line}})
	}

	acknowledged = htmlSection{Heading: tr("export.acknowledgements", nil)}
	for _, a := range d.Acknowledgements {
		what := "ui.document.acknowledged"
		switch {
		case a.ByRepresentative:
			what = "ui.document.on_behalf"
		case a.Requires == cases.RequiresSign:
			what = "ui.document.signed"
		}
		name := a.Document
		if a.Withheld {
			name = hidden
		}
		acknowledged.Items = append(acknowledged.Items, htmlItem{Heading: name, Lines: []string{join(titles[a.CaseID], tr(what, nil)+" "+when(a.At))}})
	}
	return errands, msgs, todo, acknowledged
}

// kilobytes writes a size the way people read it, in whole kB (at least 1).
func kilobytes(n int64) string {
	return strconv.FormatInt(max(1, (n+512)/1024), 10) + " kB"
}

// sensitiveFrom is the neutral title of a withheld case, task or draft: only its agency, as on the
// overview.
func sensitiveFrom(tr func(string, map[string]any) string, agency string) string {
	return tr("ui.task.sensitive_from", map[string]any{"Agency": agency})
}
