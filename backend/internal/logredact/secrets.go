package logredact

import "regexp"

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
	s = agencyKeyPattern.ReplaceAllString(s, "ms_${1}_[redacted]")
	return apiKeyParamPattern.ReplaceAllString(s, "${1}[redacted]")
}
