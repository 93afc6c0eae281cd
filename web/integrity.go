package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"vetted/review"
)

// The server checks the history it serves in the background, after start
// and on an interval. The first check, and one every
// Config.FullHistoryCheckEvery, is full: the whole chain and tree, and the
// records against the history (as 'vetted verify --db' does). The others
// go on from the last event verified: that the tree verified before is
// still the stored tree's prefix and its last event is stored as it was,
// then the events since, each linked to the one before. The server
// remembers the tree it verified, so that a past rewritten under it with every hash
// recomputed still shows. It also records that tree in the database
// (history_verified) after each check that passes and starts from it, so a
// past rewritten or cut short while the server was stopped shows at the
// first check after start. Once a check fails the server stops accepting
// writes, shows a banner on every page, logs why, and /healthz answers 503:
// nothing more should be added to a history that cannot be vouched for
// until someone has looked.

// integrity is what the server knows of its history.
type integrity struct {
	mu       sync.Mutex
	broken   string          // why writes stopped; "" while the history holds
	verified review.TreeHead // the tree last verified in full
	loaded   bool            // verified starts from the recorded tree
	recorded int64           // the size of the tree recorded in the database
	running  chan struct{}   // closed when the check in progress ends
	lastErr  error           // its outcome, for those who waited on it
	lastEnd  time.Time       // when the last check ended
	lastFull time.Time       // when the last full check passed
	fullNext bool            // the next check is full, whenever the last was
	// life ends the checks the server starts on its own (from the history
	// page), when the server is closed.
	life     context.Context
	stopLife context.CancelFunc
}

// historyRecheck is how soon after a check the history page may start
// another: a failed or slow check is not started again by every visit.
const historyRecheck = time.Minute

