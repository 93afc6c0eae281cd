package main

import (
	"context"
	"fmt"
	"time"

	"vetted/review"
)

// measureNotes measures audited note writes (store.AddNote: permission
// check, note row, chained history event, claim touched and re-indexed, one
// fsync'd transaction each) one after another, against raw single-row
// INSERT transactions on the same database and connection settings. The
// notes go round the demo claims, as a team's would. The sides alternate in
// three rounds.
func measureNotes(ctx context.Context, s sizes, tmpl, dir string) (section, error) {
	sec := section{Title: "Audited note writes, sequential"}
	db, err := openCopy(ctx, tmpl, dir, "notes.db")
	if err != nil {
		return sec, err
	}
	defer db.Close()
	us, err := users(ctx, db, "rey")
	if err != nil {
		return sec, err
	}
	rey := us["rey"]
	cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Limit: 1000})
	if err != nil {
		return sec, err
	}
	if len(cs) == 0 {
		return sec, fmt.Errorf("no demo claims")
	}
	notes := 0
	audited := func(d time.Duration) (int, time.Duration, error) {
		start := time.Now()
		n := 0
		for time.Since(start) < d {
			c := cs[notes%len(cs)]
			notes++
			if _, err := db.AddNote(ctx, rey, review.NewNote{ClaimID: c.ID,
				Body: fmt.Sprintf("Benchmark note %d: the figure matches the source's own table.", notes)}); err != nil {
				return n, 0, err
			}
			n++
		}
		return n, time.Since(start), nil
	}
	raw := func(d time.Duration) (int, time.Duration, error) {
		start := time.Now()
		n := 0
		for time.Since(start) < d {
			if err := db.RawInsertBaseline(ctx); err != nil {
				return n, 0, err
			}
			n++
		}
		return n, time.Since(start), nil
	}
	// Warm up: the scratch table, the statement caches, the WAL.
	if _, _, err := raw(s.NoteDuration / 10); err != nil {
		return sec, err
	}
	if _, _, err := audited(s.NoteDuration / 10); err != nil {
		return sec, err
	}
	const rounds = 3
	var an, rn int
	var at, rt time.Duration
	for r := 0; r < rounds; r++ {
		n, t, err := raw(s.NoteDuration / rounds)
		if err != nil {
			return sec, err
		}
		rn, rt = rn+n, rt+t
		n, t, err = audited(s.NoteDuration / rounds)
		if err != nil {
			return sec, err
		}
		an, at = an+n, at+t
	}
	head, err := db.VerifyChain(ctx)
	if err != nil {
		return sec, fmt.Errorf("history after the note writes: %w", err)
	}
	aRate, rRate := float64(an)/at.Seconds(), float64(rn)/rt.Seconds()
	r := ratio(aRate, rRate)
	sec.add("audited notes (AddNote)", aRate, "writes/s")
	sec.add("raw INSERT transactions (baseline)", rRate, "writes/s")
	sec.add("ratio audited / raw", r, "×")
	sec.add("audited note mean time", at.Seconds()/float64(an)*1000, "ms")
	sec.add("raw insert mean time", rt.Seconds()/float64(rn)*1000, "ms")
	sec.check("audited notes / raw inserts", fmt.Sprintf("%.3f", r), "≥ 0.5", r >= 0.5)
	sec.note("Both sides commit one transaction per write on the writer connection (WAL, synchronous=FULL, BEGIN IMMEDIATE), so both pay one WAL fsync per write; the raw side is store.RawInsertBaseline (store/bench.go).")
	sec.note("%d notes spread over the %d demo claims; the history verified afterwards (%d events).", notes, len(cs), head.Seq)
	return sec, nil
}
