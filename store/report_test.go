package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"vetted/review"
	"vetted/store"
)

func TestImportEdition(t *testing.T) {
	ctx := context.Background()
	text, err := os.ReadFile(seedText)
	must(t, err)
	t.Run("OK/Seed", func(t *testing.T) {
		db := MustOpenDB(t)
		ed, err := db.FindEdition(ctx, seedReport, seedEdition)
		must(t, err)
		original, err := db.EditionOriginal(ctx, seedReport, seedEdition)
		must(t, err)
		sum := sha256.Sum256(text)
		if ed.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(original, text) {
			t.Errorf("edition keeps sha %s and %d original bytes, want the file's", ed.SHA256, len(original))
		}
		if len(ed.Doc.Sections) != 10 {
			t.Errorf("%d sections, want the seed's 10 headings", len(ed.Doc.Sections))
		}
		if !strings.Contains(ed.Doc.Text, "South-eastern Asia") || !strings.Contains(ed.Doc.Text, "Along with enabling the bribery") {
			t.Error("normalised text lost the seed's joins")
		}
	})
	t.Run("OK/SameFileTwice", func(t *testing.T) {
		db := MustOpenDB(t)
		before, head := snapshot(t, db), mustHead(t, db)
		res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: seedEdition, Original: text})
		must(t, err)
		if !res.Unchanged {
			t.Error("re-import of the same file not reported as unchanged")
		}
		if mustHead(t, db) != head {
			t.Error("re-import wrote an event")
		}
		assertUnchanged(t, before, snapshot(t, db))
	})
	t.Run("ErrConflict/DifferentFileSameLabel", func(t *testing.T) {
		db := MustOpenDB(t)
		before := snapshot(t, db)
		other := append(bytes.Clone(text), "\nAn added paragraph.\n"...)
		for _, replace := range []bool{false, true} {
			_, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: seedEdition, Original: other, Replace: replace})
			if review.ErrorCode(err) != review.ECONFLICT || !strings.Contains(review.ErrorMessage(err), "published") {
				t.Errorf("replace=%v: %v, want ECONFLICT saying the edition is published", replace, err)
			}
		}
		assertUnchanged(t, before, snapshot(t, db))
	})
	t.Run("OK/ReplaceDraft", func(t *testing.T) {
		db := MustOpenDB(t)
		_, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023", Original: text, Draft: true})
		must(t, err)
		other := append(bytes.Clone(text), "\nAn added paragraph.\n"...)
		before := snapshot(t, db)
		_, err = db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023", Original: other, Draft: true})
		if review.ErrorCode(err) != review.ECONFLICT || !strings.Contains(review.ErrorMessage(err), "--replace") {
			t.Errorf("draft without Replace: %v, want ECONFLICT naming --replace", err)
		}
		assertUnchanged(t, before, snapshot(t, db))
		res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023", Original: other, Draft: true, Replace: true})
		must(t, err)
		original, err := db.EditionOriginal(ctx, seedReport, "2023")
		must(t, err)
		if !res.Replaced || !bytes.Equal(original, other) {
			t.Error("draft not replaced")
		}
	})
	t.Run("OK/ReplacedByAnotherProcessIsReadAfresh", func(t *testing.T) {
		db := MustOpenDB(t)
		_, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023", Original: text, Draft: true})
		must(t, err)
		ed, err := db.FindEdition(ctx, seedReport, "2023") // now kept in db's cache
		must(t, err)
		if strings.Contains(ed.Doc.Text, "An added paragraph.") {
			t.Fatal("the draft already has the added paragraph")
		}
		other, err := store.Open(ctx, db.Path)
		must(t, err)
		defer other.Close()
		editor, err := other.FindUserByName(ctx, db.Editor.Name)
		must(t, err)
		_, err = other.ImportEdition(ctx, editor, review.NewEdition{Report: seedReport, Label: "2023",
			Original: append(bytes.Clone(text), "\nAn added paragraph.\n"...), Draft: true, Replace: true})
		must(t, err)
		ed, err = db.FindEdition(ctx, seedReport, "2023")
		must(t, err)
		if !strings.Contains(ed.Doc.Text, "An added paragraph.") {
			t.Error("an edition replaced by another process is still read as it was")
		}
	})
}

