package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vetted"
	"vetted/review"
	"vetted/review/anchor"
	"vetted/review/text"
	"vetted/store"
)

const (
	readerPath  = "/reports/azerbaijan/editions/2021"
	importPath  = "/reports/azerbaijan/editions"
	comparePath = "/reports/azerbaijan/compare"
	cigánska    = "Limited information points towards the existence of a single mafia-style group, Cigánska mafia, which allegedly has a large membership but whose structure is unknown."
)

// secondEdition is the seed's text with a sentence reworded, one deleted
// and a new section added, as the 2023 edition might be.
func secondEdition(t *testing.T) []byte {
	t.Helper()
	text := text.Normalize(string(vetted.DemoEdition)).Text
	edits := []struct{ old, new string }{
		{"Azerbaijan hosts a large illicit caviar trade.", "Azerbaijan hosts a sizeable illicit caviar trade."},
		{" Similar to journalists, activists are also harassed, intimidated and detained.", ""},
		{"\n\nRESILIENCE\n\n", "\n\nEXTORTION AND PROTECTION RACKETEERING\n\nShopkeepers in Baku told reporters in 2022 that they pay protection money to groups with ties to the police.\n\nRESILIENCE\n\n"},
	}
	for _, e := range edits {
		if strings.Count(text, e.old) != 1 {
			t.Fatalf("seed text holds %q %d times, want once", e.old, strings.Count(text, e.old))
		}
		text = strings.Replace(text, e.old, e.new, 1)
	}
	return []byte(text)
}

// postImport submits the import form as a browser would. A nil file sends
// no file part at all.
func postImport(t *testing.T, c *http.Client, base string, fields map[string]string, filename string, file []byte) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := c.Post(base+importPath, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	return res.StatusCode, res.Header.Get("Location"), body.String()
}

// importSecond imports secondEdition as 2023 through the form, as an editor.
func importSecond(t *testing.T, ts *testServer) string {
	t.Helper()
	status, loc, body := postImport(t, ts.Login(t, "eda"), ts.URL,
		map[string]string{"edition": "2023", "published": "2023-09-01"}, "azerbaijan-2023.txt", secondEdition(t))
	if status != http.StatusSeeOther {
		t.Fatalf("import = %d, want 303\n%s", status, body)
	}
	return loc
}

