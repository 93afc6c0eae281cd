package web_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"vetted/store"
	"vetted/web"
)

// The client address behind a trusted reverse proxy (Config.TrustedProxies):
// which address the request log and the sign-in throttle count a request
// under, for every shape of X-Forwarded-For a proxy or a client can send.

// lan are the proxies most cases trust: loopback, a private network and an
// IPv6 one.
var lan = []string{"127.0.0.1/32", "::1/128", "10.0.0.0/8", "2001:db8:1::/48"}

func prefixes(s ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(s))
	for i, p := range s {
		ps[i] = netip.MustParsePrefix(p)
	}
	return ps
}

// addrLog is a log handler that keeps the addr of the last request line,
// which is what the server decided the client's address is.
type addrLog struct {
	mu   sync.Mutex
	addr string
}

func (l *addrLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *addrLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *addrLog) WithGroup(string) slog.Handler            { return l }
func (l *addrLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "request" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "addr" {
			return true
		}
		l.mu.Lock()
		l.addr = a.Value.String()
		l.mu.Unlock()
		return false
	})
	return nil
}

// proxyDB is an empty database: finding the address needs none of the demo.
func proxyDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "vetted.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// proxyServer is a server over db trusting the given proxies.
type proxyServer struct {
	srv *web.Server
	log *addrLog
}

func newProxyServer(tb testing.TB, db *store.DB, trusted []netip.Prefix) *proxyServer {
	tb.Helper()
	keys := [][]byte{make([]byte, 64), make([]byte, 32)}
	for _, k := range keys {
		rand.Read(k)
	}
	log := &addrLog{}
	srv, err := web.New(db, web.Config{SessionKeys: keys, Logger: slog.New(log), TrustedProxies: trusted})
	if err != nil {
		tb.Fatal(err)
	}
	return &proxyServer{srv: srv, log: log}
}

// addr sends GET /healthz from remote (a RemoteAddr, as the listener
// would set it) with hdr, and returns the address the server logged.
func (ps *proxyServer) addr(tb testing.TB, remote string, hdr http.Header) string {
	tb.Helper()
	r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	r.RemoteAddr = remote
	for k, vs := range hdr {
		r.Header[k] = vs
	}
	ps.log.mu.Lock()
	ps.log.addr = "(none logged)"
	ps.log.mu.Unlock()
	w := httptest.NewRecorder()
	ps.srv.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		tb.Fatalf("GET /healthz from %q: %d, want 200", remote, w.Code)
	}
	ps.log.mu.Lock()
	defer ps.log.mu.Unlock()
	return ps.log.addr
}

// xff is an X-Forwarded-For of one header line per argument.
func xff(lines ...string) http.Header {
	return http.Header{"X-Forwarded-For": lines}
}

// hops is n comma-separated trusted proxy addresses.
func hops(n int) string {
	return strings.TrimSuffix(strings.Repeat("10.0.0.3, ", n), ", ")
}

