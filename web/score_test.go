package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"vetted/review"
)

// postSheet submits the score-sheet form as a browser would.
func postSheet(t *testing.T, c *http.Client, base string, fields map[string]string, file []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", "scores.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/scores", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	return res.StatusCode, body.String()
}

func readSheet(t *testing.T, year string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/ocindex/scores-" + year + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestScoresWeb: an editor imports both sheets from the report page; the
// report page draws every indicator across editions and checks the
// averages; the claim page and the reader's headings show the scores; a
// new edition with the text unchanged queues the cocaine claim as "score
// moved, text unchanged", and the editor resolves it with a reason.
func TestScoresWeb(t *testing.T) {
	ts := MustServer(t)
	eda, rey := ts.Login(t, "eda"), ts.Login(t, "rey")

	_, body := Get(t, eda, ts.URL+"/reports/azerbaijan")
	if countTestID(body, "no-scores") != 1 || countTestID(body, "scores-form") != 1 {
		t.Fatalf("report page before any sheet:\n%s", body)
	}
	if status, _ := postSheet(t, rey, ts.URL, map[string]string{"edition": "2021", "report": "azerbaijan"}, readSheet(t, "2021")); status != http.StatusForbidden {
		t.Errorf("a reviewer imports scores: %d, want 403", status)
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		bad := bytes.Replace(readSheet(t, "2021"), []byte(",4.5,"), []byte(",45,"), 1)
		status, body := postSheet(t, eda, ts.URL, map[string]string{"edition": "2021", "report": "azerbaijan"}, bad)
		if status != http.StatusBadRequest || countTestID(body, "sheet-errors") != 1 ||
			!strings.Contains(body, `line 2, column &#34;National policies and laws&#34;: 45 is outside the Index&#39;s 1 to 10`) {
			t.Errorf("bad sheet: %d\n%s", status, body)
		}
		if vs, _ := ts.DB.ReportScores(context.Background(), "azerbaijan"); len(vs) != 0 {
			t.Errorf("%d scores kept from a refused sheet", len(vs))
		}
	})

	for _, year := range []string{"2021", "2023"} {
		status, body := postSheet(t, eda, ts.URL, map[string]string{"edition": year, "report": "azerbaijan"}, readSheet(t, year))
		if status != http.StatusOK || !strings.Contains(body, "193 countries") || countTestID(body, "scores-imported") != 1 {
			t.Fatalf("import %s: %d\n%s", year, status, body)
		}
	}
	status, body := postSheet(t, eda, ts.URL, map[string]string{"edition": "2023", "report": "azerbaijan"}, readSheet(t, "2021"))
	if status != http.StatusConflict || !strings.Contains(body, "already imported from a different file") {
		t.Errorf("another sheet for 2023: %d", status)
	}

	_, body = Get(t, rey, ts.URL+"/reports/azerbaijan")
	if n := countTestID(body, "multiple"); n != 36 {
		t.Errorf("%d small multiples, want 36 (4 averages, 15 markets, 5 actor types, 12 resilience)", n)
	}
	if countTestID(body, "averages-ok") != 1 || strings.Contains(body, "does not add up</strong>") {
		t.Error("the averages of the real sheets do not all agree on the report page")
	}
	if !strings.Contains(body, `aria-label="Cocaine trade — 2021: 3, 2023: 1.5"`) || countTestID(body, "scores-form") != 0 {
		t.Errorf("report page: cocaine chart missing, or a reviewer sees the form")
	}

	cocaine := claimOnTopic(t, ts, "Cocaine trade")
	_, body = Get(t, rey, ts.URL+fmt.Sprintf("/claims/%d", cocaine))
	if countTestID(body, "claim-scores") != 1 || !strings.Contains(body, "<strong>1.5</strong>") || !strings.Contains(body, "(-1.5)") {
		t.Errorf("claim page shows no score for cocaine")
	}
	_, body = Get(t, rey, ts.URL+"/reports/azerbaijan/editions/2021")
	if countTestID(body, "section-scores") < 8 || !strings.Contains(body, `<span class="name">Cocaine trade</span>`) {
		t.Errorf("reader: %d headings with scores", countTestID(body, "section-scores"))
	}

	// The 2023 edition with the 2021 text: every quote unchanged.
	demo, err := ts.DB.EditionOriginal(context.Background(), "azerbaijan", "2021")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.DB.ImportEdition(context.Background(), review.System, review.NewEdition{Report: "azerbaijan",
		Label: "2023", Published: "2023-09-26", Original: demo}); err != nil {
		t.Fatal(err)
	}
	_, body = Get(t, eda, ts.URL+"/queue?kind=flag")
	if !strings.Contains(body, "score moved, text unchanged") || !strings.Contains(body, "Cocaine trade scored 3 in 2021 and 1.5 in 2023 (-1.5)") {
		t.Fatalf("queue has no score-moved item for cocaine")
	}
	c, err := ts.DB.FindClaim(context.Background(), cocaine)
	if err != nil {
		t.Fatal(err)
	}
	var flag review.Flag
	for _, f := range c.AllFlags {
		if f.Kind == review.FlagScoreMoved {
			flag = f
		}
	}
	status, _, _ = Post(t, eda, ts.URL+fmt.Sprintf("/flags/%d/resolve", flag.ID), url.Values{"resolution": {"Seizures fell; the text will say so in 2025."}})
	if status != http.StatusSeeOther {
		t.Fatalf("resolve: %d", status)
	}
	n, err := ts.DB.CountEvents(context.Background(), review.EventFilter{Claim: cocaine, Action: "flag.resolved"})
	if err != nil || n != 1 {
		t.Errorf("%d flag.resolved events, %v", n, err)
	}
}

func claimOnTopic(t *testing.T, ts *testServer, topic string) int64 {
	t.Helper()
	cs, _, err := ts.DB.FindClaims(context.Background(), review.ClaimFilter{Report: "azerbaijan", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Latest.Topic == topic {
			return c.ID
		}
	}
	t.Fatalf("no claim on %s", topic)
	return 0
}

// TestReportAveragesMismatch: the report page shows an average the sheet
// gives that its indicators do not.
func TestReportAveragesMismatch(t *testing.T) {
	ts := MustServer(t)
	eda := ts.Login(t, "eda")
	sheet := bytes.Replace(readSheet(t, "2023"), []byte("Azerbaijan,4.8,"), []byte("Azerbaijan,4.9,"), 1)
	if status, body := postSheet(t, eda, ts.URL, map[string]string{"edition": "2023", "report": "azerbaijan"}, sheet); status != http.StatusOK ||
		!strings.Contains(body, "Azerbaijan: Criminality is 4.9 in the sheet, 4.8 from its indicators") {
		t.Fatalf("import: %d, mismatch not reported", status)
	}
	_, body := Get(t, eda, ts.URL+"/reports/azerbaijan")
	if countTestID(body, "averages-mismatch") != 1 || !strings.Contains(body, `<tr class="mismatch"><td>2023</td><td>Criminality</td><td>4.9</td><td>4.8</td>`) {
		t.Errorf("report page hides the mismatch")
	}
}
