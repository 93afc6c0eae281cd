package web_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"vetted/web"
)

// TestExportsAreBounded: exports hold a read connection while they stream,
// so only a few run at once; the next is told to retry and records
// nothing. Many at once all end (an annotation export once read edition
// texts inside its own read transaction, and enough of them at once waited
// on each other for ever).
func TestExportsAreBounded(t *testing.T) {
	ts := MustServer(t)
	audrey := ts.Login(t, "audrey")
	paths := []string{"/export/history.jsonl", "/export/history.csv", "/export/claims.csv",
		"/export/claims.annotations.jsonld", "/export/claims.claimreview.jsonld"}

	t.Run("full: 503 and nothing recorded", func(t *testing.T) {
		give := web.TakeExportSlots(ts.App)
		defer give()
		for _, p := range paths {
			before := headSeq(t, ts.DB)
			res, err := audrey.Get(ts.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
				t.Errorf("GET %s with every slot taken: %d (Retry-After %q), want 503 with Retry-After", p, res.StatusCode, res.Header.Get("Retry-After"))
			}
			if after := headSeq(t, ts.DB); after != before {
				t.Errorf("GET %s refused, yet the history grew", p)
			}
		}
	})

	t.Run("many at once all end", func(t *testing.T) {
		var wg sync.WaitGroup
		statuses := make(chan int, 24)
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL+paths[3+i%2], nil)
				res, err := audrey.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				statuses <- res.StatusCode
			}()
		}
		wg.Wait()
		close(statuses)
		ok := 0
		for st := range statuses {
			switch st {
			case http.StatusOK:
				ok++
			case http.StatusServiceUnavailable:
			default:
				t.Errorf("an export answered %d", st)
			}
		}
		if ok == 0 {
			t.Error("no export of 24 got through")
		}
	})
}