func TestProxyClientAddr(t *testing.T) {
	t.Parallel()
	db := proxyDB(t)
	trusting := newProxyServer(t, db, prefixes(lan...))
	trustingNone := newProxyServer(t, db, nil)
	const proxy, client, other = "127.0.0.1:40000", "203.0.113.7", "198.51.100.9"
	for _, tc := range []struct {
		name   string
		none   bool // on the server that trusts no proxy
		remote string
		hdr    http.Header
		want   string
	}{
		// A peer that is not a trusted proxy is its own address, whatever it writes.
		{"no proxies set: X-Forwarded-For ignored", true, proxy, xff(client), "127.0.0.1"},
		{"untrusted peer forging a client: ignored", false, other + ":5555", xff(client), other},
		{"untrusted peer forging a trusted proxy: ignored", false, other + ":5555", xff(client + ", 10.0.0.3"), other},
		{"untrusted peer just outside a trusted prefix", false, "11.0.0.1:5555", xff(client), "11.0.0.1"},
		{"untrusted IPv4-mapped peer: unmapped", false, "[::ffff:" + other + "]:5555", xff(client), other},
		{"untrusted IPv6 peer: canonical", false, "[2001:DB8:0:0::9]:443", xff(client), "2001:db8::9"},
		{"RemoteAddr not host:port: kept as it is", false, "pipe", xff(client), "pipe"},

		// A trusted proxy's header, read from the right.
		{"trusted peer, one hop", false, proxy, xff(client), client},
		{"trusted peer, client-written entries left of the client skipped", false, proxy, xff("10.0.0.3, " + other + ", " + client), client},
		{"trusted chain: trusted hops skipped", false, proxy, xff(other + ", " + client + ", 10.0.0.3, 10.1.2.3"), client},
		{"trusted chain over several header lines", false, proxy, xff(other+", "+client, "10.0.0.3", "10.1.2.3"), client},
		{"all hops trusted: the leftmost", false, proxy, xff("10.0.0.5, 10.0.0.3"), "10.0.0.5"},
		{"all hops trusted, several lines: the leftmost", false, proxy, xff("10.0.0.5", "10.0.0.3"), "10.0.0.5"},
		{"spaces and tabs around entries", false, proxy, xff("  " + client + " ,\t10.0.0.3\t"), client},
		{"31 trusted hops and the client: within the cap", false, proxy, xff(client + ", " + hops(31)), client},
		{"a long client-written list left of the client is not read", false, proxy, xff(strings.Repeat("garbage,", 10000) + client), client},

		// IPv6 and IPv4-mapped addresses, normalised.
		{"IPv6 client", false, proxy, xff("2001:db8::7"), "2001:db8::7"},
		{"IPv6 client, non-canonical", false, proxy, xff("2001:DB8:0:0:0:0:0:7"), "2001:db8::7"},
		{"IPv4-mapped client: unmapped", false, proxy, xff("::ffff:" + client), client},
		{"IPv4-mapped trusted hop: skipped", false, proxy, xff(client + ", ::ffff:10.0.0.3"), client},
		{"IPv6 loopback proxy", false, "[::1]:5555", xff(client), client},
		{"IPv4-mapped loopback proxy", false, "[::ffff:127.0.0.1]:5555", xff(client), client},
		{"IPv6 proxy prefix and hops", false, "[2001:db8:1::5]:443", xff(other + ", 2001:db8::7, 2001:db8:1::6"), "2001:db8::7"},

		// A header the proxies' part of which cannot be read: the proxy.
		{"missing header", false, proxy, nil, "127.0.0.1"},
		{"empty header", false, proxy, xff(""), "127.0.0.1"},
		{"only spaces", false, proxy, xff("   "), "127.0.0.1"},
		{"only a comma", false, proxy, xff(","), "127.0.0.1"},
		{"garbage", false, proxy, xff("unknown"), "127.0.0.1"},
		{"garbage right of the client", false, proxy, xff(client + ", garbage"), "127.0.0.1"},
		{"garbage between the client and a trusted hop", false, proxy, xff(client + ", <script>, 10.0.0.3"), "127.0.0.1"},
		{"an empty entry between the client and a trusted hop", false, proxy, xff(client + ",,10.0.0.3"), "127.0.0.1"},
		{"an empty line after the client", false, proxy, xff(client, ""), "127.0.0.1"},
		{"trailing comma", false, proxy, xff(client + ","), "127.0.0.1"},
		{"IPv4 with a port", false, proxy, xff(client + ":4711"), "127.0.0.1"},
		{"IPv6 in brackets with a port", false, proxy, xff("[2001:db8::7]:443"), "127.0.0.1"},
		{"IPv6 in brackets", false, proxy, xff("[2001:db8::7]"), "127.0.0.1"},
		{"IPv6 with a zone", false, proxy, xff("fe80::1%eth0"), "127.0.0.1"},
		{"a prefix, not an address", false, proxy, xff("203.0.113.0/24"), "127.0.0.1"},
		{"leading zeros", false, proxy, xff("203.000.113.007"), "127.0.0.1"},
		{"a space inside an address", false, proxy, xff("203.0.113. 7"), "127.0.0.1"},
		{"a newline after an address", false, proxy, xff(client + "\n"), "127.0.0.1"},
		{"a hostname", false, proxy, xff("client.example.org"), "127.0.0.1"},
		{"32 trusted hops: past the cap", false, proxy, xff(client + ", " + hops(32)), "127.0.0.1"},
		{"40 header lines of trusted hops: past the cap", false, proxy, xff(slices.Concat([]string{client}, slices.Repeat([]string{"10.0.0.3"}, 40))...), "127.0.0.1"},
		{"other headers are not read", false, proxy,
			http.Header{"Forwarded": {"for=" + client}, "X-Real-Ip": {client}, "True-Client-Ip": {client}}, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := trusting
			if tc.none {
				ps = trustingNone
			}
			if got := ps.addr(t, tc.remote, tc.hdr); got != tc.want {
				t.Errorf("client address %q, want %q (RemoteAddr %q, %v)", got, tc.want, tc.remote, tc.hdr)
			}
		})
	}
}

