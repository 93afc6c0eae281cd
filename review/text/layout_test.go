package text

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// rewrap lays the paragraphs of a normalised text out again as a PDF
// extraction without blank lines gives them: every line at most width
// bytes, no blank line anywhere.
func rewrap(s string, width int) string {
	var out []string
	for _, para := range strings.Split(s, "\n\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			if line != "" && len(line)+1+len(w) > width {
				out = append(out, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		if line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func outlineOf(d Document) []string {
	var hs []string
	for _, s := range d.Sections {
		hs = append(hs, strings.Repeat("  ", s.Level-1)+s.Heading)
	}
	return hs
}

// wrappable is the outline less what a hard wrap at width hides for good:
// a heading without numbering too long for one line (it reads as the
// start of a paragraph).
func wrappable(d Document, width int) Document {
	var secs []Section
	for _, s := range d.Sections {
		if style := headingStyle(s.Heading); len(s.Heading) > width && (style == stylePlain) {
			continue
		}
		secs = append(secs, s)
	}
	return Document{Text: d.Text, Sections: secs}
}

// TestHardWrapped normalises real reports re-laid out as hard-wrapped text
// with no blank line at all: the outline (headings of every style, long
// numbered ones broken over lines included, and their nesting) is the
// one the report's own layout gives, but for mixed-case headings longer
// than a line, and every sentence is there.
func TestHardWrapped(t *testing.T) {
	for _, f := range []string{
		"../../testdata/azerbaijan-2021.txt",
		"../../testdata/real/fh-azerbaijan/2023.txt",
		"../../testdata/real/hrr-mongolia/2023.txt",
		"../../testdata/real/hrr-costa-rica/2024.txt",
	} {
		t.Run(f[strings.LastIndex(f, "/")+1:], func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ref := Normalize(string(raw))
			for _, width := range []int{72, 90} {
				d := Normalize(rewrap(ref.Text, width))
				checkDoc(t, d)
				if got, want := outlineOf(d), outlineOf(wrappable(ref, width)); !slices.Equal(got, want) {
					t.Errorf("width %d: outline\n%s\nwant\n%s", width, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if got, want := Fold(d.Text), Fold(ref.Text); got != want {
					t.Errorf("width %d: the words differ from the report's", width)
				}
				// Most paragraph breaks are found again: a paragraph is lost
				// only where its last line happens to be full.
				if got, want := strings.Count(d.Text, "\n\n"), strings.Count(ref.Text, "\n\n"); got*10 < want*8 {
					t.Errorf("width %d: %d blocks, want about %d", width, got+1, want+1)
				}
			}
		})
	}
}

// TestLinePerParagraph normalises text with one line per paragraph and
// no blank lines (as a scrape of web pages gives it).
func TestLinePerParagraph(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/real/fh-azerbaijan/2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	ref := Normalize(string(raw))
	d := Normalize(strings.ReplaceAll(ref.Text, "\n\n", "\n"))
	if d.Text != ref.Text {
		t.Errorf("one line per paragraph: the text differs from the blank-line layout's")
	}
	if !slices.Equal(outlineOf(d), outlineOf(ref)) {
		t.Errorf("outline %v, want %v", outlineOf(d), outlineOf(ref))
	}
}

func TestOutline(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string // heading indented two spaces a level
	}{
		{"FreedomHouse", "Overview\n\nText.\n\nPolitical Rights\n\nA. Electoral Process\n\nA1. Was the head of government elected?\n\nText.\n\nA2. Were the legislators elected?\n\nText.\n\nB. Pluralism\n\nB1. Do the people have the right to organize?\n\nText.\n\nCivil Liberties\n\nD. Expression\n\nD1. Are there free media?\n\nText.",
			[]string{"Overview", "Political Rights", "  A. Electoral Process", "    A1. Was the head of government elected?", "    A2. Were the legislators elected?", "  B. Pluralism", "    B1. Do the people have the right to organize?", "Civil Liberties", "  D. Expression", "    D1. Are there free media?"}},
		{"StateDepartment", "Executive Summary\n\nText.\n\nSection 1. Respect for the Integrity of the Person\n\na. Arbitrary Deprivation of Life\n\nText.\n\nb. Disappearance\n\nText.\n\nSection 2. Respect for Civil Liberties\n\na. Freedom of Expression\n\nText.",
			// A summary with text of its own is a sibling of the sections.
			[]string{"Executive Summary", "Section 1. Respect for the Integrity of the Person", "  a. Arbitrary Deprivation of Life", "  b. Disappearance", "Section 2. Respect for Civil Liberties", "  a. Freedom of Expression"}},
		{"PlainGroupInNumbered", "Section 7. Worker Rights\n\na. Freedom of Association\n\nText.\n\nAcceptable Work Conditions\n\nWage and Hour Laws\n\nText.\n\nOccupational Safety\n\nText.\n\nb. Disappearance\n\nText.",
			[]string{"Section 7. Worker Rights", "  a. Freedom of Association", "    Acceptable Work Conditions", "      Wage and Hour Laws", "      Occupational Safety", "  b. Disappearance"}},
		{"Decimal", "1. Introduction\n\nText.\n\n1.1 Scope\n\nText.\n\n1.2 Method\n\nText.\n\n2. Findings\n\nText.",
			[]string{"1. Introduction", "  1.1 Scope", "  1.2 Method", "2. Findings"}},
		{"CapsGroups", "RESILIENCE\nLEADERSHIP\nText.\n\nJUSTICE\nText.",
			[]string{"RESILIENCE", "  LEADERSHIP", "  JUSTICE"}},
		{"NotHeadings", "1. The president is elected for seven years.\n\nA. Smith said so.\n\nHe was elected in 2003, and\n\nthe vote was not free.\n\nU.S. aid fell. Officials cut programs\n\nText.",
			nil},
		{"Roman", "I. Background\n\nText.\n\nA. History\n\nText.\n\nII. Findings\n\nText.\n\nIII. Method\n\nText.\n\nIV. Limits\n\nText.\n\nV. Summary\n\nText.",
			[]string{"I. Background", "  A. History", "II. Findings", "III. Method", "IV. Limits", "V. Summary"}},
		{"LetteredInBrackets", "(a) First\n\nText.\n\n(b) Second\n\nText.\n\n(c) Third\n\nText.\n\n(h) Eighth\n\nText.\n\n(i) Ninth\n\nText.",
			[]string{"(a) First", "(b) Second", "(c) Third", "(h) Eighth", "(i) Ninth"}},
		{"RomanInBrackets", "(i) First item\n\nText.\n\n(ii) Second item\n\nText.\n\n(iv) Fourth item\n\nText.\n\n(v) Fifth item\n\nText.\n\n(x) Tenth item\n\nText.",
			[]string{"(i) First item", "(ii) Second item", "(iv) Fourth item", "(v) Fifth item", "(x) Tenth item"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := Normalize(tt.in)
			checkDoc(t, d)
			if got := outlineOf(d); !slices.Equal(got, tt.want) {
				t.Errorf("outline\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// page is a paragraph of about a page's text (400 runes and more).
func page(name string) string {
	return strings.TrimSpace(strings.Repeat("The "+name+" page goes on with its words. ", 12))
}

func TestFurniture(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"FormFeedsRunningHeader", "Report 2023 | Azerbaijan\nFirst page text that\nruns on.\n1\fReport 2023 | Azerbaijan\nSecond page text.\n2\fReport 2023 | Azerbaijan\nThird page.\n3",
			"First page text that runs on.\n\nSecond page text.\n\nThird page."},
		{"SentenceOverPage", "the country is a source and transit point for irregular\n\n4\n\nGLOBAL ORGANIZED CRIME INDEX 2023\n\nmigration. Nationals use smugglers.",
			"the country is a source and transit point for irregular migration. Nationals use smugglers."},
		{"CountedPages", page("A") + "\n\n1\n\n" + page("B") + "\n\n2\n\n" + page("C") + "\n\n3\n\nEnd.",
			page("A") + "\n\n" + page("B") + "\n\n" + page("C") + "\n\nEnd."},
		{"CountedPagesWithAList", page("A") + "\n\n1\n\n" + page("B") + "\n\nSteps:\n\n1\n\nFirst.\n\n2\n\nSecond.\n\n" + page("C") + "\n\n2\n\n" + page("D") + "\n\n3\n\nEnd.",
			page("A") + "\n\n" + page("B") + "\n\nSteps:\n\n1\n\nFirst.\n\n2\n\nSecond.\n\n" + page("C") + "\n\n" + page("D") + "\n\nEnd."},
		{"TableOfNumbers", "Seizures:\n\n1\n\n12 kg\n\n2\n\n40 kg\n\n3\n\n7 kg", "Seizures:\n\n1\n\n12 kg\n\n2\n\n40 kg\n\n3\n\n7 kg"},
		{"TableOfYears", "By year\n\n2019\n\n4,100\n\n2020\n\n4,300\n\n2021\n\n4,500", "By year\n\n2019\n\n4,100\n\n2020\n\n4,300\n\n2021\n\n4,500"},
		{"ScoreAtPageEdge", "A1 score\n3 / 4\fText.\n0 / 4", "A1 score\n\n3 / 4\n\nText. 0 / 4"},
		{"CapitalsInSentenceTwice", "funded by the\nUNITED NATIONS\nand ran until March. Then funded by the\nUNITED NATIONS\nand ran again.",
			"funded by the UNITED NATIONS and ran until March. Then funded by the UNITED NATIONS and ran again."},
		{"PageWordFormat", "Text that goes\n\nPage 7 of 20\n\non here.", "Text that goes on here."},
		{"NumberIsContent", "The seizures:\n\n2020\n\nThe figure rose.", "The seizures:\n\n2020\n\nThe figure rose."},
		{"LoneNumberNotInSentence", "It ended.\n\n12\n\nNext part.", "It ended.\n\n12\n\nNext part."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := Normalize(tt.in)
			if d.Text != tt.want {
				t.Errorf("got\n%q\nwant\n%q", d.Text, tt.want)
			}
			checkDoc(t, d)
		})
	}
}

func TestCharacters(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"NFC", "Ciga\u0301nska", "Cigánska"},
		{"SoftHyphenInWord", "con\u00ADstruction", "construction"},
		{"SoftHyphenLine", "well or\n\u00AD\nganised.", "well organised."},
		{"SoftHyphenOpensLine", "well or\n\u00ADganised.", "well organised."},
		{"ZeroWidth", "traf\u200Bficking Ali\u2060yev \uFEFFBaku", "trafficking Aliyev Baku"},
		{"ZWNJKeptInPersian", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"},
		{"ZWJDroppedInLatin", "a\u200Db", "ab"},
		{"LineEndHyphenKept", "South-\neastern Asia.", "South-eastern Asia."},
		{"LineEndHyphenDropped", "forms of exploita-\ntion. Sexual exploitation is common.", "forms of exploitation. Sexual exploitation is common."},
		{"HyphenatedElsewhere", "Nagorno-\nKarabakh and the Nagorno-Karabakh war.", "Nagorno-Karabakh and the Nagorno-Karabakh war."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in).Text; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLargeText normalises inputs built to make normalising slow (each
// once took minutes on a few hundred KB; timing is not asserted).
func TestLargeText(t *testing.T) {
	in := strings.Repeat("word abc-\n", 100000)
	d := Normalize(in)
	if want := strings.TrimSuffix(strings.Repeat("word abc-", 100000), "-"); strings.TrimSuffix(d.Text, "-") != want {
		t.Errorf("hyphenated line ends: got %.80q…", d.Text)
	}
	if k := NewKey(d.Text); len(k.Text) == 0 {
		t.Error("no key")
	}
}

func TestSplitSentences(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"Arrests rose in 2023.15 The ministry denied it.", []string{"Arrests rose in 2023.15", "The ministry denied it."}},
		{"Arrests rose sharply.7 The ministry denied it.", []string{"Arrests rose sharply.7", "The ministry denied it."}},
		{"It rose by 3.5 Million were affected.", []string{"It rose by 3.5 Million were affected."}},
		{"See Fig.2 Below.", []string{"See Fig.2 Below."}},
		{"One. Two? Three", []string{"One.", "Two?", "Three"}},
		{"Mr. Aliyev won. e.g. this", []string{"Mr. Aliyev won. e.g. this"}},
		{"Law No.5 On Mass Media was passed. Decree No.12 The ministry objected.", []string{"Law No.5 On Mass Media was passed.", "Decree No.12 The ministry objected."}},
		{"See Art.5 The law. It cost 2500.50 Dollars.", []string{"See Art.5 The law.", "It cost 2500.50 Dollars."}},
		{"It was \"final.\"3 Then it changed.", []string{"It was \"final.\"3", "Then it changed."}},
	} {
		var got []string
		for _, sp := range SplitSentences(tt.in) {
			got = append(got, tt.in[sp[0]:sp[1]])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}
