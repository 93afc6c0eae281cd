package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"vetted"
	"vetted/review"
	"vetted/store"
	"vetted/web"
)

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "serve", "serve [--db PATH] [--addr HOST:PORT] [--demo] [--secure-cookies] [--integrity-check-every DURATION] [--session-key-file PATH] [--trusted-proxy CIDR[,CIDR...]] [--checkpoint-key PREFIX.key [--checkpoint-interval D]] [--history-check-interval D] [--full-history-check-every D] [--score-threshold POINTS] [--check-links-every DURATION] [--check-links-private] [--stale-months N] [--max-active N]")
	dbPath := dbFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on")
	demo := fs.Bool("demo", false, "load the demo report, claims and users into an empty database")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure and send HSTS (behind TLS)")
	keyFile := fs.String("session-key-file", "", "session key `file`, created with random keys if absent (default: the database path + .keys)")
	org := fs.String("org", "vetted", "organisation `name` running this vetted, for exports")
	baseURL := fs.String("base-url", "", "public `URL` of this vetted, for ids in JSON-LD exports (default: the request's host)")
	orgURL := fs.String("org-url", "", "web `address` of the organisation, the url of the ClaimReview author (default: the base URL)")
	integrityEvery := fs.Duration("integrity-check-every", time.Hour, "how often to run SQLite's quick_check over the database in the background (also once at start)")
	proxies := fs.String("trusted-proxy", "", "`CIDR[,CIDR...]` of the reverse proxies whose X-Forwarded-For names the client; a bare IP is that one address (default: none, every client is its connecting address)")
	threshold := thresholdFlag(fs)
	linksEvery := fs.Duration("check-links-every", 0, "check every source's URL this often, e.g. 24h (default: never; 'vetted sources check' on demand)")
	linksPrivate := fs.Bool("check-links-private", false, "let the link checker fetch private, loopback and link-local addresses")
	staleMonths := fs.Int("stale-months", 0, "when an edition is imported, mark carried claims' evidence older than this many `months` for re-check (default: older than the edition before)")
	cpKey := fs.String("checkpoint-key", "", "signer key `file` (from 'vetted keygen --name'): sign and publish checkpoints at /checkpoint, with hash tiles at /tile/")
	cpEvery := fs.Duration("checkpoint-interval", 5*time.Minute, "with --checkpoint-key, sign a checkpoint this often (`duration`) as well as at start and after each edition import or publication")
	checkEvery := fs.Duration("history-check-interval", 10*time.Minute, "check the history after start and this often (`duration`), from the last event verified; a failure stops writes")
	fullEvery := fs.Duration("full-history-check-every", 24*time.Hour, "make the history check a full one, of the whole history and the records against it, at start and this often (`duration`)")
	maxActive := fs.Int("max-active", 0, "how many requests compute their answers at once, the rest waiting their turn in arrival order (`requests`; default: one more than the CPUs Go uses; -1: no limit)")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *maxActive < -1 {
		return usagef("serve: --max-active must be -1 (no limit), 0 (the default) or a number of requests")
	}
	if *checkEvery <= 0 {
		return usagef("serve: --history-check-interval must be positive")
	}
	if *fullEvery <= 0 {
		return usagef("serve: --full-history-check-every must be positive")
	}
	if *cpEvery <= 0 {
		return usagef("serve: --checkpoint-interval must be positive")
	}
	var signer note.Signer
	if *cpKey != "" {
		var err error
		if signer, err = readSigner(e, *cpKey); err != nil {
			return err
		}
	}
	th, err := parseThreshold(*threshold)
	if err != nil {
		return err
	}
	trusted, err := parseTrustedProxies(*proxies)
	if err != nil {
		return err
	}
	if *baseURL != "" {
		if u, err := url.Parse(*baseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("serve: --base-url %q is not an http(s) URL", *baseURL)
		}
	}
	if *orgURL != "" {
		if u, err := url.Parse(*orgURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("serve: --org-url %q is not an http(s) URL", *orgURL)
		}
	}
	if *integrityEvery < time.Minute {
		return usagef("serve: --integrity-check-every %s is too short: give a minute or more", *integrityEvery)
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return usagef("serve: --addr %q is not host:port", *addr)
	}
	if *keyFile == "" {
		*keyFile = *dbPath + ".keys"
	}
	keys, err := loadSessionKeys(*keyFile)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	db, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	db.ScoreThreshold, db.StaleEvidenceMonths = th, max(0, *staleMonths)
	if *demo {
		loaded, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims)
		if err != nil {
			return err
		}
		if loaded {
			log.Info("demo loaded", "users", demoUserNames())
		} else {
			log.Info("demo not loaded: the database already holds a report")
		}
	}
	srv, err := web.New(db, web.Config{SessionKeys: keys, SecureCookies: *secure, Logger: log, Organisation: *org, OrganisationURL: *orgURL, BaseURL: *baseURL,
		TrustedProxies: trusted, ScoreThreshold: th, CheckpointSigner: signer, FullHistoryCheckEvery: *fullEvery, MaxActive: *maxActive})
	if err != nil {
		return err
	}
	defer srv.Close() // before the database closes: a history check may be reading it
	go srv.RunHistoryChecks(ctx, *checkEvery)
	if signer != nil {
		log.Info("publishing checkpoints at /checkpoint and hash tiles at /tile/", "origin", signer.Name(), "interval", cpEvery.String())
		go srv.RunCheckpoints(ctx, *cpEvery)
	}
	if len(trusted) > 0 {
		log.Info("client addresses from X-Forwarded-For", "trusted_proxies", fmt.Sprint(trusted))
	}
	go db.Watch(ctx, log, *integrityEvery)
	if *linksEvery > 0 {
		lctx, stop := context.WithCancel(ctx)
		defer stop()
		go checkLinksEvery(lctx, db, web.NewLinkChecker(*linksPrivate, 0), *linksEvery, log)
	}
	return listen(ctx, log, *addr, srv)
}

