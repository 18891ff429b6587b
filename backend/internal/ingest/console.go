package ingest

import "minside/backend/internal/notify"

// Validation the agency console shares with the agency API: an editor's tile goes through Put
// (with Request.Editor set); a notice to a targeted audience is checked here by the same rules as
// a notification pushed for one person, minus the identity number.

// ParseTile decodes and validates a tile body exactly as PUT /tiles/{externalId} does, with
// problem pointers under base ("" or e.g. "/tile").
func (s *Service) ParseTile(body []byte, base string) (TileRecord, error) {
	p, err := (tileSpec{}).parse(body, base, s.pids)
	if err != nil {
		return TileRecord{}, err
	}
	return p.(*parsedTile).rec, nil
}

// Notice is a message an agency editor sends to everyone a targeting selects.
type Notice struct {
	Title     map[string]string `json:"title"`
	Body      map[string]string `json:"body"`
	Link      string            `json:"link,omitempty"`
	Category  string            `json:"category"`
	Urgency   string            `json:"urgency,omitempty"`
	Targeting *TileTargeting    `json:"targeting,omitempty"`
}

// CheckNotice validates a notice with the notification rules (texts, category, link, urgency)
// and the tile targeting rules; an empty urgency becomes "normal".
func CheckNotice(n *Notice) error {
	c := &checker{}
	c.oneOf("/category", n.Category, notify.Categories, true)
	c.texts("/title", n.Title, titleText, true)
	c.texts("/body", n.Body, bodyText, true)
	c.link("/link", n.Link)
	c.oneOf("/urgency", n.Urgency, urgencies, false)
	c.targeting("/targeting", n.Targeting)
	if err := c.err(); err != nil {
		return err
	}
	if n.Urgency == "" {
		n.Urgency = "normal"
	}
	return nil
}
