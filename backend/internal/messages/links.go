package messages

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"time"
)

// Links signs and checks the download links of attachments given to agencies: whoever holds the
// link may fetch that one file until it expires, without an API key, as a webhook receiver
// expects. The signature covers the attachment id and the expiry, so neither can be changed.
type Links struct {
	key     []byte
	baseURL string // public origin of the portal
	ttl     time.Duration
	path    string // where the links point; LinkPath unless derived with For
}

// LinkPath is where signed downloads are served; the attachment id follows.
const LinkPath = "/files/v1/attachments/"

// DefaultLinkTTL is how long a download link works: long enough for a receiver that retries for a
// while, short enough that a link copied into a ticket or a log is soon worthless.
const DefaultLinkTTL = time.Hour

// NewLinks derives its own key from secret (the portal's pseudonym key), so no new secret is
// needed and the two uses never share a key.
func NewLinks(secret, baseURL string, ttl time.Duration) *Links {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("minside attachment download links v1"))
	if ttl <= 0 {
		ttl = DefaultLinkTTL
	}
	return &Links{key: mac.Sum(nil), baseURL: baseURL, ttl: ttl, path: LinkPath}
}

// For derives the links of another kind of file, served under path (a report's photos), with a
// key of their own: a signature made for one kind never opens a file of another.
func (l *Links) For(path, purpose string) *Links {
	mac := hmac.New(sha256.New, l.key)
	mac.Write([]byte(purpose))
	return &Links{key: mac.Sum(nil), baseURL: l.baseURL, ttl: l.ttl, path: path}
}

// Link is a signed download URL and when it stops working.
type Link struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Sign makes the link of one attachment, valid for the TTL from now.
func (l *Links) Sign(attachmentID string, now time.Time) Link {
	exp := now.Add(l.ttl).Truncate(time.Second).UTC()
	q := url.Values{"expires": {strconv.FormatInt(exp.Unix(), 10)}, "sig": {l.sig(attachmentID, exp.Unix())}}
	return Link{URL: l.baseURL + l.path + url.PathEscape(attachmentID) + "?" + q.Encode(), ExpiresAt: exp}
}

// Check reports whether expires and sig (from the link's query) admit attachmentID at now.
func (l *Links) Check(attachmentID, expires, sig string, now time.Time) bool {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !now.Before(time.Unix(exp, 0)) {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(l.sig(attachmentID, exp)))
}

func (l *Links) sig(attachmentID string, exp int64) string {
	mac := hmac.New(sha256.New, l.key)
	mac.Write([]byte(attachmentID))
	mac.Write([]byte{0})
	mac.Write([]byte(strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
