package web

import (
	"bytes"
	"container/list"
	"context"
	"io"
	"sync"

	"github.com/a-h/templ"
)

// fragmentCache keeps rendered pieces of pages by the exact data they
// were rendered from: the key holds all of it, so a piece whose data is
// unchanged is not rendered again, and one whose data changed has another
// key and is never served stale; there is nothing to invalidate. Pieces
// must not hold anything per request (a CSP nonce, a CSRF token). The
// report list keeps each report's rows in it, and the reader its
// paragraphs, the items of its side list and its new material (keyed by
// the versions of the claims in them): most of either is unchanged
// between two views.
type fragmentCache struct {
	mu    sync.Mutex
	max   int // bytes held at most, keys and pieces
	size  int
	order *list.List // of *fragment, most recently used first
	items map[string]*list.Element
}

type fragment struct {
	key  string
	html []byte
}

func newFragmentCache(maxBytes int) *fragmentCache {
	return &fragmentCache{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// component renders c, or writes what c rendered before for key; an empty
// key keeps nothing.
func (fc *fragmentCache) component(key string, c templ.Component) templ.Component {
	if key == "" {
		return c
	}
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if b, ok := fc.get(key); ok {
			_, err := w.Write(b)
			return err
		}
		buf := renderBuffers.Get().(*bytes.Buffer)
		defer putRenderBuffer(buf)
		if err := c.Render(ctx, buf); err != nil {
			return err
		}
		fc.put(key, bytes.Clone(buf.Bytes()))
		_, err := w.Write(buf.Bytes())
		return err
	})
}

func (fc *fragmentCache) get(key string) ([]byte, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	e, ok := fc.items[key]
	if !ok {
		return nil, false
	}
	fc.order.MoveToFront(e)
	return e.Value.(*fragment).html, true
}

func (fc *fragmentCache) put(key string, html []byte) {
	n := len(key) + len(html)
	if n > fc.max/8 {
		return
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if _, ok := fc.items[key]; ok {
		return
	}
	fc.items[key] = fc.order.PushFront(&fragment{key: key, html: html})
	fc.size += n
	for fc.size > fc.max {
		last := fc.order.Back()
		f := last.Value.(*fragment)
		fc.order.Remove(last)
		delete(fc.items, f.key)
		fc.size -= len(f.key) + len(f.html)
	}
}
