package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"vetted/review"
)

// busyServer is the demo after a busy stretch of review: every claim has
// notes notes and flags open flags, as the mixed load of make bench leaves
// them after a few seconds.
func busyServer(b *testing.B, notes, flags int) (*testServer, *http.Client) {
	b.Helper()
	ctx := context.Background()
	ts := MustServer(b)
	rey, err := ts.DB.FindUserByName(ctx, "rey")
	if err != nil {
		b.Fatal(err)
	}
	cs, _, err := ts.DB.FindClaims(ctx, review.ClaimFilter{Limit: 500})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cs {
		for i := range notes {
			if _, err := ts.DB.AddNote(ctx, rey, review.NewNote{ClaimID: c.ID, Body: fmt.Sprintf("Note %d: checked against the source.", i)}); err != nil {
				b.Fatal(err)
			}
		}
		for i := range flags {
			if _, err := ts.DB.RaiseFlag(ctx, rey, review.NewFlag{ClaimID: c.ID, Kind: review.FlagOther, Reason: fmt.Sprintf("Flag %d: the date needs a second source.", i)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	return ts, ts.Login(b, "rey")
}

// benchGet requests u b.N times, in sequence.
func benchGet(b *testing.B, c *http.Client, u string) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", u, res.StatusCode)
		}
		b.SetBytes(n)
	}
}

// BenchmarkReaderPage is the reader of the demo edition (62 claims), each
// claim with 5 notes and 20 open flags.
func BenchmarkReaderPage(b *testing.B) {
	ts, c := busyServer(b, 5, 20)
	benchGet(b, c, ts.URL+"/reports/azerbaijan/editions/2021")
}
