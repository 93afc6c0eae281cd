package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// maxForwardedHops bounds how many X-Forwarded-For entries clientAddr
// reads, from the right: more hops than that between the client and vetted
// is not a real set-up, and the header is otherwise as long as a client
// cares to make it.
const maxForwardedHops = 32

// clientAddr is the address a request is counted under, by the sign-in
// throttle and in the request log; it is decided here and nowhere else. It
// is the connecting address, unless that is a trusted proxy: then it is
// the nearest untrusted hop in X-Forwarded-For (see forwardedFor), or the
// proxy's own address when the header gives none.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr // not a TCP peer (a test, a unix socket): nothing to trust
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	// Unmapped, so a dual-stack listener's ::ffff:127.0.0.1 is 127.0.0.1
	// both in the trust check and in the throttle's counts; without the
	// zone, which Prefix.Contains refuses.
	peer = peer.Unmap().WithZone("")
	if !s.trusted(peer) {
		return peer.String()
	}
	if a, ok := s.forwardedFor(r.Header.Values("X-Forwarded-For")); ok {
		return a.String()
	}
	return peer.String()
}

// forwardedFor reads X-Forwarded-For (all its lines, in order, as one
// comma-separated list) from the right. Each proxy appends the address it
// was connected from, so the entries to the right of the last untrusted
// one were written by our proxies, and that one is the client as our
// outermost proxy saw it; anything to its left the client may have written,
// so it is never parsed. If every entry is trusted, the leftmost is the
// client (a request from inside the proxies' network). A malformed entry
// (empty, a port, a zone, not an address) before an untrusted one is
// reached, or more than maxForwardedHops entries, means the proxies'
// header cannot be read, and ok is false.
func (s *Server) forwardedFor(lines []string) (addr netip.Addr, ok bool) {
	var leftmost netip.Addr
	hops := 0
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for more := true; more; {
			if hops == maxForwardedHops {
				return netip.Addr{}, false
			}
			hops++
			entry := rest
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				entry, rest = rest[j+1:], rest[:j]
			} else {
				more = false
			}
			a, err := netip.ParseAddr(strings.Trim(entry, " \t"))
			if err != nil || a.Zone() != "" {
				return netip.Addr{}, false
			}
			a = a.Unmap()
			if !s.trusted(a) {
				return a, true
			}
			leftmost = a
		}
	}
	return leftmost, leftmost.IsValid()
}

// trusted reports whether a is one of the configured proxies.
func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