func TestProxyConfig(t *testing.T) {
	t.Parallel()
	db := proxyDB(t)
	keys := [][]byte{make([]byte, 64), make([]byte, 32)}
	t.Run("ErrInvalidPrefix", func(t *testing.T) {
		_, err := web.New(db, web.Config{SessionKeys: keys, TrustedProxies: []netip.Prefix{{}}})
		if err == nil || !strings.Contains(err.Error(), "trusted proxy") {
			t.Errorf("error %v, want one naming the trusted proxy", err)
		}
	})
	t.Run("OKMappedPrefix", func(t *testing.T) {
		// Peers are unmapped before the check, so a mapped prefix must be
		// too, or it would trust nobody.
		ps := newProxyServer(t, db, prefixes("::ffff:127.0.0.0/104"))
		if got := ps.addr(t, "127.0.0.1:5555", xff("203.0.113.7")); got != "203.0.113.7" {
			t.Errorf("client address %q, want 203.0.113.7", got)
		}
	})
	t.Run("OKCallerSliceUntouched", func(t *testing.T) {
		cfg := prefixes("::ffff:10.0.0.0/104")
		want := slices.Clone(cfg)
		newProxyServer(t, db, cfg)
		if !slices.Equal(cfg, want) {
			t.Errorf("web.New changed the caller's prefixes to %v", cfg)
		}
	})
}