func TestCreateClaimQuotes(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	t.Run("OK/HardLineBreaks", func(t *testing.T) {
		// Pasted from the PDF with its line breaks and trailing spaces.
		c := mustCreateClaim(t, db, db.Reviewer, "Azerbaijan \nhosts a large illicit caviar trade. Caviar sourced in the \ncountry", "caviar")
		if want := "Azerbaijan hosts a large illicit caviar trade. Caviar sourced in the country"; c.Anchor.Exact != want {
			t.Errorf("exact %q, want %q", c.Anchor.Exact, want)
		}
		if c.Anchor.Section != "ENVIRONMENT" || c.Anchor.Match != review.OutcomeOriginal || c.Anchor.Edition != seedEdition {
			t.Errorf("anchor %+v", c.Anchor)
		}
		ed, err := db.FindEdition(ctx, seedReport, seedEdition)
		must(t, err)
		if ed.Doc.Text[c.Anchor.Start:c.Anchor.End] != c.Anchor.Exact {
			t.Errorf("offsets [%d,%d) do not hold the exact text", c.Anchor.Start, c.Anchor.End)
		}
	})
	t.Run("OK/AcrossPageBreak", func(t *testing.T) {
		c := mustCreateClaim(t, db, db.Reviewer, "Along with \n\nenabling the bribery of officials", "bribery")
		if c.Anchor.Exact != "Along with enabling the bribery of officials" {
			t.Errorf("exact %q", c.Anchor.Exact)
		}
	})
	t.Run("OK/HyphenatedLineEnd", func(t *testing.T) {
		c := mustCreateClaim(t, db, db.Reviewer, "Central and South-\neastern Asia", "asia")
		if c.Anchor.Exact != "Central and South-eastern Asia" || c.Anchor.Section != "PEOPLE" {
			t.Errorf("anchor %+v", c.Anchor)
		}
	})
	t.Run("ErrInvalid/Ambiguous", func(t *testing.T) {
		head := mustHead(t, db)
		_, err := db.CreateClaim(ctx, db.Reviewer, newClaim("forced labour", "labour"))
		if review.ErrorCode(err) != review.EINVALID || !strings.Contains(review.ErrorMessage(err), "ambiguous") {
			t.Errorf("err %v, want EINVALID saying ambiguous", err)
		}
		if mustHead(t, db) != head {
			t.Error("refused claim wrote an event")
		}
	})
	t.Run("OK/AmbiguousWithPrefix", func(t *testing.T) {
		n := newClaim("forced labour", "labour")
		n.Prefix = "sexual exploitation and"
		c, err := db.CreateClaim(ctx, db.Reviewer, n)
		must(t, err)
		ed, _ := db.FindEdition(ctx, seedReport, seedEdition)
		if !strings.HasSuffix(ed.Doc.Text[:c.Anchor.Start], "sexual exploitation and ") {
			t.Errorf("picked the occurrence at %d: %q", c.Anchor.Start, ed.Doc.Text[max(0, c.Anchor.Start-40):c.Anchor.Start])
		}
	})
	t.Run("ErrInvalid/NotFound", func(t *testing.T) {
		_, err := db.CreateClaim(ctx, db.Reviewer, newClaim("Azerbaijan hosts a small illicit caviar trade.", "x"))
		if review.ErrorCode(err) != review.EINVALID || review.ErrorField(err) != "quote" {
			t.Errorf("err %v, want EINVALID on quote", err)
		}
	})
}