func editionClaims(t *testing.T, db *store.DB, label string) []review.Claim {
	t.Helper()
	cs, _, err := db.FindClaims(context.Background(), review.ClaimFilter{Report: "azerbaijan", Edition: label, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func createTestClaim(t *testing.T, db *store.DB, quote, statement string) review.Claim {
	t.Helper()
	ctx := context.Background()
	u, err := db.FindUserByName(ctx, "rey")
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateClaim(ctx, u, review.NewClaim{Report: "azerbaijan", Edition: "2021", Quote: quote,
		Statement: statement, Confidence: review.ConfidenceLow, Evidence: []review.NewEvidence{},
		// Tests make claims on sentences the demo's claims cover.
		ConfirmDuplicate: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func countTestID(body, testid string) int {
	return strings.Count(body, `data-testid="`+testid+`"`)
}

var (
	blockRE    = regexp.MustCompile(`(?s)<(h2|h3|p)\b[^>]*\bdata-block\b[^>]*>(.*?)</(?:h2|h3|p)>`)
	refRE      = regexp.MustCompile(`(?s)<a\b[^>]*\bdata-noquote\b[^>]*>.*?</a>`)
	tagRE      = regexp.MustCompile(`<[^>]*>`)
	selectedRE = regexp.MustCompile(`<option value="(\w+)" selected>`)
)

// readerText rebuilds the edition's text from the reader's HTML the way
// reader.js does: the data-block elements without the reference links,
// joined by a blank line.
func readerText(body string) string {
	var blocks []string
	for _, m := range blockRE.FindAllStringSubmatch(body, -1) {
		blocks = append(blocks, html.UnescapeString(tagRE.ReplaceAllString(refRE.ReplaceAllString(m[2], ""), "")))
	}
	return strings.Join(blocks, "\n\n")
}

func TestReader(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	ed, err := ts.DB.FindEdition(ctx, "azerbaijan", "2021")
	if err != nil {
		t.Fatal(err)
	}
	hedged := 0
	for _, s := range review.Sentences(ed.Doc) {
		if len(s.Hedges) > 0 {
			hedged++
		}
	}

	t.Run("OK", func(t *testing.T) {
		status, body := Get(t, ts.Login(t, "rey"), ts.URL+readerPath)
		if status != http.StatusOK {
			t.Fatalf("status %d, want 200", status)
		}
		claims := editionClaims(t, ts.DB, "2021")
		if got, want := countTestID(body, "claim-mark"), len(claims); got != want || want == 0 {
			t.Errorf("claim marks = %d, want %d (claims on the edition)", got, want)
		}
		for _, c := range claims {
			if !strings.Contains(body, fmt.Sprintf(`id="claim-%d"`, c.ID)) {
				t.Errorf("no element with id claim-%d", c.ID)
			}
		}
		if got := countTestID(body, "hedged"); got != hedged || hedged == 0 {
			t.Errorf("hedged sentences = %d, want %d", got, hedged)
		}
		if !strings.Contains(body, `title="hedged: limited information, allegedly"`) {
			t.Error("the Cigánska sentence is not marked hedged with its words")
		}
		for _, id := range []string{"reader-text", "new-claim-form", "select-hint", "claim-list", "new-material-list"} {
			if countTestID(body, id) == 0 {
				t.Errorf("no data-testid=%q", id)
			}
		}
		if !strings.Contains(body, `/static/reader.`) || !strings.Contains(body, `data-hedges="{`) {
			t.Error("reader.js or its hedge list is missing")
		}
		if got := readerText(body); got != ed.Doc.Text {
			t.Errorf("text rebuilt from the page differs from the edition's text:\n got %.200q\nwant %.200q", got, ed.Doc.Text)
		}
		// Flagged claims are marked: the demo flags the Cigánska claim.
		if !strings.Contains(body, `class="claim c-unverified flagged"`) {
			t.Error("no highlight marked flagged")
		}
	})

	t.Run("Overlap", func(t *testing.T) {
		ts := MustServer(t)
		var first, next int64
		for _, c := range editionClaims(t, ts.DB, "2021") {
			switch {
			case strings.HasPrefix(c.Anchor.Exact, "Human trafficking in Azerbaijan generally"):
				first = c.ID
			case strings.HasPrefix(c.Anchor.Exact, "Both male and female victims"):
				next = c.ID
			}
		}
		over := createTestClaim(t, ts.DB, "and forced labour. Women are particularly vulnerable to sexual exploitation, while men are most likely to be victimized in forced labour. Both male and female victims", "Overlapping claim")
		status, body := Get(t, ts.Login(t, "rey"), ts.URL+readerPath)
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		for _, want := range []string{
			fmt.Sprintf(`data-claims="%d %d"`, first, over.ID), // end of the first claim
			fmt.Sprintf(`data-claims="%d"`, over.ID),           // the sentence only the new claim covers
			fmt.Sprintf(`data-claims="%d %d"`, over.ID, next),  // start of the next claim
		} {
			if !strings.Contains(body, want) {
				t.Errorf("no highlight with %s", want)
			}
		}
		if got, want := countTestID(body, "claim-mark"), len(editionClaims(t, ts.DB, "2021")); got != want {
			t.Errorf("claim marks = %d, want %d", got, want)
		}
		if got := readerText(body); got != text.Normalize(string(vetted.DemoEdition)).Text {
			t.Error("overlapping highlights changed the text")
		}
	})

	t.Run("Inert", func(t *testing.T) {
		ts := MustServer(t)
		createTestClaim(t, ts.DB, "A significant domestic demand exists in Azerbaijan.", `<script>alert(1)</script>`)
		createTestClaim(t, ts.DB, "Flora crimes are", `"><img src=x onerror=alert(1)>`)
		c := ts.Login(t, "rey")
		q := url.Values{"quote": {`"><img src=x onerror=alert(2)><script>alert(3)</script>`}, "prefix": {`"><b>`}}
		for _, u := range []string{readerPath, readerPath + "?" + q.Encode()} {
			status, body := Get(t, c, ts.URL+u)
			if status != http.StatusOK {
				t.Fatalf("%s: status %d", u, status)
			}
			for _, bad := range []string{"<script>alert", "<img src=x", `"><b>`} {
				if strings.Contains(body, bad) {
					t.Errorf("%s: %q rendered as markup", u, bad)
				}
			}
			if !strings.Contains(body, "&lt;script&gt;alert(") || !strings.Contains(body, "&lt;img src=x onerror=alert(") {
				t.Errorf("%s: the text is not shown escaped", u)
			}
		}
	})

	t.Run("Prefill", func(t *testing.T) {
		q := url.Values{"quote": {cigánska}}
		status, body := Get(t, ts.Login(t, "rey"), ts.URL+readerPath+"?"+q.Encode())
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if !strings.Contains(body, ">"+html.EscapeString(cigánska)+"</textarea>") {
			t.Error("the quote is not in the form")
		}
		if m := selectedRE.FindStringSubmatch(body); m == nil || m[1] != "unverified" {
			t.Errorf("suggested confidence = %v, want unverified", m)
		}
		if !strings.Contains(body, `name="hedge" value="limited information, allegedly"`) {
			t.Error("the hedge words are not in the form")
		}
	})

	t.Run("ReadOnly", func(t *testing.T) {
		status, body := Get(t, ts.Login(t, "audrey"), ts.URL+readerPath)
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if countTestID(body, "new-claim-form") != 0 || countTestID(body, "claim-this") != 0 {
			t.Error("an auditor is offered the new-claim form")
		}
		if countTestID(body, "claim-mark") == 0 {
			t.Error("an auditor does not see the claims")
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		c := ts.Login(t, "rey")
		for _, u := range []string{"/reports/azerbaijan/editions/1999", "/reports/nowhere/editions/2021"} {
			if status, _ := Get(t, c, ts.URL+u); status != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", u, status)
			}
		}
	})

	t.Run("SignedOut", func(t *testing.T) {
		for _, u := range []string{readerPath, comparePath} {
			res, err := ts.Client().Get(ts.URL + u)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("%s: %d to %q, want 303 to /login", u, res.StatusCode, loc)
			}
		}
	})
}

func TestImport(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ts := MustServer(t)
		ctx := context.Background()
		loc := importSecond(t, ts)
		if want := comparePath + "?from=2021&to=2023&msg=edition-imported"; loc != want {
			t.Fatalf("redirect to %q, want %q", loc, want)
		}
		status, body := Get(t, ts.Login(t, "eda"), ts.URL+loc)
		if status != http.StatusOK {
			t.Fatalf("compare: status %d", status)
		}
		claims := editionClaims(t, ts.DB, "2023")
		n := map[review.Outcome]int{}
		for _, c := range claims {
			n[c.Anchor.Match]++
		}
		if n[review.OutcomeChanged] != 1 || n[review.OutcomeMissing] != 1 {
			t.Fatalf("outcomes in 2023 = %v, want one changed and one missing", n)
		}
		for o, k := range n {
			want := fmt.Sprintf(`data-testid="count-%s"><dt>%s</dt><dd>%d</dd>`, o, o, k)
			if !strings.Contains(body, want) {
				t.Errorf("compare does not show %s", want)
			}
		}
		for _, want := range []string{"Edition imported.", "<del>large</del>", "<ins>sizeable</ins>",
			"Similar to journalists, activists are also harassed", // the missing claim's old quote
			"Shopkeepers in Baku told reporters",                  // new material
			`data-status="added"`, `data-status="changed"`, `data-testid="new-text"`} {
			if !strings.Contains(body, want) {
				t.Errorf("compare does not show %q", want)
			}
		}
		if got := countTestID(body, "changed-claim"); got != 1 {
			t.Errorf("changed claims listed = %d, want 1", got)
		}

		// The same file again changes nothing.
		head, err := ts.DB.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		status, _, body = postImport(t, ts.Login(t, "ed"), ts.URL, map[string]string{"edition": "2023", "published": "2023-09-01"}, "azerbaijan-2023.txt", secondEdition(t))
		if status != http.StatusOK || countTestID(body, "import-unchanged") != 1 || !strings.Contains(body, "Nothing changed") {
			t.Errorf("re-import = %d, want 200 saying nothing changed\n%.500s", status, body)
		}
		if after, _ := ts.DB.Head(ctx); after != head {
			t.Errorf("re-import wrote history: head %v, was %v", after, head)
		}
	})

	t.Run("OlderEdition", func(t *testing.T) {
		// An edition that is older than the seed compares with the one after it.
		ts := MustServer(t)
		status, loc, _ := postImport(t, ts.Login(t, "eda"), ts.URL, map[string]string{"edition": "2019", "published": "2019-01-01"}, "old.txt", secondEdition(t))
		if want := comparePath + "?from=2019&to=2021&msg=edition-imported"; status != http.StatusSeeOther || loc != want {
			t.Errorf("import of an older edition = %d to %q, want 303 to %q", status, loc, want)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		ts := MustServer(t)
		ctx := context.Background()
		good := secondEdition(t)
		tests := []struct {
			name     string
			fields   map[string]string
			filename string
			file     []byte
			want     string
		}{
			{"NotUTF8", map[string]string{"edition": "2023"}, "latin1.txt", []byte("Caf\xe9 society in Baku\n"), "is not UTF-8 text"},
			{"Empty", map[string]string{"edition": "2023"}, "empty.txt", []byte{}, "is empty"},
			{"Blank", map[string]string{"edition": "2023"}, "blank.txt", []byte(" \n\n\t\n"), "holds no text"},
			{"BadLabel", map[string]string{"edition": "20 23!"}, "a.txt", good, "is not valid"},
			{"NoLabel", map[string]string{"edition": ""}, "a.txt", good, "is not valid"},
			{"BadDate", map[string]string{"edition": "2023", "published": "2023-13-45"}, "a.txt", good, "is not a date"},
			{"NoFile", map[string]string{"edition": "2023"}, "", nil, "Choose the edition"},
			{"BrokenPDF", map[string]string{"edition": "2023"}, "a.pdf", []byte("%PDF-1.7\n..."), "pdftotext could not read the PDF"},
		}
		c := ts.Login(t, "eda")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				head, err := ts.DB.Head(ctx)
				if err != nil {
					t.Fatal(err)
				}
				status, _, body := postImport(t, c, ts.URL, tt.fields, tt.filename, tt.file)
				if status != http.StatusBadRequest {
					t.Errorf("status %d, want 400", status)
				}
				if !strings.Contains(html.UnescapeString(body), tt.want) || countTestID(body, "import-error") != 1 {
					t.Errorf("no message %q by the form", tt.want)
				}
				if countTestID(body, "import-form") != 1 {
					t.Error("the form is not shown again")
				}
				if l := tt.fields["edition"]; l != "" && !strings.Contains(body, `value="`+html.EscapeString(l)+`"`) {
					t.Errorf("the label typed, %q, is lost", l)
				}
				if after, _ := ts.DB.Head(ctx); after != head {
					t.Errorf("history head moved from %v to %v", head, after)
				}
			})
		}
		rep, err := ts.DB.FindReport(ctx, "azerbaijan")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Editions) != 1 {
			t.Errorf("editions = %d, want 1", len(rep.Editions))
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		ts := MustServer(t)
		status, _, body := postImport(t, ts.Login(t, "eda"), ts.URL, map[string]string{"edition": "2021"}, "other.txt", secondEdition(t))
		if status != http.StatusConflict || !strings.Contains(body, "already imported from a different file") {
			t.Errorf("import over a published edition = %d, want 409 with the reason", status)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		ts := MustServer(t)
		ctx := context.Background()
		head, _ := ts.DB.Head(ctx)
		for _, name := range []string{"rey", "audrey", "adam"} {
			status, _, _ := postImport(t, ts.Login(t, name), ts.URL, map[string]string{"edition": "2023"}, "a.txt", secondEdition(t))
			if status != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", name, status)
			}
		}
		status, _, _ := postImport(t, ts.Client(), ts.URL, map[string]string{"edition": "2023"}, "a.txt", secondEdition(t))
		if status != http.StatusUnauthorized {
			t.Errorf("signed out: status %d, want 401", status)
		}
		if after, _ := ts.DB.Head(ctx); after != head {
			t.Errorf("history head moved from %v to %v", head, after)
		}
	})
}

func TestCompare(t *testing.T) {
	ts := MustServer(t)
	c := ts.Login(t, "rey")

	t.Run("ErrOneEdition", func(t *testing.T) {
		status, body := Get(t, c, ts.URL+comparePath)
		if status != http.StatusBadRequest || !strings.Contains(body, "import another edition") {
			t.Errorf("compare with one edition = %d, want 400 with a message", status)
		}
	})

	importSecond(t, ts)
	createTestClaim(t, ts.DB, "A significant domestic demand exists in Azerbaijan.", `<script>alert(1)</script>`)

	t.Run("Default", func(t *testing.T) {
		status, body := Get(t, c, ts.URL+comparePath)
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if !strings.Contains(body, `<option value="2021" selected>`) || countTestID(body, "section-diff") != 1 {
			t.Error("the default comparison is not 2021 with 2023")
		}
		if strings.Contains(body, "<script>alert") {
			t.Error("a statement rendered as markup")
		}
		if countTestID(body, "section-claim") < len(editionClaims(t, ts.DB, "2023")) {
			t.Error("not every claim's outcome is marked beside its section")
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct{ query, want string }{
			{"?from=2021&to=1999", `no edition "1999"`},
			{"?from=2021&to=2021", "both are 2021"},
			{"?from=<b>x</b>", "no edition"},
		} {
			status, body := Get(t, c, ts.URL+comparePath+tt.query)
			if status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), tt.want) || countTestID(body, "compare-error") != 1 {
				t.Errorf("%s: status %d, want 400 with %q", tt.query, status, tt.want)
			}
			if strings.Contains(body, "<b>x</b>") {
				t.Errorf("%s: the label rendered as markup", tt.query)
			}
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		if status, _ := Get(t, c, ts.URL+"/reports/nowhere/compare"); status != http.StatusNotFound {
			t.Errorf("unknown report: status %d, want 404", status)
		}
	})
}

// tocLinkRE finds the table of contents' nesting and links, in order.
var tocLinkRE = regexp.MustCompile(`<ol>|</ol>|<a href="#([^"]+)" data-testid="toc-link">([^<]*)</a> <span[^>]*data-testid="toc-count"[^>]*>(\d+) claims?</span>`)

// tocItem is one link of the table of contents as the page shows it.
type tocItem struct {
	ID, Heading string
	Depth       int // 1 at top level
	Claims      int
}

// readerTOC reads the table of contents out of a reader page.
func readerTOC(t *testing.T, body string) []tocItem {
	t.Helper()
	start := strings.Index(body, `<nav class="toc" aria-label="Sections" data-testid="section-toc">`)
	if start < 0 {
		return nil
	}
	nav := body[start:]
	nav = nav[:strings.Index(nav, "</nav>")]
	var items []tocItem
	depth := 0
	for _, m := range tocLinkRE.FindAllStringSubmatch(nav, -1) {
		switch m[0] {
		case "<ol>":
			depth++
		case "</ol>":
			depth--
		default:
			var n int
			fmt.Sscan(m[3], &n)
			items = append(items, tocItem{ID: m[1], Heading: html.UnescapeString(m[2]), Depth: depth, Claims: n})
		}
	}
	return items
}

// TestReaderSections is the reader's table of contents: every section in
// the order of the text, nested as in the text, linked to its heading and
// counting the claims highlighted in it (a parent's include its
// sub-sections'), with plain links that need no script.
func TestReaderSections(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	ctx := context.Background()
	eda, err := ts.DB.FindUserByName(ctx, "eda")
	if err != nil {
		t.Fatal(err)
	}
	importText := func(t *testing.T, label, text string) {
		t.Helper()
		if _, err := ts.DB.ImportEdition(ctx, eda, review.NewEdition{Report: "azerbaijan", Label: label, Published: "2019-01-01",
			Original: []byte(text), Draft: true}); err != nil {
			t.Fatal(err)
		}
	}
	importText(t, "intro", "An introduction before any heading.\n\nPEOPLE\n\nHuman trafficking is a concern.\n")
	importText(t, "plain", "One paragraph of text and no heading at all.\n")

	// want is the 2021 edition's outline from its sections and the claims
	// anchored in it, computed here independently of the reader.
	ed, err := ts.DB.FindEdition(ctx, "azerbaijan", "2021")
	if err != nil {
		t.Fatal(err)
	}
	perHeading := map[string]int{}
	for _, c := range editionClaims(t, ts.DB, "2021") {
		if c.Anchor.Match != review.OutcomeMissing {
			perHeading[c.Anchor.Section]++
		}
	}
	var want2021 []tocItem
	for i, s := range ed.Doc.Sections {
		it := tocItem{ID: fmt.Sprintf("sec-%d", i+1), Heading: s.Heading, Depth: 1, Claims: perHeading[s.Heading]}
		if s.Parent != "" {
			it.Depth = 2
			for j := range want2021 {
				if want2021[j].Heading == s.Parent {
					want2021[j].Claims += it.Claims
				}
			}
		}
		want2021 = append(want2021, it)
	}
	if len(want2021) != 10 {
		t.Fatalf("the seed has %d sections, want 10", len(want2021))
	}

	tests := []struct {
		name  string
		as    string
		label string
		want  []tocItem // nil: no table of contents at all
	}{
		{"OK", "rey", "2021", want2021},
		{"OK/Auditor", "audrey", "2021", want2021},
		{"OK/TextBeforeFirstHeading", "rey", "intro", []tocItem{
			{ID: "text-start", Heading: "Before the first heading", Depth: 1},
			{ID: "sec-1", Heading: "PEOPLE", Depth: 1},
		}},
		{"OK/NoHeadings", "rey", "plain", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := Get(t, ts.Login(t, tt.as), ts.URL+"/reports/azerbaijan/editions/"+tt.label)
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			got := readerTOC(t, body)
			if len(got) != len(tt.want) {
				t.Fatalf("table of contents = %+v, want %+v", got, tt.want)
			}
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Errorf("entry %d = %+v, want %+v", i, got[i], tt.want[i])
				}
				// The link lands on the heading (or the text's start) in the text.
				if !regexp.MustCompile(`<(h2|h3|span) id="` + regexp.QuoteMeta(got[i].ID) + `"`).MatchString(body) {
					t.Errorf("entry %d links to #%s, which no element of the text carries", i, got[i].ID)
				}
			}
			if tt.want == nil && countTestID(body, "section-toc") != 0 {
				t.Error("a table of contents for a text without headings")
			}
			if got := readerText(body); tt.label == "2021" && got != ed.Doc.Text {
				t.Error("the table of contents changed the text reader.js reads")
			}
		})
	}
	t.Run("CountsAddUp", func(t *testing.T) {
		_, body := Get(t, ts.Login(t, "rey"), ts.URL+readerPath)
		total := 0
		for _, it := range readerTOC(t, body) {
			if it.Depth == 1 {
				total += it.Claims
			}
		}
		if shown := countTestID(body, "claim-mark"); total != shown {
			t.Errorf("top-level sections count %d claims, the text highlights %d", total, shown)
		}
	})
}

