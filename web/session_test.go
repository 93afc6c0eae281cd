package web_test

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"vetted/web"
)

func newKeys(tb testing.TB) [][]byte {
	tb.Helper()
	keys := [][]byte{make([]byte, 64), make([]byte, 32)}
	for _, k := range keys {
		if _, err := rand.Read(k); err != nil {
			tb.Fatal(err)
		}
	}
	return keys
}

// TestSessionKeyRotation follows docs/OPERATIONS.md: a new key pair goes
// first, the old one stays for decoding, and nobody is signed out; once the
// old pair is dropped, its cookies no longer open anything.
func TestSessionKeyRotation(t *testing.T) {
	ts := MustServer(t)
	oldKeys, newPair := newKeys(t), newKeys(t)
	serve := func(keys [][]byte) *httptest.Server {
		srv, err := web.New(ts.DB, web.Config{SessionKeys: keys, Logger: discardLogger()})
		if err != nil {
			t.Fatal(err)
		}
		s := httptest.NewServer(srv)
		t.Cleanup(s.Close)
		return s
	}
	before := serve(oldKeys)
	c := ts.Client()
	if status, _, _ := Post(t, c, before.URL+"/login", url.Values{"username": {"rey"}, "password": {demoPassword("rey")}}); status != http.StatusSeeOther {
		t.Fatalf("login: %d", status)
	}
	cookies := c.Jar.Cookies(mustURL(t, before.URL))

	for _, tc := range []struct {
		name string
		keys [][]byte
		want int
	}{
		{"OKRotated", append(append([][]byte{}, newPair...), oldKeys...), http.StatusOK},
		{"ErrOldPairDropped", newPair, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			after := serve(tc.keys)
			c2 := ts.Client()
			c2.Jar.SetCookies(mustURL(t, after.URL), cookies)
			if status, _ := Get(t, c2, after.URL+"/claims"); status != tc.want {
				t.Errorf("old cookie on the new server: %d, want %d", status, tc.want)
			}
		})
	}
}

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