// parseTrustedProxies reads --trusted-proxy: prefixes or bare addresses,
// separated by commas. It refuses rather than guesses: "10.0.0.1/8" is more
// likely a mistyped /32 than a wish to trust 16 million addresses, and a
// /0 would let every client name its own address, which is what the
// setting exists to prevent.
func parseTrustedProxies(v string) ([]netip.Prefix, error) {
	if v == "" {
		return nil, nil
	}
	var ps []netip.Prefix
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, usagef("serve: --trusted-proxy %q has an empty entry: separate prefixes with single commas", v)
		}
		var p netip.Prefix
		if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
			p = netip.PrefixFrom(a, a.BitLen())
		} else if p, err = netip.ParsePrefix(s); err != nil {
			return nil, usagef("serve: --trusted-proxy %q is not an IP address or a CIDR prefix such as 127.0.0.1 or 10.0.0.0/8", s)
		}
		// As web does with clients' addresses: ::ffff:10.0.0.1 is 10.0.0.1.
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		if m := p.Masked(); m != p {
			return nil, usagef("serve: --trusted-proxy %q has bits set past /%d: write %s, or %s/%d for that one address", s, p.Bits(), m, p.Addr(), p.Addr().BitLen())
		}
		if p.Bits() == 0 {
			return nil, usagef("serve: --trusted-proxy %q trusts every address, so any client could choose its own: name the proxies", s)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func demoUserNames() string {
	var names []string
	for _, u := range store.DemoUsers {
		names = append(names, u.Name+" ("+string(u.Role)+")")
	}
	return strings.Join(names, ", ")
}

// listen serves until ctx ends (SIGINT/SIGTERM), then lets in-flight
// requests finish for up to 30 seconds.
func listen(ctx context.Context, log *slog.Logger, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return review.Errorf(review.EINVALID, "Cannot listen on %s: %v", addr, err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	log.Info("listening", "addr", "http://"+ln.Addr().String())
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// Session key files hold one key pair per line, "HASHKEY BLOCKKEY" in
// base64: the first line signs new cookies, later lines still decode
// cookies signed before a rotation (docs/OPERATIONS.md).
func loadSessionKeys(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return createSessionKeys(path)
	} else if err != nil {
		return nil, review.Errorf(review.EINVALID, "Cannot read the session key file %s: %v", path, errors.Unwrap(err))
	}
	var keys [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Fields(line)
		if len(parts) != 2 {
			return nil, review.Errorf(review.EINVALID, "%s line %d: want two base64 keys (hash key, block key)", path, n)
		}
		hash, err1 := base64.StdEncoding.DecodeString(parts[0])
		block, err2 := base64.StdEncoding.DecodeString(parts[1])
		if err1 != nil || err2 != nil || len(hash) < 32 || (len(block) != 16 && len(block) != 24 && len(block) != 32) {
			return nil, review.Errorf(review.EINVALID, "%s line %d: keys must be base64, a hash key of 32+ bytes and a block key of 16, 24 or 32 bytes", path, n)
		}
		keys = append(keys, hash, block)
	}
	if len(keys) == 0 {
		return nil, review.Errorf(review.EINVALID, "%s holds no session keys: delete it to have new ones made", path)
	}
	return keys, nil
}

func createSessionKeys(path string) ([][]byte, error) {
	hash, block := make([]byte, 64), make([]byte, 32)
	if _, err := rand.Read(hash); err != nil {
		return nil, err
	}
	if _, err := rand.Read(block); err != nil {
		return nil, err
	}
	line := "# vetted session keys: first line signs, later lines only decode (rotation)\n" +
		base64.StdEncoding.EncodeToString(hash) + " " + base64.StdEncoding.EncodeToString(block) + "\n"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, review.Errorf(review.EINVALID, "Cannot create the session key file %s: %v", path, errors.Unwrap(err))
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return [][]byte{hash, block}, nil
}
