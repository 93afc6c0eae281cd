package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	sheet2021 = "../../testdata/ocindex/scores-2021.csv"
	sheet2023 = "../../testdata/ocindex/scores-2023.csv"
)

type scoreJSON struct {
	Indicator string  `json:"indicator"`
	Kind      string  `json:"kind"`
	Edition   string  `json:"edition"`
	Score     float64 `json:"score"`
}

type scoredClaim struct {
	ID          int64    `json:"id"`
	Topic       string   `json:"topic"`
	Indicator   string   `json:"indicator"`
	Score       *float64 `json:"score"`
	ScoreChange *float64 `json:"score_change"`
	Flags       []struct {
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
	} `json:"flags"`
}

// TestScores imports both published sheets end to end onto the seed, then
// the 2023 edition (the 2021 text again, so every quote is unchanged):
// the cocaine claim scores 1.5, down 1.5, and it and the synthetic-drug
// claims wait in the queue as "score moved, text unchanged"; claims on
// indicators whose score held are not queued.
func TestScores(t *testing.T) {
	db := setup(t)
	out := mustRun(t, "", "scores", "import", "--db", db, "--edition", "2021", "--actor", "eda", sheet2021)
	for _, want := range []string{"193 countries", "5790 scores", "every average the sheet gives is what its indicators give", "(azerbaijan)", "other 192 countries"} {
		if !strings.Contains(out, want) {
			t.Errorf("2021 import: %q not in\n%s", want, out)
		}
	}
	out = mustRun(t, "", "scores", "import", "--db", db, "--edition", "2023", "--actor", "eda", sheet2023)
	if !strings.Contains(out, "193 countries, 6948 scores") || !strings.Contains(out, "every average") {
		t.Errorf("2023 import:\n%s", out)
	}
	if out := mustRun(t, "", "scores", "import", "--db", db, "--edition", "2023", sheet2023); !strings.Contains(out, "nothing changed") {
		t.Errorf("same sheet again: %s", out)
	}
	seq := headSeq(t, db)
	if r := cli(t, "", "scores", "import", "--db", db, "--edition", "2023", sheet2021); r.code != exitFail || !strings.Contains(r.stderr, "--replace") {
		t.Errorf("another sheet for 2023: exit %d, %s", r.code, r.stderr)
	}
	if headSeq(t, db) != seq {
		t.Error("a refused import wrote to the history")
	}

	var vs []scoreJSON
	if err := json.Unmarshal([]byte(mustRun(t, "", "scores", "list", "--db", db, "--report", "azerbaijan", "--json")), &vs); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	kinds := map[string]string{}
	for _, v := range vs {
		got[v.Indicator+" "+v.Edition] = v.Score
		kinds[v.Indicator] = v.Kind
	}
	for k, want := range map[string]float64{"Cocaine trade 2021": 3, "Cocaine trade 2023": 1.5, "Criminality 2021": 5.08,
		"Criminality 2023": 4.8, "Criminal markets 2023": 4.1, "Synthetic drug trade 2023": 5, "Foreign actors 2023": 6} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if len(vs) != 30+36 {
		t.Errorf("%d scores for Azerbaijan, want 66", len(vs))
	}
	for ind, want := range map[string]string{"Criminality": "average", "Cocaine trade": "market", "Foreign actors": "actor", "Prevention": "resilience"} {
		if kinds[ind] != want {
			t.Errorf("%s is %q, want %q", ind, kinds[ind], want)
		}
	}

	// The 2023 text: the 2021 text with one human-trafficking sentence
	// reworded (its score held at 4.5).
	seed, err := os.ReadFile(seedText)
	if err != nil {
		t.Fatal(err)
	}
	text2023 := filepath.Join(t.TempDir(), "azerbaijan-2023.txt")
	reworded := strings.Replace(string(seed), "Filipino \nwomen are reportedly vulnerable", "Filipino \nwomen are reportedly highly vulnerable", 1)
	if reworded == string(seed) {
		t.Fatal("the Filipino sentence is not in the seed")
	}
	if err := os.WriteFile(text2023, []byte(reworded), 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, "", "import", "--db", db, "--report", "azerbaijan", "--edition", "2023", "--published", "2023-09-26", "--actor", "eda", text2023)
	if !strings.Contains(out, "claim(s) queued where the Index's score and the text disagree") {
		t.Errorf("import of 2023 says nothing of scores:\n%s", out)
	}
	var cs []scoredClaim
	if err := json.Unmarshal([]byte(mustRun(t, "", "claims", "list", "--db", db, "--report", "azerbaijan", "--edition", "2023", "--json")), &cs); err != nil {
		t.Fatal(err)
	}
	flagged := func(c scoredClaim, kind string) string {
		for _, f := range c.Flags {
			if f.Kind == kind {
				return f.Reason
			}
		}
		return ""
	}
	moved := func(c scoredClaim) string { return flagged(c, "score-moved") }
	flat := 0
	seen := map[string]bool{}
	for _, c := range cs {
		if c.Indicator != c.Topic {
			t.Errorf("claim %d: topic %q, indicator %q", c.ID, c.Topic, c.Indicator)
		}
		switch c.Topic {
		case "Cocaine trade":
			seen[c.Topic] = true
			if c.Score == nil || *c.Score != 1.5 || c.ScoreChange == nil || *c.ScoreChange != -1.5 {
				t.Errorf("cocaine claim %d: score %v, change %v; want 1.5, -1.5", c.ID, c.Score, c.ScoreChange)
			}
			if r := moved(c); !strings.Contains(r, "3 in 2021 and 1.5 in 2023") {
				t.Errorf("cocaine claim %d: score-moved reason %q", c.ID, r)
			}
		case "Synthetic drug trade":
			seen[c.Topic] = true
			if r := moved(c); !strings.Contains(r, "4 in 2021 and 5 in 2023 (+1)") {
				t.Errorf("synthetic drug claim %d: score-moved reason %q", c.ID, r)
			}
		case "Human trafficking":
			seen[c.Topic] = true
			if r := flagged(c, "score-flat"); r != "" {
				flat++
				if !strings.Contains(r, "Human trafficking scored 4.5 in both 2021 and 2023, but the quote is changed in 2023") {
					t.Errorf("score-flat reason %q", r)
				}
			}
			if r := moved(c); r != "" {
				t.Errorf("claim %d on %s (score held) queued as moved: %s", c.ID, c.Topic, r)
			}
		case "Heroin trade", "Foreign actors", "Fauna crimes":
			seen[c.Topic] = true
			if r := moved(c); r != "" {
				t.Errorf("claim %d on %s (score moved < 1) queued: %s", c.ID, c.Topic, r)
			}
		}
	}
	if len(seen) != 6 {
		t.Errorf("topics seen %v", seen)
	}
	if flat != 1 {
		t.Errorf("%d claims queued as 'text changed, score flat', want 1 (the reworded Filipino sentence)", flat)
	}
	// Importing the sheets again queues nothing twice.
	out = mustRun(t, "", "scores", "import", "--db", db, "--edition", "2023", "--replace", "--json", sheet2023)
	if !strings.Contains(out, `"queued": 0`) {
		t.Errorf("re-import queued again: %s", out)
	}
	// Everything this wrote is in the history: the records check agrees.
	if out := mustRun(t, "", "verify", "--db", db); !strings.Contains(out, "records OK") {
		t.Errorf("verify --db after the test: %s", out)
	}
}

