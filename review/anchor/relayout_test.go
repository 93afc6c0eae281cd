package anchor

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"vetted/review"
	"vetted/review/text"
)

// TestReanchorRelaidOut follows the claims of a real report into the same
// report laid out again as hard-wrapped PDF text with no blank lines, with
// a page number and running header inside a sentence, ligatures and soft
// hyphens: every claim is unchanged, in a section of the same heading.
func TestReanchorRelaidOut(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/real/fh-azerbaijan/2023.txt")
	if err != nil {
		t.Fatal(err)
	}
	old := text.Normalize(string(raw))
	var lines []string
	for _, para := range strings.Split(old.Text, "\n\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			if line != "" && len(line)+1+len(w) > 76 {
				lines = append(lines, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		lines = append(lines, line)
	}
	// A page break inside a sentence, with its furniture.
	for i, l := range lines {
		if i > 40 && !strings.HasSuffix(l, ".") && i+1 < len(lines) && text.Fold(lines[i+1]) != "" && strings.ToLower(lines[i+1][:1]) == lines[i+1][:1] {
			lines = append(lines[:i+1], append([]string{"", "7", "", "FREEDOM IN THE WORLD 2023", ""}, lines[i+1:]...)...)
			break
		}
	}
	relaid := strings.NewReplacer("fi", "\uFB01", "tion", "\u00ADtion").Replace(strings.Join(lines, "\n"))
	next := text.Normalize(relaid)
	al := NewIndex(next).Align(old)

	f, err := os.Open("../../testdata/real/fh-azerbaijan/claims.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var c struct {
			Quote string `json:"quote"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		a, err := Locate(old, c.Quote, "", "")
		if err != nil {
			t.Fatal(err)
		}
		m := al.Reanchor(a)
		if m.Outcome != review.OutcomeUnchanged || !text.Equal(m.Anchor.Section, a.Section) {
			t.Errorf("%.50q: got %s in %q, want unchanged in %q", c.Quote, m.Outcome, m.Anchor.Section, a.Section)
		}
		n++
	}
	if n != 40 {
		t.Fatalf("%d claims, want 40", n)
	}
}
