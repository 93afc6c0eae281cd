package review

import (
	"errors"
	"os"
	"strings"
	"testing"
)

const cfGood = `{"report":"azerbaijan","edition":"2021","quote":"Azerbaijan hosts a large illicit caviar trade.","statement":"Azerbaijan hosts a large illicit caviar trade","topic":"Fauna crimes","confidence":"moderate","sources":[{"title":"GOCI 2021","publisher":"GI-TOC","url":"https://ocindex.net/country/azerbaijan","published":"2021-09-28","reliability":"B","credibility":2,"excerpt":"caviar"}],"note":"Check CITES.","flag":{"kind":"unverified","reason":"needs a second source"}}`

// cfLine returns cfGood with one substitution made, failing if it did not
// apply, so a test cannot silently test the good line.
func cfLine(tb testing.TB, old, new string) string {
	tb.Helper()
	s := strings.Replace(cfGood, old, new, 1)
	if s == cfGood {
		tb.Fatalf("%q not in the good line", old)
	}
	return s
}

func TestReadClaimFile(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		minimal := `{"report":"azerbaijan","quote":"q","statement":"s"}`
		text := "\n" + cfGood + "\n   \n" + minimal + "\r\n\n"
		got, errs := ReadClaimFile(strings.NewReader(text))
		if errs != nil {
			t.Fatalf("errors: %v", errs)
		}
		if len(got) != 2 {
			t.Fatalf("%d claims, want 2", len(got))
		}
		// Line numbers count the blank lines skipped.
		if got[0].Line != 2 || got[1].Line != 4 {
			t.Errorf("lines %d, %d; want 2, 4", got[0].Line, got[1].Line)
		}
		c := got[0]
		if c.Claim.Report != "azerbaijan" || c.Claim.Edition != "2021" || c.Claim.Confidence != ConfidenceModerate ||
			c.Claim.Topic != "Fauna crimes" || c.Note != "Check CITES." {
			t.Errorf("claim %+v", c)
		}
		if len(c.Claim.Evidence) != 1 || c.Claim.Evidence[0].Credibility != 2 || c.Claim.Evidence[0].Source.Reliability != "B" ||
			c.Claim.Evidence[0].Stance != StanceSupports {
			t.Errorf("evidence %+v", c.Claim.Evidence)
		}
		if c.Flag == nil || c.Flag.Kind != FlagUnverified || c.Flag.Reason != "needs a second source" {
			t.Errorf("flag %+v", c.Flag)
		}
		// Defaults: no confidence is unverified; evidence is an empty list.
		m := got[1].Claim
		if m.Confidence != ConfidenceUnverified || m.Evidence == nil || len(m.Evidence) != 0 || got[1].Flag != nil {
			t.Errorf("minimal claim %+v", got[1])
		}
	})
	t.Run("OK/SourceDefaults", func(t *testing.T) {
		got, errs := ReadClaimFile(strings.NewReader(`{"report":"r","quote":"q","statement":"s","sources":[{"title":"t"}]}`))
		if errs != nil {
			t.Fatal(errs)
		}
		ev := got[0].Claim.Evidence[0]
		if ev.Source.Reliability != "F" || ev.Credibility != 6 || ev.Stance != StanceSupports {
			t.Errorf("an ungraded source is F6 supports, got %+v", ev)
		}
	})
	t.Run("OK/DemoFile", func(t *testing.T) {
		f, err := os.Open("../testdata/demo-claims.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		got, errs := ReadClaimFile(f)
		if errs != nil {
			t.Fatal(errs)
		}
		if len(got) < 30 {
			t.Errorf("demo file has %d claims, want at least 30", len(got))
		}
	})

	bad := []struct {
		name, line, reason string
	}{
		{"NotJSON", "this is not json", "not a JSON claim"},
		{"NotUTF8", `{"report":"r","quote":"Caf` + "\xe9" + `","statement":"s"}`, "not UTF-8 text (byte 27)"},
		{"DuplicateKey", `{"report":"r","quote":"q","statement":"s","statement":"t"}`, `the field "statement" is given twice`},
		{"DuplicateKeyInSource", cfLine(t, `"title":"GOCI 2021"`, `"title":"GOCI 2021","title":"Other"`), `the field "title" is given twice`},
		{"Truncated", cfGood[:len(cfGood)/2], "not a JSON claim"},
		{"Array", "[" + cfGood + "]", "not a JSON claim"},
		{"UnknownField", cfLine(t, `"statement"`, `"statment":"x","statement"`), `unknown field "statment"`},
		{"WrongType", cfLine(t, `"credibility":2`, `"credibility":"2"`), "credibility"},
		{"MissingReport", `{"quote":"q","statement":"s"}`, `"report" is required`},
		{"MissingQuote", `{"report":"r","statement":"s"}`, "quote is required"},
		{"BlankQuote", `{"report":"r","quote":"  ","statement":"s"}`, "quote is required"},
		{"MissingStatement", `{"report":"r","quote":"q"}`, "statement is required"},
		{"NULStatement", `{"report":"r","quote":"q","statement":"a\u0000b"}`, "not text"},
		{"BadConfidence", cfLine(t, `"moderate"`, `"certain"`), `Unknown confidence "certain"`},
		{"BadGrade", cfLine(t, `"reliability":"B"`, `"reliability":"G"`), "source 1: Reliability \"G\""},
		{"BadCredibility", cfLine(t, `"credibility":2`, `"credibility":7`), "source 1: Credibility 7"},
		{"BadURL", cfLine(t, `"https://ocindex.net/country/azerbaijan"`, `"javascript:alert(1)"`), "source 1: The source's URL"},
		{"BadDate", cfLine(t, `"2021-09-28"`, `"28 Sept 2021"`), "source 1: The source's publication date"},
		{"BadStance", cfLine(t, `"excerpt":"caviar"`, `"excerpt":"caviar","stance":"maybe"`), "source 1: Stance"},
		{"BadFlagKind", cfLine(t, `"kind":"unverified"`, `"kind":"wrong"`), `flag: Unknown flag kind "wrong"`},
		{"FlagNoReason", cfLine(t, `"reason":"needs a second source"`, `"reason":""`), "flag: The reason is required"},
		{"EmptyNote", cfLine(t, `"note":"Check CITES."`, `"note":"`+strings.Repeat("n", MaxLongText+1)+`"`), "The note has at most"},
		{"TwoValues", cfGood + " " + cfGood, "more than one JSON value"},
		{"TrailingBrace", cfGood + "}", "more than one JSON value"},
		{"TrailingGarbage", cfGood + " x", "more than one JSON value"},
		{"Null", "null", `"report" is required`},
	}
	for _, tt := range bad {
		t.Run("ErrInvalid/"+tt.name, func(t *testing.T) {
			text := cfGood + "\n\n" + tt.line + "\n" + cfGood + "\n"
			got, errs := ReadClaimFile(strings.NewReader(text))
			if len(errs) != 1 {
				t.Fatalf("errors %v, want exactly one", errs)
			}
			if errs[0].Line != 3 {
				t.Errorf("error on line %d, want 3", errs[0].Line)
			}
			if !strings.Contains(errs[0].Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", errs[0].Reason, tt.reason)
			}
			// The good lines are still parsed, so the store can report its
			// own errors for them too.
			if len(got) != 2 || got[0].Line != 1 || got[1].Line != 4 {
				t.Errorf("good lines %+v, want lines 1 and 4", got)
			}
		})
	}

	t.Run("ErrInvalid/LongLine", func(t *testing.T) {
		text := cfGood + "\n" + `{"report":"` + strings.Repeat("x", MaxClaimLine) + `"}` + "\n"
		_, errs := ReadClaimFile(strings.NewReader(text))
		if len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Reason, "longer than") {
			t.Errorf("errors %v, want line 2 longer than the limit", errs)
		}
	})
	t.Run("ErrInvalid/LongLineThenMore", func(t *testing.T) {
		// Lines after an over-long line are still read and checked.
		text := cfGood + "\n" + strings.Repeat("x", MaxClaimLine+10) + "\nnot json\n" + cfGood + "\n"
		got, errs := ReadClaimFile(strings.NewReader(text))
		if len(errs) != 2 || errs[0].Line != 2 || errs[1].Line != 3 {
			t.Errorf("errors %v, want lines 2 and 3", errs)
		}
		if len(got) != 2 || got[1].Line != 4 {
			t.Errorf("good lines %+v, want lines 1 and 4", got)
		}
	})
	t.Run("ErrInvalid/Empty", func(t *testing.T) {
		for _, text := range []string{"", "\n\n  \n"} {
			got, errs := ReadClaimFile(strings.NewReader(text))
			if len(got) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Reason, "no claims") {
				t.Errorf("%q: got %v, errors %v; want one 'no claims' error", text, got, errs)
			}
		}
	})
	t.Run("ErrInvalid/Several", func(t *testing.T) {
		lines := []string{
			cfGood,
			"oops",
			cfLine(t, `"moderate"`, `"sure"`),
			cfGood,
			cfLine(t, `"kind":"unverified"`, `"kind":"x"`),
			`{"report":"r","quote":"q"}`,
		}
		got, errs := ReadClaimFile(strings.NewReader(strings.Join(lines, "\n")))
		var nums []int
		for _, e := range errs {
			nums = append(nums, e.Line)
		}
		if want := []int{2, 3, 5, 6}; !equalInts(nums, want) {
			t.Errorf("bad lines %v, want %v (%v)", nums, want, errs)
		}
		if len(got) != 2 {
			t.Errorf("%d good lines, want 2", len(got))
		}
		// The whole error lists every line, and is an EINVALID.
		msg := errs.Error()
		for _, w := range []string{"4 bad line(s)", "line 2:", "line 3:", "line 5:", "line 6:"} {
			if !strings.Contains(msg, w) {
				t.Errorf("error text %q lacks %q", msg, w)
			}
		}
		var err error = errs
		if ErrorCode(err) != EINVALID {
			t.Errorf("code %q, want EINVALID", ErrorCode(err))
		}
		var le LineErrors
		if !errors.As(err, &le) || len(le) != 4 {
			t.Errorf("errors.As LineErrors: %v", le)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func FuzzReadClaimFile(f *testing.F) {
	f.Add(cfGood)
	f.Add(cfGood + "\n" + cfGood + "}")
	f.Add("\n\nnull\n[]\n{}")
	f.Fuzz(func(t *testing.T, text string) {
		got, errs := ReadClaimFile(strings.NewReader(text))
		if len(got) == 0 && len(errs) == 0 {
			t.Fatal("no claims and no errors")
		}
		last := 0
		for _, c := range got {
			if c.Line <= last {
				t.Fatalf("line numbers out of order: %d after %d", c.Line, last)
			}
			last = c.Line
			if err := c.Claim.Validate(); err != nil {
				t.Fatalf("line %d passed but does not validate: %v", c.Line, err)
			}
		}
		for _, e := range errs {
			if e.Line < 1 || e.Reason == "" {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}

// TestDuplicateKey: the same key in two objects is no duplicate; the same
// key twice in one object, at any depth, is.
func TestDuplicateKey(t *testing.T) {
	for _, tt := range []struct {
		line, key string
	}{
		{`{"sources":[{"title":"a"},{"title":"b"}],"flag":{"kind":"x"},"kind":"y"}`, ""},
		{`{"a":{"b":{"c":1,"c":2}}}`, "c"},
		{`{"a":[1,{"x":1}],"a":2}`, "a"},
		{`{"a":"b","b":"a"}`, ""},
		{`not json`, ""},
		{`{"a":1}{"a":2}`, ""},
	} {
		key, ok := duplicateKey([]byte(tt.line))
		if ok != (tt.key != "") || key != tt.key {
			t.Errorf("%s: got %q, %v; want %q", tt.line, key, ok, tt.key)
		}
	}
}
