package review

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestParseScore(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Score
	}{
		{"4.0999999999999996", 410}, {"8.1300000000000008", 813}, {"1.5", 150}, {"3", 300},
		{"10", 1000}, {"4.08", 408}, {"4.8099999999999996", 481}, {"0.995", 0},
	} {
		got, err := ParseScore(tc.in)
		if tc.in == "0.995" {
			if err == nil {
				t.Errorf("ParseScore(%q) = %v, want an error (three real decimals)", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseScore(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "abc", "4,5", "-1", "1e2", "1/2", "0x10", "4.", ".5", "NaN", "Inf", " 4"} {
		if _, err := ParseScore(bad); err == nil {
			t.Errorf("ParseScore(%q): no error", bad)
		}
	}
	for s, want := range map[Score]string{410: "4.1", 150: "1.5", 300: "3", 408: "4.08", -150: "-1.5", 0: "0", 5: "0.05"} {
		if got := s.String(); got != want {
			t.Errorf("Score(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestCountryKey(t *testing.T) {
	for in, want := range map[string]string{
		"Congo, Dem. Rep.": "congo-dem-rep", "Congo, Dem, Rep,": "congo-dem-rep", "Côte d'Ivoire": "cote-d-ivoire",
		"eSwatini": "eswatini", "Eswatini": "eswatini", " Azerbaijan ": "azerbaijan", "St. Kitts and Nevis": "st-kitts-and-nevis",
	} {
		if got := CountryKey(in); got != want {
			t.Errorf("CountryKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func readSheet(tb testing.TB, name string) ScoreSheet {
	tb.Helper()
	b, err := os.ReadFile("../testdata/ocindex/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	sh, errs := ReadScoreSheet(b)
	if errs != nil {
		tb.Fatalf("%s: %v", name, errs)
	}
	return sh
}

// TestReadScoreSheetReal reads both published sheets: 193 countries each,
// every average adding up, and Azerbaijan's scores as the Index gives them.
func TestReadScoreSheetReal(t *testing.T) {
	for _, tc := range []struct {
		file                 string
		columns              int
		criminality, cocaine Score
	}{{"scores-2021.csv", 30, 508, 300}, {"scores-2023.csv", 36, 480, 150}} {
		sh := readSheet(t, tc.file)
		if len(sh.Rows) != 193 {
			t.Errorf("%s: %d countries, want 193", tc.file, len(sh.Rows))
		}
		if len(sh.Columns) != tc.columns {
			t.Errorf("%s: %d columns, want %d", tc.file, len(sh.Columns), tc.columns)
		}
		bad := 0
		for _, r := range sh.Rows {
			for _, c := range CheckAverages(r.Scores) {
				if !c.OK() {
					bad++
					t.Errorf("%s: %s: %s sheet %s, computed %s", tc.file, r.Country, c.Average, c.Sheet, c.Computed)
				}
			}
			if r.Key != "azerbaijan" {
				continue
			}
			got := map[string]Score{}
			for _, s := range r.Scores {
				got[s.Indicator] = s.Score
			}
			if got["Criminality"] != tc.criminality || got["Cocaine trade"] != tc.cocaine {
				t.Errorf("%s: Azerbaijan criminality %s, cocaine %s", tc.file, got["Criminality"], got["Cocaine trade"])
			}
		}
		if n := len(CheckAverages(sh.Rows[0].Scores)); n != 4 {
			t.Errorf("%s: %d averages checked per row, want 4", tc.file, n)
		}
	}
}

func TestReadScoreSheetErrors(t *testing.T) {
	b, err := os.ReadFile("../testdata/ocindex/scores-2021.csv")
	if err != nil {
		t.Fatal(err)
	}
	good := string(b)
	lines := strings.Split(strings.TrimSuffix(good, "\n"), "\n")
	with := func(i int, old, new string) string {
		ls := append([]string(nil), lines...)
		r := strings.Replace(ls[i], old, new, 1)
		if r == ls[i] {
			t.Fatalf("%q not on line %d", old, i+1)
		}
		ls[i] = r
		return strings.Join(ls, "\n") + "\n"
	}
	t.Run("OK quirks", func(t *testing.T) {
		crlf := "\ufeff" + strings.ReplaceAll(good, "\n", "\r\n")
		sh, errs := ReadScoreSheet([]byte(crlf))
		if errs != nil || len(sh.Rows) != 193 {
			t.Fatalf("BOM and CRLF: %d rows, %v", len(sh.Rows), errs)
		}
	})
	for _, tc := range []struct {
		name, sheet string
		line        int
		column, why string
	}{
		{"NotNumber", with(2, ",4.5,", ",four,"), 3, "Human trafficking", "not a number"},
		{"OutOfRange", with(2, ",4.5,", ",11,"), 3, "Human trafficking", "outside"},
		{"Zero", with(2, ",4.5,", ",0,"), 3, "Human trafficking", "outside"},
		{"Empty", with(2, ",4.5,", ",,"), 3, "Human trafficking", "no score"},
		{"Decimals", with(2, ",4.5,", ",4.125,"), 3, "Human trafficking", "more than two decimals"},
		{"Duplicate", good + lines[5] + "\n", 195, "Country", "already on line 6"},
		{"UnknownColumn", with(0, "Flora crimes", "Flower crimes"), 1, "Flower crimes", "not an indicator"},
		{"ColumnTwice", with(0, "Flora crimes", "Fauna crimes"), 1, "Fauna crimes", "twice"},
		{"NoCountry", with(0, "Country", "Nation"), 1, "Nation", "not an indicator"},
		{"ShortRow", with(7, ",3.5", ""), 8, "", "cells, but the header"},
		{"NotUTF8", with(9, "a", "\xff"), 10, "", "not UTF-8"},
		{"BareQuote", with(4, ",", `,"x`), 5, "", "not CSV"},
		{"Empty sheet", "", 1, "", "empty"},
		{"Header only", lines[0] + "\n", 2, "", "no countries"},
		{"Huge", strings.Repeat("x", MaxScoreSheetBytes+1), 1, "", "larger than"},
		{"TooManyRows", lines[0] + "\n" + manyRows(lines[1], MaxScoreRows+5), MaxScoreRows + 2, "", "more than 1000 rows"},
		{"TooManyErrors", lines[0] + "\n" + strings.Repeat(lines[1]+"\n", MaxScoreRows), 3, "Country", "already on line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh, errs := ReadScoreSheet([]byte(tc.sheet))
			if errs == nil {
				t.Fatalf("no error; %d rows", len(sh.Rows))
			}
			e := errs[0]
			if e.Line != tc.line || e.Column != tc.column || !strings.Contains(e.Reason, tc.why) {
				t.Errorf("first error %+v; want line %d, column %q, %q (all: %v)", e, tc.line, tc.column, tc.why, errs)
			}
		})
	}
	t.Run("EveryBadRow", func(t *testing.T) {
		s := with(2, ",4.5,", ",x,")
		ls := strings.Split(s, "\n")
		ls[100] = strings.Replace(ls[100], ",", ",,", 1)
		_, errs := ReadScoreSheet([]byte(strings.Join(ls, "\n")))
		if len(errs) != 2 || errs[0].Line != 3 || errs[1].Line != 101 {
			t.Errorf("errors %v; want lines 3 and 101", errs)
		}
	})
}

// manyRows repeats a row n times, each under another country's name.
func manyRows(row string, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Replace(row, "Turkey", fmt.Sprintf("Country %d", i), 1) + "\n")
	}
	return b.String()
}

func TestScoreTable(t *testing.T) {
	tab := NewScoreTable([]ScoreValue{
		{"Cocaine trade", KindMarket, "2023", 150}, {"Cocaine trade", KindMarket, "2021", 300},
		{"Cyber-dependent crimes", KindMarket, "2023", 300},
	})
	if got, ok := tab.Change("Cocaine trade", "2023"); !ok || got != -150 {
		t.Errorf("cocaine change %v %v, want -1.5", got, ok)
	}
	if _, ok := tab.Change("Cyber-dependent crimes", "2023"); ok {
		t.Error("a change for an indicator first scored in 2023")
	}
	if _, ok := tab.Change("Cocaine trade", "2021"); ok {
		t.Error("a change for the first edition")
	}
}

func TestSuggestIndicator(t *testing.T) {
	for _, tc := range []struct{ heading, sentence, want string }{
		{"PEOPLE", "Human trafficking in Azerbaijan generally takes the form of sexual exploitation and forced labour.", "Human trafficking"},
		{"PEOPLE", "Foreign nationals from across the Middle East are smuggled through Azerbaijan; human smugglers help.", "Human smuggling"},
		{"DRUGS", "Beyond news of sporadic seizures of cocaine, little information exists.", "Cocaine trade"},
		{"DRUGS", "A significant domestic demand exists in Azerbaijan.", "Heroin trade"},
		{"ENVIRONMENT", "Azerbaijan hosts a large illicit caviar trade.", "Fauna crimes"},
		{"", "Cannabis is grown locally.", "Cannabis trade"},
	} {
		got, ok := SuggestIndicator(tc.heading, tc.sentence)
		if !ok || got.Name != tc.want {
			t.Errorf("SuggestIndicator(%q, %q) = %q, want %q", tc.heading, tc.sentence, got.Name, tc.want)
		}
	}
}

// FuzzReadScoreSheet: the reader never panics, and a sheet it accepts has
// every score within 1 to 10 and every country once.
func FuzzReadScoreSheet(f *testing.F) {
	f.Add([]byte("Country,Cocaine trade,Criminality avg,\nAzerbaijan,1.5,4.8\n"))
	f.Add([]byte("\ufeffCountry,Heroin trade\r\nX,4.0999999999999996\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sh, errs := ReadScoreSheet(b)
		if errs != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range sh.Rows {
			if seen[r.Key] || r.Key == "" {
				t.Fatalf("country %q twice or empty", r.Country)
			}
			seen[r.Key] = true
			for _, s := range r.Scores {
				if s.Score < ScoreMin || s.Score > ScoreMax {
					t.Fatalf("score %v kept", s.Score)
				}
			}
		}
	})
}

func TestScoreFlag(t *testing.T) {
	for _, tc := range []struct {
		name          string
		match         Outcome
		before, after Score
		want          FlagKind
	}{
		{"MovedDown", OutcomeUnchanged, 300, 150, FlagScoreMoved},
		{"MovedUp", OutcomeUnchanged, 400, 500, FlagScoreMoved},
		{"MovedLittle", OutcomeUnchanged, 600, 650, ""},
		{"FlatUnchanged", OutcomeUnchanged, 450, 450, ""},
		{"FlatChanged", OutcomeChanged, 450, 450, FlagScoreFlat},
		{"FlatMissing", OutcomeMissing, 450, 450, FlagScoreFlat},
		{"MovedChanged", OutcomeChanged, 300, 150, ""},
		{"Original", OutcomeOriginal, 300, 150, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := ScoreFlag(7, "Cocaine trade", tc.match, "2021", "2023", tc.before, tc.after, DefaultScoreThreshold)
			if ok != (tc.want != "") || f.Kind != tc.want {
				t.Fatalf("ScoreFlag = %+v, %v; want kind %q", f, ok, tc.want)
			}
			if ok && (f.Subject != "2023/Cocaine trade" || !strings.Contains(f.Reason, tc.after.String()) || !strings.Contains(f.Reason, "2021")) {
				t.Errorf("flag %+v: subject or numbers missing", f)
			}
		})
	}
	f, _ := ScoreFlag(7, "Cocaine trade", OutcomeUnchanged, "2021", "2023", 300, 150, DefaultScoreThreshold)
	if want := "Cocaine trade scored 3 in 2021 and 1.5 in 2023 (-1.5), but the quote is unchanged in 2023."; f.Reason != want {
		t.Errorf("reason %q, want %q", f.Reason, want)
	}
}
