package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"vetted/review"
)

func cmdScores(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("scores: say import or list")
	}
	switch args[0] {
	case "import":
		return cmdScoresImport(ctx, e, args[1:])
	case "list":
		return cmdScoresList(ctx, e, args[1:])
	}
	return usagef("scores: unknown subcommand %q: use import or list", args[0])
}

// thresholdFlag is the setting for queueing claims whose indicator's score
// moved: a number of points such as 1 or 0.5.
func thresholdFlag(fs *flag.FlagSet) *string {
	return fs.String("score-threshold", review.DefaultScoreThreshold.String(),
		"queue a claim when its indicator's score moves by at least this many `points` while its text is unchanged")
}

func parseThreshold(v string) (review.Score, error) {
	s, err := review.ParseScore(v)
	if err != nil || s > review.ScoreMax {
		return 0, usagef("--score-threshold %q is not a number of points from 0 to 10, such as 1 or 0.5", v)
	}
	return s, nil
}

func cmdScoresImport(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "scores import", "scores import [--db PATH] --edition LABEL [--actor NAME] [--replace] [--score-threshold POINTS] [--json] FILE.csv")
	dbPath := dbFlag(fs)
	label := fs.String("edition", "", "the Index's edition the sheet scores, e.g. 2023")
	actorName := fs.String("actor", "", "user `name` the import is recorded under (default: system)")
	replace := fs.Bool("replace", false, "replace the scores already imported for the edition")
	threshold := thresholdFlag(fs)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args, 1, 1); err != nil {
		return err
	}
	if *label == "" {
		return usagef("scores import: --edition is required")
	}
	th, err := parseThreshold(*threshold)
	if err != nil {
		return err
	}
	data, err := readFileLimited(fs.Arg(0), review.MaxScoreSheetBytes)
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	db.ScoreThreshold = th
	a, err := resolveActor(ctx, db, *actorName)
	if err != nil {
		return err
	}
	res, err := db.ImportScores(ctx, a, review.NewScoreSheet{Edition: *label, Original: data, Replace: *replace})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if res.Unchanged {
		fmt.Fprintf(e.stdout, "scores %s: already imported from this file (SHA-256 %s); nothing changed\n", res.Edition, res.SHA256)
		return nil
	}
	verb := "imported"
	if res.Replaced {
		verb = "replaced"
	}
	fmt.Fprintf(e.stdout, "scores %s %s: %d countries, %d scores, SHA-256 %s\n", res.Edition, verb, res.Countries, res.Scores, res.SHA256)
	if len(res.Mismatches) == 0 {
		fmt.Fprintln(e.stdout, "averages: every average the sheet gives is what its indicators give")
	} else {
		fmt.Fprintf(e.stdout, "averages: %d do not add up (kept as the sheet gives them):\n", len(res.Mismatches))
		for _, m := range res.Mismatches {
			fmt.Fprintf(e.stdout, "  %s: %s is %s in the sheet, %s from its indicators\n", m.Country, m.Average, m.Sheet, m.Computed)
		}
	}
	fmt.Fprintf(e.stdout, "reports scored: %d", len(res.Reports))
	for i, r := range res.Reports {
		if i == 0 {
			fmt.Fprint(e.stdout, " (")
		} else {
			fmt.Fprint(e.stdout, ", ")
		}
		fmt.Fprint(e.stdout, r)
		if i == len(res.Reports)-1 {
			fmt.Fprint(e.stdout, ")")
		}
	}
	fmt.Fprintf(e.stdout, "; the other %d countries are kept for reports created later\n", res.Countries-len(res.Reports))
	fmt.Fprintf(e.stdout, "queued: %d claim(s) whose score and text disagree\n", res.Queued)
	return nil
}

func cmdScoresList(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "scores list", "scores list [--db PATH] --report SLUG [--json]")
	dbPath := dbFlag(fs)
	slug := fs.String("report", "", "report `slug`")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *slug == "" {
		return usagef("scores list: --report is required")
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	vs, err := db.ReportScores(ctx, *slug)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(vs)
	}
	tab := review.NewScoreTable(vs)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "INDICATOR\tKIND")
	for _, ed := range tab.Editions {
		fmt.Fprintf(tw, "\t%s", ed)
	}
	fmt.Fprintln(tw, "\tCHANGE")
	for _, in := range tab.Indicators() {
		fmt.Fprintf(tw, "%s\t%s", in.Name, in.Kind)
		for _, ed := range tab.Editions {
			if s, ok := tab.Get(in.Name, ed); ok {
				fmt.Fprintf(tw, "\t%s", s)
			} else {
				fmt.Fprint(tw, "\t-")
			}
		}
		change := ""
		if len(tab.Editions) > 0 {
			if d, ok := tab.Change(in.Name, tab.Editions[len(tab.Editions)-1]); ok {
				change = d.Signed()
			}
		}
		fmt.Fprintf(tw, "\t%s\n", change)
	}
	return tw.Flush()
}