// TestScoresBeforeReport: a sheet imported before its country's report
// exists is kept, and the report created later has its scores.
func TestScoresBeforeReport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vetted.db")
	mustRun(t, "", "migrate", "--db", db)
	out := mustRun(t, "", "scores", "import", "--db", db, "--edition", "2023", sheet2023)
	if !strings.Contains(out, "reports scored: 0;") {
		t.Errorf("import into an empty database: %s", out)
	}
	mustRun(t, "", "import", "--db", db, "--report", "cote-d-ivoire", "--edition", "2023", "--title", "Côte d'Ivoire", seedText)
	mustRun(t, "", "import", "--db", db, "--report", "country-5", "--edition", "2023", "--title", "St. Lucia", seedText)
	for slug, want := range map[string]string{"cote-d-ivoire": `"score": 6.02`, "country-5": `"indicator": "Criminality"`} {
		if out := mustRun(t, "", "scores", "list", "--db", db, "--report", slug, "--json"); !strings.Contains(out, want) {
			t.Errorf("%s: %q not in\n%.300s", slug, want, out)
		}
	}
}

// TestScoresImportErrors: a bad sheet is refused whole, every bad row named
// by line and column, and nothing is written.
func TestScoresImportErrors(t *testing.T) {
	db := setup(t)
	dir := t.TempDir()
	b, err := os.ReadFile(sheet2023)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	write := func(name string, edit func([]string)) string {
		ls := append([]string(nil), lines...)
		edit(ls)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(ls, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	seq := headSeq(t, db)
	for _, tc := range []struct {
		name string
		edit func([]string)
		want []string
	}{
		{"values", func(ls []string) {
			ls[2] = strings.Replace(ls[2], ",8.5,", ",eight,", 1)
			ls[40] = strings.Replace(ls[40], "Africa,", "Africa,,", 1)
			ls[99] = strings.Replace(ls[99], ",8.5,", ",12,", 1)
		}, []string{"3 bad line(s), nothing imported", `line 3, column "Human trafficking": "eight" is not a number`,
			"line 41: 40 cells, but the header names 39 columns", "line 100, column", "outside the Index's 1 to 10"}},
		{"duplicate", func(ls []string) { ls[50] = ls[10] }, []string{"line 51, column \"Country\"", "already on line 11"}},
		{"column", func(ls []string) { ls[0] = strings.Replace(ls[0], "Heroin trade", "Opium trade", 1) }, []string{`line 1, column "Opium trade": not an indicator`}},
		{"utf8", func(ls []string) { ls[7] = ls[7] + "\xfe" }, []string{"line 8: not UTF-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", "scores", "import", "--db", db, "--edition", "2023", write(tc.name+".csv", tc.edit))
			if r.code != exitFail {
				t.Fatalf("exit %d, want %d; stderr %s", r.code, exitFail, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("%q not in\n%s", w, r.stderr)
				}
			}
		})
	}
	if headSeq(t, db) != seq {
		t.Error("a refused import wrote to the history")
	}
	if out := mustRun(t, "", "scores", "list", "--db", db, "--report", "azerbaijan", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("scores after refused imports: %.200s", out)
	}
	for _, args := range [][]string{
		{"scores", "import", "--db", db, sheet2023},
		{"scores", "import", "--db", db, "--edition", "2023", "--score-threshold", "ten", sheet2023},
		{"scores", "list", "--db", db},
		{"scores", "bogus"},
	} {
		if r := cli(t, "", args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, r.code, exitUsage, r.stderr)
		}
	}
}