func TestImportClaims(t *testing.T) {
	ctx := context.Background()
	demo, err := os.ReadFile(seedClaims)
	must(t, err)
	demoLines := strings.Split(strings.TrimSpace(string(demo)), "\n")
	claimCount := func(tb testing.TB, db *TestDB) int {
		var n int
		must(tb, rawDB(tb, db.Path).QueryRow("SELECT COUNT(*) FROM claims").Scan(&n))
		return n
	}
	t.Run("OK", func(t *testing.T) {
		db := MustOpenDB(t)
		lines, bad := review.ReadClaimFile(bytes.NewReader(demo))
		if bad != nil {
			t.Fatal(bad)
		}
		head := mustHead(t, db)
		ids, err := db.ImportClaims(ctx, db.Reviewer, lines, nil)
		must(t, err)
		if len(ids) != len(demoLines) || claimCount(t, db) != len(demoLines) {
			t.Errorf("%d ids, %d claims; want %d", len(ids), claimCount(t, db), len(demoLines))
		}
		// One event per claim, note and flag.
		want := int64(len(ids))
		for _, l := range lines {
			if l.Note != "" {
				want++
			}
			if l.Flag != nil {
				want++
			}
		}
		if got := mustHead(t, db).Seq - head.Seq; got != want {
			t.Errorf("%d events, want %d", got, want)
		}
	})
	for _, tt := range []struct {
		name, line, reason string
	}{
		{"ParseError", `{"report":"azerbaijan","quote":"x"}`, "statement is required"},
		{"QuoteNotFound", `{"report":"azerbaijan","edition":"2021","quote":"Azerbaijan exports bananas.","statement":"s"}`, "does not occur"},
		{"Ambiguous", `{"report":"azerbaijan","edition":"2021","quote":"forced labour","statement":"s"}`, "ambiguous"},
		{"NoReport", `{"report":"atlantis","quote":"x","statement":"s"}`, "atlantis"},
		{"NoEdition", `{"report":"azerbaijan","edition":"1999","quote":"x","statement":"s"}`, "1999"},
	} {
		t.Run("ErrInvalid/"+tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			// The bad line goes in the middle, as line 20.
			mixed := append(append(append([]string{}, demoLines[:19]...), tt.line), demoLines[19:]...)
			lines, bad := review.ReadClaimFile(strings.NewReader(strings.Join(mixed, "\n")))
			before, head := snapshot(t, db), mustHead(t, db)
			_, err := db.ImportClaims(ctx, db.Reviewer, lines, bad)
			var le review.LineErrors
			if !errors.As(err, &le) || len(le) != 1 || le[0].Line != 20 || !strings.Contains(le[0].Reason, tt.reason) {
				t.Fatalf("err %v, want line 20: %s", err, tt.reason)
			}
			if review.ErrorCode(err) != review.EINVALID {
				t.Errorf("code %q", review.ErrorCode(err))
			}
			if n := claimCount(t, db); n != 0 {
				t.Errorf("%d claims written", n)
			}
			if mustHead(t, db) != head {
				t.Error("events written")
			}
			assertUnchanged(t, before, snapshot(t, db))
		})
	}
	t.Run("ErrInvalid/Several", func(t *testing.T) {
		db := MustOpenDB(t)
		mixed := []string{demoLines[0], "not json", demoLines[1],
			`{"report":"azerbaijan","quote":"Azerbaijan exports bananas.","statement":"s"}`, demoLines[2]}
		lines, bad := review.ReadClaimFile(strings.NewReader(strings.Join(mixed, "\n")))
		_, err := db.ImportClaims(ctx, db.Reviewer, lines, bad)
		var le review.LineErrors
		if !errors.As(err, &le) || len(le) != 2 || le[0].Line != 2 || le[1].Line != 4 {
			t.Fatalf("err %v, want lines 2 (parser) and 4 (store), in order", err)
		}
		if claimCount(t, db) != 0 {
			t.Error("claims written")
		}
	})
}

