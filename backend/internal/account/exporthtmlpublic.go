package account

import "time"

// publicSections are the readable summary's reports (sent and followed) and ideas (written and
// supported): words and local dates, no ids and no links.
func publicSections(d Data, tr func(string, map[string]any) string, when func(time.Time) string) (reported, ideas htmlSection) {
	reported = htmlSection{Heading: tr("export.reports", nil)}
	for _, r := range d.Reports {
		it := htmlItem{Heading: join(r.Service, r.Address), Lines: []string{r.Description,
			join(r.Agency, tr("export.report_status."+r.Status, nil), when(r.UpdatedAt)), r.StatusReason}}
		if !r.Mine {
			it.Lines = append(it.Lines, tr("export.report_followed", nil))
		}
		for _, p := range r.Photos {
			it.List = append(it.List, tr("export.photo", map[string]any{"Type": p.ContentType, "Size": kilobytes(p.Size)}))
		}
		reported.Items = append(reported.Items, keepLines(it))
	}

	ideas = htmlSection{Heading: tr("ui.nav.ideas", nil)}
	for _, i := range d.Ideas {
		status := join(tr("ui.ideas.status."+i.Status, nil), tr("ui.ideas.support_count", map[string]any{"Count": i.SupportCount}), when(i.CreatedAt))
		it := htmlItem{Heading: i.Title, Lines: []string{i.Body, status}}
		if i.StatusReason != "" {
			it.Lines = append(it.Lines, tr("ui.ideas.reason", nil)+": "+i.StatusReason)
		}
		if i.Hidden {
			it.Lines = append(it.Lines, join(tr("ui.ideas.hidden", nil), i.HiddenReason))
		}
		if !i.Mine && i.SupportedAt != nil {
			it.Lines = append(it.Lines, tr("export.idea_supported", nil)+" "+when(*i.SupportedAt))
		}
		if i.Photo != nil {
			it.List = append(it.List, tr("export.photo", map[string]any{"Type": i.Photo.ContentType, "Size": kilobytes(i.Photo.Size)}))
		}
		ideas.Items = append(ideas.Items, keepLines(it))
	}
	return reported, ideas
}

// keepLines drops the empty lines of an item (a followed report has no description of the person's).
func keepLines(it htmlItem) htmlItem {
	kept := it.Lines[:0]
	for _, l := range it.Lines {
		if l != "" {
			kept = append(kept, l)
		}
	}
	it.Lines = kept
	return it
}