// Close stops the history checks the server started on its own and waits
// for one that runs: call it before closing the database.
func (s *Server) Close() {
	s.integrity.mu.Lock()
	if s.integrity.stopLife != nil {
		s.integrity.stopLife()
	}
	ch := s.integrity.running
	s.integrity.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

// Broken says why the server stopped accepting writes, or "".
func (s *Server) Broken() string {
	s.integrity.mu.Lock()
	defer s.integrity.mu.Unlock()
	return s.integrity.broken
}

// markBroken stops writes, once, and logs why.
func (s *Server) markBroken(why string) error {
	s.integrity.mu.Lock()
	first := s.integrity.broken == ""
	if first {
		s.integrity.broken = why
	}
	s.integrity.mu.Unlock()
	if first {
		s.log.Error("history check failed: writes are stopped", "reason", why)
	}
	return review.Errorf(review.EINTERNAL, "%s", why)
}

// CheckHistory verifies the stored history and the records against it. A
// failure of the history (not of the database being unreachable) stops
// writes; see integrity. A call while a check runs waits for that one (the
// checkpoint publisher, the background check and the history page all
// start with one).
func (s *Server) CheckHistory(ctx context.Context) error {
	ch := s.startHistoryCheck(ctx)
	select {
	case <-ch:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.integrity.mu.Lock()
	defer s.integrity.mu.Unlock()
	return s.integrity.lastErr
}

// startHistoryCheck starts a check of the whole history in the background
// with ctx, unless one is running, and returns a channel closed when the
// running check ends; its outcome is then in integrity.lastErr.
func (s *Server) startHistoryCheck(ctx context.Context) <-chan struct{} {
	in := &s.integrity
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.running != nil {
		return in.running
	}
	ch := make(chan struct{})
	in.running = ch
	go func() {
		err := s.checkHistory(ctx)
		in.mu.Lock()
		in.running, in.lastErr, in.lastEnd = nil, err, time.Now()
		in.mu.Unlock()
		close(ch)
	}()
	return ch
}

// RequestFullCheck makes the next history check a full one (see
// integrity): the history page's full check, and tests.
func (s *Server) RequestFullCheck() {
	s.integrity.mu.Lock()
	s.integrity.fullNext = true
	s.integrity.mu.Unlock()
}

// verifiedTree is the tree the last full check verified.
func (s *Server) verifiedTree() review.TreeHead {
	s.integrity.mu.Lock()
	defer s.integrity.mu.Unlock()
	return s.integrity.verified
}

func (s *Server) checkHistory(ctx context.Context) error {
	if err := s.loadVerifiedTree(ctx); err != nil {
		return err
	}
	if err := s.checkVerifiedTree(ctx); err != nil {
		return err
	}
	if why := s.Broken(); why != "" {
		// Nothing more to learn, or to record as verified, until someone
		// has looked.
		return review.Errorf(review.EINTERNAL, "%s", why)
	}
	s.integrity.mu.Lock()
	full := s.integrity.fullNext || s.integrity.lastFull.IsZero() || time.Since(s.integrity.lastFull) >= s.cfg.FullHistoryCheckEvery
	s.integrity.fullNext = false
	s.integrity.mu.Unlock()
	if !full {
		return s.checkHistorySince(ctx)
	}
	started := time.Now()
	head, err := s.svc.VerifyChain(ctx)
	if err != nil {
		var ve *review.VerifyError
		if errors.As(err, &ve) {
			return s.markBroken("the stored history does not verify: " + ve.Error())
		}
		return err
	}
	ms, err := s.svc.VerifyRecords(ctx)
	if err != nil {
		var ve *review.VerifyError
		if errors.As(err, &ve) {
			return s.markBroken("the history cannot be replayed: " + ve.Error())
		}
		return err
	}
	if len(ms) > 0 {
		var names []string
		for i, m := range ms {
			if i == 3 {
				names = append(names, fmt.Sprintf("and %d more", len(ms)-i))
				break
			}
			names = append(names, m.String())
		}
		return s.markBroken(fmt.Sprintf("[records] %d record(s) are not what the history says (changed outside vetted): %s", len(ms), strings.Join(names, "; ")))
	}
	if err := s.checkDerived(ctx); err != nil {
		return err
	}
	if head.Seq == 0 {
		return nil
	}
	root, err := s.svc.TreeHash(ctx, head.Seq)
	if err != nil {
		return err
	}
	s.integrity.mu.Lock()
	v := s.integrity.verified
	if v.Size <= head.Seq {
		s.integrity.verified = review.TreeHead{Size: head.Seq, Hash: root}
	}
	s.integrity.mu.Unlock()
	// The history page goes on from here, checking only what comes after.
	s.chain.mu.Lock()
	if s.chain.head.Seq <= head.Seq {
		s.chain.head, s.chain.count = head, head.Seq
	}
	s.chain.mu.Unlock()
	if v.Size > head.Seq {
		// The chain verified, but it is shorter than one verified before.
		return s.markBroken(fmt.Sprintf("[verified-tree] the history has %d events, fewer than the %d verified earlier: events were removed", head.Seq, v.Size))
	}
	s.recordVerifiedTree(ctx, review.TreeHead{Size: head.Seq, Hash: root})
	s.integrity.mu.Lock()
	s.integrity.lastFull = started
	s.integrity.mu.Unlock()
	return nil
}

// checkDerived rebuilds what the tables derive from the records (counts,
// copies) when it no longer matches them, and logs it: a cache gone
// wrong is a bug to report, not a history to stop writing to.
func (s *Server) checkDerived(ctx context.Context) error {
	ms, err := s.svc.CheckDerived(ctx)
	if err != nil || len(ms) == 0 {
		return err
	}
	names := make([]string, 0, 3)
	for i, m := range ms {
		if i == 3 {
			break
		}
		names = append(names, m.String())
	}
	s.log.Warn("derived counts did not match the records: rebuilt them", "mismatches", len(ms), "first", strings.Join(names, "; "))
	return s.svc.RebuildDerived(ctx)
}

// checkHistorySince checks the history after the tree the last full
// check verified (store's VerifyChainSince: that tree's root from the
// stored hashes, its last event by an inclusion proof, then each event
// since with its link and stored tree hashes), and records the new tree as
// verified. It reads without holding the history page's lock.
func (s *Server) checkHistorySince(ctx context.Context) error {
	s.integrity.mu.Lock()
	from := s.integrity.verified
	s.integrity.mu.Unlock()
	head, th, err := s.svc.VerifyChainSince(ctx, from)
	var ve *review.VerifyError
	if errors.As(err, &ve) {
		return s.markBroken("the stored history does not verify: " + ve.Error())
	} else if err != nil {
		return err
	}
	if th.Size == 0 {
		return nil
	}
	s.integrity.mu.Lock()
	if s.integrity.verified.Size <= th.Size {
		s.integrity.verified = th
	}
	s.integrity.mu.Unlock()
	s.chain.mu.Lock()
	if s.chain.head.Seq <= head.Seq {
		s.chain.head, s.chain.count = head, head.Seq
	}
	s.chain.mu.Unlock()
	s.recordVerifiedTree(ctx, th)
	return nil
}

// checkVerifiedHead checks that the last event verified is still stored
// with the hash it had: events appended after it are checked from it.
func (s *Server) checkVerifiedHead(ctx context.Context) error {
	s.chain.mu.Lock()
	h, count := s.chain.head, s.chain.count
	s.chain.mu.Unlock()
	if count == 0 {
		return nil
	}
	var stored review.Event
	err := s.svc.EachEvent(ctx, review.EventFilter{After: h.Seq - 1, Limit: 1}, func(e review.Event) error {
		stored = e
		return nil
	})
	if err != nil {
		return err
	}
	if stored.Seq != h.Seq || stored.Hash != h.Hash {
		return s.markBroken(fmt.Sprintf("[verified-head] event %d verified earlier is no longer stored as it was: the history was rewritten under the server", h.Seq))
	}
	return nil
}

// loadVerifiedTree starts the first check from the tree recorded as
// verified before the server started, so that the check compares the
// stored history with it rather than taking whatever is stored now as the
// baseline.
func (s *Server) loadVerifiedTree(ctx context.Context) error {
	s.integrity.mu.Lock()
	loaded := s.integrity.loaded
	s.integrity.mu.Unlock()
	if loaded {
		return nil
	}
	th, err := s.svc.VerifiedTree(ctx)
	if review.ErrorCode(err) == review.EINTERNAL && errors.As(err, new(*review.Error)) {
		return s.markBroken("[verified-tree] the tree recorded as verified cannot be read: " + review.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	s.integrity.mu.Lock()
	defer s.integrity.mu.Unlock()
	if th.Size > s.integrity.verified.Size {
		s.integrity.verified = th
	}
	s.integrity.recorded, s.integrity.loaded = th.Size, true
	return nil
}

// recordVerifiedTree records a tree the check verified, when it is larger
// than the one recorded. A failure to write it is logged, not a failure of
// the history: the next check tries again.
func (s *Server) recordVerifiedTree(ctx context.Context, th review.TreeHead) {
	s.integrity.mu.Lock()
	grew := th.Size > s.integrity.recorded
	s.integrity.mu.Unlock()
	if !grew {
		return
	}
	if err := s.svc.RecordVerified(ctx, th); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("record the verified history tree", "size", th.Size, "err", err)
		}
		return
	}
	s.integrity.mu.Lock()
	s.integrity.recorded = max(s.integrity.recorded, th.Size)
	s.integrity.mu.Unlock()
}

// checkVerifiedTree checks, in O(log n), that the tree verified earlier is
// still the prefix of the stored one.
func (s *Server) checkVerifiedTree(ctx context.Context) error {
	s.integrity.mu.Lock()
	v := s.integrity.verified
	s.integrity.mu.Unlock()
	if v.Size == 0 {
		return nil
	}
	root, err := s.svc.TreeHash(ctx, v.Size)
	if review.ErrorCode(err) == review.EINVALID {
		return s.markBroken(fmt.Sprintf("[verified-tree] the history no longer has the %d events verified earlier: events were removed", v.Size))
	} else if review.ErrorCode(err) == review.EINTERNAL && errors.As(err, new(*review.Error)) {
		return s.markBroken("[tree] the history's tree cannot be read: " + review.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	if root != v.Hash {
		return s.markBroken(fmt.Sprintf("[verified-tree] the first %d events are not the ones verified earlier: the history was rewritten under the server, or while it was stopped", v.Size))
	}
	return nil
}

// RunHistoryChecks checks the history at once, then every interval, until
// ctx ends.
func (s *Server) RunHistoryChecks(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 10 * time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.CheckHistory(ctx); err != nil && ctx.Err() == nil && s.Broken() == "" {
			s.log.Error("history check", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// withIntegrity refuses every change once the history check failed, but
// signing in and out, so people can still read what is there.
func (s *Server) withIntegrity(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			switch r.URL.Path {
			case "/login", "/logout", "/logout/everywhere":
			default:
				if why := s.Broken(); why != "" {
					w.Header().Set("Retry-After", "3600")
					s.renderError(w, r, http.StatusServiceUnavailable,
						"Nothing was saved: vetted has stopped accepting changes because its history check failed ("+why+"). An administrator must look into it first.")
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}
