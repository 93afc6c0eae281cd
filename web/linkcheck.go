package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"vetted/review"
)

// LinkChecker checks sources' URLs. It never fetches a private, loopback,
// link-local or otherwise internal address unless AllowPrivate is set: a
// source's URL is typed by users, and the checker runs on the server, so
// it would otherwise probe the server's own network for them. The address
// is checked after the name is resolved, at each connection (redirects are
// not followed, and a name that resolves elsewhere the second time is
// checked again), and no proxy is used, which would hide where a request
// really goes.
type LinkChecker struct {
	AllowPrivate bool
	Timeout      time.Duration // per check; zero means 10 seconds
	client       *http.Client
}

// errPrivate is a connection the checker refused to make.
var errPrivate = errors.New("a private, loopback or link-local address")

// NewLinkChecker returns a checker with its own HTTP client.
func NewLinkChecker(allowPrivate bool, timeout time.Duration) *LinkChecker {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	lc := &LinkChecker{AllowPrivate: allowPrivate, Timeout: timeout}
	d := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		if lc.AllowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil || internal(ap.Addr()) {
			return errPrivate
		}
		return nil
	}}
	lc.client = &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{Proxy: nil, DialContext: d.DialContext, TLSHandshakeTimeout: timeout,
			ResponseHeaderTimeout: timeout, MaxIdleConns: 4, IdleConnTimeout: 30 * time.Second},
		// A redirect is the answer: the source moved.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return lc
}

// internal reports whether an address is not on the public internet.
func internal(a netip.Addr) bool {
	a = a.Unmap()
	return !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(a) || // carrier-grade NAT
		netip.MustParsePrefix("192.0.0.0/24").Contains(a) ||
		netip.MustParsePrefix("198.18.0.0/15").Contains(a) ||
		netip.MustParsePrefix("64:ff9b:1::/48").Contains(a)
}

// Check fetches a URL once and says what became of it: ok (2xx), moved (a
// redirect, with where to), dead (404 or 410), timeout, unresolvable (the
// name no longer resolves), refused (an internal address, not fetched) or
// error (anything else).
func (lc *LinkChecker) Check(ctx context.Context, sourceID int64, rawURL string) review.LinkCheck {
	c := review.LinkCheck{SourceID: sourceID, URL: rawURL}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.Status, c.Detail = review.LinkError, "not an http or https URL"
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, lc.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		c.Status, c.Detail = review.LinkError, err.Error()
		return c
	}
	req.Header.Set("User-Agent", "vetted-link-checker/1 (checks cited sources)")
	res, err := lc.client.Do(req)
	if err != nil {
		c.Status, c.Detail = classify(err)
		return c
	}
	res.Body.Close()
	c.Code = res.StatusCode
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		c.Status = review.LinkOK
	case res.StatusCode == http.StatusMovedPermanently, res.StatusCode == http.StatusFound, res.StatusCode == http.StatusSeeOther,
		res.StatusCode == http.StatusTemporaryRedirect, res.StatusCode == http.StatusPermanentRedirect:
		c.Status = review.LinkMoved
		if loc, err := res.Location(); err == nil {
			c.Location = loc.String()
		}
	case res.StatusCode == http.StatusNotFound, res.StatusCode == http.StatusGone:
		c.Status = review.LinkDead
	default:
		c.Status, c.Detail = review.LinkError, fmt.Sprintf("HTTP %d", res.StatusCode)
	}
	return c
}

func classify(err error) (review.LinkStatus, string) {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, errPrivate):
		return review.LinkRefused, "not fetched: the address is private, loopback or link-local"
	case errors.As(err, &dns) && (dns.IsNotFound || !dns.IsTimeout):
		return review.LinkUnresolvable, "the name does not resolve: " + dns.Name
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return review.LinkTimeout, "no answer in time"
	}
	return review.LinkError, err.Error()
}

// LinkResult is one source's check, as recorded.
type LinkResult struct {
	Source review.Source
	Check  review.LinkCheck
}

// CheckLinks checks every source with a URL (or only the one with id
// only, when not 0) and records each outcome as by.
func CheckLinks(ctx context.Context, svc review.SourceService, lc *LinkChecker, by review.User, only int64) ([]LinkResult, error) {
	ss, err := svc.ListSources(ctx)
	if err != nil {
		return nil, err
	}
	var out []LinkResult
	for _, s := range ss {
		if s.URL == "" || (only != 0 && s.ID != only) {
			continue
		}
		c := lc.Check(ctx, s.ID, s.URL)
		rec, err := svc.RecordLinkCheck(ctx, by, c)
		if err != nil {
			return out, err
		}
		out = append(out, LinkResult{Source: rec, Check: c})
	}
	if only != 0 && len(out) == 0 {
		return nil, review.Errorf(review.ENOTFOUND, "Source %d does not exist or has no URL.", only)
	}
	return out, nil
}
