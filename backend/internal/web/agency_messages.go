package web

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/apperr"
	"minside/backend/internal/messages"
	"minside/backend/internal/strictjson"
)

// agencyMessageJSON is a message as its agency sees it: the case by the agency's id (or the errand
// by its lead's reference), who wrote, the receipt, and fresh download links.
type agencyMessageJSON struct {
	ID          string                      `json:"id"`
	ExternalID  *string                     `json:"externalId,omitempty"`
	CaseID      string                      `json:"caseId,omitempty"`
	Errand      *messages.ErrandRef         `json:"errand,omitempty"`
	From        string                      `json:"from"`
	By          string                      `json:"by,omitempty"`
	Body        string                      `json:"body"`
	Sensitive   bool                        `json:"sensitive"`
	Version     int64                       `json:"version"`
	CreatedAt   time.Time                   `json:"createdAt"`
	SeenAt      *time.Time                  `json:"seenAt"`
	Attachments []messages.ReceivedDocument `json:"attachments"`
}

func (s *Server) agencyMessageOut(svc *messages.Service, m *messages.Message) agencyMessageJSON {
	out := agencyMessageJSON{ID: m.ID, ExternalID: m.ExternalID, CaseID: m.CaseRef, Errand: m.Errand, From: m.Direction, Body: m.Body, Sensitive: m.Sensitive, Version: m.Version,
		CreatedAt: m.CreatedAt, SeenAt: m.SeenAt, Attachments: []messages.ReceivedDocument{}}
	if m.Direction == messages.FromCitizen {
		out.By = "citizen"
		if m.OnBehalf() {
			out.By = "representative"
		}
	}
	for _, a := range m.Attachments {
		l := svc.Links().Sign(a.ID, s.deps.Now())
		out.Attachments = append(out.Attachments, messages.ReceivedDocument{Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: l.URL, ExpiresAt: l.ExpiresAt})
	}
	return out
}

// agencyPutMessage answers PUT /api/agency/v1/messages/{externalId}: the agency's answer on one
// of its cases, {"caseId": "<case externalId>", "body": "…", "version": n}, or on an errand it
// leads or joined, {"errand": {"agency": "<lead slug>", "externalId": "…"}, …}; "sensitive": true
// withholds the text below the citizen's step-up level.
func (s *Server) agencyPutMessage(c *fiber.Ctx) error {
	svc, err := s.messagesService()
	if err != nil {
		return err
	}
	var in struct {
		CaseID    string              `json:"caseId"`
		Errand    *messages.ErrandRef `json:"errand"`
		Body      string              `json:"body"`
		Sensitive json.RawMessage     `json:"sensitive"`
		Version   int64               `json:"version"`
	}
	if err := strictjson.Unmarshal(c.Body(), &in); err != nil {
		return err
	}
	var sensitive bool
	if len(in.Sensitive) > 0 && json.Unmarshal(in.Sensitive, &sensitive) != nil {
		return apperr.Invalid(apperr.Field("/sensitive", "field.invalid", nil)) // true or false, nothing else
	}
	m, created, err := svc.PutAnswer(c.UserContext(), agencyOf(c).AgencyID, utils.CopyString(c.Params("externalId")),
		messages.Answer{CaseID: in.CaseID, Errand: in.Errand, Body: in.Body, Sensitive: sensitive, Version: in.Version}, requestIDOf(c))
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(s.agencyMessageOut(svc, m))
}

// agencyGetMessage answers GET /api/agency/v1/messages/{id}: a citizen's message by the id in the
// webhook (the read is audited and is the "seen by the agency" receipt), or the agency's own
// answer by its external id (with the person's receipt).
func (s *Server) agencyGetMessage(c *fiber.Ctx) error {
	svc, err := s.messagesService()
	if err != nil {
		return err
	}
	m, err := svc.AgencyRead(c.UserContext(), agencyOf(c).AgencyID, utils.CopyString(c.Params("externalId")), requestIDOf(c))
	if err != nil {
		return err
	}
	return c.JSON(s.agencyMessageOut(svc, m))
}