// TestProxyThrottle: behind a trusted proxy the per-address sign-in limit
// counts each client, so one client's failures lock out that client only;
// and a client that is not a trusted proxy cannot dodge the limit by
// writing a new X-Forwarded-For each time.
func TestProxyThrottle(t *testing.T) {
	t.Parallel()
	// The test's HTTP client is the proxy: httptest listens on loopback.
	cs := mustClockServer(t, web.Config{TrustedProxies: prefixes("127.0.0.1/32", "::1/128")})
	const attacker, neighbour = "203.0.113.7", "198.51.100.9"
	n := 0
	login := func(t *testing.T, ts *testServer, forwarded, name, password string) int {
		t.Helper()
		hdr := map[string]string{}
		if forwarded != "" {
			hdr["X-Forwarded-For"] = forwarded
		}
		form := url.Values{"username": {name}, "password": {password}}
		return doRequest(t, ts.Client(), ts.URL, http.MethodPost, "/login", []byte(form.Encode()), "application/x-www-form-urlencoded", hdr).status
	}
	// A new name for each guess, so that only the per-address limit (20)
	// can answer 429, never the per-name one (5).
	guess := func(t *testing.T, ts *testServer, forwarded string) int {
		t.Helper()
		n++
		return login(t, ts, forwarded, fmt.Sprintf("guess-%d", n), "wrong")
	}
	for i := 1; i <= 20; i++ {
		if status := guess(t, cs.testServer, attacker); status != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d from %s: %d, want 401", i, attacker, status)
		}
	}
	for _, tc := range []struct {
		name, forwarded, user, password string
		want                            int
	}{
		{"the same client, another name: throttled", attacker, "", "", http.StatusTooManyRequests},
		{"the same client, the right password: throttled", attacker, "rey", demoPassword("rey"), http.StatusTooManyRequests},
		{"the same client prepending a forged address: throttled", neighbour + ", " + attacker, "", "", http.StatusTooManyRequests},
		{"the same client through a second trusted hop: throttled", attacker + ", 127.0.0.1", "", "", http.StatusTooManyRequests},
		{"the same client IPv4-mapped: throttled", "::ffff:" + attacker, "", "", http.StatusTooManyRequests},
		{"another client behind the proxy, a wrong password: 401", neighbour, "", "", http.StatusUnauthorized},
		{"another client behind the proxy signs in", neighbour, "rey", demoPassword("rey"), http.StatusSeeOther},
		{"an IPv6 client behind the proxy signs in", "2001:db8::7", "eda", demoPassword("eda"), http.StatusSeeOther},
		{"the proxy itself, no header: its own count, not throttled", "", "", "", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var status int
			if tc.user == "" {
				status = guess(t, cs.testServer, tc.forwarded)
			} else {
				status = login(t, cs.testServer, tc.forwarded, tc.user, tc.password)
			}
			if status != tc.want {
				t.Errorf("X-Forwarded-For %q: %d, want %d", tc.forwarded, status, tc.want)
			}
		})
	}

	t.Run("an untrusted peer forging a new address each time: throttled", func(t *testing.T) {
		// A server that trusts only a network the test's client is not in.
		ts := mustClockServer(t, web.Config{TrustedProxies: prefixes("10.0.0.0/8")}).testServer
		for i := 1; i <= 20; i++ {
			if status := guess(t, ts, fmt.Sprintf("192.0.2.%d", i)); status != http.StatusUnauthorized {
				t.Fatalf("failed sign-in %d: %d, want 401", i, status)
			}
		}
		if status := guess(t, ts, "192.0.2.200"); status != http.StatusTooManyRequests {
			t.Errorf("after 20 failures under forged addresses: %d, want 429", status)
		}
	})
}

// FuzzProxyClientAddr: whatever the peer and X-Forwarded-For, the server
// answers, an untrusted peer's header changes nothing, and the address
// taken is the peer's or, canonical, one of the header's entries.
func FuzzProxyClientAddr(f *testing.F) {
	for _, seed := range [][2]string{
		{"127.0.0.1:1", "203.0.113.7"},
		{"127.0.0.1:1", "198.51.100.9, 203.0.113.7, 10.0.0.3"},
		{"[::1]:2", "2001:DB8::7, ::ffff:10.0.0.3"},
		{"[::ffff:127.0.0.1]:3", "10.0.0.5,10.0.0.3"},
		{"127.0.0.1:1", "fe80::1%eth0"},
		{"127.0.0.1:1", "[2001:db8::7]:443, ,"},
		{"203.0.113.9:4", "10.0.0.3"},
		{"pipe", "203.0.113.7"},
	} {
		f.Add(seed[0], seed[1])
	}
	ps := newProxyServer(f, proxyDB(f), prefixes(lan...))
	f.Fuzz(func(t *testing.T, remote, header string) {
		bare := ps.addr(t, remote, nil)
		got := ps.addr(t, remote, xff(header))
		if got == bare {
			return
		}
		host, _, err := net.SplitHostPort(remote)
		peer, err2 := netip.ParseAddr(host)
		if err != nil || err2 != nil || !slices.ContainsFunc(prefixes(lan...), func(p netip.Prefix) bool { return p.Contains(peer.Unmap().WithZone("")) }) {
			t.Fatalf("peer %q is not a trusted proxy, yet its X-Forwarded-For %q made the address %q", remote, header, got)
		}
		a, err := netip.ParseAddr(got)
		if err != nil || a.String() != got || a.Is4In6() || a.Zone() != "" {
			t.Fatalf("address %q from %q is not a canonical, unmapped address without zone", got, header)
		}
		if !slices.ContainsFunc(strings.Split(header, ","), func(e string) bool {
			b, err := netip.ParseAddr(strings.Trim(e, " \t"))
			return err == nil && b.Unmap() == a
		}) {
			t.Fatalf("address %q is not an entry of %q", got, header)
		}
	})
}
