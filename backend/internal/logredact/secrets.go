package logredact

import (
	"regexp"
	"strings"
)

// API keys must never reach a log line. The access log leaves out the query string and never
// logs a body, but a key can still arrive inside an error's text (a client that sends its key
// where an id belongs, a backend error quoting a parameter).
var (
	// agency API keys, "ms_<prefix>_<secret>": the prefix, which names the key in listings, stays
	agencyKeyPattern = regexp.MustCompile(`\bms_([0-9a-f]{8})_[A-Za-z0-9_-]+`)
	// the value of any api_key parameter (Open311 clients send their key so)
	apiKeyParamPattern = regexp.MustCompile(`(?i)(api_key=)[^&\s"']+`)
)

// Secrets is the Rewrite that redacts every agency API key and api_key parameter value.
func Secrets(s string) string {
	// Every value of every log line passes here (the access log's path, route, request id, …):
	// a key needs "ms_" or an "=", and a plain search for those is far cheaper than the patterns.
	if strings.Contains(s, "ms_") {
		s = agencyKeyPattern.ReplaceAllString(s, "ms_${1}_[redacted]")
	}
	if strings.IndexByte(s, '=') >= 0 {
		s = apiKeyParamPattern.ReplaceAllString(s, "${1}[redacted]")
	}
	return s
}