// TestScoreThreshold: the move that queues a claim is a setting; at 2
// points, cocaine's 1.5 is not enough, and at 0.5 heroin's is.
func TestScoreThreshold(t *testing.T) {
	for _, tc := range []struct {
		threshold       string
		cocaine, heroin bool
	}{{"2", false, false}, {"0.5", true, true}} {
		t.Run(tc.threshold, func(t *testing.T) {
			db := setup(t)
			mustRun(t, "", "scores", "import", "--db", db, "--edition", "2021", sheet2021)
			mustRun(t, "", "scores", "import", "--db", db, "--edition", "2023", sheet2023)
			mustRun(t, "", "import", "--db", db, "--report", "azerbaijan", "--edition", "2023", "--published", "2023-09-26",
				"--score-threshold", tc.threshold, seedText)
			var cs []scoredClaim
			if err := json.Unmarshal([]byte(mustRun(t, "", "claims", "list", "--db", db, "--report", "azerbaijan", "--json")), &cs); err != nil {
				t.Fatal(err)
			}
			queued := map[string]bool{}
			for _, c := range cs {
				for _, f := range c.Flags {
					if f.Kind == "score-moved" {
						queued[c.Topic] = true
					}
				}
			}
			if queued["Cocaine trade"] != tc.cocaine || queued["Heroin trade"] != tc.heroin {
				t.Errorf("queued %v; want cocaine %v, heroin %v", queued, tc.cocaine, tc.heroin)
			}
		})
	}
}

// TestScoresAveragesMismatch: an average that its indicators do not give
// is imported as the sheet says, and reported, not hidden.
func TestScoresAveragesMismatch(t *testing.T) {
	db := setup(t)
	b, err := os.ReadFile(sheet2021)
	if err != nil {
		t.Fatal(err)
	}
	const row = "Asia,Central Asia and the Caucasus,Azerbaijan,5.08,"
	if !strings.Contains(string(b), row) {
		t.Fatal("Azerbaijan's row is not in the 2021 sheet")
	}
	tampered := filepath.Join(t.TempDir(), "tampered.csv")
	if err := os.WriteFile(tampered, []byte(strings.Replace(string(b), row, "Asia,Central Asia and the Caucasus,Azerbaijan,5.5,", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "", "scores", "import", "--db", db, "--edition", "2021", tampered)
	if !strings.Contains(out, "averages: 1 do not add up") || !strings.Contains(out, "Azerbaijan: Criminality is 5.5 in the sheet, 5.08 from its indicators") {
		t.Errorf("mismatch not reported:\n%s", out)
	}
	if out := mustRun(t, "", "export", "--db", db, "--format", "jsonl"); !strings.Contains(out, `\"average\":\"Criminality\",\"sheet\":5.5,\"computed\":5.08`) {
		t.Errorf("the mismatch is not in the import's event")
	}
}
