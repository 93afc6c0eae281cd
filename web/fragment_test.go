package web_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"vetted"

	"vetted/review"
	"vetted/store"
)

// readerBody is the reader page's text and side panel: what the page keeps
// as fragments (paragraphs, claim items, new material), and nothing per
// request.
func readerBody(tb testing.TB, page string) string {
	tb.Helper()
	i, j := strings.Index(page, `<div class="reader">`), strings.Index(page, `</aside>`)
	if i < 0 || j < i {
		tb.Fatal("no reader text and side panel in the page")
	}
	return page[i:j]
}

var claimThisRE = regexp.MustCompile(`data-quote="([^"]*)" data-prefix="([^"]*)" data-suffix="([^"]*)"`)

// TestReaderFragmentsFollowEveryChange: the reader keeps its paragraphs,
// its side list's items and its new material as rendered. After each kind
// of change, made by another process (a second connection to the file, as
// the CLI is), the page must be what a server that kept nothing renders.
func TestReaderFragmentsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	ts := MustServer(t)
	rey := ts.Login(t, "rey")
	const reader = "/reports/azerbaijan/editions/2021"

	other, err := store.Open(ctx, ts.DB.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	user := func(name string) review.User {
		u, err := other.FindUserByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	reyU, edaU := user("rey"), user("eda")

	// cold renders a reader on a server with nothing kept: a new
	// connection to the file and a new server over it.
	cold := func(path string) string {
		db, err := store.Open(ctx, ts.DB.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		fresh := serverOver(t, db)
		_, page := Get(t, fresh.Login(t, "rey"), fresh.URL+path)
		return readerBody(t, page)
	}
	checkPath := func(step, path string) {
		t.Helper()
		_, page := Get(t, rey, ts.URL+path)
		if got, want := readerBody(t, page), cold(path); got != want {
			t.Fatalf("after %s the reader of %s differs from one rendered with nothing kept", step, path)
		}
	}
	check := func(step string) { t.Helper(); checkPath(step, reader) }

	// Keep everything once, and check a second view is served as kept.
	_, first := Get(t, rey, ts.URL+reader)
	check("nothing")
	_, again := Get(t, rey, ts.URL+reader)
	if readerBody(t, first) != readerBody(t, again) {
		t.Fatal("the same edition, unchanged, rendered differently")
	}

	claims, _, err := other.FindClaims(ctx, review.ClaimFilter{Report: "azerbaijan", Edition: "2021", Limit: 2})
	if err != nil || len(claims) < 2 {
		t.Fatalf("demo claims: %v, %d", err, len(claims))
	}
	c := claims[0]

	f, err := other.RaiseFlag(ctx, reyU, review.NewFlag{ClaimID: c.ID, Kind: review.FlagKind("other"), Reason: "The date needs a second source."})
	if err != nil {
		t.Fatal(err)
	}
	check("a flag raised")

	if _, err := other.DecideRevision(ctx, edaU, c.Latest.ID, true, "Checked."); err != nil {
		t.Fatal(err)
	}
	check("a claim's first revision approved")
	rev, err := other.ProposeRevision(ctx, reyU, review.NewRevision{ClaimID: c.ID, BaseID: c.Latest.ID,
		Statement: "Reworded: " + c.Latest.Statement, Confidence: review.Confidence("high"), Reason: "A second source agrees."})
	if err != nil {
		t.Fatal(err)
	}
	check("a revision proposed")
	if _, err := other.DecideRevision(ctx, edaU, rev.ID, true, "Agreed."); err != nil {
		t.Fatal(err)
	}
	check("a revision approved")

	if _, err := other.ResolveFlag(ctx, edaU, review.FlagResolution{FlagID: f.ID, Resolution: "Found it."}); err != nil {
		t.Fatal(err)
	}
	check("a flag resolved")

	if _, err := other.Assign(ctx, edaU, review.NewAssignment{ClaimID: claims[1].ID, Assignee: "rey"}); err != nil {
		t.Fatal(err)
	}
	check("a claim assigned")

	// A new claim on a sentence no claim covers changes the paragraphs,
	// the side list and the new material.
	m := claimThisRE.FindStringSubmatch(first)
	if m == nil {
		t.Fatal("no new material to claim in the reader")
	}
	if _, err := other.CreateClaim(ctx, reyU, review.NewClaim{Report: "azerbaijan", Edition: "2021",
		Quote: html.UnescapeString(m[1]), Prefix: html.UnescapeString(m[2]), Suffix: html.UnescapeString(m[3]),
		Statement: "A new claim from the new material.", Confidence: review.Confidence("low"), Reason: "Read in the text."}); err != nil {
		t.Fatal(err)
	}
	check("a claim made")

	// A draft edition replaced by another file keeps its row and label.
	// The new text has the same length (a word in capitals), so a
	// paragraph without claims keeps its place: only the edition's digest
	// and import time tell its two renderings apart.
	const draft = "/reports/azerbaijan/editions/2025"
	text := string(vetted.DemoEdition)
	for i, t2 := range []string{text, strings.ReplaceAll(text, "criminal", "CRIMINAL")} {
		if _, err := other.ImportEdition(ctx, edaU, review.NewEdition{Report: "azerbaijan", Label: "2025",
			Published: "2025-09-26", Original: []byte(t2), Draft: true, Replace: i > 0}); err != nil {
			t.Fatal(err)
		}
		checkPath([]string{"a draft edition imported", "the draft edition replaced"}[i], draft)
	}
}
