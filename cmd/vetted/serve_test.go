package main

import (
	"bytes"
	"context"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSessionKeyFile(t *testing.T) {
	dir := t.TempDir()
	t.Run("OKCreated", func(t *testing.T) {
		path := filepath.Join(dir, "new.keys")
		keys, err := loadSessionKeys(path)
		if err != nil || len(keys) != 2 {
			t.Fatalf("keys %d, %v", len(keys), err)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode %v, %v; want 0600", st.Mode(), err)
		}
		again, err := loadSessionKeys(path)
		if err != nil || string(again[0]) != string(keys[0]) {
			t.Errorf("reloading gave other keys: %v", err)
		}
	})
	for _, tc := range []struct{ name, content, want string }{
		{"ErrOneKey", "c2VjcmV0\n", "two base64 keys"},
		{"ErrBadBase64", "!!! ###\n", "must be base64"},
		{"ErrShortKeys", "c2VjcmV0 c2VjcmV0\n", "32+ bytes"},
		{"ErrEmpty", "# only a comment\n", "holds no session keys"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			os.WriteFile(path, []byte(tc.content), 0o600)
			_, err := loadSessionKeys(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
	t.Run("ErrBadFlags", func(t *testing.T) {
		for _, args := range [][]string{
			{"serve", "--addr", "nonsense"},
			{"serve", "--base-url", "javascript:alert(1)"},
			{"serve", "--bogus"},
		} {
			if code, _, errOut := runCLI(t, "", args...); code != exitUsage || !strings.Contains(errOut, "serve") {
				t.Errorf("%v: exit %d %q, want 2", args, code, errOut)
			}
		}
	})
}

func TestTrustedProxyFlag(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tc := range []struct {
			value string
			want  []string
		}{
			{"", nil},
			{"127.0.0.1", []string{"127.0.0.1/32"}},
			{"::1", []string{"::1/128"}},
			{"::ffff:127.0.0.1", []string{"127.0.0.1/32"}},
			{"::ffff:10.0.0.0/104", []string{"10.0.0.0/8"}},
			{"10.0.0.0/8,192.168.0.0/16", []string{"10.0.0.0/8", "192.168.0.0/16"}},
			{" 10.0.0.0/8 , 2001:db8::/32 ", []string{"10.0.0.0/8", "2001:db8::/32"}},
			{"127.0.0.1/32,::1/128", []string{"127.0.0.1/32", "::1/128"}},
		} {
			got, err := parseTrustedProxies(tc.value)
			var want []netip.Prefix
			for _, p := range tc.want {
				want = append(want, netip.MustParsePrefix(p))
			}
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("--trusted-proxy %q: %v, %v; want %v", tc.value, got, err, want)
			}
		}
	})
	t.Run("ErrBadValues", func(t *testing.T) {
		// Each bad value exits 2 naming the flag and the bad entry, before
		// the database or the key file is created.
		dir := t.TempDir()
		db := filepath.Join(dir, "vetted.db")
		for _, tc := range []struct{ value, named string }{
			{"nonsense", "nonsense"},
			{"127.0.0.1:8080", "127.0.0.1:8080"},
			{"[::1]", "[::1]"},
			{"fe80::1%eth0", "fe80::1%eth0"},
			{"1.2.3", "1.2.3"},
			{"999.0.0.1", "999.0.0.1"},
			{"010.0.0.1", "010.0.0.1"},
			{"10.0.0.0/33", "10.0.0.0/33"},
			{"::/129", "::/129"},
			{"10.0.0.0/-1", "10.0.0.0/-1"},
			{"10.0.0.0/8/8", "10.0.0.0/8/8"},
			{"10.0.0.1/8", "10.0.0.1/8"},
			{"0.0.0.0/0", "0.0.0.0/0"},
			{"::/0", "::/0"},
			{"::ffff:0.0.0.0/96", "::ffff:0.0.0.0/96"},
			{"127.0.0.1,nonsense", "nonsense"},
			{"127.0.0.1 10.0.0.1", "127.0.0.1 10.0.0.1"},
			{"127.0.0.1;10.0.0.1", "127.0.0.1;10.0.0.1"},
			{"127.0.0.1\n10.0.0.1", "127.0.0.1\n10.0.0.1"},
			{",", ","},
			{" ", " "},
			{"127.0.0.1,", "127.0.0.1,"},
			{"127.0.0.1,,::1", "127.0.0.1,,::1"},
		} {
			code, _, errOut := runCLI(t, "", "serve", "--db", db, "--trusted-proxy", tc.value)
			if code != exitUsage || !strings.Contains(errOut, "--trusted-proxy") || !strings.Contains(errOut, strconv.Quote(tc.named)) {
				t.Errorf("--trusted-proxy %q: exit %d %q, want 2 naming the flag and %q", tc.value, code, errOut, tc.named)
			}
		}
		for _, f := range []string{db, db + ".keys"} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("a bad --trusted-proxy created %s", f)
			}
		}
	})
	t.Run("OKServes", func(t *testing.T) {
		// The flag reaches the server: a request from the loopback proxy
		// is logged under its X-Forwarded-For only when the flag trusts it.
		for _, tc := range []struct {
			name string
			args []string
			want string
		}{
			{"trusted", []string{"--trusted-proxy", "127.0.0.1,::1"}, "203.0.113.7"},
			{"not trusted", []string{"--trusted-proxy", "10.0.0.0/8"}, "127.0.0.1"},
			{"no flag", nil, "127.0.0.1"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := serveAddr(t, tc.args, "203.0.113.7"); got != tc.want {
					t.Errorf("request logged from %q, want %q", got, tc.want)
				}
			})
		}
	})
}

// syncBuffer is a bytes.Buffer the server can log to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var (
	listeningRE = regexp.MustCompile(`msg=listening addr=(\S+)`)
	healthLogRE = regexp.MustCompile(`msg=request method=GET path=/healthz .* addr=(\S+)`)
)

// serveAddr runs `vetted serve` in-process with args on a free loopback
// port, sends GET /healthz with X-Forwarded-For: forwarded, stops the
// server and returns the client address its request log gave.
func serveAddr(t *testing.T, args []string, forwarded string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan int, 1)
	argv := append([]string{"serve", "--db", filepath.Join(t.TempDir(), "vetted.db"), "--addr", "127.0.0.1:0"}, args...)
	go func() { done <- run(ctx, argv, strings.NewReader(""), &out, &out) }()
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; time.Sleep(10 * time.Millisecond) {
		if m := listeningRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve %v exited %d before listening:\n%s", args, code, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve %v did not start:\n%s", args, out.String())
		}
	}
	req, err := http.NewRequest(http.MethodGet, base+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", forwarded)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// Shutdown waits for the request to finish, so its log line is written
	// by the time run returns.
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve %v: exit %d\n%s", args, code, out.String())
	}
	m := healthLogRE.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no request line for /healthz in\n%s", out.String())
	}
	return m[1]
}

// TestMistypedDB: read commands refuse a database that does not exist
// instead of creating an empty one.
func TestMistypedDB(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{
		{"claims", "list", "--db", missing, "--report", "azerbaijan"},
		{"head", "--db", missing},
		{"export", "--db", missing},
		{"user", "list", "--db", missing},
		{"backup", "--db", missing, missing + ".copy"},
	} {
		code, _, errOut := runCLI(t, "", args...)
		if code != exitFail || !strings.Contains(errOut, "no database at") {
			t.Errorf("%v: exit %d %q, want 1 and 'no database at'", args, code, errOut)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Fatalf("%v created %s", args, missing)
		}
	}
}
