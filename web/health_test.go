package web_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestHealthAndWritesAfterFault: once the database's WAL is removed under
// the server, /healthz answers 503 saying why, every page carries a banner
// saying so (a page kept before is not served), and a form sent is
// answered 503 with a page that says nothing was saved and leads back to
// the form.
func TestHealthAndWritesAfterFault(t *testing.T) {
	ts := MustServer(t)
	if st, body := Get(t, ts.Client(), ts.URL+"/healthz"); st != http.StatusOK || body != "ok\n" {
		t.Fatalf("healthz: %d %q, want 200 ok", st, body)
	}
	rey := ts.Login(t, "rey")
	Get(t, rey, ts.URL+"/claims/1") // kept in the page cache without a banner
	if err := os.Remove(ts.DB.Path + "-wal"); err != nil {
		t.Fatal(err)
	}
	st, body := Get(t, ts.Client(), ts.URL+"/healthz")
	if st != http.StatusServiceUnavailable || !strings.Contains(body, "removed or replaced") {
		t.Errorf("healthz after the WAL was removed: %d %q, want 503 saying why", st, body)
	}
	for _, path := range []string{"/", "/claims/1"} {
		if _, body := Get(t, rey, ts.URL+path); !strings.Contains(body, `data-testid="fault-banner"`) || !strings.Contains(body, "removed or replaced") {
			t.Errorf("%s after the WAL was removed has no banner saying why", path)
		}
	}
	st, _, body = Post(t, rey, ts.URL+"/claims/1/notes", url.Values{"body": {"Lost if accepted."}})
	if st != http.StatusServiceUnavailable || !strings.Contains(body, "Nothing was saved") ||
		!strings.Contains(body, `data-testid="back-to-form"`) {
		t.Errorf("a note after the WAL was removed: %d, want 503 saying nothing was saved with a way back to the form:\n%s", st, body)
	}
}