// publishPath is where the publish form of an edition posts.
func publishPath(label string) string { return "/reports/azerbaijan/editions/" + label + "/publish" }

// TestPublishEdition is publishing a draft edition from the web: the
// button where an editor sees a draft, the POST that publishes it once,
// and the refusals that change nothing.
func TestPublishEdition(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	ctx := context.Background()
	eda := ts.Login(t, "eda")
	// The editor imports 2023 as a draft through the form; the import
	// lands on the comparison, which offers to publish it.
	status, loc, body := postImport(t, eda, ts.URL, map[string]string{"edition": "2023", "published": "2023-09-01", "draft": "yes"},
		"azerbaijan-2023.txt", secondEdition(t))
	if status != http.StatusSeeOther {
		t.Fatalf("import of a draft = %d, want 303\n%s", status, body)
	}
	draftPath := "/reports/azerbaijan/editions/2023"
	isDraft := func(t *testing.T, label string) bool {
		t.Helper()
		ed, err := ts.DB.FindEdition(ctx, "azerbaijan", label)
		if err != nil {
			t.Fatal(err)
		}
		return ed.Draft
	}
	formRE := regexp.MustCompile(`<form method="post" action="([^"]*)"[^>]*data-testid="publish-form"><button type="submit" data-testid="publish-edition">`)

	t.Run("Button", func(t *testing.T) {
		tests := []struct {
			name, as, path string
			want           string // the form's action; "" for no form
		}{
			{"EditorOnDraft", "eda", draftPath, publishPath("2023")},
			{"OtherEditorOnDraft", "ed", draftPath, publishPath("2023")},
			{"EditorAfterImport", "eda", loc, publishPath("2023")},
			{"EditorOnPublished", "eda", readerPath, ""},
			{"ReviewerOnDraft", "rey", draftPath, ""},
			{"AuditorOnDraft", "audrey", draftPath, ""},
			{"AdminOnDraft", "adam", draftPath, ""},
			{"ReviewerAfterImport", "rey", loc, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body := Get(t, ts.Login(t, tt.as), ts.URL+tt.path)
				if status != http.StatusOK {
					t.Fatalf("GET %s: %d", tt.path, status)
				}
				ms := formRE.FindAllStringSubmatch(body, -1)
				switch {
				case tt.want == "" && (len(ms) > 0 || countTestID(body, "publish-form") > 0):
					t.Errorf("%s is offered to publish on %s", tt.as, tt.path)
				case tt.want != "" && len(ms) != 1:
					t.Errorf("%d publish forms (POST with the button) on %s, want 1", len(ms), tt.path)
				case tt.want != "" && html.UnescapeString(ms[0][1]) != tt.want:
					t.Errorf("the form posts to %q, want %q", ms[0][1], tt.want)
				}
			})
		}
		t.Run("EditorImportsTheSameFileAgain", func(t *testing.T) {
			// "Nothing changed" is where an editor ends up who meant to
			// publish by importing again: the button is there too.
			status, _, body := postImport(t, eda, ts.URL, map[string]string{"edition": "2023", "published": "2023-09-01"},
				"azerbaijan-2023.txt", secondEdition(t))
			if status != http.StatusOK || countTestID(body, "import-unchanged") != 1 {
				t.Fatalf("the same file again = %d, want 200 saying nothing changed", status)
			}
			if ms := formRE.FindAllStringSubmatch(body, -1); len(ms) != 1 || ms[0][1] != publishPath("2023") {
				t.Errorf("publish forms = %v, want one posting to %s", ms, publishPath("2023"))
			}
		})
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		head := headSeq(t, ts.DB)
		for _, tt := range []struct {
			name   string
			client *http.Client
			want   int
		}{
			{"Reviewer", ts.Login(t, "rey"), http.StatusForbidden},
			{"Auditor", ts.Login(t, "audrey"), http.StatusForbidden},
			{"Admin", ts.Login(t, "adam"), http.StatusForbidden},
			{"SignedOut", ts.Client(), http.StatusUnauthorized},
		} {
			status, _, body := Post(t, tt.client, ts.URL+publishPath("2023"), url.Values{})
			if status != tt.want {
				t.Errorf("%s: status %d, want %d", tt.name, status, tt.want)
			}
			if tt.want == http.StatusForbidden && !strings.Contains(body, "Publishing an edition needs the editor role") {
				t.Errorf("%s: the refusal does not name the editor role", tt.name)
			}
		}
		if after := headSeq(t, ts.DB); after != head {
			t.Errorf("refused publishes wrote history: seq %d → %d", head, after)
		}
		if !isDraft(t, "2023") {
			t.Error("a refused publish published the edition")
		}
	})

	t.Run("NotOnGET", func(t *testing.T) {
		head := headSeq(t, ts.DB)
		if status, _ := Get(t, eda, ts.URL+publishPath("2023")); status < 400 {
			t.Errorf("GET %s: status %d, want an error", publishPath("2023"), status)
		}
		if headSeq(t, ts.DB) != head || !isDraft(t, "2023") {
			t.Error("a GET published the edition")
		}
	})

	t.Run("OK", func(t *testing.T) {
		head := headSeq(t, ts.DB)
		status, loc, _ := Post(t, eda, ts.URL+publishPath("2023"), url.Values{})
		if want := draftPath + "?msg=edition-published"; status != http.StatusSeeOther || loc != want {
			t.Fatalf("publish = %d to %q, want 303 to %q", status, loc, want)
		}
		if isDraft(t, "2023") {
			t.Error("the edition is still a draft")
		}
		var events []review.Event
		if err := ts.DB.EachEvent(ctx, review.EventFilter{After: head}, func(e review.Event) error {
			events = append(events, e)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Action != "edition.published" || events[0].Actor != "eda" {
			t.Errorf("events = %+v, want one edition.published by eda", events)
		}
		status, body := Get(t, eda, ts.URL+loc)
		if status != http.StatusOK || countTestID(body, "flash") != 1 || !strings.Contains(body, "Edition published") {
			t.Errorf("the reader after publishing = %d without the flash message", status)
		}
		if countTestID(body, "publish-form") != 0 || strings.Contains(body, `<span class="badge">draft</span>`) {
			t.Error("the published edition is still shown as a draft")
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		head := headSeq(t, ts.DB)
		status, _, body := Post(t, ts.Login(t, "ed"), ts.URL+publishPath("2023"), url.Values{})
		if status != http.StatusConflict || !strings.Contains(body, "already published") {
			t.Errorf("second publish = %d, want 409 saying it is already published", status)
		}
		if headSeq(t, ts.DB) != head {
			t.Error("a second publish wrote history")
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		head := headSeq(t, ts.DB)
		for _, p := range []string{publishPath("1999"), "/reports/nowhere/editions/2023/publish"} {
			if status, _, _ := Post(t, eda, ts.URL+p, url.Values{}); status != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", p, status)
			}
		}
		if headSeq(t, ts.DB) != head {
			t.Error("publishing nothing wrote history")
		}
	})

	t.Run("HTMX", func(t *testing.T) {
		// An htmx request is told where to go rather than sent a 303 it
		// would follow and swap in.
		status, _, body := postImport(t, eda, ts.URL, map[string]string{"edition": "2019", "published": "2019-01-01", "draft": "yes"},
			"old.txt", secondEdition(t))
		if status != http.StatusSeeOther {
			t.Fatalf("import = %d\n%s", status, body)
		}
		res := doRequest(t, eda, ts.URL, http.MethodPost, publishPath("2019"), []byte{}, "application/x-www-form-urlencoded",
			map[string]string{"HX-Request": "true"})
		if want := "/reports/azerbaijan/editions/2019?msg=edition-published"; res.status != http.StatusNoContent || res.header.Get("HX-Redirect") != want {
			t.Errorf("htmx publish = %d with HX-Redirect %q, want 204 to %q", res.status, res.header.Get("HX-Redirect"), want)
		}
		if isDraft(t, "2019") {
			t.Error("the htmx request did not publish")
		}
	})
}

// TestBrowserReaderSelection is the reviewer's story in the browser:
// selecting the Cigánska sentence fills the form with the quote, the words
// around it, the report's hedge words and the confidence they suggest.
func TestBrowserReaderSelection(t *testing.T) {
	ts := MustServer(t)
	ed, err := ts.DB.FindEdition(context.Background(), "azerbaijan", "2021")
	if err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	tb.login(ts.URL, "rey")
	tb.open(ts.URL, readerPath)
	tb.do(chromedp.WaitVisible(byTestID("reader-text")))

	type formState struct {
		Quote, Prefix, Suffix, Hedge, Confidence, Hint, Topic string
	}
	readForm := func() formState {
		return eval[formState](tb, `(() => {
			const f = document.getElementById("new-claim");
			const v = n => f.querySelector('[name="' + n + '"]').value;
			return {Quote: v("quote"), Prefix: v("prefix"), Suffix: v("suffix"), Hedge: v("hedge"),
				Confidence: v("confidence"), Hint: document.getElementById("nc-hedge-hint").textContent, Topic: v("topic")};
		})()`)
	}
	selectText := func(s string) formState {
		t.Helper()
		if got := eval[string](tb, "("+selectInReader+")("+jsString(s)+")"); squash(got) != s {
			tb.fail("selected %q, want %q", got, s)
		}
		tb.waitJS("the form to take the selection", `document.querySelector('#new-claim [name="quote"]').value === `+jsString(s))
		return readForm()
	}

	t.Run("Hedged", func(t *testing.T) {
		f := selectText(cigánska)
		if f.Hint != "hedged: limited information, allegedly · suggested confidence: unverified" {
			t.Errorf("hint = %q", f.Hint)
		}
		if f.Confidence != "unverified" || f.Hedge != "limited information, allegedly" {
			t.Errorf("confidence %q, hedge %q; want unverified, limited information, allegedly", f.Confidence, f.Hedge)
		}
		// Under CRIMINAL ACTORS, a sentence about a mafia-style group.
		if f.Topic != "Mafia-style groups" {
			t.Errorf("topic %q, want the suggested indicator Mafia-style groups", f.Topic)
		}
		// The words around the selection are the edition's: the server
		// anchors the quote with them.
		a, err := anchor.Locate(ed.Doc, f.Quote, f.Prefix, f.Suffix)
		if err != nil {
			t.Fatal(err)
		}
		if a.Exact != cigánska || !strings.HasSuffix(ed.Doc.Text[:a.Start], f.Prefix) || !strings.HasPrefix(ed.Doc.Text[a.End:], f.Suffix) ||
			len([]rune(f.Prefix)) != 32 || len([]rune(f.Suffix)) != 32 {
			t.Errorf("prefix %q, suffix %q are not the 32 characters around the quote", f.Prefix, f.Suffix)
		}
	})

	t.Run("AcrossHighlights", func(t *testing.T) {
		// From inside one claim's highlight into the next sentence, hedged
		// by words outside the selection: hedged all the same, as the
		// server's review.HedgesAt sees it.
		quote := "sexual exploitation and forced labour. Women are particularly vulnerable"
		f := selectText(quote)
		if f.Hedge != "likely to" || f.Confidence != "low" {
			t.Errorf("hedge %q, confidence %q; want likely to, low", f.Hedge, f.Confidence)
		}
		// Under PEOPLE, about exploitation and forced labour; the earlier
		// suggestion gives way to this one.
		if f.Topic != "Human trafficking" {
			t.Errorf("topic %q, want Human trafficking", f.Topic)
		}
		a, err := anchor.Locate(ed.Doc, f.Quote, f.Prefix, f.Suffix)
		if err != nil || a.Exact != quote {
			t.Errorf("Locate(%q, %q, %q) = %q, %v", f.Quote, f.Prefix, f.Suffix, a.Exact, err)
		}
	})

	t.Run("ClaimThis", func(t *testing.T) {
		want := eval[string](tb, `document.querySelector('[data-testid="claim-this"]').getAttribute("data-quote")`)
		tb.do(
			chromedp.Evaluate[chromedp.Void](`window.vettedNoReload = "kept"`),
			chromedp.Click(byTestID("claim-this")),
		)
		tb.waitJS("the form to take the sentence", `document.querySelector('#new-claim [name="quote"]').value === `+jsString(want))
		if kept := eval[string](tb, `String(window.vettedNoReload)`); kept != "kept" {
			t.Error(`"Claim this" reloaded the page: want the form filled in place`)
		}
		if id := eval[string](tb, `document.activeElement.id`); id != "nc-statement" {
			t.Errorf("focus on %q, want the statement field", id)
		}
	})
}

// TestReaderManyClaims: an edition with more claims than the reader lists
// beside the text still highlights every one in the text, and lists its
// sections, each linking to its claims in the claims list, instead of
// every claim's card.
func TestReaderManyClaims(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	rey, err := ts.DB.FindUserByName(ctx, "rey")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := ts.DB.FindEdition(ctx, "azerbaijan", "2021")
	if err != nil {
		t.Fatal(err)
	}
	sents := ed.Doc.Sentences()
	for i := 0; i < 150; i++ {
		sn := sents[i%len(sents)]
		if _, err := ts.DB.CreateClaim(ctx, rey, review.NewClaim{Report: "azerbaijan", Edition: "2021",
			Quote: ed.Doc.Text[sn.Start:sn.End], Statement: fmt.Sprintf("Generated claim %d", i), Confidence: review.ConfidenceLow, ConfirmDuplicate: true}); err != nil {
			t.Fatal(err)
		}
	}
	_, body := Get(t, ts.Login(t, "rey"), ts.URL+"/reports/azerbaijan/editions/2021")
	marks := strings.Count(body, `data-testid="claim-mark"`)
	if marks < 200 {
		t.Fatalf("%d claims highlighted, want every one of over 200", marks)
	}
	if strings.Contains(body, `data-testid="claim-item"`) || !strings.Contains(body, `data-testid="claim-section"`) {
		t.Error("the reader lists every claim beside the text, not its sections")
	}
	if !strings.Contains(body, `/claims?edition=2021&amp;report=azerbaijan&amp;section=`) {
		t.Error("the sections do not link to their claims in the claims list")
	}
}

// TestReaderFollowsReplacedDraft: the reader's hedged sentences (kept per
// edition) follow a draft replaced by a new file.
func TestReaderFollowsReplacedDraft(t *testing.T) {
	ts := MustServer(t)
	eda := ts.Login(t, "eda")
	hedged := regexp.MustCompile(`(\d+) hedged sentences`)
	read := func() string {
		t.Helper()
		_, body := Get(t, eda, ts.URL+"/reports/azerbaijan/editions/2023")
		m := hedged.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the reader does not count hedged sentences:\n%s", clip(body))
		}
		return m[1]
	}
	texts := []string{
		"The group allegedly controls the port. Trafficking is reportedly common.\n\nCourts are slow.",
		"The port is a transit point.\n\nCourts are slow.",
	}
	var counts []string
	for i, text := range texts {
		fields := map[string]string{"edition": "2023", "published": "2023-09-01", "draft": "yes"}
		if i > 0 {
			fields["replace"] = "yes"
		}
		if status, _, body := postImport(t, eda, ts.URL, fields, "2023.txt", []byte(text)); status != http.StatusSeeOther {
			t.Fatalf("import %d = %d\n%s", i, status, clip(body))
		}
		counts = append(counts, read())
	}
	if counts[0] != "2" || counts[1] != "0" {
		t.Errorf("hedged sentences before and after replacing the draft: %v, want [2 0]", counts)
	}
}
