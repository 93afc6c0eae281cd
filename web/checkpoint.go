package web

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"vetted/review"
)

// The server publishes the history as a C2SP transparency log: the latest
// signed checkpoint at /checkpoint and the hash tiles at /tile/<L>/<N>
// (C2SP tlog-tiles, height 8; the entries are not published, only their
// hashes), without a sign-in, so a witness anywhere can follow the log and
// check that each checkpoint extends the one before.

// publisher holds the latest checkpoint the server signed.
type publisher struct {
	signing sync.Mutex // one PublishCheckpoint at a time
	mu      sync.Mutex // guards head and note, for /checkpoint
	signer  note.Signer
	head    review.TreeHead // what note signs; Size 0 before the first
	note    []byte
	kick    chan struct{}
}

// tileHeight is the C2SP tlog-tiles tile height.
const tileHeight = 8

// PublishCheckpoint signs the current tree head if it grew since the last
// checkpoint, after checking that it extends that checkpoint's tree; the
// first time, that it extends the tree the history check verified (running
// that check if none has). A tree that does not
// extend the last one signed means the stored history was rewritten under
// the server: it is never signed, and writes stop (integrity.go).
func (s *Server) PublishCheckpoint(ctx context.Context) error {
	p := &s.publish
	if p.signer == nil {
		return nil
	}
	// The checks below read the database, the first for seconds on a long
	// history: /checkpoint keeps serving the last note meanwhile.
	p.signing.Lock()
	defer p.signing.Unlock()
	if why := s.Broken(); why != "" {
		return review.Errorf(review.EINTERNAL, "no checkpoint is signed while the history check fails: %s", why)
	}
	p.mu.Lock()
	last := p.head
	p.mu.Unlock()
	base := last
	if base.Size == 0 {
		if base = s.verifiedTree(); base.Size == 0 {
			if err := s.CheckHistory(ctx); err != nil {
				return err
			}
			base = s.verifiedTree()
		}
	}
	th, err := s.svc.TreeHead(ctx)
	if err != nil {
		if review.ErrorCode(err) == review.EINTERNAL && errors.As(err, new(*review.Error)) {
			return s.historyBroken("[tree] %s", review.ErrorMessage(err))
		}
		return err
	}
	if th.Size == 0 || th == last {
		return nil
	}
	if base.Size > 0 {
		if th.Size < base.Size {
			return s.historyBroken("[checkpoint-consistency] the history shrank from %d to %d events after a tree of %d was signed or verified", base.Size, th.Size, base.Size)
		}
		proof, err := s.svc.ProveTree(ctx, base.Size, th.Size)
		if err == nil {
			err = tlog.CheckTree(proof, th.Size, th.Hash, base.Size, base.Hash)
		}
		if err != nil {
			return s.historyBroken("[checkpoint-consistency] the stored history no longer extends the tree of %d events signed or verified earlier (%v): events up to it were rewritten", base.Size, err)
		}
	}
	msg, err := review.SignCheckpoint(th, p.signer)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.head, p.note = th, msg
	p.mu.Unlock()
	s.log.Info("checkpoint signed", "size", th.Size, "root", base64.StdEncoding.EncodeToString(th.Hash[:]))
	return nil
}

// historyBroken records that the stored history cannot be vouched for:
// no more checkpoints, and no more writes.
func (s *Server) historyBroken(format string, args ...any) error {
	return s.markBroken(fmt.Sprintf(format, args...))
}

// kickCheckpoint asks RunCheckpoints to sign soon (after an import).
func (s *Server) kickCheckpoint() {
	select {
	case s.publish.kick <- struct{}{}:
	default: // one is pending already
	}
}

// RunCheckpoints signs a checkpoint at once, then after each edition
// import and every interval, until ctx ends. Without a checkpoint key it
// returns at once.
func (s *Server) RunCheckpoints(ctx context.Context, interval time.Duration) {
	if s.publish.signer == nil {
		return
	}
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.PublishCheckpoint(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("checkpoint", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.publish.kick:
		}
	}
}

func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	s.publish.mu.Lock()
	msg := s.publish.note
	s.publish.mu.Unlock()
	if msg == nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "This server publishes no checkpoint: it was started without --checkpoint-key, or has not signed one yet.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(msg)
}

// handleTile serves a hash tile: /tile/<L>/<N>[.p/<W>], N in x/mod's
// three-digit groups (x001/234). Entry tiles (/tile/entries/…) are not
// published.
func (s *Server) handleTile(w http.ResponseWriter, r *http.Request) {
	rest := r.PathValue("path")
	if strings.HasPrefix(rest, "entries/") || strings.HasPrefix(rest, "data/") {
		http.Error(w, "This log publishes hash tiles only, not its entries.", http.StatusNotFound)
		return
	}
	t, err := tlog.ParseTilePath("tile/8/" + rest)
	if err != nil || t.H != tileHeight || t.L < 0 {
		http.Error(w, "Not a tile path: /tile/<level>/<index>[.p/<width>].", http.StatusNotFound)
		return
	}
	data, err := s.svc.ReadTile(r.Context(), t)
	if review.ErrorCode(err) == review.ENOTFOUND {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, review.ErrorMessage(err), http.StatusNotFound)
		return
	} else if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	// A tile's bytes never change once the log has reached it.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(data)
}
