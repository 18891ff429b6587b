package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// Export writes lang's message file as it should be committed into locales/: the file's
// translations with the published overrides merged in, each with the source hash it was made
// from. Messages nobody translated yet are left out (the fallback chain covers them).
func (c *Console) Export(ctx context.Context, lang string) ([]byte, error) {
	msgs, err := c.Messages(ctx, lang, "all")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Min side – %s. Exported from the translator console; \"hash\" is the hash of the nb text\n", lang)
	buf.WriteString("# each translation was made from (see locales/README.md). Ids are sorted.\n")
	for _, m := range msgs {
		if len(m.Forms) == 0 {
			continue
		}
		fmt.Fprintf(&buf, "\n[%s]\n", m.ID)
		if m.Hash != "" {
			fmt.Fprintf(&buf, "hash = %s\n", tomlString(m.Hash))
		}
		for _, cat := range []string{"zero", "one", "two", "few", "many", "other"} {
			if text, ok := m.Forms[cat]; ok {
				fmt.Fprintf(&buf, "%s = %s\n", cat, tomlString(text))
			}
		}
	}
	return buf.Bytes(), nil
}

// tomlString quotes s as a TOML basic string. JSON's escapes (\" \\ \n \uXXXX) are all valid in
// TOML; HTML escaping is turned off so "<" stays readable.
func tomlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}
