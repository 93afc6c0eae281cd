package text

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedRaw returns the seed report as extracted from the PDF.
func seedRaw(tb testing.TB) string {
	tb.Helper()
	raw, err := os.ReadFile("../../testdata/azerbaijan-2021.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return string(raw)
}

// seedDoc returns the seed report normalised.
func seedDoc(tb testing.TB) Document {
	tb.Helper()
	return Normalize(seedRaw(tb))
}

// checkDoc checks what Normalize promises of any input.
func checkDoc(tb testing.TB, d Document) {
	tb.Helper()
	if !utf8.ValidString(d.Text) {
		tb.Errorf("Text is not valid UTF-8: %q", d.Text)
	}
	if strings.TrimSpace(d.Text) != d.Text {
		tb.Errorf("Text has leading or trailing white space: %q", d.Text)
	}
	if strings.Contains(d.Text, "\n\n\n") || strings.Contains(d.Text, "  ") || strings.Contains(d.Text, " \n") || strings.Contains(d.Text, "\n ") {
		tb.Errorf("Text has runs of white space: %q", d.Text)
	}
	if strings.ContainsAny(d.Text, "\r\t\f\v\x00\uFEFF") {
		tb.Errorf("Text has control characters: %q", d.Text)
	}
	prevEnd := 0
	for i, s := range d.Sections {
		if s.HeadingStart < prevEnd || s.HeadingStart+len(s.Heading) > len(d.Text) {
			tb.Fatalf("section %d %q: heading at %d out of order or range (previous end %d, text %d)", i, s.Heading, s.HeadingStart, prevEnd, len(d.Text))
		}
		if !strings.HasPrefix(d.Text[s.HeadingStart:], s.Heading) {
			tb.Errorf("section %d: Text[HeadingStart:] does not start with %q", i, s.Heading)
		}
		if s.HeadingStart > 0 && d.Text[s.HeadingStart-1] != '\n' {
			tb.Errorf("section %d %q: heading does not start a line", i, s.Heading)
		}
		if s.Start < s.HeadingStart+len(s.Heading) || s.End < s.Start || s.End > len(d.Text) {
			tb.Fatalf("section %d %q: body [%d,%d) out of range", i, s.Heading, s.Start, s.End)
		}
		body := d.Text[s.Start:s.End]
		if strings.TrimSpace(body) != body {
			tb.Errorf("section %d %q: body has white space at its ends: %q", i, s.Heading, body)
		}
		if i+1 < len(d.Sections) && s.End > d.Sections[i+1].HeadingStart {
			tb.Errorf("section %d %q: body runs into the next heading", i, s.Heading)
		}
		prevEnd = s.End
	}
}

func TestNormalize(t *testing.T) {
	t.Run("Seed", func(t *testing.T) {
		d := seedDoc(t)
		checkDoc(t, d)

		type heading struct{ heading, parent string }
		want := []heading{
			{"PEOPLE", ""},
			{"TRADE", ""},
			{"ENVIRONMENT", ""},
			{"DRUGS", ""},
			{"CRIMINAL ACTORS", ""},
			{"RESILIENCE", ""},
			{"LEADERSHIP AND GOVERNANCE", "RESILIENCE"},
			{"CRIMINAL JUSTICE AND SECURITY", "RESILIENCE"},
			{"ECONOMIC AND FINANCIAL ENVIRONMENT", "RESILIENCE"},
			{"CIVIL SOCIETY AND SOCIAL PROTECTION", "RESILIENCE"},
		}
		var got []heading
		for _, s := range d.Sections {
			got = append(got, heading{s.Heading, s.Parent})
		}
		if len(got) != len(want) {
			t.Fatalf("got %d headings %v, want %d %v", len(got), got, len(want), want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("heading %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
		if res := d.Sections[5]; res.Start != res.End {
			t.Errorf("RESILIENCE body: got %q, want empty", d.Text[res.Start:res.End])
		}
		if p := d.Sections[0]; !strings.HasPrefix(d.Text[p.Start:p.End], "Human trafficking in Azerbaijan") || !strings.HasSuffix(d.Text[p.Start:p.End], "clandestine border-crossing strategies.") {
			t.Errorf("PEOPLE body: got %q", d.Text[p.Start:p.End])
		}
		if last := d.Sections[9]; !strings.HasSuffix(d.Text[last.Start:last.End], "United States Department of State.") || last.End != len(d.Text) {
			t.Errorf("last body does not run to the end of the text")
		}

		for _, s := range []string{
			"Along with enabling the bribery of officials",   // page break inside a sentence
			"with reports of involvement in sex, labour and", // and another
			"Central and South-eastern Asia",                 // hyphen at the end of a line
			"makes the Azerbaijan–Armenia borderlands",       // en dash at the end of a line
			"The group is supposedly engaged in heroin",      // line starting with a space
			"Human trafficking in Azerbaijan generally takes the form of sexual exploitation",
		} {
			if !strings.Contains(d.Text, s) {
				t.Errorf("Text lacks %q", s)
			}
		}
		for _, s := range []string{"Along with\n", "sex,\n", "South- eastern", "Azerbaijan– Armenia"} {
			if strings.Contains(d.Text, s) {
				t.Errorf("Text has %q", s)
			}
		}
		// Paragraphs that end a sentence stay apart.
		if !strings.Contains(d.Text, "domestic servitude.\n\nHuman smuggling dynamics") {
			t.Errorf("paragraphs of PEOPLE were joined")
		}
		if got, want := strings.Count(d.Text, "\n\n")+1, 10+14; got != want { // 10 headings, 14 paragraphs
			t.Errorf("got %d blocks, want %d", got, want)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		d := seedDoc(t)
		d2 := Normalize(d.Text)
		if d2.Text != d.Text {
			t.Errorf("Normalize(Normalize(x).Text).Text differs")
		}
		if len(d2.Sections) != len(d.Sections) {
			t.Fatalf("got %d sections, want %d", len(d2.Sections), len(d.Sections))
		}
		for i := range d.Sections {
			if d2.Sections[i] != d.Sections[i] {
				t.Errorf("section %d: got %+v, want %+v", i, d2.Sections[i], d.Sections[i])
			}
		}
	})

	t.Run("LineEndings", func(t *testing.T) {
		raw := seedRaw(t)
		want := Normalize(raw).Text
		for name, in := range map[string]string{
			"CRLF":      strings.ReplaceAll(raw, "\n", "\r\n"),
			"CR":        strings.ReplaceAll(raw, "\n", "\r"),
			"BOM":       "\uFEFF" + raw,
			"Tabs":      strings.ReplaceAll(raw, " ", "\t"),
			"PageBreak": strings.ReplaceAll(raw, "\n\n", "\n\f"),
		} {
			if got := Normalize(in).Text; got != want {
				t.Errorf("%s: text differs from LF text", name)
			}
		}
	})

	t.Run("Rules", func(t *testing.T) {
		for _, tt := range []struct {
			name, in, want string
		}{
			{"Wrap", "one two \nthree  four\n", "one two three four"},
			{"Hyphen", "South-\neastern Asia", "South-eastern Asia"},
			{"HyphenAfterSpace", "Iran -\none", "Iran - one"},
			{"EnDash", "Azerbaijan–\nArmenia", "Azerbaijan–Armenia"},
			{"EnDashAfterSpace", "jobs –\nas well", "jobs – as well"},
			{"SoftHyphen", "organ\u00ad\nized crime", "organized crime"},
			{"BlankInSentence", "Along with \n\nenabling the", "Along with enabling the"},
			{"BlankAfterComma", "sex, \n\nlabour", "sex, labour"},
			{"PageBreakInSentence", "Along with\fenabling the", "Along with enabling the"},
			{"PageBreakAndBlanks", "Along with\n\n\f\n\nenabling", "Along with enabling"},
			{"BlankAfterStop", "one.\n\ntwo", "one.\n\ntwo"},
			{"BlankAfterColon", "as follows:\n\nfirst", "as follows:\n\nfirst"},
			{"BlankAfterQuotedStop", "they said.’\n\nand then", "they said.’\n\nand then"},
			{"BlankBeforeCapital", "one\n\nTwo", "one\n\nTwo"},
			{"Heading", "text.\nTRADE\nFor the past", "text.\n\nTRADE\n\nFor the past"},
			{"CapitalsInSentence", "the\nTRADE\nfor", "the TRADE for"},
			{"HeadingAfterUnfinished", "the\n\nTRADE\n\nfor", "the\n\nTRADE\n\nfor"},
			{"HeadingWithAmpersand", "LAW & ORDER, SECURITY-SECTOR\nText", "LAW & ORDER, SECURITY-SECTOR\n\nText"},
			{"ShortCapitals", "the\nEU\nand", "the EU and"},
			{"CapitalsWithStop", "the\nUAE.\nAnd", "the UAE. And"},
			{"LeadingSpace", "one\n  two", "one two"},
			{"CRLF", "one\r\ntwo\r\n\r\nThree", "one two\n\nThree"},
			{"CR", "one\rtwo\r\rThree", "one two\n\nThree"},
			{"BOM", "\uFEFFone", "one"},
			{"NUL", "one\x00two", "one two"},
			{"Invalid", "one\xfftwo\xc3", "one\uFFFDtwo\uFFFD"},
			{"NBSP", "one\u00a0\u00a0two", "one two"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				d := Normalize(tt.in)
				if d.Text != tt.want {
					t.Errorf("got %q, want %q", d.Text, tt.want)
				}
				checkDoc(t, d)
			})
		}
	})

	t.Run("Hostile", func(t *testing.T) {
		for _, tt := range []struct {
			name, in     string
			wantText     string
			wantSections int
		}{
			{"Empty", "", "", 0},
			{"WhiteSpace", " \n\t\r\n\f \v ", "", 0},
			{"OnlyHeadings", "ONE\nTWO\n\nTHREE", "ONE\n\nTWO\n\nTHREE", 3},
			{"OnlyInvalid", "\xff\xfe\xfd", "\uFFFD\uFFFD\uFFFD", 0},
			{"LongLine", strings.Repeat("word ", 200000), strings.TrimSpace(strings.Repeat("word ", 200000)), 0},
			{"ManyLines", strings.Repeat("a\n", 100000), strings.TrimSpace(strings.Repeat("a ", 100000)), 0},
			{"ManyBlanks", strings.Repeat("\n\n\f", 100000) + "a", "a", 0},
			{"LoneHyphens", "-\n-\n\n-", "- -\n\n-", 0},
		} {
			t.Run(tt.name, func(t *testing.T) {
				d := Normalize(tt.in)
				if d.Text != tt.wantText {
					t.Errorf("got %.80q, want %.80q", d.Text, tt.wantText)
				}
				if len(d.Sections) != tt.wantSections {
					t.Errorf("got %d sections, want %d", len(d.Sections), tt.wantSections)
				}
				checkDoc(t, d)
				if got := Normalize(d.Text).Text; got != d.Text {
					t.Errorf("not idempotent: %.80q", got)
				}
			})
		}
	})

	t.Run("OnlyHeadingsNest", func(t *testing.T) {
		// A heading followed by a heading is a parent, even of no body: one
		// level of nesting, as the rule says.
		d := Normalize("ONE\nTWO\n\nTHREE\nBody.\n\nFOUR\nBody.")
		var got []string
		for _, s := range d.Sections {
			got = append(got, s.Parent)
		}
		want := []string{"", "", "TWO", "TWO"}
		if len(got) != len(want) {
			t.Fatalf("got parents %q, want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("section %d parent: got %q, want %q", i, got[i], want[i])
			}
		}
	})
}

func TestSectionAt(t *testing.T) {
	d := seedDoc(t)
	for _, tt := range []struct {
		name, at string
		want     string
		ok       bool
	}{
		{"FirstBody", "Human trafficking in Azerbaijan", "PEOPLE", true},
		{"Nested", "Given the ubiquity of corruption", "CRIMINAL JUSTICE AND SECURITY", true},
		{"Last", "This summary was funded", "CIVIL SOCIETY AND SOCIAL PROTECTION", true},
		{"HeadingLine", "RESILIENCE", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			i := strings.Index(d.Text, tt.at)
			if i < 0 {
				t.Fatalf("%q not in text", tt.at)
			}
			s, ok := d.SectionAt(i)
			if ok != tt.ok || s.Heading != tt.want {
				t.Errorf("got %q, %v; want %q, %v", s.Heading, ok, tt.want, tt.ok)
			}
		})
	}
	t.Run("OutOfRange", func(t *testing.T) {
		for _, off := range []int{-1, len(d.Text), len(d.Text) + 10} {
			if s, ok := d.SectionAt(off); ok {
				t.Errorf("SectionAt(%d): got %q, want none", off, s.Heading)
			}
		}
	})
	t.Run("BeforeFirstHeading", func(t *testing.T) {
		d := Normalize("Preamble text.\n\nONE\nBody.")
		if s, ok := d.SectionAt(0); ok {
			t.Errorf("got %q, want none", s.Heading)
		}
	})
}

func TestNormalizeQuote(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"Hyphen", "South-\neastern Asia", "South-eastern Asia"},
		{"HardBreaks", "  Human trafficking in Azerbaijan generally takes the form \nof sexual exploitation  and forced labour. \n", "Human trafficking in Azerbaijan generally takes the form of sexual exploitation and forced labour."},
		{"PageBreak", "Along with \n\nenabling the bribery", "Along with enabling the bribery"},
		{"CapitalsAtEnd", "the UAE\nAlthough", "the UAE Although"},
		{"CapitalsAtStart", "UAE\nand", "UAE and"},
		{"Paragraphs", "limited.\n\nCannabis is", "limited.\n\nCannabis is"},
		{"CRLF", "one\r\ntwo", "one two"},
		{"Empty", " \n ", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeQuote(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("SeedLines", func(t *testing.T) {
		// Any run of whole lines of the extraction, normalised as a quote, is
		// in the normalised text, heading lines aside.
		raw := seedRaw(t)
		d := Normalize(raw)
		lines := strings.Split(raw, "\n")
		for i := 0; i+3 <= len(lines); i++ {
			chunk := strings.Join(lines[i:i+3], "\n")
			if strings.ToUpper(chunk) == chunk || chunkHasHeading(lines[i:i+3]) {
				continue
			}
			if q := NormalizeQuote(chunk); q != "" && !strings.Contains(d.Text, q) {
				t.Errorf("lines %d-%d: %q not in text", i+1, i+3, q)
			}
		}
	})
}

func chunkHasHeading(lines []string) bool {
	for _, l := range lines {
		if isCaps(strings.TrimSpace(l)) {
			return true
		}
	}
	return false
}
