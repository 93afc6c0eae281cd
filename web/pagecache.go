package web

import (
	"bytes"
	"container/list"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"

	"vetted/review"
)

// pageCache keeps rendered claim pages, so a page read many times between
// changes is built once. An entry is keyed by the claim and the viewer (the
// page shows their name, their drafts and the controls their role allows)
// and is only served while the store reports the version it was built at;
// every change writes an event, which moves the version, so a stale page is
// never served. Pages are held with the CSP nonce cut out and the request's
// own nonce put back in when served.
type pageCache struct {
	mark []byte // stands for the nonce in held pages: random, never sent

	mu    sync.Mutex
	max   int // bytes held at most
	size  int
	order *list.List // of *cachedPage, most recently used first
	pages map[pageKey]*list.Element
}

type pageKey struct {
	claim int64
	user  int64
	role  review.Role
	// nav is the navigation's counts, which change with other claims'
	// events: a page is kept per counts, so they are never stale.
	nav review.NavCounts
}

type cachedPage struct {
	key     pageKey
	version review.ClaimVersion
	parts   [][]byte // the page split where the nonce goes
	size    int
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{
		// Hex, so that rendering does not escape it.
		mark:  []byte("noncemark" + hex.EncodeToString([]byte(newNonce()))),
		max:   maxBytes,
		order: list.New(),
		pages: map[pageKey]*list.Element{},
	}
}

// serve writes the page held for key at version v and reports whether it
// had one.
func (c *pageCache) serve(w http.ResponseWriter, r *http.Request, key pageKey, v review.ClaimVersion) bool {
	c.mu.Lock()
	e, ok := c.pages[key]
	var p *cachedPage
	if ok {
		p = e.Value.(*cachedPage)
		if p.version != v {
			p, ok = nil, false
		} else {
			c.order.MoveToFront(e)
		}
	}
	c.mu.Unlock()
	if !ok {
		return false
	}
	nonce := templ.GetNonce(r.Context())
	n := 0
	for _, part := range p.parts {
		n += len(part)
	}
	n += (len(p.parts) - 1) * len(nonce)
	writeHTMLHeaders(w)
	w.Header().Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(http.StatusOK)
	for i, part := range p.parts {
		if i > 0 {
			w.Write([]byte(nonce))
		}
		w.Write(part)
	}
	return true
}

// render renders page with the mark for a nonce, keeps it for key at
// version v, and serves it.
func (c *pageCache) render(s *Server, w http.ResponseWriter, r *http.Request, key pageKey, v review.ClaimVersion, page templ.Component) {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	// templ keeps the nonce in a value shared by every context derived
	// from the request's: render in a context of its own, or the request
	// would be left with the mark for its nonce.
	ctx := templ.WithNonce(templ.InitializeDocumentContext(r.Context()), string(c.mark))
	if err := page.Render(ctx, buf); err != nil {
		s.log.Error("render", "path", r.URL.Path, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	held := bytes.Clone(buf.Bytes()) // the buffer's spare capacity is not kept
	c.put(&cachedPage{key: key, version: v, parts: bytes.Split(held, c.mark), size: len(held)})
	if !c.serve(w, r, key, v) {
		// Too large to keep, or replaced by a newer version meanwhile:
		// serve what was rendered.
		writeHTMLHeaders(w)
		w.WriteHeader(http.StatusOK)
		w.Write(bytes.ReplaceAll(buf.Bytes(), c.mark, []byte(templ.GetNonce(r.Context()))))
	}
}

func (c *pageCache) put(p *cachedPage) {
	if p.size > c.max/8 {
		return // one huge page must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.pages[p.key]; ok {
		old := e.Value.(*cachedPage)
		if old.version.Claim > p.version.Claim || old.version.Global > p.version.Global {
			return // a request that read a newer version got here first
		}
		c.size -= old.size
		c.order.Remove(e)
	}
	c.pages[p.key] = c.order.PushFront(p)
	c.size += p.size
	for c.size > c.max {
		last := c.order.Back()
		old := last.Value.(*cachedPage)
		c.order.Remove(last)
		delete(c.pages, old.key)
		c.size -= old.size
	}
}

// writeHTMLHeaders sets what every HTML page is sent with.
func writeHTMLHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
}
