package review_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"vetted/review"
	"vetted/store"
)

// claimJSON is what a claim shows, for comparing a replayed claim with the
// stored one (AuthorID is not in the history: it is not shown either).
func claimJSON(t *testing.T, c review.Claim) string {
	t.Helper()
	c.Current.AuthorID, c.Latest.AuthorID, c.ReportID = 0, 0, 0
	for i := range c.Revisions {
		c.Revisions[i].AuthorID = 0
	}
	b, err := json.MarshalIndent(struct {
		review.Claim
		Current review.Revision
	}{c, c.Current}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// step is one change to the demo, made at a fixed time.
type step struct {
	name string
	at   time.Time
	do   func(ctx context.Context) error
}

func TestClaimAsOf(t *testing.T) {
	db, clk := MustDemoDB(t)
	ctx := context.Background()
	rey, eda, ed := mustUser(t, db, "rey"), mustUser(t, db, "eda"), mustUser(t, db, "ed")
	const id = 2
	created := mustClaim(t, db, id).CreatedAt
	day := func(d int) time.Time { return time.Date(2026, 2, d, 10, 0, 0, 0, time.UTC) }
	var flagID, proposed int64
	steps := []step{
		{"approve", day(1), func(ctx context.Context) error {
			_, err := db.DecideRevision(ctx, ed, mustClaim(t, db, id).Latest.ID, true, "Checked.")
			return err
		}},
		{"propose", day(2), func(ctx context.Context) error {
			c := mustClaim(t, db, id)
			rev, err := db.ProposeRevision(ctx, rey, review.NewRevision{ClaimID: id, BaseID: c.Latest.ID,
				Statement: "Trafficking in Azerbaijan is mostly for sex and labour", Confidence: review.ConfidenceModerate,
				Hedge: "generally", Reason: "Softer wording."})
			proposed = rev.ID
			return err
		}},
		{"note", day(3), func(ctx context.Context) error {
			_, err := db.AddNote(ctx, rey, review.NewNote{ClaimID: id, Body: "Check the 2023 TIP report."})
			return err
		}},
		{"flag", day(4), func(ctx context.Context) error {
			f, err := db.RaiseFlag(ctx, rey, review.NewFlag{ClaimID: id, Kind: review.FlagDisputed, Reason: "NGOs disagree."})
			flagID = f.ID
			return err
		}},
		{"reject", day(5), func(ctx context.Context) error {
			_, err := db.DecideRevision(ctx, eda, proposed, false, "Too vague.")
			return err
		}},
		{"resolve", day(6), func(ctx context.Context) error {
			_, err := db.ResolveFlag(ctx, eda, review.FlagResolution{FlagID: flagID, Resolution: "Sources agree."})
			return err
		}},
		{"import", day(7), func(ctx context.Context) error {
			secondEdition(t, db)
			return nil
		}},
	}
	snaps := []string{claimJSON(t, mustClaim(t, db, id))}
	for _, s := range steps {
		clk.Set(s.at)
		if err := s.do(ctx); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		snaps = append(snaps, claimJSON(t, mustClaim(t, db, id)))
	}
	if c := mustClaim(t, db, id); len(c.Appearances) != 2 || c.Latest.Edition != "2023" {
		t.Fatalf("the import should have carried the claim, changed, into 2023: %+v", c.Appearances)
	}

	asOf := func(t *testing.T, at time.Time) string {
		t.Helper()
		st, err := db.ClaimAsOf(ctx, id, at)
		if err != nil {
			t.Fatal(err)
		}
		if !st.AsOf.Equal(at) || st.Seq == 0 {
			t.Errorf("as_of %v seq %d", st.AsOf, st.Seq)
		}
		return claimJSON(t, st.Claim)
	}
	t.Run("OK", func(t *testing.T) {
		for i, s := range steps {
			for _, at := range []time.Time{s.at, s.at.Add(500 * time.Millisecond)} {
				if got, want := asOf(t, at), snaps[i+1]; got != want {
					t.Errorf("after %s, as of %v:\ngot  %s\nwant %s", s.name, at, got, want)
				}
			}
			if got, want := asOf(t, s.at.Add(-time.Microsecond)), snaps[i]; got != want {
				t.Errorf("just before %s:\ngot  %s\nwant %s", s.name, got, want)
			}
		}
	})
	t.Run("Values", func(t *testing.T) {
		st, err := db.ClaimAsOf(ctx, id, day(5).Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st.Latest.State != review.StateRejected || st.Current.Statement != "Human trafficking in Azerbaijan is mainly sexual exploitation and forced labour" ||
			len(st.Flags) != 1 || len(st.Notes) != 1 || st.Current.Confidence != review.ConfidenceHigh {
			t.Errorf("as of day 5: latest %s, current %q (%s), %d open flags, %d notes", st.Latest.State, st.Current.Statement,
				st.Current.Confidence, len(st.Flags), len(st.Notes))
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for name, tc := range map[string]struct {
			id int64
			at time.Time
		}{
			"BeforeCreation": {id, created.Add(-time.Microsecond)},
			"NoSuchClaim":    {9999, day(28)},
		} {
			if _, err := db.ClaimAsOf(ctx, tc.id, tc.at); review.ErrorCode(err) != review.ENOTFOUND {
				t.Errorf("%s: got %v, want ENOTFOUND", name, err)
			}
		}
	})
	t.Run("WholeHistory", func(t *testing.T) {
		// Replaying every event, not only the claim's, gives the same.
		var all []review.Event
		if err := db.EachEvent(ctx, review.EventFilter{}, func(e review.Event) error { all = append(all, e); return nil }); err != nil {
			t.Fatal(err)
		}
		st, err := review.ClaimAsOf(id, all, day(28))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := claimJSON(t, st.Claim), snaps[len(snaps)-1]; got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	})
	t.Run("Retired", func(t *testing.T) {
		// Claim 5 went missing in 2023; retiring it is replayed too.
		c := mustClaim(t, db, 5)
		if len(c.Flags) == 0 {
			t.Fatal("claim 5 has no outdated flag")
		}
		clk.Set(day(8))
		if _, err := db.ResolveFlag(ctx, eda, review.FlagResolution{FlagID: c.Flags[len(c.Flags)-1].ID, Resolution: "Dropped.", Retire: true}); err != nil {
			t.Fatal(err)
		}
		st, err := db.ClaimAsOf(ctx, 5, day(9))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := claimJSON(t, st.Claim), claimJSON(t, mustClaim(t, db, 5)); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
		if st.RetiredIn != "2023" {
			t.Errorf("retired_in %q", st.RetiredIn)
		}
	})
}

func mustClaim(t *testing.T, db *store.DB, id int64) review.Claim {
	t.Helper()
	c, err := db.FindClaim(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// event makes a hashed event.
func event(seq int64, action, entityType, entityID, after string) review.Event {
	e := review.Event{Seq: seq, Time: "2026-01-01T00:00:00.000000Z", Actor: "rey", ActorRole: "reviewer", Action: action,
		EntityType: entityType, EntityID: entityID, After: after, PrevHash: review.GenesisHash}
	e.Hash = review.ComputeHash(e)
	return e
}

const createdAfter = `{"claim":{"id":1,"report":"r"},"revision":{"id":1,"claim":1,"statement":"S","confidence":"low","evidence":[],"author":"rey","created_at":"2026-01-01T00:00:00Z","state":"pending"},"appearance":{"claim":1,"edition":"1","match":"original","similarity":1,"exact":"x","prefix":"","suffix":"","start":0,"end":1,"section":"","created_at":"2026-01-01T00:00:00Z"}}`

func TestClaimAsOfEvents(t *testing.T) {
	at := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		st, err := review.ClaimAsOf(1, []review.Event{
			event(1, "claim.created", "claim", "1", createdAfter),
			event(2, "user.created", "user", "9", `{"id":9}`),
			event(3, "note.added", "note", "1", `{"id":1,"claim":2,"body":"other claim"}`),
			event(4, "note.added", "note", "2", `{"id":2,"claim":1,"body":"ours"}`),
		}, at)
		if err != nil {
			t.Fatal(err)
		}
		if st.Latest.Statement != "S" || len(st.Notes) != 1 || st.Notes[0].Body != "ours" || st.Seq != 4 || st.CreatedBy != "rey" {
			t.Errorf("got %+v", st)
		}
	})
	for name, events := range map[string][]review.Event{
		"Tampered": func() []review.Event {
			e := event(1, "claim.created", "claim", "1", createdAfter)
			e.After = `{"claim":{"id":1,"report":"r"},"revision":{"id":1,"claim":1,"statement":"T"},"appearance":{}}`
			return []review.Event{e}
		}(),
		"UnknownAction": {event(1, "claim.created", "claim", "1", createdAfter), event(2, "claim.teleported", "claim", "1", `{}`)},
		"BadAfter":      {event(1, "claim.created", "claim", "1", createdAfter), event(2, "note.added", "note", "1", `[1]`)},
		"NoRevision":    {event(1, "claim.created", "claim", "1", `{"claim":{"id":1}}`)},
		"Twice":         {event(1, "claim.created", "claim", "1", createdAfter), event(2, "claim.created", "claim", "1", createdAfter)},
		"BeforeCreated": {event(1, "flag.raised", "flag", "1", `{"id":1,"claim":1,"kind":"other","reason":"r"}`)},
		"FlagNull":      {event(1, "claim.created", "claim", "1", createdAfter), event(2, "flag.resolved", "flag", "1", `{"flag":null}`)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := review.ClaimAsOf(1, events, at); review.ErrorCode(err) != review.EINTERNAL {
				t.Errorf("got %v, want EINTERNAL", err)
			}
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := review.ClaimAsOf(1, []review.Event{event(1, "claim.created", "claim", "1", createdAfter)}, at.AddDate(0, 0, -2))
		if review.ErrorCode(err) != review.ENOTFOUND {
			t.Errorf("got %v, want ENOTFOUND", err)
		}
	})
}

// FuzzClaimAsOf replays hostile after documents: it must refuse or
// rebuild, never panic.
func FuzzClaimAsOf(f *testing.F) {
	f.Add("claim.created", createdAfter)
	f.Add("claim.anchored", `{"appearance":{"edition":"2"},"revision":{"id":2,"claim":1},"flag":{"id":1,"claim":1}}`)
	f.Add("flag.resolved", `{"flag":{"id":1,"claim":1},"retired_in":"2","appearance":{"edition":"1"}}`)
	f.Add("revision.approved", `{"id":1,"claim":1,"state":"approved"}`)
	f.Fuzz(func(t *testing.T, action, after string) {
		events := []review.Event{event(1, "claim.created", "claim", "1", createdAfter), event(2, action, "claim", "1", after)}
		st, err := review.ClaimAsOf(1, events, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		if err == nil && st.ID != 1 {
			t.Errorf("rebuilt claim %d", st.ID)
		}
	})
}
