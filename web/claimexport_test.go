package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"vetted"
	"vetted/review"
)

// TestAnnotationExportSources reads the Web Annotation export as an outside
// tool would: it fetches each annotation's target source from the server
// and slices the text it gets by the TextPositionSelector (code points, W3C
// Web Annotation Data Model, Text Position Selector); every slice must be the quote's exact.
// The second edition has text that is not ASCII before its claims, so byte
// offsets would miss.
func TestAnnotationExportSources(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	eda, _ := ts.DB.FindUserByName(ctx, "eda")
	text := strings.Replace(string(vetted.DemoEdition), "PEOPLE\n", "PEOPLE\n\nÜbersicht — ✓ résumé №1 “quoted” 🙂.\n\n", 1)
	if _, err := ts.DB.ImportEdition(ctx, eda, review.NewEdition{Report: "azerbaijan", Label: "2023", Published: "2023-09-26", Original: []byte(text)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.DB.ImportEdition(ctx, eda, review.NewEdition{Report: "azerbaijan", Label: "2025", Published: "2025-09-26", Original: []byte(text), Draft: true}); err != nil {
		t.Fatal(err)
	}
	admin := ts.Login(t, "adam")
	tok := createToken(t, ts, admin, "rey")
	plain := ts.Client()
	get := func(t *testing.T, u string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, res.Header, string(b)
	}

	status, _, body := get(t, ts.URL+"/export/claims.annotations.jsonld")
	if status != http.StatusOK {
		t.Fatalf("export: %d", status)
	}
	var doc struct {
		ID    string
		Last  string
		First struct {
			ID     string
			PartOf string
			Items  []struct {
				ID     string
				Target struct {
					Source   string
					Selector []struct {
						Type       string
						Exact      string
						Start, End int
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Last != doc.First.ID || doc.First.PartOf != doc.ID {
		t.Errorf("paging: last %q, first %q, partOf %q, collection %q", doc.Last, doc.First.ID, doc.First.PartOf, doc.ID)
	}
	texts := map[string][]rune{}
	perEdition := map[string]int{}
	for _, a := range doc.First.Items {
		src := a.Target.Source
		if !strings.HasPrefix(src, ts.URL+"/") {
			t.Fatalf("%s: source %q is not on this server", a.ID, src)
		}
		if strings.Contains(src, "/editions/2025") {
			t.Errorf("%s: the draft edition is exported", a.ID)
		}
		text, ok := texts[src]
		if !ok {
			status, h, body := get(t, src)
			if status != http.StatusOK || h.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("GET %s: %d %s", src, status, h.Get("Content-Type"))
			}
			text = []rune(body)
			texts[src] = text
		}
		perEdition[src]++
		var exact string
		start, end := -1, -1
		for _, s := range a.Target.Selector {
			switch s.Type {
			case "TextQuoteSelector":
				exact = s.Exact
			case "TextPositionSelector":
				start, end = s.Start, s.End
			}
		}
		if !(0 <= start && start < end && end <= len(text)) {
			t.Fatalf("%s: position [%d,%d) outside the %d characters of %s", a.ID, start, end, len(text), src)
		}
		if got := string(text[start:end]); got != exact {
			t.Errorf("%s: characters [%d,%d) of %s are %q, exact is %q", a.ID, start, end, src, got, exact)
		}
	}
	if len(perEdition) != 2 || len(doc.First.Items) == 0 {
		t.Errorf("annotations per source: %v, want the two published editions", perEdition)
	}

	t.Run("TextIsStored", func(t *testing.T) {
		ed, err := ts.DB.FindEdition(ctx, "azerbaijan", "2023")
		if err != nil {
			t.Fatal(err)
		}
		status, _, body := get(t, ts.URL+"/reports/azerbaijan/editions/2023/text")
		if status != http.StatusOK || body != ed.Doc.Text {
			t.Errorf("status %d; the body is not the stored normalised text", status)
		}
	})
	t.Run("ErrNotSignedIn", func(t *testing.T) {
		if status, _ := Get(t, plain, ts.URL+"/reports/azerbaijan/editions/2023/text"); status != http.StatusSeeOther {
			t.Errorf("without a session or token: %d, want 303 to the sign-in page", status)
		}
	})
	t.Run("ErrNoEdition", func(t *testing.T) {
		if status, _, _ := get(t, ts.URL+"/reports/azerbaijan/editions/1999/text"); status != http.StatusNotFound {
			t.Errorf("unknown edition: %d, want 404", status)
		}
	})
}
