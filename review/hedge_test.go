package review

import (
	"strings"
	"testing"

	"vetted/review/text"
)

func TestHedgeWords(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"None", "Azerbaijan hosts a large illicit caviar trade.", nil},
		{"One", "Filipino women are reportedly vulnerable to domestic servitude.", []string{"reportedly"}},
		{"InOrder", "Limited information points towards a group which allegedly has a large membership.", []string{"limited information", "allegedly"}},
		{"CaseInsensitive", "ALLEGEDLY, Reportedly", []string{"allegedly", "reportedly"}},
		{"Deduplicated", "allegedly this, allegedly that, reportedly", []string{"allegedly", "reportedly"}},
		{"LongestMatch", "imports could possibly nurture a market", []string{"could possibly"}},
		{"Phrase", "Azerbaijan appears to be the main transit point", []string{"appears to"}},
		{"PhraseOverLineBreak", "further\nresearch  is needed", []string{"further research is needed"}},
		{"NotInsideWords", "unapparently inapparent disallegedly impossibly reportedlyx", nil},
		{"NotSplitPhrase", "it appears that, to be fair", nil},
		{"Apparent", "there are apparent transparency issues", nil},
		{"Hyphen", "the so-called allegedly-corrupt", []string{"allegedly"}},
		{"Apostrophe", "the group’s supposedly large", []string{"supposedly"}},
		{"Empty", "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := HedgeWords(tt.in)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("ListIsLowerCaseAndUnique", func(t *testing.T) {
		seen := map[string]bool{}
		for _, p := range HedgePhrases {
			if p != strings.ToLower(p) || strings.Join(hedgeWords(p), " ") != p || seen[p] {
				t.Errorf("%q: not lower case, not plain words, or listed twice", p)
			}
			seen[p] = true
			if got := HedgeWords("x " + p + " y"); len(got) != 1 || got[0] != p {
				t.Errorf("%q: found %q in a sentence holding it", p, got)
			}
		}
	})
}

func TestSentences(t *testing.T) {
	d := text.Normalize(seedText(t))
	got := Sentences(d)
	find := func(t *testing.T, prefix string) Sentence {
		t.Helper()
		for _, s := range got {
			if strings.HasPrefix(s.Text, prefix) {
				return s
			}
		}
		t.Fatalf("no sentence starts with %q", prefix)
		return Sentence{}
	}

	t.Run("Seed", func(t *testing.T) {
		for _, tt := range []struct {
			text    string // whole sentence
			section string
			hedges  []string
		}{
			{"Limited information points towards the existence of a single mafia-style group, Cigánska mafia, which allegedly has a large membership but whose structure is unknown.",
				"CRIMINAL ACTORS", []string{"limited information", "allegedly"}},
			{"Azerbaijan appears to be the main transit point for heroin and opium trafficked from Iran and Afghanistan to Russia and the EU.",
				"DRUGS", []string{"appears to"}},
			{"Azerbaijan hosts a large illicit caviar trade.", "ENVIRONMENT", nil},
			{"Along with enabling the bribery of officials, the sector has allowed Azerbaijani heads of state to sustain patronage networks, which in turn uphold the regime.",
				"ENVIRONMENT", nil},
			{"Reports suggest that a vertical integration of corruption networks exists in Azerbaijan, where bribes collected as fake fines at the street level are sent upward, pooled together and then distributed down the chain as ‘envelope salaries’, as they are commonly known.",
				"LEADERSHIP AND GOVERNANCE", []string{"reports suggest"}},
			{"Although arms trafficking is reportedly extremely limited in Azerbaijan, increased legal arms imports to both countries could possibly nurture an illicit market.",
				"TRADE", []string{"reportedly", "could possibly"}},
			{"Implementation is, however, lacking.", "LEADERSHIP AND GOVERNANCE", nil},
		} {
			s := find(t, tt.text[:30])
			if s.Text != tt.text || s.Section != tt.section || strings.Join(s.Hedges, "|") != strings.Join(tt.hedges, "|") {
				t.Errorf("got %q in %q with %q\nwant %q in %q with %q", s.Text, s.Section, s.Hedges, tt.text, tt.section, tt.hedges)
			}
		}
		// The seed has 84 full stops, all ending sentences, and no other
		// sentence ends.
		if n := len(got); n != 84 {
			t.Errorf("got %d sentences, want 84", n)
		}
	})

	t.Run("Consistent", func(t *testing.T) {
		prevEnd := 0
		for _, s := range got {
			if s.Start < prevEnd || s.End <= s.Start || d.Text[s.Start:s.End] != s.Text {
				t.Fatalf("sentence [%d,%d) %q out of order or not the text", s.Start, s.End, s.Text)
			}
			if strings.Contains(s.Text, "\n") || strings.TrimSpace(s.Text) != s.Text {
				t.Errorf("sentence %q crosses a line or has white space at its ends", s.Text)
			}
			if sec, ok := d.SectionAt(s.Start); !ok || sec.Heading != s.Section {
				t.Errorf("sentence %q: section %q, SectionAt says %q", s.Text, s.Section, sec.Heading)
			}
			for _, sec := range d.Sections {
				if s.Text == sec.Heading {
					t.Errorf("heading %q taken for a sentence", s.Text)
				}
			}
			prevEnd = s.End
		}
	})

	t.Run("Splitting", func(t *testing.T) {
		for _, tt := range []struct {
			name, in string
			want     []string
		}{
			{"Plain", "One. Two! Three? Four", []string{"One.", "Two!", "Three?", "Four"}},
			{"Abbreviation", "Some groups, e.g. the mafia, trade. Others do not.", []string{"Some groups, e.g. the mafia, trade.", "Others do not."}},
			{"AbbreviationBeforeCapital", "It was seized by Mr. Smith in the U.S. Army base. Then it was sold.", []string{"It was seized by Mr. Smith in the U.S. Army base.", "Then it was sold."}},
			{"Initials", "A report by J. R. Smith says so. Another disagrees.", []string{"A report by J. R. Smith says so.", "Another disagrees."}},
			{"Decimal", "Scores rose by 3.5 points. They fell later.", []string{"Scores rose by 3.5 points.", "They fell later."}},
			{"ClosingQuote", "They are paid ‘envelope salaries.’ These are common.", []string{"They are paid ‘envelope salaries.’", "These are common."}},
			{"Ellipsis", "It went on... Then stopped.", []string{"It went on...", "Then stopped."}},
			{"Paragraphs", "One more.\n\nTwo. Three", []string{"One more.", "Two.", "Three"}},
			{"Headings", "TRADE\n\nOne. Two.\n\nDRUGS\n\nThree.", []string{"One.", "Two.", "Three."}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var got []string
				for _, s := range Sentences(text.Normalize(tt.in)) {
					got = append(got, s.Text)
				}
				if strings.Join(got, "|") != strings.Join(tt.want, "|") {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			})
		}
	})

	t.Run("Empty", func(t *testing.T) {
		if got := Sentences(text.Document{}); len(got) != 0 {
			t.Errorf("got %v", got)
		}
	})
}
