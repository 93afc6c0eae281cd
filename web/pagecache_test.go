package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"vetted/review"
	"vetted/store"
)

var scriptNonceRE = regexp.MustCompile(`<script[^>]* nonce="([^"]*)"`)

// TestClaimPageCache checks that a kept claim page is never stale and never
// someone else's: a change made by another process (a second connection to
// the file, as the CLI is) shows at once, each viewer sees their own page,
// and each answer carries its own nonce.
func TestClaimPageCache(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	rey, eda := ts.Login(t, "rey"), ts.Login(t, "eda")
	page := ts.URL + "/claims/2"

	var nonces []string
	var bodies []string
	for range 3 {
		st, body := Get(t, rey, page)
		if st != 200 {
			t.Fatalf("GET claim: %d", st)
		}
		m := scriptNonceRE.FindStringSubmatch(body)
		if m == nil || m[1] == "" || strings.Contains(body, "noncemark") {
			t.Fatalf("no nonce, or the cache's mark, in the page: %v", m)
		}
		nonces = append(nonces, m[1])
		bodies = append(bodies, strings.ReplaceAll(body, m[1], "NONCE"))
	}
	if nonces[0] == nonces[1] || nonces[1] == nonces[2] {
		t.Errorf("a kept page was served with the nonce of another answer: %q", nonces)
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Error("the same claim, unchanged, rendered differently")
	}

	t.Run("a change by another process shows at once", func(t *testing.T) {
		other, err := store.Open(ctx, ts.DB.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		u, err := other.FindUserByName(ctx, "ed")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			text := fmt.Sprintf("Checked against the court record, round %d.", i)
			if _, err := other.AddNote(ctx, u, review.NewNote{ClaimID: 2, Body: text}); err != nil {
				t.Fatal(err)
			}
			if _, body := Get(t, rey, page); !strings.Contains(body, text) {
				t.Fatalf("round %d: the claim page does not show a note added by another connection", i)
			}
		}
	})

	t.Run("each viewer gets their own page", func(t *testing.T) {
		for i := range 2 {
			_, asRey := Get(t, rey, page)
			_, asEda := Get(t, eda, page)
			if !strings.Contains(asRey, `data-testid="whoami">rey `) || !strings.Contains(asEda, `data-testid="whoami">eda `) {
				t.Fatalf("round %d: a page kept for one viewer was served to another", i)
			}
		}
	})

	t.Run("a flash message is not kept", func(t *testing.T) {
		if _, body := Get(t, rey, page+"?msg=note-added"); !strings.Contains(body, "Note added.") {
			t.Fatal("no flash with ?msg=note-added")
		}
		if _, body := Get(t, rey, page); strings.Contains(body, "Note added.") {
			t.Fatal("the flash of an earlier answer was served again")
		}
	})

	t.Run("a write through the web shows at once", func(t *testing.T) {
		text := "Posted through the page, seen on the next load."
		st, _, _ := Post(t, rey, page+"/notes", url.Values{"body": {text}})
		if st != 303 {
			t.Fatalf("POST note: %d", st)
		}
		if _, body := Get(t, rey, page); !strings.Contains(body, text) {
			t.Fatal("the claim page does not show the note just posted")
		}
	})
}
