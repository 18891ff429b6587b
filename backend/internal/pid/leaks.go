package pid

// A national identity number must never reach a log line, a lock screen or a URL. These helpers
// are the one place that decides what "looks like a number" means, for the log masking of the web
// layer, the push payload check, the notification fan-out and the log scan of the tests.

// runLength is the length of a national identity number.
const runLength = 11

// HasDigitRun reports whether s holds 11 or more digits in a row: the cautious test for text that
// leaves the system (push payloads, deep links), where a false alarm costs little.
func HasDigitRun(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			if run++; run >= runLength {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// MaskDigitRuns replaces every run of 11 or more digits with as many '*', so a logged path or
// query keeps its shape but not the number. s is returned as is when it holds no such run.
func MaskDigitRuns(s string) string {
	if !HasDigitRun(s) {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j-i >= runLength {
			for k := i; k < j; k++ {
				b[k] = '*'
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	return string(b)
}

// FindLeaks returns every run of exactly 11 digits in s that is a valid number of any kind: a
// fødselsnummer, D-number, H-number or synthetic test-register number (month + 80), with control
// digits under the classic rule or the rule in force from 2032. It is the precise test, for
// scanning logs, where every 11-digit duration or counter would otherwise be a false alarm.
func FindLeaks(s string) []string {
	var found []string
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i == runLength && Valid(s[i:j], Options{AllowSynthetic: true}) {
			found = append(found, s[i:j])
		}
		if j == i {
			j++
		}
		i = j
	}
	return found
}

// ContainsLikely reports whether s holds a valid number (see FindLeaks).
func ContainsLikely(s string) bool { return len(FindLeaks(s)) > 0 }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
