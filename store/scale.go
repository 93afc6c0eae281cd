package store

// This file generates data sets of a whole Index's size for the benchmark
// (cmd/vetted-bench's scale scenario) and, at small sizes, for the tests
// that check that a page's reads do not grow with the data. Everything goes
// through the audited API, so the records and their history agree.

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"vetted/review"
)

// Scale is the size of a generated data set.
type Scale struct {
	// Reports is how many reports are generated, each with two editions of
	// the demo text ("2021", and "2023" reworded, with one paragraph
	// dropped) and the demo's claims.
	Reports int
	// Events, when more than the generated records wrote, pads the history
	// up to this many with synthetic notes on the demo's claims, written
	// with their events (as SeedEvents writes events), so that the records
	// are still what the history says.
	Events int
}

// ScaleReport is the slug of the i-th generated report (from 0).
func ScaleReport(i int) string { return fmt.Sprintf("country-%04d", i) }

// SeedScale adds s.Reports generated reports to a database that LoadDemo
// filled (it uses the demo's users). For each report: the demo text as
// edition 2021, imported by an editor; the demo claims, proposed by the
// reviewer; every second claim approved and every tenth flagged as
// unverified; then edition 2023, whose import carries every claim forward
// (unchanged, changed or missing). edition and claims are the demo's files
// (vetted.DemoEdition, vetted.DemoClaims). Reports that exist are skipped,
// so a run can be resumed.
func (db *DB) SeedScale(ctx context.Context, edition, claims []byte, s Scale) error {
	users := map[string]review.User{}
	for _, name := range []string{"eda", "rey", "ed"} {
		u, err := db.FindUserByName(ctx, name)
		if err != nil {
			return fmt.Errorf("store: scale: the demo's users are needed (LoadDemo first): %w", err)
		}
		users[name] = u
	}
	later := rewordEdition(edition)
	lines, bad := review.ReadClaimFile(bytes.NewReader(claims))
	if len(bad) > 0 {
		return fmt.Errorf("store: scale: the claims file: %v", bad)
	}
	for i := range s.Reports {
		slug := ScaleReport(i)
		if _, err := db.FindReport(ctx, slug); err == nil {
			continue
		}
		title := fmt.Sprintf("Country %04d", i)
		if _, err := db.ImportEdition(ctx, users["eda"], review.NewEdition{Report: slug, Title: title,
			Label: "2021", Published: "2021-09-28", Original: edition}); err != nil {
			return fmt.Errorf("store: scale: %s 2021: %w", slug, err)
		}
		mine := make([]review.ParsedClaim, len(lines))
		for j, l := range lines {
			l.Claim.Report, l.Claim.Edition = slug, "2021"
			mine[j] = l
		}
		ids, err := db.ImportClaims(ctx, users["rey"], mine, nil)
		if err != nil {
			return fmt.Errorf("store: scale: %s claims: %w", slug, err)
		}
		for j, id := range ids {
			switch {
			case j%10 == 3:
				if _, err := db.RaiseFlag(ctx, users["ed"], review.NewFlag{ClaimID: id, Kind: review.FlagUnverified,
					Reason: "No second source found yet."}); err != nil {
					return fmt.Errorf("store: scale: flag: %w", err)
				}
			case j%2 == 0:
				c, err := db.FindClaim(ctx, id)
				if err != nil {
					return err
				}
				if len(c.Flags) > 0 || c.Latest.State != review.StatePending {
					continue
				}
				if _, err := db.DecideRevision(ctx, users["eda"], c.Latest.ID, true, "Matches the report's text."); err != nil {
					return fmt.Errorf("store: scale: approve: %w", err)
				}
			}
		}
		if _, err := db.ImportEdition(ctx, users["eda"], review.NewEdition{Report: slug,
			Label: "2023", Published: "2023-09-26", Original: later}); err != nil {
			return fmt.Errorf("store: scale: %s 2023: %w", slug, err)
		}
	}
	if s.Events > 0 {
		h, err := db.Head(ctx)
		if err != nil {
			return err
		}
		if n := int64(s.Events) - h.Seq; n > 0 {
			return db.seedEvents(ctx, int(n), true)
		}
	}
	return nil
}

// rewordEdition makes a later edition from text: a few words changed (some
// claims' quotes change, a hedge goes) and the fourth paragraph dropped
// (its claims go missing).
func rewordEdition(text []byte) []byte {
	s := strings.NewReplacer("allegedly", "reportedly", "significant", "considerable",
		"2020", "2022", "limited", "modest").Replace(string(text))
	paras := strings.Split(s, "\n\n")
	if len(paras) > 4 {
		paras = append(paras[:3], paras[4:]...)
	}
	return []byte(strings.Join(paras, "\n\n"))
}
