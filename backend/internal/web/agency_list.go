package web

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/apperr"
	"minside/backend/internal/ingest"
	"minside/backend/internal/paging"
)

// listedRecord is one entry of an agency's list: the GET body under record, with the key and
// the time it last changed.
type listedRecord struct {
	ExternalID string          `json:"externalId"`
	UpdatedAt  time.Time       `json:"updatedAt"`
	Record     json.RawMessage `json:"record"`
}

type recordList struct {
	Records    []listedRecord `json:"records"`
	NextCursor *string        `json:"nextCursor"`
}

// agencyList answers GET /{kind}?updatedSince=&externalIdPrefix=&cursor=&limit=: the agency's own
// records of a kind, oldest change first. Its cursors open only for the same agency and kind.
func (s *Server) agencyList(c *fiber.Ctx) error {
	kind, ok := ingest.ParseKind(c.Params("kind"))
	if !ok {
		return apperr.NotFound()
	}
	agencyID := agencyOf(c).AgencyID
	q := listQuery{binding: paging.Binding{List: "agency/" + string(kind), Owner: agencyID}}
	var err error
	if q.Limit, err = paging.Limit(c.Query("limit")); err != nil {
		return err
	}
	if token := c.Query("cursor"); token != "" {
		sealer, err := s.cursors()
		if err != nil {
			return err
		}
		if q.After, err = sealer.Open(q.binding, token, s.deps.Now()); err != nil {
			return err
		}
	}
	page, err := s.deps.Records.List(c.UserContext(), ingestRequest(c), kind, ingest.ListQuery{
		UpdatedSince: queryText(c, "updatedSince"), ExternalIDPrefix: queryText(c, "externalIdPrefix"),
		After: q.After, Limit: q.Limit,
	})
	if err != nil {
		return err
	}
	out := recordList{Records: make([]listedRecord, len(page.Records)), NextCursor: s.next(q, page.Next)}
	for i, r := range page.Records {
		out.Records[i] = listedRecord{ExternalID: r.ExternalID, UpdatedAt: r.UpdatedAt, Record: r.Body}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}
