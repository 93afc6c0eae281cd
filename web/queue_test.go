package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"vetted"
	"vetted/store"
)

// TestQueuePages: the queue pages with next links that keep the filter,
// the pages hold every item once, filters narrow it, and a forged position
// is refused with 400 and a way to start over.
func TestQueuePages(t *testing.T) {
	ts := MustServer(t)
	eda := ts.Login(t, "eda")
	_, whole := Get(t, eda, ts.URL+"/queue")
	total := regexp.MustCompile(`(\d+) item\(s\) in all`).FindStringSubmatch(whole)
	if total == nil {
		t.Fatal("the queue page gives no total")
	}
	itemRE := regexp.MustCompile(`id="(q-(?:revision|flag)-\d+)"`)
	want := itemRE.FindAllStringSubmatch(whole, -1)
	nextRE := regexp.MustCompile(`href="([^"]+)" rel="next"`)

	// Flags only, three at a time (the page size is not a user setting:
	// the kind filter makes the pages short enough to need several).
	_, flags := Get(t, eda, ts.URL+"/queue?kind=flag")
	wantFlags := itemRE.FindAllStringSubmatch(flags, -1)
	if len(wantFlags) == 0 || len(wantFlags) >= len(want) {
		t.Fatalf("%d flags of %d items: the filter does not narrow", len(wantFlags), len(want))
	}
	if strings.Contains(flags, `id="q-revision-`) {
		t.Error("kind=flag shows revisions")
	}
	if nextRE.MatchString(whole) {
		t.Fatalf("the demo queue (%s items) should fit one page", total[1])
	}

	// A second report's claims make the queue longer than a page: the
	// next links, which keep the filter, visit every item once.
	if err := ts.DB.SeedScale(context.Background(), vetted.DemoEdition, vetted.DemoClaims, store.Scale{Reports: 1}); err != nil {
		t.Fatal(err)
	}
	for _, filter := range []string{"", "?kind=revision"} {
		seen := map[string]bool{}
		page, pages, n := "/queue"+filter, 0, ""
		for page != "" {
			pages++
			_, body := Get(t, eda, ts.URL+html.UnescapeString(page))
			if m := regexp.MustCompile(`(\d+) item\(s\) in all`).FindStringSubmatch(body); m != nil {
				n = m[1]
			}
			for _, m := range itemRE.FindAllStringSubmatch(body, -1) {
				if seen[m[1]] {
					t.Errorf("%s: %s on two pages", filter, m[1])
				}
				if filter != "" && !strings.HasPrefix(m[1], "q-revision-") {
					t.Errorf("%s: %s shown", filter, m[1])
				}
				seen[m[1]] = true
			}
			page = ""
			if m := nextRE.FindStringSubmatch(body); m != nil {
				page = m[1]
				if filter != "" && !strings.Contains(page, "kind=revision") {
					t.Errorf("the next link %s drops the filter", page)
				}
			}
			if pages > 20 {
				t.Fatal("the next links do not end")
			}
		}
		if pages < 2 || fmt.Sprint(len(seen)) != n {
			t.Errorf("%q: %d pages showed %d items; the total says %s", filter, pages, len(seen), n)
		}
	}

	// The second page's Previous link leads back to the first page.
	_, first := Get(t, eda, ts.URL+"/queue")
	next := nextRE.FindStringSubmatch(first)
	if next == nil {
		t.Fatal("no next page")
	}
	_, second := Get(t, eda, ts.URL+html.UnescapeString(next[1]))
	prev := regexp.MustCompile(`href="([^"]+)" rel="prev"`).FindStringSubmatch(second)
	if prev == nil {
		t.Fatal("the second page has no Previous link")
	}
	_, back := Get(t, eda, ts.URL+html.UnescapeString(prev[1]))
	if got, want := itemRE.FindAllString(back, -1), itemRE.FindAllString(first, -1); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Previous from the second page shows %d items, not the first page's %d", len(got), len(want))
	}

	st, body := Get(t, eda, ts.URL+"/queue?after=2026-01-01T00%3A00%3A00.000000Z~note~1")
	if st != http.StatusBadRequest || !strings.Contains(body, "start from the first page") {
		t.Errorf("a forged position: %d, want 400 saying to start over", st)
	}
	for _, tc := range []struct{ query, want string }{
		{"?report=no-such-report", `There is no report &#34;no-such-report&#34;`},
		{"?author=nobody", `There is no user &#34;nobody&#34;`},
	} {
		if _, body := Get(t, eda, ts.URL+"/queue"+tc.query); !strings.Contains(body, tc.want) {
			t.Errorf("/queue%s does not say the name matches nothing", tc.query)
		}
	}
	for _, bad := range []string{"?kind=note", "?section=DRUGS", "?after=x", "?after=" + strings.Repeat("9", 5000)} {
		if st, _ := Get(t, eda, ts.URL+"/queue"+bad); st != http.StatusBadRequest {
			t.Errorf("/queue%s: %d, want 400", bad, st)
		}
	}
	if st, _ := Get(t, ts.Login(t, "rey"), ts.URL+"/queue"); st != http.StatusForbidden {
		t.Errorf("a reviewer's /queue: %d, want 403", st)
	}
}