func TestPublishEdition(t *testing.T) {
	ctx := context.Background()
	text, err := os.ReadFile(seedText)
	must(t, err)
	// withDraft opens the seed with its text imported again as a draft
	// 2023 edition, and returns the history's head after that import.
	withDraft := func(t *testing.T) (*TestDB, int64) {
		t.Helper()
		db := MustOpenDB(t)
		_, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023", Published: "2023-09-01",
			Original: text, Draft: true})
		must(t, err)
		return db, mustHead(t, db).Seq
	}
	assertDraft := func(t *testing.T, db *TestDB, label string, want bool) {
		t.Helper()
		ed, err := db.FindEdition(ctx, seedReport, label)
		must(t, err)
		if ed.Draft != want {
			t.Errorf("edition %s: draft = %v, want %v", label, ed.Draft, want)
		}
	}

	t.Run("OK", func(t *testing.T) {
		db, seq := withDraft(t)
		draft, err := db.FindEdition(ctx, seedReport, "2023")
		must(t, err)
		before := snapshot(t, db)
		ed, err := db.PublishEdition(ctx, db.Editor, seedReport, "2023")
		must(t, err)
		if ed.Draft || ed.ID != draft.ID || ed.SHA256 != draft.SHA256 || ed.Label != "2023" {
			t.Errorf("published edition = %+v, want edition %d no longer a draft", ed, draft.ID)
		}
		assertDraft(t, db, "2023", false)
		es := eventsAfter(t, db, seq)
		if len(es) != 1 {
			t.Fatalf("%d events, want exactly one", len(es))
		}
		if got := es[0]; got.Action != "edition.published" || got.EntityType != "edition" ||
			got.EntityID != fmt.Sprint(draft.ID) || got.Actor != db.Editor.Name ||
			!strings.Contains(got.Before, `"draft":true`) || !strings.Contains(got.After, `"draft":false`) {
			t.Errorf("event = %+v, want edition.published of edition %d by %s, draft true → false", got, draft.ID, db.Editor.Name)
		}
		// Only the edition's flag and the history change: not its text,
		// its sections or any claim.
		assertUnchanged(t, before, snapshotWithout(t, db, before, "editions", "events", "tlog_hashes"))
	})
	t.Run("ErrConflict/Twice", func(t *testing.T) {
		db, _ := withDraft(t)
		_, err := db.PublishEdition(ctx, db.Editor, seedReport, "2023")
		must(t, err)
		before, head := snapshot(t, db), mustHead(t, db)
		_, err = db.PublishEdition(ctx, db.Editor2, seedReport, "2023")
		if review.ErrorCode(err) != review.ECONFLICT || !strings.Contains(review.ErrorMessage(err), "already published") {
			t.Errorf("second publish: %v, want ECONFLICT saying it is already published", err)
		}
		if mustHead(t, db) != head {
			t.Error("a refused publish wrote an event")
		}
		assertUnchanged(t, before, snapshot(t, db))
	})
	t.Run("ErrConflict/NeverADraft", func(t *testing.T) {
		db := MustOpenDB(t)
		before := snapshot(t, db)
		_, err := db.PublishEdition(ctx, db.Editor, seedReport, seedEdition)
		if review.ErrorCode(err) != review.ECONFLICT {
			t.Errorf("publish of the published seed: %v, want ECONFLICT", err)
		}
		assertUnchanged(t, before, snapshot(t, db))
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := withDraft(t)
		before := snapshot(t, db)
		for _, tt := range []struct{ slug, label string }{{seedReport, "1999"}, {"nowhere", "2023"}} {
			_, err := db.PublishEdition(ctx, db.Editor, tt.slug, tt.label)
			if review.ErrorCode(err) != review.ENOTFOUND {
				t.Errorf("%s %s: %v, want ENOTFOUND", tt.slug, tt.label, err)
			}
		}
		assertUnchanged(t, before, snapshot(t, db))
	})
	t.Run("ErrInvalid/NoLabel", func(t *testing.T) {
		// "" would be the newest edition to FindEdition: never guessed.
		db, _ := withDraft(t)
		before := snapshot(t, db)
		_, err := db.PublishEdition(ctx, db.Editor, seedReport, "")
		if review.ErrorCode(err) != review.EINVALID {
			t.Errorf("no label: %v, want EINVALID", err)
		}
		assertUnchanged(t, before, snapshot(t, db))
		assertDraft(t, db, "2023", true)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		db, _ := withDraft(t)
		before := snapshot(t, db)
		for _, u := range []review.User{db.Reviewer, db.Auditor, db.Admin, {}} {
			_, err := db.PublishEdition(ctx, u, seedReport, "2023")
			if review.ErrorCode(err) != review.EFORBIDDEN {
				t.Errorf("%s (%s): %v, want EFORBIDDEN", u.Name, u.Role, err)
			}
		}
		assertUnchanged(t, before, snapshot(t, db))
		assertDraft(t, db, "2023", true)
	})
	t.Run("OK/ByReimport", func(t *testing.T) {
		// The command line's way: the draft's own file again, with
		// Replace and without Draft. Same change, same single event.
		db, seq := withDraft(t)
		res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023", Published: "2023-09-01",
			Original: text, Replace: true})
		must(t, err)
		if !res.PublishedDraft || res.Edition.Draft {
			t.Errorf("re-import = %+v, want the draft published", res)
		}
		assertDraft(t, db, "2023", false)
		if es := eventsAfter(t, db, seq); len(es) != 1 || es[0].Action != "edition.published" {
			t.Errorf("events = %+v, want one edition.published", es)
		}
		_, err = db.PublishEdition(ctx, db.Editor, seedReport, "2023")
		if review.ErrorCode(err) != review.ECONFLICT {
			t.Errorf("publish after the re-import published it: %v, want ECONFLICT", err)
		}
	})
}
